// Test harness for decide(): builds orders and API results, feeds inputs one at a time and
// checks on every step the invariants DESIGN.md §4 promises whatever the path (one call in
// flight, history that chains without gaps, secrets never in the history, nothing left to
// stall). Shared by the decide_*_test.cpp files.
#pragma once
#include <portd/porting/decide.hpp>
#include <portd/telegent/status.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

namespace decide_test {

using namespace portd::porting;
using namespace std::chrono_literals;

// Canary secrets: any appearance outside order.secrets is a leak (rule 5).
inline const std::string pin_canary = "PINCANARY7319";
inline const std::string out_pin_canary = "OUTPINCANARY4402";
inline const std::string new_pin_canary = "NEWPINCANARY5550";

inline time_point t0() { return *parse_time("2026-11-26T17:00:00.000Z"); }

inline std::string str(const std::optional<call_kind>& c) {
  return c ? std::string(to_string(*c)) : std::string("none");
}
inline std::string str(order_state s) { return std::string(to_string(s)); }

inline order make_port_in(std::int64_t id = 42) {
  order o;
  o.id = id;
  o.kind = order_kind::port_in;
  o.number = "+18015551234";
  o.details.carrier = "Verizon";
  o.details.account_number = "11112222";
  o.details.subscriber_name = "Jane Doe";
  o.details.billing_address = {"1 Main St", "", "Lehi", "UT", "84043"};
  o.secrets.account_pin = pin_canary;
  o.created_at = o.updated_at = o.state_since = t0();
  return o;
}

inline order make_port_out(std::int64_t id = 43) {
  order o;
  o.id = id;
  o.kind = order_kind::port_out;
  o.number = "+17746996223";
  o.secrets.port_out_pin = out_pin_canary;
  o.created_at = o.updated_at = o.state_since = t0();
  return o;
}

// ---- API results -------------------------------------------------------------------------

inline api_result ok_result(call_kind c) {
  api_result r;
  r.call = c;
  r.outcome = call_outcome::ok;
  r.http_status = 200;
  return r;
}
inline api_result eligibility_answer(bool eligible, std::string message = {}) {
  api_result r = ok_result(call_kind::eligibility);
  r.eligible = eligible;
  r.status_message = std::move(message);
  r.raw = R"({"Eligible":)" + std::string(eligible ? "true" : "false") + "}";
  return r;
}
inline api_result submit_ok(std::string remote_id = "JNUOID-6c05", std::string status = "Pending",
                            call_kind c = call_kind::submit_port_in) {
  api_result r = ok_result(c);
  r.remote_order_id = std::move(remote_id);
  r.remote_status = std::move(status);
  r.meaning = portd::telegent::interpret_status(r.remote_status, order_kind::port_in);
  r.raw = R"({"OrderId":")" + r.remote_order_id + R"(","Status":")" + r.remote_status + "\"}";
  return r;
}
inline api_result port_out_ok(std::string remote_id = "JNUOID-out1") {
  return submit_ok(std::move(remote_id), "Pending", call_kind::submit_port_out);
}
inline api_result status_result(std::string status, std::string message = {}, std::string port_date = {}) {
  api_result r = ok_result(call_kind::status);
  r.remote_status = std::move(status);
  r.meaning = portd::telegent::interpret_status(r.remote_status, order_kind::port_in);
  r.status_message = std::move(message);
  r.port_date = std::move(port_date);
  r.raw = R"({"OrderStatus":")" + r.remote_status + "\"}";
  return r;
}
inline api_result update_ok() {
  api_result r = ok_result(call_kind::update);
  r.remote_status = "Updated";
  r.meaning = portd::telegent::interpret_status(r.remote_status, order_kind::port_in);
  r.status_message = "Port-in order updated successfully";
  return r;
}
inline api_result cancel_ok() {
  api_result r = ok_result(call_kind::cancel);
  r.remote_status = "Cancelled";
  r.meaning = portd::telegent::interpret_status(r.remote_status, order_kind::port_in);
  return r;
}
inline api_result transient(call_kind c, bool maybe_processed = false, int http = 503,
                            std::optional<milliseconds> retry_after = std::nullopt) {
  api_result r;
  r.call = c;
  r.outcome = call_outcome::transient;
  r.maybe_processed = maybe_processed;
  r.http_status = http;
  r.reason = http == 429 ? "rate_limited" : http == 0 ? "timeout" : "server_error";
  r.message = "try again later";
  r.retry_after = retry_after;
  return r;
}
inline api_result refused(call_kind c, std::string reason = "bad_request", int http = 400,
                          std::string message = "$.CurrentAccountNumber is invalid") {
  api_result r;
  r.call = c;
  r.outcome = call_outcome::refused;
  r.http_status = http;
  r.reason = std::move(reason);
  r.message = std::move(message);
  return r;
}

