// Every order decide() can reach from a fresh port-in (with and without the eligibility check),
// a fresh port-out and a port-out an older portd left rejected, and every step it takes from
// each: a breadth-first search over decide() with every kind of input (start, timer, restart,
// each operator command, and for every call kind each class of answer). Pure: no daemon, no
// clock.
#pragma once
#include <portd/porting/decide.hpp>
#include <portd/telegent/status.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace decide_explorer {
namespace porting = portd::porting;
using namespace portd::porting;
using namespace std::chrono_literals;

inline const std::string op = "operator:uid=1000";

// ---- the input alphabet ----------------------------------------------------------------------

inline api_result answer(call_kind c, call_outcome outcome, int http, std::string reason = {}) {
  api_result r;
  r.call = c;
  r.outcome = outcome;
  r.http_status = http;
  r.reason = std::move(reason);
  return r;
}

// One spelling per meaning (telegent::interpret_status decides which spellings mean the same):
// decide() reads a status only through its meaning (which the Telegent client adds) and by
// comparing the raw string with the last one, so two spellings of one meaning make the same
// state changes.
inline std::vector<std::string> status_per_meaning() {
  static const char* spellings[] = {
      "Pending", "Submitted", "Pending Port In", "Port Out Pending", "Pending Carrier Approval", "InProgress",
      "Processing", "Approved", "Port Out Processing", "Scheduled", "Completed", "Complete", "Port Out Complete",
      "Rejected", "ResolutionRequired", "Port Out Rejected", "Cancelled", "Canceled", "Error", "Failed",
      "Updated", "Awaiting Paperwork" /* a status nobody documented */};
  std::vector<std::string> out;
  std::vector<status_meaning> meanings;
  for (const char* s : spellings)
    for (auto kind : {order_kind::port_in, order_kind::port_out}) {
      const status_meaning m = portd::telegent::interpret_status(s, kind);
      if (std::find(meanings.begin(), meanings.end(), m) != meanings.end()) continue;
      meanings.push_back(m);
      out.emplace_back(s);
    }
  return out;
}

// Data that decide() only carries (a corrected name, a cancel reason, an adopted OrderId, the
// words of an error) takes one value, the one the order already holds where it has one: each
// further value would multiply the orders to explore without a new way through decide(). What
// decide() branches on takes every value: each input kind, outcome, eligibility verdict, status
// meaning, a duplicate refusal, a maybe-processed failure, a Retry-After.
inline const std::string remote_id = "JNUOID-1";
inline const std::string subscriber = "Jane Doe";

inline std::vector<input> every_input() {
  std::vector<input> in{start{}, timer_fired{}, recovered{}};
  // Operator commands, including ones decide() refuses.
  order_patch name;
  name.subscriber_name = subscriber;
  in.emplace_back(cmd_update{name, op});
  in.emplace_back(cmd_update{order_patch{}, op});
  in.emplace_back(cmd_cancel{"", op});
  in.emplace_back(cmd_resolve{remote_id, false, op});
  in.emplace_back(cmd_resolve{"", true, op});
  in.emplace_back(cmd_resolve{remote_id, true, op});
  in.emplace_back(cmd_retry{op});
  in.emplace_back(cmd_poll_now{op});
  in.emplace_back(cmd_note{"called the carrier", op});
  in.emplace_back(cmd_close{"Telegent support closed it", op});
  in.emplace_back(cmd_close{"", op});
  // Every call kind's answers, whichever call is out: an answer to a call that is not out is
  // an input too (decide() must ignore it).
  for (int k = 0; k <= static_cast<int>(call_kind::status); ++k) {
    const auto c = static_cast<call_kind>(k);
    auto ok = answer(c, call_outcome::ok, 200);
    switch (c) {
      case call_kind::eligibility:
        for (bool eligible : {true, false}) {
          auto r = ok;
          r.eligible = eligible;
          in.emplace_back(r);
        }
        break;
      case call_kind::submit_port_in:
      case call_kind::submit_port_out:
        ok.remote_order_id = remote_id;
        ok.remote_status = "Pending";
        in.emplace_back(ok);
        break;
      case call_kind::update:
        ok.remote_status = "Updated";
        in.emplace_back(ok);
        break;
      case call_kind::cancel:
        ok.remote_status = "Cancelled";
        in.emplace_back(ok);
        break;
      case call_kind::status:
        for (const auto& s : status_per_meaning()) {
          auto r = ok;
          r.remote_status = s;
          in.emplace_back(r);
        }
        ok.remote_status = "Scheduled";
        ok.port_date = "2026-12-01";
        in.emplace_back(ok);
        break;
    }
    const auto failed = answer(c, call_outcome::transient, 503, "server_error");
    in.emplace_back(failed);
    auto lost = failed;  // the request may have been acted on
    lost.maybe_processed = true;
    in.emplace_back(lost);
    auto limited = failed;
    limited.retry_after = 30s;
    in.emplace_back(limited);
    in.emplace_back(answer(c, call_outcome::refused, 400, "bad_request"));
    in.emplace_back(answer(c, call_outcome::refused, 409, "duplicate_order"));
    in.emplace_back(answer(c, call_outcome::refused, 404, "not_found"));  // an order Telegent does not know
  }
  // What the Telegent client adds to every answer that names a status (its spellings mean the
  // same for both kinds).
  for (auto& i : in)
    if (auto* r = std::get_if<api_result>(&i); r && !r->remote_status.empty())
      r->meaning = portd::telegent::interpret_status(r->remote_status, order_kind::port_in);
  return in;
}

