// The transition tables (see transitions.hpp).
#include <portd/porting/transitions.hpp>
#include <portd/porting/status.hpp>

#include <array>
#include <utility>

namespace portd::porting {
namespace {

constexpr std::array<std::string_view, 13> trigger_names{
    "start", "timer", "recovered", "update", "cancel", "resolve_adopt", "resolve_resubmit",
    "retry", "poll",  "close", "ok", "transient", "refused"};

constexpr std::array<std::string_view, 22> guard_names{
    "always", "otherwise", "idle", "call_out", "checks_eligibility", "skips_eligibility", "eligible",
    "not_eligible", "cancel_pending", "update_pending", "settling", "reports_end", "not_at_telegent",
    "not_at_telegent_skip_eligibility", "maybe_created", "may_have_reached", "resend_window_passed",
    "duplicate_after_ambiguous", "unknown_at_telegent", "settling_unknown", "attempts_exhausted",
    "gave_up_maybe_created"};
constexpr std::array<std::string_view, 22> guard_phrases{
    "",
    "otherwise",
    "no call out",
    "a call out",
    "checks eligibility",
    "skips eligibility",
    "eligible",
    "not eligible",
    "cancel pending",
    "correction pending",
    "after a refused cancel",
    "reports an end state",
    "nothing at Telegent",
    "nothing at Telegent, skips eligibility",
    "may have created an order",
    "may have reached Telegent",
    "resend window passed",
    "duplicate after an ambiguous submit",
    "Telegent does not know it",
    "after a refused cancel, Telegent does not know it",
    "retries used up",
    "retries used up, may have created an order"};
static_assert(guard_names.size() == static_cast<std::size_t>(guard::gave_up_maybe_created) + 1);

using enum order_state;
using enum guard;
using T = trigger;
using C = call_kind;
constexpr std::optional<order_state> reported{};  // `to`: the state Telegent reports

// ---- the tables ------------------------------------------------------------------------------
// {from, trigger, answered call, guard, to, call}. Changing what a state does on a trigger is
// changing its row here, and its row in tests/unit/porting/transitions_test.cpp (the test's own
// copy, checked against this one and against what decide() does).

// Rows both kinds have. (A port-out is rejected only when an older portd, which had no
// port_out_rejected, left it so: it is watched like a port-in until Telegent ends it.)
constexpr transition shared_rows[] = {
    {received, T::cancel, {}, always, cancelled, {}},
    {received, T::close, {}, always, closed, {}},
    {submit_unknown, T::cancel, {}, always, cancelled, {}},
    {submit_unknown, T::resolve_adopt, {}, always, submitted, C::status},
    {submit_unknown, T::close, {}, always, closed, {}},
    {submitted, T::timer, {}, otherwise, submitted, C::status},
    {submitted, T::recovered, {}, cancel_pending, cancelling, C::cancel},
    {submitted, T::recovered, {}, otherwise, submitted, C::status},
    {submitted, T::cancel, {}, call_out, cancelling, {}},
    {submitted, T::cancel, {}, otherwise, cancelling, C::cancel},
    {submitted, T::poll, {}, idle, submitted, C::status},
    {submitted, T::close, {}, always, closed, {}},
    {submitted, T::ok, C::status, cancel_pending, cancelling, C::cancel},
    {submitted, T::ok, C::status, otherwise, reported, {}},
    {submitted, T::transient, C::status, cancel_pending, cancelling, C::cancel},
    {submitted, T::refused, C::status, cancel_pending, cancelling, C::cancel},
    {carrier_approval, T::timer, {}, otherwise, carrier_approval, C::status},
    {carrier_approval, T::recovered, {}, otherwise, carrier_approval, C::status},
    {carrier_approval, T::cancel, {}, call_out, cancelling, {}},
    {carrier_approval, T::cancel, {}, otherwise, cancelling, C::cancel},
    {carrier_approval, T::poll, {}, idle, carrier_approval, C::status},
    {carrier_approval, T::close, {}, always, closed, {}},
    {carrier_approval, T::ok, C::status, otherwise, reported, {}},
    {scheduled, T::timer, {}, otherwise, scheduled, C::status},
    {scheduled, T::recovered, {}, otherwise, scheduled, C::status},
    {scheduled, T::cancel, {}, call_out, cancelling, {}},
    {scheduled, T::cancel, {}, otherwise, cancelling, C::cancel},
    {scheduled, T::poll, {}, idle, scheduled, C::status},
    {scheduled, T::close, {}, always, closed, {}},
    {scheduled, T::ok, C::status, otherwise, reported, {}},
    {rejected, T::timer, {}, otherwise, rejected, C::status},
    {rejected, T::recovered, {}, otherwise, rejected, C::status},
    {rejected, T::cancel, {}, call_out, cancelling, {}},
    {rejected, T::cancel, {}, otherwise, cancelling, C::cancel},
    {rejected, T::poll, {}, idle, rejected, C::status},
    {rejected, T::close, {}, always, closed, {}},
    {rejected, T::ok, C::status, otherwise, reported, {}},
    {cancelling, T::timer, {}, settling, cancelling, C::status},
    {cancelling, T::timer, {}, otherwise, cancelling, C::cancel},
    {cancelling, T::recovered, {}, settling, cancelling, C::status},
    {cancelling, T::recovered, {}, otherwise, cancelling, C::cancel},
    {cancelling, T::poll, {}, idle, cancelling, C::status},
    {cancelling, T::close, {}, always, closed, {}},
    {cancelling, T::ok, C::cancel, always, cancelled, {}},
    {cancelling, T::ok, C::status, settling, reported, {}},
    {cancelling, T::ok, C::status, reports_end, reported, {}},
    {cancelling, T::ok, C::status, otherwise, cancelling, C::cancel},
    {cancelling, T::transient, C::status, cancel_pending, cancelling, C::cancel},
    {cancelling, T::refused, C::cancel, unknown_at_telegent, failed, {}},
    {cancelling, T::refused, C::cancel, otherwise, cancelling, C::status},
    {cancelling, T::refused, C::status, settling_unknown, failed, {}},
    {cancelling, T::refused, C::status, settling, failed, {}},
    {cancelling, T::refused, C::status, otherwise, cancelling, C::cancel},
    {failed, T::cancel, {}, not_at_telegent, cancelled, {}},
    {failed, T::cancel, {}, call_out, cancelling, {}},
    {failed, T::cancel, {}, otherwise, cancelling, C::cancel},
    {failed, T::retry, {}, call_out, submitted, {}},
    {failed, T::poll, {}, idle, failed, C::status},
    {failed, T::close, {}, always, closed, {}},
    {failed, T::ok, C::status, otherwise, reported, {}},
};

// A port-in checks eligibility, may be resubmitted under Telegent's duplicate guard, and takes
// corrections (update) while Telegent holds it.
constexpr transition port_in_rows[] = {
    {received, T::start, {}, skips_eligibility, submitting, C::submit_port_in},
    {received, T::start, {}, checks_eligibility, checking_eligibility, C::eligibility},
    {received, T::timer, {}, skips_eligibility, submitting, C::submit_port_in},
    {received, T::timer, {}, checks_eligibility, checking_eligibility, C::eligibility},
    {received, T::recovered, {}, skips_eligibility, submitting, C::submit_port_in},
    {received, T::recovered, {}, checks_eligibility, checking_eligibility, C::eligibility},
    {checking_eligibility, T::timer, {}, always, checking_eligibility, C::eligibility},
    {checking_eligibility, T::recovered, {}, always, checking_eligibility, C::eligibility},
    {checking_eligibility, T::cancel, {}, maybe_created, submit_unknown, {}},
    {checking_eligibility, T::cancel, {}, otherwise, cancelled, {}},
    {checking_eligibility, T::close, {}, always, closed, {}},
    {checking_eligibility, T::ok, C::eligibility, eligible, submitting, C::submit_port_in},
    {checking_eligibility, T::ok, C::eligibility, not_eligible, ineligible, {}},
    {checking_eligibility, T::transient, C::eligibility, attempts_exhausted, failed, {}},
    {checking_eligibility, T::refused, C::eligibility, always, failed, {}},
    {submitting, T::timer, {}, resend_window_passed, submit_unknown, {}},
    {submitting, T::timer, {}, otherwise, submitting, C::submit_port_in},
    {submitting, T::recovered, {}, maybe_created, submit_unknown, {}},
    {submitting, T::recovered, {}, cancel_pending, cancelled, {}},
    {submitting, T::recovered, {}, resend_window_passed, submit_unknown, {}},
    {submitting, T::recovered, {}, otherwise, submitting, C::submit_port_in},
    {submitting, T::cancel, {}, maybe_created, submit_unknown, {}},
    {submitting, T::cancel, {}, not_at_telegent, cancelled, {}},
    {submitting, T::close, {}, always, closed, {}},
    {submitting, T::ok, C::submit_port_in, cancel_pending, cancelling, C::cancel},
    {submitting, T::ok, C::submit_port_in, otherwise, submitted, {}},
    {submitting, T::transient, C::submit_port_in, maybe_created, submit_unknown, {}},
    {submitting, T::transient, C::submit_port_in, cancel_pending, cancelled, {}},
    {submitting, T::transient, C::submit_port_in, gave_up_maybe_created, submit_unknown, {}},
    {submitting, T::transient, C::submit_port_in, attempts_exhausted, failed, {}},
    {submitting, T::refused, C::submit_port_in, duplicate_after_ambiguous, submit_unknown, {}},
    {submitting, T::refused, C::submit_port_in, maybe_created, submit_unknown, {}},
    {submitting, T::refused, C::submit_port_in, cancel_pending, cancelled, {}},
    {submitting, T::refused, C::submit_port_in, otherwise, failed, {}},
    {submit_unknown, T::resolve_resubmit, {}, always, submitting, C::submit_port_in},
    {submitted, T::timer, {}, update_pending, submitted, C::update},
    {submitted, T::recovered, {}, update_pending, submitted, C::update},
    {submitted, T::update, {}, idle, submitted, C::update},
    {submitted, T::ok, C::status, update_pending, reported, C::update},
    {submitted, T::ok, C::update, update_pending, submitted, C::update},
    {submitted, T::transient, C::status, update_pending, submitted, C::update},
    {submitted, T::transient, C::update, attempts_exhausted, failed, {}},
    {submitted, T::refused, C::status, update_pending, submitted, C::update},
    {submitted, T::refused, C::update, always, failed, {}},
    {carrier_approval, T::timer, {}, update_pending, carrier_approval, C::update},
    {carrier_approval, T::recovered, {}, update_pending, carrier_approval, C::update},
    {carrier_approval, T::update, {}, idle, carrier_approval, C::update},
    {carrier_approval, T::ok, C::status, update_pending, reported, C::update},
    {carrier_approval, T::ok, C::update, update_pending, submitted, C::update},
    {carrier_approval, T::ok, C::update, otherwise, submitted, {}},
    {carrier_approval, T::transient, C::status, update_pending, carrier_approval, C::update},
    {carrier_approval, T::transient, C::update, attempts_exhausted, failed, {}},
    {carrier_approval, T::refused, C::status, update_pending, carrier_approval, C::update},
    {carrier_approval, T::refused, C::update, always, failed, {}},
    {scheduled, T::timer, {}, update_pending, scheduled, C::update},
    {scheduled, T::recovered, {}, update_pending, scheduled, C::update},
    {scheduled, T::update, {}, idle, scheduled, C::update},
    {scheduled, T::ok, C::status, update_pending, reported, C::update},
    {scheduled, T::ok, C::update, update_pending, submitted, C::update},
    {scheduled, T::ok, C::update, otherwise, submitted, {}},
    {scheduled, T::transient, C::status, update_pending, scheduled, C::update},
    {scheduled, T::transient, C::update, attempts_exhausted, failed, {}},
    {scheduled, T::refused, C::status, update_pending, scheduled, C::update},
    {scheduled, T::refused, C::update, always, failed, {}},
    {rejected, T::timer, {}, update_pending, rejected, C::update},
    {rejected, T::recovered, {}, update_pending, rejected, C::update},
    {rejected, T::update, {}, idle, rejected, C::update},
    {rejected, T::ok, C::status, update_pending, reported, C::update},
    {rejected, T::ok, C::update, update_pending, submitted, C::update},
    {rejected, T::ok, C::update, otherwise, submitted, {}},
    {rejected, T::transient, C::status, update_pending, rejected, C::update},
    {rejected, T::transient, C::update, attempts_exhausted, failed, {}},
    {rejected, T::refused, C::status, update_pending, rejected, C::update},
    {rejected, T::refused, C::update, always, failed, {}},
    {cancelling, T::ok, C::update, cancel_pending, cancelling, C::cancel},
    {cancelling, T::transient, C::update, cancel_pending, cancelling, C::cancel},
    {cancelling, T::refused, C::update, cancel_pending, cancelling, C::cancel},
    {failed, T::cancel, {}, maybe_created, submit_unknown, {}},
    {failed, T::retry, {}, not_at_telegent_skip_eligibility, submitting, C::submit_port_in},
    {failed, T::retry, {}, not_at_telegent, checking_eligibility, C::eligibility},
    {failed, T::retry, {}, otherwise, submitted, C::update},
    {failed, T::ok, C::status, update_pending, reported, C::update},
};

// A port-out issues its PIN; with no duplicate guard, a submission that may have reached
// Telegent is never resent by itself.
constexpr transition port_out_rows[] = {
    {received, T::start, {}, always, issuing_pin, C::submit_port_out},
    {received, T::timer, {}, always, issuing_pin, C::submit_port_out},
    {received, T::recovered, {}, always, issuing_pin, C::submit_port_out},
    {issuing_pin, T::timer, {}, always, issuing_pin, C::submit_port_out},
    {issuing_pin, T::recovered, {}, may_have_reached, submit_unknown, {}},
    {issuing_pin, T::recovered, {}, cancel_pending, cancelled, {}},
    {issuing_pin, T::recovered, {}, otherwise, issuing_pin, C::submit_port_out},
    {issuing_pin, T::cancel, {}, not_at_telegent, cancelled, {}},
    {issuing_pin, T::close, {}, always, closed, {}},
    {issuing_pin, T::ok, C::submit_port_out, cancel_pending, cancelling, C::cancel},
    {issuing_pin, T::ok, C::submit_port_out, otherwise, submitted, {}},
    {issuing_pin, T::transient, C::submit_port_out, may_have_reached, submit_unknown, {}},
    {issuing_pin, T::transient, C::submit_port_out, cancel_pending, cancelled, {}},
    {issuing_pin, T::transient, C::submit_port_out, attempts_exhausted, failed, {}},
    {issuing_pin, T::refused, C::submit_port_out, cancel_pending, cancelled, {}},
    {issuing_pin, T::refused, C::submit_port_out, otherwise, failed, {}},
    {submit_unknown, T::resolve_resubmit, {}, always, issuing_pin, C::submit_port_out},
    {failed, T::retry, {}, not_at_telegent, issuing_pin, C::submit_port_out},
    {failed, T::retry, {}, otherwise, submitted, C::status},
};

// The kind's rows, then the shared ones, grouped by state (a stable sort: within one state the
// rows keep their order, which matters only among guards that can hold together).
template <std::size_t Own, std::size_t Shared>
constexpr std::array<transition, Own + Shared> table_of(const transition (&own)[Own],
                                                        const transition (&shared)[Shared]) {
  std::array<transition, Own + Shared> out{};
  std::size_t n = 0;
  for (const auto& r : own) out[n++] = r;
  for (const auto& r : shared) out[n++] = r;
  for (std::size_t i = 1; i < out.size(); ++i)
    for (std::size_t j = i; j > 0 && out[j].from < out[j - 1].from; --j) std::swap(out[j], out[j - 1]);
  return out;
}

constexpr auto port_in_table = table_of(port_in_rows, shared_rows);
constexpr auto port_out_table = table_of(port_out_rows, shared_rows);

}  // namespace

std::span<const transition> transitions(order_kind k) {
  if (k == order_kind::port_out) return port_out_table;
  return port_in_table;
}

// ---- guards ---------------------------------------------------------------------------------
namespace {

bool is_submit(call_kind k) { return k == call_kind::submit_port_in || k == call_kind::submit_port_out; }

// Telegent does not know the order. The Telegent client gives that reason to a 404 and to
// GENS-0041 ("No Port-In request found") whatever its HTTP status (telegent/response.cpp).
bool unknown_there(const api_result& r) { return r.reason == "not_found"; }

// A restart found a submission out whose request may have left: it is resent (port-in, under the
// duplicate guard) or left to an operator (port-out) before anything else, a cancel included.
bool lost_submission(const situation& s) {
  return std::holds_alternative<recovered>(s.in) && s.before.in_flight && is_submit(*s.before.in_flight) && s.before.request_sent;
}

// The state the order is in once the input has been taken in: for an ok status answer, the state
// it reports (or the same, where it reports none).
order_state state_left(const situation& s) {
  const auto* r = std::get_if<api_result>(&s.in);
  const auto told = r ? reported_state(s.after, *r) : std::nullopt;
  return told.value_or(s.after.state);
}

}  // namespace

bool holds(guard g, const situation& s) {
  const order& o = s.after;
  const api_result* r = std::get_if<api_result>(&s.in);
  const bool ambiguous = o.submit == submit_certainty::ambiguous;
  const bool exhausted = o.attempts >= s.pol.retry.max_attempts_command;
  const bool nothing_out_there =
      o.remote_order_id.empty() && !(s.before.in_flight && is_submit(*s.before.in_flight));
  switch (g) {
    case guard::always:
    case guard::otherwise: return true;
    case guard::idle: return !s.before.in_flight;
    case guard::call_out: return s.before.in_flight.has_value();
    case guard::checks_eligibility: return !o.skip_eligibility;
    case guard::skips_eligibility: return o.skip_eligibility;
    case guard::eligible: return r && r->eligible.value_or(false);
    case guard::not_eligible: return r && !r->eligible.value_or(false);
    case guard::cancel_pending:
      return o.pending == pending_intent::cancel && !lost_submission(s) && !is_terminal(state_left(s));
    case guard::update_pending: return o.pending == pending_intent::update && is_polled(state_left(s));
    case guard::settling: return o.pending == pending_intent::settle;
    case guard::reports_end: return is_terminal(state_left(s));
    case guard::not_at_telegent: return nothing_out_there;
    case guard::not_at_telegent_skip_eligibility: return nothing_out_there && o.skip_eligibility;
    case guard::maybe_created:
      // The cancel asked now (with nothing out), or one that waited for the call or the restart.
      return o.remote_order_id.empty() && ambiguous &&
             (std::holds_alternative<cmd_cancel>(s.in) ? !s.before.in_flight
                                      : o.pending == pending_intent::cancel && !lost_submission(s));
    case guard::may_have_reached: return (r && r->maybe_processed) || lost_submission(s);
    case guard::resend_window_passed:
      return ambiguous && o.ambiguous_since && s.now - *o.ambiguous_since > s.pol.resend_window;
    case guard::duplicate_after_ambiguous: return r && r->reason == "duplicate_order" && ambiguous;
    case guard::unknown_at_telegent: return r && unknown_there(*r);
    case guard::settling_unknown: return o.pending == pending_intent::settle && r && unknown_there(*r);
    case guard::attempts_exhausted: return exhausted;
    case guard::gave_up_maybe_created: return exhausted && ambiguous;
  }
  return false;
}

const transition* find_row(const situation& s) {
  const auto t = trigger_of(s.in);
  if (!t) return nullptr;
  const transition* fallback = nullptr;
  for (const auto& row : transitions(s.before.kind)) {
    if (row.from != s.before.state || row.on != t->on || row.answers != t->answers) continue;
    if (row.when == guard::otherwise)
      fallback = &row;
    else if (holds(row.when, s))
      return &row;
  }
  return fallback;
}

std::optional<order_state> reported_state(const order& o, const api_result& r) {
  if (r.call != call_kind::status || r.outcome != call_outcome::ok || r.remote_status.empty()) return std::nullopt;
  const status_meaning& m = r.meaning;
  if (m.what != status_meaning::kind::state) return std::nullopt;
  // A rejected port-out is final at Telegent: the gaining carrier starts over with a fresh PIN
  // (a new port-out order), and nothing portd could send changes it.
  if (m.state == order_state::rejected && o.kind == order_kind::port_out) return order_state::port_out_rejected;
  return m.state;
}

std::string_view to_string(guard g) {
  const auto i = static_cast<std::size_t>(g);
  return i < guard_names.size() ? guard_names[i] : std::string_view("?");
}
std::string_view describe(guard g) {
  const auto i = static_cast<std::size_t>(g);
  return i < guard_phrases.size() ? guard_phrases[i] : std::string_view("?");
}
std::ostream& operator<<(std::ostream& os, guard g) { return os << to_string(g); }

std::string_view to_string(trigger t) {
  const auto i = static_cast<std::size_t>(t);
  return i < trigger_names.size() ? trigger_names[i] : std::string_view("?");
}
std::ostream& operator<<(std::ostream& os, trigger t) { return os << to_string(t); }

std::optional<trigger_of_input> trigger_of(const input& in) {
  struct visitor {
    std::optional<trigger_of_input> operator()(const start&) const { return trigger_of_input{trigger::start, {}}; }
    std::optional<trigger_of_input> operator()(const timer_fired&) const { return trigger_of_input{trigger::timer, {}}; }
    std::optional<trigger_of_input> operator()(const recovered&) const {
      return trigger_of_input{trigger::recovered, {}};
    }
    std::optional<trigger_of_input> operator()(const cmd_update&) const { return trigger_of_input{trigger::update, {}}; }
    std::optional<trigger_of_input> operator()(const cmd_cancel&) const { return trigger_of_input{trigger::cancel, {}}; }
    std::optional<trigger_of_input> operator()(const cmd_resolve& c) const {
      return trigger_of_input{c.resubmit ? trigger::resolve_resubmit : trigger::resolve_adopt, {}};
    }
    std::optional<trigger_of_input> operator()(const cmd_retry&) const { return trigger_of_input{trigger::retry, {}}; }
    std::optional<trigger_of_input> operator()(const cmd_poll_now&) const { return trigger_of_input{trigger::poll, {}}; }
    std::optional<trigger_of_input> operator()(const cmd_note&) const { return std::nullopt; }
    std::optional<trigger_of_input> operator()(const cmd_close&) const { return trigger_of_input{trigger::close, {}}; }
    std::optional<trigger_of_input> operator()(const api_result& r) const {
      const trigger t = r.outcome == call_outcome::ok          ? trigger::ok
                        : r.outcome == call_outcome::transient ? trigger::transient
                                                               : trigger::refused;
      return trigger_of_input{t, r.call};
    }
  };
  return std::visit(visitor{}, in);
}

}  // namespace portd::porting
