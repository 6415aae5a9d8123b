// decide(): seeded random walks through both machines. Every input (commands, timers, restarts,
// every kind of answer, stray answers) in whatever order an unlucky day brings; the harness
// checks the invariants of DESIGN.md §4 after each step, so any path that breaks rule 2, leaks
// a secret, breaks the history chain or leaves an order with nothing due fails here.
#include "decide_harness.hpp"

#include <random>
#include <set>

using namespace decide_test;

namespace {

struct walker {
  std::mt19937_64 rng;
  explicit walker(std::uint64_t seed) : rng(seed) {}
  int pick(int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
  bool coin(int percent) { return pick(100) < percent; }

  const char* any_status() {
    static const char* statuses[] = {"Pending",   "Submitted",  "Pending Carrier Approval", "InProgress",
                                     "Scheduled", "Completed",  "Rejected",  "ResolutionRequired",
                                     "Cancelled", "Error",      "Updated",   "Port Out Pending",
                                     "Port Out Processing", "Port Out Complete", "Port Out Rejected",
                                     "Frobnicated", "Approved"};
    // Terminal answers are rarer so that walks last.
    for (;;) {
      const char* s = statuses[pick(static_cast<int>(std::size(statuses)))];
      const std::string_view v = s;
      const bool final = v == "Completed" || v == "Cancelled" || v == "Port Out Complete";
      if (!final || coin(15)) return s;
    }
  }

  api_result answer_for(call_kind c) {
    const int roll = pick(100);
    if (roll < 50) {
      switch (c) {
        case call_kind::eligibility: return eligibility_answer(!coin(10));
        case call_kind::submit_port_in: return submit_ok("JNUOID-" + std::to_string(pick(1000)));
        case call_kind::submit_port_out: return port_out_ok("JNUOID-o" + std::to_string(pick(1000)));
        case call_kind::update: return update_ok();
        case call_kind::cancel: return cancel_ok();
        case call_kind::status:
          return status_result(any_status(), coin(30) ? "carrier says " + std::to_string(pick(9)) : "",
                               coin(10) ? "2026-12-0" + std::to_string(1 + pick(9)) : "");
      }
    }
    if (roll < 85) {
      const int http = std::array{0, 408, 429, 500, 502, 503, 504}[static_cast<std::size_t>(pick(7))];
      return transient(c, coin(40), http, http == 429 && coin(70) ? std::optional<milliseconds>(milliseconds{1000 * (1 + pick(7200))}) : std::nullopt);
    }
    const int http = std::array{400, 403, 404, 409, 422}[static_cast<std::size_t>(pick(5))];
    return refused(c, http == 409 ? "duplicate_order" : http == 404 ? "not_found" : "bad_request", http);
  }

  input next_input(const harness& h) {
    const order& o = h.o;
    const int roll = pick(100);
    if (o.in_flight && roll < 55) return answer_for(*o.in_flight);
    if (roll < 70) return timer_fired{};
    if (roll < 72) return recovered{};
    if (roll < 74) return start{};
    if (roll < 77) return answer_for(static_cast<call_kind>(pick(6)));  // maybe stray
    if (roll < 83) {
      order_patch p;
      if (coin(80)) p.subscriber_name = "Name " + std::to_string(pick(100));
      if (coin(40)) p.account_pin = new_pin_canary;
      return update_cmd(p);
    }
    if (roll < 86) return cancel_cmd(coin(50) ? "reason " + std::to_string(pick(10)) : "");
    if (roll < 91) {
      if (coin(45)) return cmd_resolve{"JNUOID-r" + std::to_string(pick(100)), false, op};
      if (coin(80)) return cmd_resolve{"", true, op};
      return cmd_resolve{coin(50) ? "JNUOID-x" : "", coin(50), op};
    }
    if (roll < 95) return cmd_retry{op};
    if (roll < 98) return cmd_poll_now{op};
    if (coin(25)) return cmd_close{coin(90) ? "closed by the walk" : "", op};
    return cmd_note{coin(90) ? "note" : "", op};
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(decide_walks)

BOOST_AUTO_TEST_CASE(random_walks_keep_every_invariant) {
  std::size_t ends = 0, steps_total = 0;
  std::set<order_state> visited;
  for (std::uint64_t seed = 1; seed <= 1500; ++seed) {
    walker w(seed);
    const bool port_out = w.coin(30);
    order o = port_out ? make_port_out(static_cast<std::int64_t>(seed)) : make_port_in(static_cast<std::int64_t>(seed));
    o.skip_eligibility = !port_out && w.coin(20);
    harness h(o);
    visited.insert(h.o.state);
    h.step(start{});
    for (int step = 0; step < 120; ++step) {
      const order before = h.o;
      const input in = w.next_input(h);
      BOOST_TEST_CONTEXT("seed " << seed << " step " << step << " state " << before.state << " in_flight "
                                 << str(before.in_flight) << " input #" << in.index()) {
        // Let time pass as the engine would: up to the next check, or a little.
        if (std::holds_alternative<timer_fired>(in)) {
          if (!before.next_check_at) continue;  // the engine fires only armed timers
          h.now = std::max(h.now, *before.next_check_at);
        } else {
          h.now += milliseconds{w.pick(5000)};
        }
        h.step(in);
        ++steps_total;
        visited.insert(h.o.state);
        if (is_terminal(before.state) && !h.d.refused && !std::holds_alternative<cmd_note>(in))
          BOOST_TEST(!h.d.changed(), "a terminal order never changes");
        if (h.o.state == order_state::closed && before.state != order_state::closed) {
          BOOST_TEST(std::holds_alternative<cmd_close>(in), "only order.close closes");
          BOOST_TEST(h.o.secrets.empty());
        }
        if (h.o.state == order_state::port_out_rejected) BOOST_TEST(h.o.kind == order_kind::port_out);
        if (!is_terminal(before.state) && before.kind == order_kind::port_out)
          BOOST_TEST(h.o.state != order_state::checking_eligibility);
        if (h.o.state == order_state::submit_unknown && before.state != order_state::submit_unknown)
          BOOST_TEST(h.o.remote_order_id.empty());
        // A command still owed (eligibility, submit, a cancel not refused, a correction) is
        // retried after a backoff or a 429's wait, never left to a slow poll cadence.
        const bool cancel_refused = h.o.pending == pending_intent::settle;
        const bool owes_command =
            !h.o.in_flight && h.o.next_check_at &&
            (h.o.state == order_state::checking_eligibility || h.o.state == order_state::submitting ||
             h.o.state == order_state::issuing_pin || (h.o.state == order_state::cancelling && !cancel_refused) ||
             (h.o.pending == pending_intent::update && is_polled(h.o.state)));
        if (owes_command)
          BOOST_TEST((*h.o.next_check_at - h.now <= milliseconds{2h + 40s}), "a command owed waits "
                         << (*h.o.next_check_at - h.now).count() << " ms in " << h.o.state);
        // A polled order is polled at least at its state's cadence (or when a 429 allows).
        if (is_polled(h.o.state) && !h.o.in_flight && h.o.pending != pending_intent::update) {
          BOOST_TEST_REQUIRE(h.o.next_check_at.has_value());
          const milliseconds cadence = next_poll_at(h.o, h.now, h.pol.poll) - h.now;
          BOOST_TEST((*h.o.next_check_at - h.now <= std::max<milliseconds>(cadence, 2h + 40s)),
                     "polled in " << (*h.o.next_check_at - h.now).count() << " ms in " << h.o.state);
        }
        // Rule 3: never a second submit for an order Telegent already holds.
        if (h.d.call == call_kind::submit_port_in || h.d.call == call_kind::submit_port_out)
          BOOST_TEST(h.o.remote_order_id.empty(), "submit while Telegent holds " << h.o.remote_order_id);
        if (!before.remote_order_id.empty() && !h.d.refused)
          BOOST_TEST(!h.o.remote_order_id.empty(), "a known OrderId is never forgotten");
        // A cancel without Telegent's word only when nothing can exist there, or an operator
        // said so in submit_unknown.
        if (h.o.state == order_state::cancelled && before.state != order_state::cancelled &&
            before.state != order_state::submit_unknown) {
          const bool by_telegent = h.last_of(event_type::state_changed)->actor == "telegent";
          if (!by_telegent) {
            BOOST_TEST(before.remote_order_id.empty());
            BOOST_TEST(before.submit == submit_certainty::known, "local cancel while an earlier submit may exist");
          }
        }
      }
      if (is_terminal(h.o.state)) {
        ++ends;
        break;
      }
    }
  }
  BOOST_TEST(ends > 500u, "walks reach an end often enough to cover the terminal paths");
  BOOST_TEST(steps_total > 30'000u);
  for (int i = 0; i < order_state_count; ++i)
    BOOST_TEST(visited.count(static_cast<order_state>(i)) == 1u, "never reached " << static_cast<order_state>(i));
}

BOOST_AUTO_TEST_SUITE_END()