// ---- commands ----------------------------------------------------------------------------

inline const std::string op = "operator:uid=1000";
inline cmd_cancel cancel_cmd(std::string reason = {}) { return cmd_cancel{std::move(reason), op}; }
inline cmd_update update_cmd(order_patch p) { return cmd_update{std::move(p), op}; }
inline order_patch pin_patch(std::string pin = new_pin_canary) {
  order_patch p;
  p.account_pin = std::move(pin);
  return p;
}
inline order_patch name_patch(std::string name = "Jane Q. Doe") {
  order_patch p;
  p.subscriber_name = std::move(name);
  return p;
}

// ---- the harness -------------------------------------------------------------------------

inline bool contains(const std::string& hay, const std::string& needle) {
  return !needle.empty() && hay.find(needle) != std::string::npos;
}

inline bool call_fits_state(call_kind c, order_state s) {
  switch (c) {
    case call_kind::eligibility: return s == order_state::checking_eligibility;
    case call_kind::submit_port_in: return s == order_state::submitting;
    case call_kind::submit_port_out: return s == order_state::issuing_pin;
    case call_kind::cancel: return s == order_state::cancelling;
    case call_kind::status:  // also order.poll on a failed order that Telegent knows
      return is_polled(s) || s == order_state::cancelling || s == order_state::failed;
    case call_kind::update: return is_polled(s) || s == order_state::cancelling;
  }
  return false;
}

struct harness {
  policy pol;
  time_point now = t0();
  order o;
  std::vector<event_record> history;
  decision d;

  explicit harness(order start_order) : o(std::move(start_order)) {}

  // Feeds one input, checks the invariants and, unless refused, adopts the next order.
  const decision& step(const input& in) {
    const order before = o;
    d = decide(o, in, now, pol);
    check(before, in);
    if (!d.refused) {
      o = d.next;
      history.insert(history.end(), d.events.begin(), d.events.end());
    }
    return d;
  }

  // The answer to the call in flight (the test fails when that call is not the one out).
  const decision& answer(const api_result& r) {
    BOOST_TEST_REQUIRE(str(o.in_flight) == str(r.call));
    return step(r);
  }

  // Lets time pass to the order's next check and fires its timer.
  const decision& fire() {
    BOOST_TEST_REQUIRE(o.next_check_at.has_value());
    now = std::max(now, *o.next_check_at);
    return step(timer_fired{});
  }

  // State changes of the whole history so far, as "from>to" strings.
  std::vector<std::string> transitions() const {
    std::vector<std::string> v;
    for (const auto& e : history)
      if (e.type == event_type::state_changed) v.push_back(str(e.from_state) + ">" + str(e.to_state));
    return v;
  }
  std::size_t count(event_type t) const {
    std::size_t n = 0;
    for (const auto& e : history) n += e.type == t;
    return n;
  }
  std::size_t count_in_last(event_type t) const {
    std::size_t n = 0;
    for (const auto& e : d.events) n += e.type == t;
    return n;
  }
  const event_record* last_of(event_type t) const {
    for (auto it = history.rbegin(); it != history.rend(); ++it)
      if (it->type == t) return &*it;
    return nullptr;
  }

