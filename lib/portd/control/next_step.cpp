// next_step(): read from the order's bookkeeping (the call out, what waits for it, the next
// wake-up), which is exactly what the engine acts on.
#include <portd/control/next_step.hpp>

namespace portd::control {
namespace {

std::string call_words(core::call_kind k) {
  switch (k) {
    case core::call_kind::eligibility: return "eligibility check";
    case core::call_kind::submit_port_in:
    case core::call_kind::submit_port_out: return "submission";
    case core::call_kind::update: return "correction";
    case core::call_kind::cancel: return "cancel";
    case core::call_kind::status: return "status check";
  }
  return "call";
}

}  // namespace

std::string next_step(const core::order& o) {
  if (core::is_terminal(o.state)) return "nothing: the order is " + std::string(core::to_string(o.state));
  if (o.in_flight) {
    const std::string out = call_words(*o.in_flight);
    if (o.pending == core::pending_intent::cancel) return "cancel queued; sent once the " + out + " in flight returns";
    if (o.pending == core::pending_intent::update && *o.in_flight != core::call_kind::update)
      return "correction queued; sent once the " + out + " in flight returns";
    return out + (*o.in_flight == core::call_kind::status ? " queued; Telegent is asked next"
                                                          : " queued; Telegent is told next");
  }
  if (o.pending == core::pending_intent::cancel)
    return "cancel waits for an operator: resolve the order or cancel it again";
  if (o.next_check_at) return "next check at " + core::format_time(*o.next_check_at);
  if (o.needs_attention()) return "nothing until an operator acts";
  return "nothing queued";
}

}  // namespace portd::control
