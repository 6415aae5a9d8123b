// The transition tables (see transitions.hpp).
#include <portd/porting/transitions.hpp>

#include <array>

namespace portd::porting {
namespace {

constexpr std::array<std::string_view, 13> trigger_names{
    "start", "timer", "recovered", "update", "cancel", "resolve_adopt", "resolve_resubmit",
    "retry", "poll",  "close", "ok", "transient", "refused"};

constexpr std::array<std::string_view, 18> guard_names{
    "always", "otherwise", "idle", "checks_eligibility", "skips_eligibility", "eligible", "not_eligible",
    "cancel_pending", "update_pending", "call_out", "settling", "settles", "not_at_telegent",
    "not_at_telegent_skip_eligibility", "maybe_created", "duplicate_after_ambiguous", "unknown_at_telegent",
    "attempts_exhausted"};
constexpr std::array<std::string_view, 18> guard_phrases{
    "",
    "otherwise",
    "no call out",
    "checks eligibility",
    "skips eligibility",
    "eligible",
    "not eligible",
    "cancel pending",
    "correction pending",
    "a call out",
    "after a refused cancel",
    "an end state, or after a refused cancel",
    "nothing at Telegent",
    "nothing at Telegent, skips eligibility",
    "may have created an order",
    "duplicate after an ambiguous submit",
    "Telegent does not know it",
    "retries used up"};

constexpr std::optional<order_state> reported{};  // `to`: the state Telegent reports

// ---- the tables ------------------------------------------------------------------------------
// {from, trigger, answered call, guard, to, call}. Changing what a state does on a trigger is
// changing its row here (and its test row: tests/unit/porting/transitions_test.cpp checks both
// ways against decide()).

constexpr transition port_in_rows[] = {
    {order_state::received, trigger::start, {}, guard::checks_eligibility, order_state::checking_eligibility, call_kind::eligibility},
    {order_state::received, trigger::start, {}, guard::skips_eligibility, order_state::submitting, call_kind::submit_port_in},
    {order_state::received, trigger::timer, {}, guard::checks_eligibility, order_state::checking_eligibility, call_kind::eligibility},
    {order_state::received, trigger::timer, {}, guard::skips_eligibility, order_state::submitting, call_kind::submit_port_in},
    {order_state::received, trigger::recovered, {}, guard::checks_eligibility, order_state::checking_eligibility, call_kind::eligibility},
    {order_state::received, trigger::recovered, {}, guard::skips_eligibility, order_state::submitting, call_kind::submit_port_in},
    {order_state::received, trigger::cancel, {}, guard::always, order_state::cancelled, {}},
    {order_state::received, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::checking_eligibility, trigger::timer, {}, guard::always, order_state::checking_eligibility, call_kind::eligibility},
    {order_state::checking_eligibility, trigger::recovered, {}, guard::always, order_state::checking_eligibility, call_kind::eligibility},
    {order_state::checking_eligibility, trigger::cancel, {}, guard::otherwise, order_state::cancelled, {}},
    {order_state::checking_eligibility, trigger::cancel, {}, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::checking_eligibility, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::checking_eligibility, trigger::ok, call_kind::eligibility, guard::not_eligible, order_state::ineligible, {}},
    {order_state::checking_eligibility, trigger::ok, call_kind::eligibility, guard::eligible, order_state::submitting, call_kind::submit_port_in},
    {order_state::checking_eligibility, trigger::transient, call_kind::eligibility, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::checking_eligibility, trigger::refused, call_kind::eligibility, guard::always, order_state::failed, {}},
    {order_state::submitting, trigger::timer, {}, guard::otherwise, order_state::submitting, call_kind::submit_port_in},
    {order_state::submitting, trigger::recovered, {}, guard::cancel_pending, order_state::cancelled, {}},
    {order_state::submitting, trigger::recovered, {}, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::submitting, trigger::recovered, {}, guard::otherwise, order_state::submitting, call_kind::submit_port_in},
    {order_state::submitting, trigger::cancel, {}, guard::otherwise, order_state::cancelled, {}},
    {order_state::submitting, trigger::cancel, {}, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::submitting, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::submitting, trigger::ok, call_kind::submit_port_in, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitting, trigger::ok, call_kind::submit_port_in, guard::otherwise, order_state::submitted, {}},
    {order_state::submitting, trigger::transient, call_kind::submit_port_in, guard::cancel_pending, order_state::cancelled, {}},
    {order_state::submitting, trigger::transient, call_kind::submit_port_in, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::submitting, trigger::transient, call_kind::submit_port_in, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::submitting, trigger::refused, call_kind::submit_port_in, guard::cancel_pending, order_state::cancelled, {}},
    {order_state::submitting, trigger::refused, call_kind::submit_port_in, guard::otherwise, order_state::failed, {}},
    {order_state::submitting, trigger::refused, call_kind::submit_port_in, guard::duplicate_after_ambiguous, order_state::submit_unknown, {}},
    {order_state::submit_unknown, trigger::cancel, {}, guard::always, order_state::cancelled, {}},
    {order_state::submit_unknown, trigger::resolve_adopt, {}, guard::always, order_state::submitted, call_kind::status},
    {order_state::submit_unknown, trigger::resolve_resubmit, {}, guard::always, order_state::submitting, call_kind::submit_port_in},
    {order_state::submit_unknown, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::submitted, trigger::timer, {}, guard::otherwise, order_state::submitted, call_kind::status},
    {order_state::submitted, trigger::timer, {}, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::recovered, {}, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::recovered, {}, guard::otherwise, order_state::submitted, call_kind::status},
    {order_state::submitted, trigger::recovered, {}, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::update, {}, guard::idle, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::submitted, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::poll, {}, guard::idle, order_state::submitted, call_kind::status},
    {order_state::submitted, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::submitted, trigger::ok, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::submitted, trigger::ok, call_kind::status, guard::update_pending, reported, call_kind::update},
    {order_state::submitted, trigger::ok, call_kind::status, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::ok, call_kind::update, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::transient, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::transient, call_kind::status, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::transient, call_kind::update, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::submitted, trigger::refused, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::refused, call_kind::status, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::submitted, trigger::refused, call_kind::update, guard::always, order_state::failed, {}},
    {order_state::carrier_approval, trigger::timer, {}, guard::otherwise, order_state::carrier_approval, call_kind::status},
    {order_state::carrier_approval, trigger::timer, {}, guard::update_pending, order_state::carrier_approval, call_kind::update},
    {order_state::carrier_approval, trigger::recovered, {}, guard::otherwise, order_state::carrier_approval, call_kind::status},
    {order_state::carrier_approval, trigger::recovered, {}, guard::update_pending, order_state::carrier_approval, call_kind::update},
    {order_state::carrier_approval, trigger::update, {}, guard::idle, order_state::carrier_approval, call_kind::update},
    {order_state::carrier_approval, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::carrier_approval, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::carrier_approval, trigger::poll, {}, guard::idle, order_state::carrier_approval, call_kind::status},
    {order_state::carrier_approval, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::carrier_approval, trigger::ok, call_kind::status, guard::update_pending, order_state::carrier_approval, call_kind::update},
    {order_state::carrier_approval, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::carrier_approval, trigger::ok, call_kind::status, guard::update_pending, reported, call_kind::update},
    {order_state::carrier_approval, trigger::ok, call_kind::update, guard::otherwise, order_state::submitted, {}},
    {order_state::carrier_approval, trigger::ok, call_kind::update, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::carrier_approval, trigger::transient, call_kind::status, guard::update_pending, order_state::carrier_approval, call_kind::update},
    {order_state::carrier_approval, trigger::transient, call_kind::update, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::carrier_approval, trigger::refused, call_kind::status, guard::update_pending, order_state::carrier_approval, call_kind::update},
    {order_state::carrier_approval, trigger::refused, call_kind::update, guard::always, order_state::failed, {}},
    {order_state::scheduled, trigger::timer, {}, guard::otherwise, order_state::scheduled, call_kind::status},
    {order_state::scheduled, trigger::timer, {}, guard::update_pending, order_state::scheduled, call_kind::update},
    {order_state::scheduled, trigger::recovered, {}, guard::otherwise, order_state::scheduled, call_kind::status},
    {order_state::scheduled, trigger::recovered, {}, guard::update_pending, order_state::scheduled, call_kind::update},
    {order_state::scheduled, trigger::update, {}, guard::idle, order_state::scheduled, call_kind::update},
    {order_state::scheduled, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::scheduled, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::scheduled, trigger::poll, {}, guard::idle, order_state::scheduled, call_kind::status},
    {order_state::scheduled, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::scheduled, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::scheduled, trigger::ok, call_kind::status, guard::update_pending, reported, call_kind::update},
    {order_state::scheduled, trigger::ok, call_kind::status, guard::update_pending, order_state::scheduled, call_kind::update},
    {order_state::scheduled, trigger::ok, call_kind::update, guard::otherwise, order_state::submitted, {}},
    {order_state::scheduled, trigger::ok, call_kind::update, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::scheduled, trigger::transient, call_kind::status, guard::update_pending, order_state::scheduled, call_kind::update},
    {order_state::scheduled, trigger::transient, call_kind::update, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::scheduled, trigger::refused, call_kind::status, guard::update_pending, order_state::scheduled, call_kind::update},
    {order_state::scheduled, trigger::refused, call_kind::update, guard::always, order_state::failed, {}},
    {order_state::rejected, trigger::timer, {}, guard::otherwise, order_state::rejected, call_kind::status},
    {order_state::rejected, trigger::timer, {}, guard::update_pending, order_state::rejected, call_kind::update},
    {order_state::rejected, trigger::recovered, {}, guard::otherwise, order_state::rejected, call_kind::status},
    {order_state::rejected, trigger::recovered, {}, guard::update_pending, order_state::rejected, call_kind::update},
    {order_state::rejected, trigger::update, {}, guard::idle, order_state::rejected, call_kind::update},
    {order_state::rejected, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::rejected, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::rejected, trigger::poll, {}, guard::idle, order_state::rejected, call_kind::status},
    {order_state::rejected, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::rejected, trigger::ok, call_kind::status, guard::update_pending, order_state::rejected, call_kind::update},
    {order_state::rejected, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::rejected, trigger::ok, call_kind::status, guard::update_pending, reported, call_kind::update},
    {order_state::rejected, trigger::ok, call_kind::update, guard::otherwise, order_state::submitted, {}},
    {order_state::rejected, trigger::ok, call_kind::update, guard::update_pending, order_state::submitted, call_kind::update},
    {order_state::rejected, trigger::transient, call_kind::status, guard::update_pending, order_state::rejected, call_kind::update},
    {order_state::rejected, trigger::transient, call_kind::update, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::rejected, trigger::refused, call_kind::status, guard::update_pending, order_state::rejected, call_kind::update},
    {order_state::rejected, trigger::refused, call_kind::update, guard::always, order_state::failed, {}},
    {order_state::cancelling, trigger::timer, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::timer, {}, guard::settling, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::recovered, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::recovered, {}, guard::settling, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::poll, {}, guard::idle, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::cancelling, trigger::ok, call_kind::cancel, guard::always, order_state::cancelled, {}},
    {order_state::cancelling, trigger::ok, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::ok, call_kind::status, guard::settles, reported, {}},
    {order_state::cancelling, trigger::ok, call_kind::update, guard::always, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::transient, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::transient, call_kind::update, guard::always, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::refused, call_kind::cancel, guard::otherwise, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::refused, call_kind::cancel, guard::unknown_at_telegent, order_state::failed, {}},
    {order_state::cancelling, trigger::refused, call_kind::status, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::refused, call_kind::status, guard::settling, order_state::failed, {}},
    {order_state::cancelling, trigger::refused, call_kind::update, guard::always, order_state::cancelling, call_kind::cancel},
    {order_state::failed, trigger::cancel, {}, guard::not_at_telegent, order_state::cancelled, {}},
    {order_state::failed, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::failed, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::failed, trigger::cancel, {}, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::failed, trigger::retry, {}, guard::not_at_telegent, order_state::checking_eligibility, call_kind::eligibility},
    {order_state::failed, trigger::retry, {}, guard::call_out, order_state::submitted, {}},
    {order_state::failed, trigger::retry, {}, guard::otherwise, order_state::submitted, call_kind::update},
    {order_state::failed, trigger::retry, {}, guard::not_at_telegent_skip_eligibility, order_state::submitting, call_kind::submit_port_in},
    {order_state::failed, trigger::poll, {}, guard::idle, order_state::failed, call_kind::status},
    {order_state::failed, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::failed, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::failed, trigger::ok, call_kind::status, guard::update_pending, reported, call_kind::update},
};

constexpr transition port_out_rows[] = {
    {order_state::received, trigger::start, {}, guard::always, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::received, trigger::timer, {}, guard::always, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::received, trigger::recovered, {}, guard::always, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::received, trigger::cancel, {}, guard::always, order_state::cancelled, {}},
    {order_state::received, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::issuing_pin, trigger::timer, {}, guard::always, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::issuing_pin, trigger::recovered, {}, guard::cancel_pending, order_state::cancelled, {}},
    {order_state::issuing_pin, trigger::recovered, {}, guard::otherwise, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::issuing_pin, trigger::recovered, {}, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::issuing_pin, trigger::cancel, {}, guard::otherwise, order_state::cancelled, {}},
    {order_state::issuing_pin, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::issuing_pin, trigger::ok, call_kind::submit_port_out, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::issuing_pin, trigger::ok, call_kind::submit_port_out, guard::otherwise, order_state::submitted, {}},
    {order_state::issuing_pin, trigger::transient, call_kind::submit_port_out, guard::cancel_pending, order_state::cancelled, {}},
    {order_state::issuing_pin, trigger::transient, call_kind::submit_port_out, guard::attempts_exhausted, order_state::failed, {}},
    {order_state::issuing_pin, trigger::transient, call_kind::submit_port_out, guard::maybe_created, order_state::submit_unknown, {}},
    {order_state::issuing_pin, trigger::refused, call_kind::submit_port_out, guard::cancel_pending, order_state::cancelled, {}},
    {order_state::issuing_pin, trigger::refused, call_kind::submit_port_out, guard::otherwise, order_state::failed, {}},
    {order_state::submit_unknown, trigger::cancel, {}, guard::always, order_state::cancelled, {}},
    {order_state::submit_unknown, trigger::resolve_adopt, {}, guard::always, order_state::submitted, call_kind::status},
    {order_state::submit_unknown, trigger::resolve_resubmit, {}, guard::always, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::submit_unknown, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::submitted, trigger::timer, {}, guard::otherwise, order_state::submitted, call_kind::status},
    {order_state::submitted, trigger::recovered, {}, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::recovered, {}, guard::otherwise, order_state::submitted, call_kind::status},
    {order_state::submitted, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::submitted, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::poll, {}, guard::idle, order_state::submitted, call_kind::status},
    {order_state::submitted, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::submitted, trigger::ok, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::submitted, trigger::transient, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::submitted, trigger::refused, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::carrier_approval, trigger::timer, {}, guard::otherwise, order_state::carrier_approval, call_kind::status},
    {order_state::carrier_approval, trigger::recovered, {}, guard::otherwise, order_state::carrier_approval, call_kind::status},
    {order_state::carrier_approval, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::carrier_approval, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::carrier_approval, trigger::poll, {}, guard::idle, order_state::carrier_approval, call_kind::status},
    {order_state::carrier_approval, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::carrier_approval, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::scheduled, trigger::timer, {}, guard::otherwise, order_state::scheduled, call_kind::status},
    {order_state::scheduled, trigger::recovered, {}, guard::otherwise, order_state::scheduled, call_kind::status},
    {order_state::scheduled, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::scheduled, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::scheduled, trigger::poll, {}, guard::idle, order_state::scheduled, call_kind::status},
    {order_state::scheduled, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::scheduled, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
    {order_state::cancelling, trigger::timer, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::timer, {}, guard::settling, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::recovered, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::recovered, {}, guard::settling, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::poll, {}, guard::idle, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::cancelling, trigger::ok, call_kind::cancel, guard::always, order_state::cancelled, {}},
    {order_state::cancelling, trigger::ok, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::ok, call_kind::status, guard::settles, reported, {}},
    {order_state::cancelling, trigger::transient, call_kind::status, guard::cancel_pending, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::refused, call_kind::cancel, guard::otherwise, order_state::cancelling, call_kind::status},
    {order_state::cancelling, trigger::refused, call_kind::cancel, guard::unknown_at_telegent, order_state::failed, {}},
    {order_state::cancelling, trigger::refused, call_kind::status, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::cancelling, trigger::refused, call_kind::status, guard::settling, order_state::failed, {}},
    {order_state::failed, trigger::cancel, {}, guard::not_at_telegent, order_state::cancelled, {}},
    {order_state::failed, trigger::cancel, {}, guard::call_out, order_state::cancelling, {}},
    {order_state::failed, trigger::cancel, {}, guard::otherwise, order_state::cancelling, call_kind::cancel},
    {order_state::failed, trigger::retry, {}, guard::not_at_telegent, order_state::issuing_pin, call_kind::submit_port_out},
    {order_state::failed, trigger::retry, {}, guard::call_out, order_state::submitted, {}},
    {order_state::failed, trigger::retry, {}, guard::otherwise, order_state::submitted, call_kind::status},
    {order_state::failed, trigger::poll, {}, guard::idle, order_state::failed, call_kind::status},
    {order_state::failed, trigger::close, {}, guard::always, order_state::closed, {}},
    {order_state::failed, trigger::ok, call_kind::status, guard::otherwise, reported, {}},
};

}  // namespace

std::span<const transition> transitions(order_kind k) {
  if (k == order_kind::port_out) return port_out_rows;
  return port_in_rows;
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