// ---- the exploration -------------------------------------------------------------------------

inline const time_point now = *parse_time("2026-11-26T17:00:00.000Z");

inline order fresh_port_in(bool skip_eligibility) {
  order o;
  o.id = 1;
  o.kind = order_kind::port_in;
  o.number = "+18015551234";
  o.details.carrier = "Verizon";
  o.details.account_number = "123456782222";
  o.details.billing_address = {"1 Main St", "", "Lehi", "UT", "84043"};
  o.details.subscriber_name = subscriber;
  o.secrets.account_pin = "4321";
  o.skip_eligibility = skip_eligibility;
  return o;
}

inline order fresh_port_out() {
  order o;
  o.id = 2;
  o.kind = order_kind::port_out;
  o.number = "+18015551235";
  o.secrets.port_out_pin = "1234";
  return o;
}

// A port-out an older portd left `rejected` (before port_out_rejected existed): still watched.
inline order rejected_port_out() {
  order o = fresh_port_out();
  o.id = 3;
  o.state = order_state::rejected;
  o.attention = attention_kind::operator_state;
  o.attention_reason = "Telegent rejected the port-out";
  o.remote_order_id = remote_id;
  o.remote_status = "Port Out Rejected";
  return o;
}

// One step decide() took: the order before, the input, the decision.
using visit = std::function<void(const order&, const input&, const decision&)>;

struct explorer {
  policy pol;
  time_point state_since;  // where every explored order's current state began
  std::vector<input> inputs = every_input();
  std::unordered_map<std::string, std::vector<order>> seen;  // key -> the distinct orders
  std::deque<order> queue;
  const visit& on_step;
  std::size_t states_explored = 0;

  // Times are pinned (every decision is made at `now`; the state began at `state_since`, and so
  // did an ambiguous submission: with the month-old pin it is past the resend window), so orders
  // that differ only in when things happened are one. Failed attempts beyond the limit
  // behave alike (decide() compares them with 1 and with the limit), so they are capped.
  order normalise(order o) const {
    o.created_at = o.updated_at = now;
    o.state_since = state_since;
    if (o.next_check_at) o.next_check_at = now;
    if (o.last_error) o.last_error->at = now;
    if (o.ambiguous_since) o.ambiguous_since = state_since;
    o.last_seq = 0;
    o.attempts = std::min(o.attempts, pol.retry.max_attempts_command + 1);
    return o;
  }

  // A bucket key; equality within a bucket is order's own operator==, so a field added to
  // order later still tells orders apart.
  static std::string key(const order& o) {
    std::string k;
    auto add = [&](const std::string& s) { k += s; k += '\x1f'; };
    add(std::string(porting::to_string(o.kind)));
    add(std::string(porting::to_string(o.state)));
    add(o.in_flight ? std::string(porting::to_string(*o.in_flight)) : "-");
    k += {char('0' + static_cast<int>(o.attention)), char('0' + static_cast<int>(o.pending)),
          char('0' + static_cast<int>(o.submit)), char('0' + o.request_sent), char('0' + o.next_check_at.has_value()),
          char('0' + o.skip_eligibility),
          char('A' + o.attempts)};
    add(o.attention_reason);
    add(o.remote_order_id);
    add(o.remote_status);
    add(o.remote_message);
    add(o.reported_port_date);
    add(o.last_error ? o.last_error->reason + "|" + o.last_error->message : "-");
    add(o.cancel_reason);
    add(o.details.subscriber_name);
    add(o.secrets.account_pin + "|" + o.secrets.port_out_pin);
    return k;
  }

  void reach(const order& next) {
    order o = normalise(next);
    auto& bucket = seen[key(o)];
    if (std::find(bucket.begin(), bucket.end(), o) != bucket.end()) return;
    bucket.push_back(o);
    ++states_explored;
    if (states_explored > 2'000'000)
      throw std::runtime_error("exploring decide() does not close: some order field grows without bound");
    queue.push_back(std::move(o));
  }

  void run(const std::vector<order>& starts) {
    for (const auto& o : starts) reach(o);
    while (!queue.empty()) {
      const order o = std::move(queue.front());
      queue.pop_front();
      if (o.in_flight && !o.request_sent) {
        // The engine, not decide(), marks a call's request as having left (right before the
        // write): both sides of that mark are reachable.
        order sent = o;
        sent.request_sent = true;
        reach(sent);
      }
      for (const auto& in : inputs) {
        const decision d = decide(o, in, now, pol);
        on_step(o, in, d);
        if (d.refused) continue;
        reach(d.next);
      }
    }
  }
};

// Runs the search with the stale alarm off (every order fresh), then on for every polled order
// (each state began a month ago, and each ambiguous submission is past the resend window): the
// alarm raises attention, which other decisions read.
// Commands give up after [retry] max_attempts; decide() compares attempts with 1 and with that
// limit only, so a small one reaches every branch with fewer orders. Returns the orders reached.
inline std::size_t explore(const visit& on_step) {
  const std::vector<order> starts{fresh_port_in(false), fresh_port_in(true), fresh_port_out(), rejected_port_out()};
  policy pol;
  pol.retry.max_attempts_command = 2;
  policy quiet = pol;
  quiet.stale = stale_policy{0ms, 0ms, 0ms, 0ms};
  explorer a{quiet, now, every_input(), {}, {}, on_step};
  a.run(starts);
  explorer b{pol, now - std::chrono::hours(24 * 30), every_input(), {}, {}, on_step};
  b.run(starts);
  return a.states_explored + b.states_explored;
}

}  // namespace decide_explorer
