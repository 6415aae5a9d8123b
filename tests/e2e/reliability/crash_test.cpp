// Crash injection (issue 8): a few hundred orders against telegent-sim with faults on, while
// portd is killed with SIGKILL at random moments and restarted. Kill moments are chosen by what
// has happened, never by the clock: right after a submission line was sent (its answer racing
// the group commit), right after a submission was acknowledged (its Telegent submit in
// flight), or after K events observed while orders progress. A webhook receiver, alive across
// every kill, takes the notifications. Then, once every order settled:
//   - every acknowledged submission exists (by id and by client_ref) for the same number;
//   - no number has more than one order created at the simulator;
//   - every order is terminal, needs attention with a reason, or still progressing (fate 8);
//   - each order's history has gap-free seq from 1 and replays: every state change starts where
//     the previous one ended and is one decide() can make for the order's kind (the set found
//     by exploring decide(), legal_transitions.hpp), and it ends in the order's current state;
//   - the simulator saw no request inside a Retry-After window, restarts included (the pause a
//     429 imposes is committed and restored at start);
//   - a port-out in submit_unknown with nothing at Telegent is accounted for: a request that
//     failed at the simulator, or a kill between its synced "leaving" mark and its write (at
//     most one per kill: one connection); none stranded while it still waited in portd;
//   - the outbox drains, and every event in the database reached the webhook receiver at least
//     once, signed, with the body events.list shows, in seq order per order (duplicates after a
//     kill are allowed and counted: delivery is at least once).
// Replay a failure: PORTD_CRASH_SEED=<seed printed> (and PORTD_CRASH_KILLS=<n>, default 30,
// PORTD_CRASH_ORDERS=<n>, default 240). Hundreds of kills (README "Reliability runs"):
//   PORTD_CRASH_KILLS=200 PORTD_CRASH_ORDERS=2000 ctest --test-dir build/dev -R e2e_reliability --timeout 7200
#include "legal_transitions.hpp"
#include "read_back.hpp"

#include <portd/porting/types.hpp>

#include <common/stack.hpp>
#include <common/webhook_receiver.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

namespace json = boost::json;
using portd::test::all_events;
using portd::test::all_orders;
using portd::test::rpc_connection;
using portd::test::settled;
using portd::test::stack;
using portd::test::received_webhook;
using portd::test::stack_options;
using portd::test::webhook_receiver;
using namespace std::chrono_literals;

namespace {

long env_or(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtol(v, nullptr, 10);
}

std::uint64_t crash_seed() {
  if (const char* v = std::getenv("PORTD_CRASH_SEED"); v && *v) return std::strtoull(v, nullptr, 10);
  return std::random_device{}();
}

struct submission {
  std::string method;  // portin.submit / portout.submit
  json::object params;
  std::string number;
  std::string client_ref;
  std::int64_t id = 0;  // 0 until acknowledged
};

json::object port_in(const std::string& number, const std::string& ref) {
  return {{"number", number},
          {"carrier", "Verizon"},
          {"account_number", "123456782222"},
          {"account_pin", "4321"},
          {"client_ref", ref},
          {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}}};
}

json::object port_out(const std::string& number, const std::string& ref) {
  return {{"number", number}, {"pin", "1234"}, {"client_ref", ref}};
}

std::string request_line(std::int64_t id, const std::string& method, const json::object& params) {
  return json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
}

// Sends one submission and reads its answer; the id if acknowledged, 0 if the daemon refused it
// or went away (a submission racing a kill fails on the client side: it is retried later).
std::int64_t try_submit(stack& s, submission& sub) {
  try {
    auto r = s.call(sub.method, sub.params);
    if (auto* res = r.if_contains("result")) return res->at("order").at("id").as_int64();
    return 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// The lines of portd's log (every start appends to it) that tell when a 429 came, when a pause
// was restored and when portd started: what a violation at the simulator needs explained.
std::string log_excerpt(const std::string& log) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t a = 0; a < log.size();) {
    auto b = log.find('\n', a);
    if (b == std::string::npos) b = log.size();
    const std::string line = log.substr(a, b - a);
    if (line.find("429") != std::string::npos || line.find("pause") != std::string::npos ||
        line.find("starting") != std::string::npos || line.find("resumed") != std::string::npos) {
      out += line.substr(0, 300) + "\n";
      if (++shown > 400) break;
    }
    a = b + 1;
  }
  return out;
}

