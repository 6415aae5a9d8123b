// events.watch across a reconnect: a watcher that drops its connection in the middle of a busy
// stream and comes back with after=<last id it saw> sees every event exactly once.
#include <common/stack.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

namespace json = boost::json;
using namespace std::chrono_literals;
using portd::test::rpc_connection;
using portd::test::stack;

namespace {

json::object port_in(const std::string& number) { return portd::test::port_in_params(number); }

// Reads event notifications until `stop(event)` says so; returns their ids in arrival order.
template <class Stop>
std::vector<std::int64_t> read_events(rpc_connection& c, Stop stop, std::map<std::int64_t, json::object>& seen) {
  std::vector<std::int64_t> ids;
  for (;;) {
    auto line = c.read_line(60s);
    BOOST_REQUIRE_MESSAGE(line, "the watch stream went quiet");
    auto v = json::parse(*line).as_object();
    if (v.contains("result")) continue;  // {"watching": true, …}
    BOOST_REQUIRE_MESSAGE(v["method"] == "event", *line);
    auto e = v["params"].as_object();
    ids.push_back(e["id"].as_int64());
    seen.emplace(e["id"].as_int64(), e);
    if (stop(e)) return ids;
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_watch)

BOOST_AUTO_TEST_CASE(reconnect_with_after_sees_every_event_exactly_once) {
  stack s;
  s.start_portd();
  std::map<std::int64_t, json::object> seen;
  std::vector<std::int64_t> first, second;
  {
    rpc_connection c(s.socket_path());
    c.send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{"after":0}})");
    for (int i = 0; i < 40; ++i) {
      char num[32];
      std::snprintf(num, sizeof num, "+18015%05d%d", i, i % 4);
      s.result("portin.submit", port_in(num));
    }
    // Leave in the middle of the stream: orders are still moving.
    int n = 0;
    first = read_events(c, [&](const json::object&) { return ++n == 60; }, seen);
  }
  const auto last = first.back();
  // Wait for everything to finish (through a watch of its own), then read the rest.
  {
    rpc_connection w(s.socket_path());
    w.send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{}})");
    while (s.result("daemon.status")["orders"].as_object()["active"].as_int64() > 0) w.read_line(500ms);
  }
  std::int64_t newest = 0;
  {
    auto r = s.result("events.list", {{"after", 0}, {"limit", 1000}});
    BOOST_REQUIRE(r["next_after"].is_null());
    newest = r["events"].as_array().back().as_object()["id"].as_int64();
    BOOST_TEST(r["events"].as_array().size() > 150u);
  }
  {
    rpc_connection c(s.socket_path());
    c.send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{"after":)" + std::to_string(last) + "}}");
    second = read_events(c, [&](const json::object& e) { return e.at("id").as_int64() == newest; }, seen);
  }
  // Exactly once: no id twice across both connections, none missing, ascending.
  std::vector<std::int64_t> all = first;
  all.insert(all.end(), second.begin(), second.end());
  std::set<std::int64_t> unique(all.begin(), all.end());
  BOOST_TEST(unique.size() == all.size());
  BOOST_TEST(std::is_sorted(all.begin(), all.end()));
  auto listed = s.result("events.list", {{"after", 0}, {"limit", 1000}})["events"].as_array();
  BOOST_TEST(all.size() == listed.size());
  for (auto& e : listed) BOOST_TEST(seen[e.as_object().at("id").as_int64()] == e.as_object());
}

BOOST_AUTO_TEST_SUITE_END()
