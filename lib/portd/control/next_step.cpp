// next_step(): read from the order's bookkeeping (the call out, what waits for it, the next
// wake-up), which is exactly what the engine acts on.
#include <portd/control/next_step.hpp>

namespace portd::control {
namespace {

std::string call_words(porting::call_kind k) {
  switch (k) {
    case porting::call_kind::eligibility: return "eligibility check";
    case porting::call_kind::submit_port_in:
    case porting::call_kind::submit_port_out: return "submission";
    case porting::call_kind::update: return "correction";
    case porting::call_kind::cancel: return "cancel";
    case porting::call_kind::status: return "status check";
  }
  return "call";
}

}  // namespace

std::string next_step(const porting::order& o) {
  if (porting::is_terminal(o.state)) return "nothing: the order is " + std::string(porting::to_string(o.state));
  if (o.in_flight) {
    const std::string out = call_words(*o.in_flight);
    if (o.pending == porting::pending_intent::cancel) return "cancel queued; sent once the " + out + " in flight returns";
    if (o.pending == porting::pending_intent::update && *o.in_flight != porting::call_kind::update)
      return "correction queued; sent once the " + out + " in flight returns";
    return out + (*o.in_flight == porting::call_kind::status ? " queued; Telegent is asked next"
                                                          : " queued; Telegent is told next");
  }
  if (o.pending == porting::pending_intent::cancel)
    return "cancel waits for an operator: resolve the order or cancel it again";
  if (o.next_check_at) return "next check at " + porting::format_time(*o.next_check_at);
  if (o.needs_attention()) return "nothing until an operator acts";
  return "nothing queued";
}

}  // namespace portd::control