// "whsec_" + base64("portd-crash-webhook-secret-01").
const std::string webhook_secret = "whsec_cG9ydGQtY3Jhc2gtd2ViaG9vay1zZWNyZXQtMDE=";

// One webhook sink; retries come quickly so that what a kill left undelivered is sent again
// within the run.
std::string webhook_config(const webhook_receiver& r) {
  return "\n[[webhook]]\nname = \"crm\"\nurl = \"" + r.url() +
         "\"\nsecret_file = \"webhook-secret\"\ntimeout = \"2s\"\nretry_base = \"100ms\"\nretry_cap = \"1s\"\n";
}

bool delivered_ok(const received_webhook& d) { return d.answered / 100 == 2 && d.signature_ok; }

bool every_event_delivered(const std::vector<received_webhook>& got, const std::vector<json::object>& events) {
  std::set<std::string> ok;
  for (auto& d : got)
    if (delivered_ok(d)) ok.insert(d.id);
  return std::all_of(events.begin(), events.end(),
                     [&](auto& e) { return ok.contains("evt_" + std::to_string(e.at("id").as_int64())); });
}

// What the receiver got against the database's events: every event at least once with a valid
// signature and the body events.list shows; nothing that is not an event of the database; per
// order, first receipts in seq order. Returns the number of duplicate deliveries.
std::size_t check_webhooks(const std::vector<received_webhook>& got, const std::vector<json::object>& events) {
  std::map<std::string, const json::object*> by_id;
  for (auto& e : events) by_id["evt_" + std::to_string(e.at("id").as_int64())] = &e;
  std::set<std::string> first;
  std::map<std::int64_t, std::int64_t> last_seq;  // order -> seq of its last first receipt
  std::size_t bad_signature = 0, unknown = 0, mismatched = 0, out_of_order = 0, duplicates = 0, refused = 0;
  std::string examples;
  auto example = [&](const std::string& what, const received_webhook& d) {
    if (examples.size() < 4000) examples += what + ": " + d.id + " " + d.body.substr(0, 300) + "\n";
  };
  for (auto& d : got) {
    if (!d.signature_ok) {
      ++bad_signature;
      example("bad signature", d);
    }
    if (d.answered / 100 != 2) ++refused;  // the receiver said no: not a delivery
    auto it = by_id.find(d.id);
    if (it == by_id.end()) {
      ++unknown;
      example("not an event of the database", d);
      continue;
    }
    const auto* ev = d.payload.if_contains("event");
    if (!ev || *ev != json::value(*it->second)) {
      ++mismatched;
      example("body differs from events.list", d);
    }
    if (!delivered_ok(d)) continue;
    if (!first.insert(d.id).second) {
      ++duplicates;
      continue;
    }
    const auto order = it->second->at("order_id").as_int64();
    const auto seq = it->second->at("seq").as_int64();
    if (seq != last_seq[order] + 1) {
      ++out_of_order;
      example("out of order (after seq " + std::to_string(last_seq[order]) + ")", d);
    }
    last_seq[order] = seq;
  }
  std::size_t missing = 0;
  for (auto& [id, e] : by_id)
    if (!first.contains(id) && ++missing <= 10) examples += "never delivered: " + json::serialize(*e) + "\n";
  BOOST_TEST_MESSAGE("webhook: " << events.size() << " events, " << got.size() << " deliveries, " << first.size()
                                 << " events delivered, " << duplicates << " duplicates, " << refused
                                 << " not answered 2xx");
  BOOST_TEST(missing == 0u, missing << " events never reached the receiver\n" << examples);
  BOOST_TEST(bad_signature == 0u, examples);
  BOOST_TEST(unknown == 0u, examples);
  BOOST_TEST(mismatched == 0u, examples);
  BOOST_TEST(out_of_order == 0u, examples);
  return duplicates;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reliability)

BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_loses_nothing_and_duplicates_nothing) {
  const std::uint64_t seed = crash_seed();
  const int kills = static_cast<int>(env_or("PORTD_CRASH_KILLS", 30));
  const int n = static_cast<int>(env_or("PORTD_CRASH_ORDERS", 240));
  BOOST_TEST_MESSAGE("crash injection: PORTD_CRASH_SEED=" << seed << " PORTD_CRASH_KILLS=" << kills
                                                          << " PORTD_CRASH_ORDERS=" << n);
  BOOST_TEST_CONTEXT("PORTD_CRASH_SEED=" << seed << " PORTD_CRASH_KILLS=" << kills << " PORTD_CRASH_ORDERS=" << n) {
    std::mt19937_64 rng(seed);
    const auto& legal = portd::test::decide_transitions();  // explored before the run's clock starts

    const auto began = std::chrono::steady_clock::now();
    webhook_receiver recv(webhook_secret);  // outlives every portd
    stack_options opt;
    opt.request_timeout = "1s";
    opt.poll = "4s";
    opt.sim_rpm = 6000;
    opt.requests_per_minute = 4800;
    opt.max_connections = 1;  // see faults_test.cpp: 429s are read before the next request
    opt.burst = 5;
    // Orders live ~28 s (submission to completion) so that a resend after a restart still
    // meets Telegent's duplicate guard, which covers active orders only.
    opt.sim_config_extra = "burst = 40\n[delays]\nsubmitted = 259200\ncarrier_approval = 432000\n"
                           "scheduled = 864000\ncompleted = 864000\n";
    opt.portd_config_extra = webhook_config(recv);
    stack s(opt);
    portd::test::write_file(s.dir().file("webhook-secret"), webhook_secret + "\n", 0600);
    s.start_portd();
    s.sim_post("/_sim/faults", R"({"global":{"status_500":0.02,"status_503":0.02,"status_429":0.01,
        "reset_before":0.01,"reset_after":0.01,"truncated_json":0.01,"delay":0.02},
        "delay_ms":200,"retry_after":1})");

    // The orders: one port-out in ten, the rest port-ins; every fate digit occurs.
    std::vector<submission> subs;
    for (int i = 0; i < n; ++i) {
      char number[16];
      const bool out = i % 10 == 9;
      std::snprintf(number, sizeof number, out ? "+1801558%04d" : "+1801557%04d", i);
      submission sub;
      sub.number = number;
      sub.client_ref = "crash-" + std::to_string(i);
      sub.method = out ? "portout.submit" : "portin.submit";
      sub.params = out ? port_out(sub.number, sub.client_ref) : port_in(sub.number, sub.client_ref);
      subs.push_back(std::move(sub));
    }

    // Kill plan: two thirds during submission (after a sent or after an acknowledged
    // submission), the rest after K events observed while the orders progress.
    const int submit_kills = std::min(n - 1, kills * 2 / 3);
    const int settle_kills = kills - submit_kills;
    std::map<int, bool> kill_at;  // submission index -> kill before reading its answer?
    while (static_cast<int>(kill_at.size()) < submit_kills)
      kill_at.emplace(std::uniform_int_distribution<int>(1, n - 1)(rng), rng() % 2 == 0);

    int kills_done = 0;
    std::vector<std::int64_t> kill_times;  // epoch ms, the clock the simulator stamps with
    auto crash_and_restart = [&] {
      kill_times.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
      s.kill_portd(9);
      ++kills_done;
      s.start_portd();
    };

    for (int i = 0; i < n; ++i) {
      auto& sub = subs[i];
      auto k = kill_at.find(i);
      if (k != kill_at.end() && k->second) {
        // Kill with the submission on the wire, its answer unread: acknowledged or not, the
        // client cannot tell, and retries it after the restart with the same client_ref.
        rpc_connection c(s.socket_path());
        c.send_line(request_line(1, sub.method, sub.params));
        crash_and_restart();
        continue;
      }
      sub.id = try_submit(s, sub);
      if (k != kill_at.end()) crash_and_restart();  // its Telegent submit is in flight
    }
    // The client retries whatever it has no answer for (same client_ref: never two orders).
    int unacknowledged_retried = 0;
    for (auto& sub : subs)
      if (sub.id == 0) {
        ++unacknowledged_retried;
        sub.id = try_submit(s, sub);
        BOOST_TEST(sub.id != 0, sub.number << " refused on retry");
      }

    // Settle, driven by events; the remaining kills come after K events each.
    std::vector<int> kill_after_events;
    for (int i = 0; i < settle_kills; ++i)
      kill_after_events.push_back(std::uniform_int_distribution<int>(5, 120)(rng));
    // Four minutes for the default few hundred; a long run's orders queue for the budget longer.
    const auto deadline = std::chrono::steady_clock::now() +
                          std::max<std::chrono::steady_clock::duration>(std::chrono::minutes(4), n * 200ms);
    int open = n;
    std::string moving;
    auto watch = std::make_unique<rpc_connection>(s.socket_path());
    watch->send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{}})");
    int events_seen = 0, since_check = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = watch->read_line(std::chrono::seconds(1));
      const bool event = line && line->find("\"method\":\"event\"") != std::string::npos;
      if (event) ++events_seen;
      if (!kill_after_events.empty()) {
        // After K events, or once nothing moved for a second (no event left to count).
        if (events_seen >= kill_after_events.back() || !line) {
          kill_after_events.pop_back();
          events_seen = 0;
          watch.reset();
          crash_and_restart();
          watch = std::make_unique<rpc_connection>(s.socket_path());
          watch->send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{}})");
        }
        continue;
      }
      if (event && ++since_check < 25) continue;
      since_check = 0;
      open = 0;
      moving.clear();
      for (auto& o : all_orders(s))
        if (!settled(o.as_object())) {
          ++open;
          moving += json::serialize(o) + "\n";
        }
      if (open == 0) break;
    }
    BOOST_TEST_MESSAGE("kills survived: " << kills_done << ", unacknowledged submissions retried: "
                                          << unacknowledged_retried);
    BOOST_TEST(kills_done == kills);
    BOOST_TEST(open == 0, open << " orders still moving:\n" << moving);

    // Every acknowledged submission exists, for its number, under its client_ref.
    for (auto& sub : subs) {
      if (sub.id == 0) continue;
      auto r = s.call("order.get", {{"id", sub.id}});
      BOOST_TEST_REQUIRE(r.contains("result"), "acknowledged order " << sub.id << " lost: " << json::serialize(r));
      auto& o = r["result"].as_object()["order"].as_object();
      BOOST_TEST(o["number"] == sub.number.c_str());
      auto by_ref = s.result("order.get", {{"client_ref", sub.client_ref}})["order"].as_object();
      BOOST_TEST(by_ref["id"].as_int64() == sub.id, sub.client_ref << " names two orders");
    }

    auto stats = s.sim_stats();
    // Requests inside a Retry-After window: none, restarts included (the pause a 429 asks for
    // is committed and restored at start; before it was, ~3 violations per 12 kills). One
    // thing no daemon can know: a 429 that arrived just before SIGKILL, before its pause was
    // committed (the next group commit, an fsync away). A violation is excused only when a
    // kill fell within `lost_pause_ms` after the wait it broke was told and before it came;
    // any other (a pause not restored, a 429 ignored) fails, and kills later in a pause still
    // test that it is restored.
    const auto violations = stats["violations"].as_int64();
    const auto& violation_log = stats["violation_log"].as_array();
    constexpr std::int64_t lost_pause_ms = 250;
    int lost_pauses = 0;
    std::string unexplained;
    for (auto& v : violation_log) {
      const auto told = v.at("last_told_at_ms").as_int64(), at = v.at("at_ms").as_int64();
      if (std::any_of(kill_times.begin(), kill_times.end(),
                      [&](std::int64_t k) { return k >= told && k <= told + lost_pause_ms && k <= at; }))
        ++lost_pauses;
      else
        unexplained += json::serialize(v) + "\n";
    }
    const auto* injected_429 = stats["faults_injected"].as_object().if_contains("status_429");
    BOOST_TEST_MESSAGE("rate-limit violations at the sim: " << violations << " (kills: " << kills_done << "; "
                                                            << lost_pauses << " right after a 429, its pause lost); "
                                                            << stats["requests_total"].as_int64() << " requests, "
                                                            << stats["rate_limited"].as_int64() << " answered 429 ("
                                                            << (injected_429 ? injected_429->as_int64() : 0)
                                                            << " of them injected faults)");
    BOOST_TEST(static_cast<std::size_t>(violations) == violation_log.size());
    BOOST_TEST(unexplained.empty(), "violations no kill explains:\n"
                                        << unexplained << "portd's log around 429s and restarts:\n"
                                        << log_excerpt(s.portd_log()));
    for (auto& [number, count] : stats["orders_created_per_number"].as_object())
      BOOST_TEST(count.as_int64() <= 1, number << " has " << count.as_int64() << " orders at Telegent");

    // Every order: settled with a reason, and a history that replays.
    const auto orders = all_orders(s);
    BOOST_TEST(orders.size() == subs.size(), "orders in portd: " << orders.size());
    std::map<std::string, int> by_state;
    std::size_t events_checked = 0, state_changes = 0, history_violations = 0;
    for (auto& v : orders) {
      auto& o = v.as_object();
      const auto id = o.at("id").as_int64();
      const std::string state(o.at("state").as_string());
      ++by_state[state];
      BOOST_TEST(settled(o), json::serialize(o));
      if (o.at("needs_attention").as_bool())
        BOOST_TEST(!o.at("attention_reason").as_string().empty(), json::serialize(o));
      const auto read = portd::test::state_and_history(s, id);
      events_checked += read.history.size();
      for (auto& ev : read.history)
        if (ev.at("type") == "order.state_changed") ++state_changes;
      const auto problems = portd::test::history_problems(
          id, *portd::porting::parse_order_kind(o.at("kind").as_string()), read.state, read.history, legal);
      history_violations += problems.size();
      for (auto& p : problems) BOOST_TEST_ERROR(p);
    }
    // Nothing at Telegent goes unnoticed, and submit_unknown is not cried wolf (rule 3): every
    // order the simulator created is one portd follows, or one a submit_unknown order of that
    // number stands for; a port-in in submit_unknown has an order at Telegent to adopt.
    {
      auto [st, body] = portd::test::http_request(s.sim_url(), "GET", "/_sim/orders");
      BOOST_TEST_REQUIRE(st == 200);
      const json::value sim = json::parse(body);
      std::set<std::string> followed, unknown_numbers, at_telegent;
      for (auto& v : orders) {
        auto& o = v.as_object();
        if (o.at("remote_order_id").is_string()) followed.insert(std::string(o.at("remote_order_id").as_string()));
        if (o.at("state") == "submit_unknown") unknown_numbers.insert(std::string(o.at("number").as_string()));
      }
      for (auto& v : sim.at("orders").as_array()) {
        const std::string remote(v.at("OrderId").as_string()), number(v.at("number").as_string());
        at_telegent.insert(number);
        BOOST_TEST((followed.contains(remote) || unknown_numbers.contains(number)),
                   "Telegent holds " << remote << " for " << number << ", which no portd order follows or flags");
      }
      int unknown_port_ins = 0, unknown_port_outs = 0;
      // A port-out lands in submit_unknown without an order at Telegent only when its request
      // may have reached Telegent and created nothing there: it failed at Telegent (a 5xx, a
      // reset), or portd was killed between recording that the request was leaving (a synced
      // commit: the whole fsync is inside the window) and the write. Never because portd was
      // killed while the request still waited in portd: it is then sent after the restart.
      // With one connection (max_connections above), only the request holding it is between
      // its mark and its write, so a kill strands at most one port-out that way; every other
      // one must be matched by a port-out request that failed at the simulator.
      std::map<std::size_t, std::vector<std::string>> stranded_by_kill;  // kill index -> orders
      std::vector<std::string> after_a_failure;
      std::string not_recovered;
      for (auto& v : orders) {
        auto& o = v.as_object();
        if (o.at("state") != "submit_unknown") continue;
        if (o.at("kind") != "port_out") {
          ++unknown_port_ins;
          BOOST_TEST(at_telegent.contains(std::string(o.at("number").as_string())),
                     "submit_unknown with nothing at Telegent to adopt: " << json::serialize(o));
          continue;
        }
        ++unknown_port_outs;
        if (at_telegent.contains(std::string(o.at("number").as_string()))) continue;
        const std::string reason(o.at("attention_reason").as_string());
        if (!reason.starts_with("portd restarted while")) {
          after_a_failure.push_back(json::serialize(o));
          continue;
        }
        // Recovery put it there at the restart after the last kill before it changed state.
        const auto since = portd::porting::parse_time(std::string(o.at("state_since").as_string()));
        BOOST_TEST_REQUIRE(since.has_value());
        const auto k = std::upper_bound(kill_times.begin(), kill_times.end(), since->time_since_epoch().count());
        if (k == kill_times.begin()) {
          not_recovered += "recovered before any kill: " + json::serialize(o) + "\n";
          continue;
        }
        stranded_by_kill[static_cast<std::size_t>(k - kill_times.begin() - 1)].push_back(json::serialize(o));
      }
      std::size_t stranded = 0, beyond_one_per_kill = 0;
      std::string crowded;
      for (auto& [kill, stranded_here] : stranded_by_kill) {
        stranded += stranded_here.size();
        if (stranded_here.size() < 2) continue;
        beyond_one_per_kill += stranded_here.size() - 1;
        crowded += "kill " + std::to_string(kill + 1) + " stranded " + std::to_string(stranded_here.size()) + ":\n";
        for (auto& line : stranded_here) crowded += "  " + line + "\n";
      }
      BOOST_TEST(not_recovered.empty(), not_recovered);
      BOOST_TEST_MESSAGE("orders at Telegent: " << sim.at("orders").as_array().size() << ", port-ins in submit_unknown: "
                                                << unknown_port_ins << " (each holding an order portd never heard of)"
                                                << ", port-outs in submit_unknown: " << unknown_port_outs);
      std::int64_t failed_port_out_requests = 0;
      const json::object sim_counts = s.sim_stats();
      if (auto* po = sim_counts.at("requests").as_object().if_contains("portout"))
        for (auto& [outcome, count] : po->as_object())
          if (outcome != "200") failed_port_out_requests += count.as_int64();
      const auto needing_a_failed_request = after_a_failure.size() + beyond_one_per_kill;
      BOOST_TEST_MESSAGE("port-outs in submit_unknown with no order at Telegent: "
                         << after_a_failure.size() + stranded << " (" << stranded << " found at a restart, stranded by "
                         << stranded_by_kill.size() << " distinct kills; " << after_a_failure.size()
                         << " after a failed call), against " << failed_port_out_requests
                         << " port-out requests that failed at Telegent");
      BOOST_TEST(needing_a_failed_request <= static_cast<std::size_t>(failed_port_out_requests),
                 needing_a_failed_request << " port-outs in submit_unknown with no order at Telegent need a failed "
                                             "request each, but only " << failed_port_out_requests
                                          << " port-out requests failed there\n" << crowded << "after a failed call:\n"
                                          << [&] {
                                               std::string all;
                                               for (auto& line : after_a_failure) all += "  " + line + "\n";
                                               return all;
                                             }());
    }
    BOOST_TEST_MESSAGE("orders: " << orders.size() << ", events replayed: " << events_checked << ", state changes: "
                                  << state_changes << " (all among the " << legal.transitions.size()
                                  << " decide() makes), history violations: " << history_violations);
    for (auto& [st, c] : by_state) BOOST_TEST_MESSAGE(st << ": " << c);

    // The outbox drains: woken by each delivery, bounded by a deadline.
    const auto drain_deadline = std::chrono::steady_clock::now() + 2min;
    json::object outbox;
    for (;;) {
      outbox = s.result("daemon.status")["outbox"].as_object();
      if (outbox["pending"].as_int64() == 0 || std::chrono::steady_clock::now() > drain_deadline) break;
      const auto got = recv.count();
      recv.wait_for([&](auto& all) { return all.size() > got; }, 500ms);
    }
    BOOST_TEST_REQUIRE(outbox["pending"].as_int64() == 0, "the outbox did not drain: " << json::serialize(outbox));
    BOOST_TEST(outbox["dead"].as_int64() == 0, json::serialize(outbox));
    // Every event in the database reached the receiver (an event committed just before the
    // drain was seen may still be on its way: wait for it, bounded).
    const auto events = all_events(s);
    recv.wait_for([&](auto& got) { return every_event_delivered(got, events); }, 30s);
    const auto duplicates = check_webhooks(recv.deliveries(), events);
    BOOST_TEST_MESSAGE("webhook duplicates (at least once, after kills): " << duplicates);
    BOOST_TEST_MESSAGE("crash injection took "
                       << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began).count()
                       << " s (seed " << seed << ", " << kills_done << " kills, " << n << " orders)");
  }
}

BOOST_AUTO_TEST_SUITE_END()