 private:
  void check(const order& before, const input& in) {
    const order& n = d.next;
    if (d.refused) {
      BOOST_TEST((n == before), "a refused command changes nothing");
      BOOST_TEST(d.events.empty());
      BOOST_TEST(!d.call.has_value());
      BOOST_TEST(!d.wake_at.has_value());
      return;
    }
    // Rule 2: at most one call in flight. Only the answer to the call that is out, or a
    // restart that lost it, may start another.
    const auto* r = std::get_if<api_result>(&in);
    const bool frees_call = std::holds_alternative<recovered>(in) ||
                            (r && before.in_flight && *before.in_flight == r->call);
    if (before.in_flight && !frees_call) {
      BOOST_TEST(!d.call.has_value(), "a call was started while " << str(before.in_flight) << " was in flight");
      if (!is_terminal(n.state)) BOOST_TEST(str(n.in_flight) == str(before.in_flight));
    }
    if (r && !(before.in_flight && *before.in_flight == r->call))
      BOOST_TEST((n == before), "a result for a call that is not out changes nothing");
    if (d.call) {
      BOOST_TEST(str(n.in_flight) == str(d.call), "the intent is persisted with the call (rule 1)");
      BOOST_TEST(!d.wake_at.has_value());
      BOOST_TEST(!n.next_check_at.has_value());
    }
    if (n.in_flight) BOOST_TEST(call_fits_state(*n.in_flight, n.state), str(n.in_flight) << " in flight in " << n.state);
    if (d.wake_at) {
      BOOST_TEST((n.next_check_at == d.wake_at));
      BOOST_TEST((*d.wake_at >= now), "wake in the past");
    }
    if (d.changed()) BOOST_TEST((n.updated_at == now));
    // An engine may skip persisting a decision that reports no change: none may be hidden.
    if (!d.changed()) BOOST_TEST((n == before), "the order changed but the decision says it did not");

    // The history chains: every state change starts where the previous one ended.
    order_state at = before.state;
    for (const auto& e : d.events) {
      if (e.type == event_type::state_changed) {
        BOOST_TEST(e.from_state == at);
        BOOST_TEST(e.from_state != e.to_state);
        at = e.to_state;
      } else {
        BOOST_TEST(e.from_state == e.to_state);
      }
      BOOST_TEST(!e.actor.empty());
      // Rule 5: no secret in the history.
      for (const auto* s : {&pin_canary, &out_pin_canary, &new_pin_canary}) {
        BOOST_TEST(!contains(e.message, *s), "secret in event message: " << e.message);
        BOOST_TEST(!contains(e.raw, *s));
        BOOST_TEST(!contains(e.remote_status, *s));
      }
    }
    BOOST_TEST(at == n.state, "state changed without a state_changed event");
    if (n.state != before.state) BOOST_TEST((n.state_since == now));
    for (const auto* s : {&pin_canary, &out_pin_canary, &new_pin_canary}) {
      BOOST_TEST(!contains(n.attention_reason, *s));
      if (n.last_error) BOOST_TEST(!contains(n.last_error->message, *s));
    }

    if (is_terminal(n.state)) {
      BOOST_TEST(n.secrets.empty(), "secrets purged at a terminal state");
      BOOST_TEST(!n.in_flight.has_value());
      BOOST_TEST(!n.next_check_at.has_value());
      BOOST_TEST(!d.wake_at.has_value());
      BOOST_TEST(n.pending != pending_intent::cancel);
      BOOST_TEST(n.pending != pending_intent::update);
      BOOST_TEST(!n.needs_attention());
    } else if (!n.in_flight && n.state != order_state::received) {
      // Something is due, unless an operator must act first.
      if (n.state == order_state::submit_unknown || n.state == order_state::failed)
        BOOST_TEST(!n.next_check_at.has_value(), "a pointless timer in " << n.state);
      else
        BOOST_TEST(n.next_check_at.has_value(), "nothing will ever happen to this " << n.state << " order");
    }
    if (needs_operator(n.state)) BOOST_TEST(n.needs_attention());
  }
};

// Drives a fresh port-in to `submitted` (eligibility, submit) and returns the harness.
inline harness submitted_port_in(std::int64_t id = 42) {
  harness h(make_port_in(id));
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.answer(submit_ok());
  return h;
}

inline harness submitted_port_out(std::int64_t id = 43) {
  harness h(make_port_out(id));
  h.step(start{});
  h.answer(port_out_ok());
  return h;
}

// Answers polls until the order is in `s` (through the normal lifecycle statuses).
inline void poll_to(harness& h, const std::string& status) {
  h.fire();
  h.answer(status_result(status));
}

}  // namespace decide_test
