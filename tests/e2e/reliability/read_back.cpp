// Reading orders and events back from portd (see read_back.hpp).
#include "read_back.hpp"

#include <set>
#include <string>

namespace portd::test {
namespace json = boost::json;

bool settled(const json::object& o) {
  static const std::set<std::string> terminal{"completed", "cancelled", "ineligible"};
  const std::string state(o.at("state").as_string());
  const auto& number = o.at("number").as_string();
  if (o.at("kind") == "port_in" && number.back() == '8' && state == "carrier_approval") return true;
  return terminal.contains(state) || o.at("needs_attention").as_bool();
}

json::array all_orders(stack& s, json::object params) {
  json::array out;
  params["limit"] = 1000;
  for (;;) {
    auto r = s.result("order.list", params);
    for (auto& o : r["orders"].as_array()) out.push_back(o);
    if (r["next_after_id"].is_null()) return out;
    params["after_id"] = r["next_after_id"];
  }
}

std::vector<json::object> all_events(stack& s) {
  std::vector<json::object> out;
  std::int64_t after = 0;
  for (;;) {
    auto r = s.result("events.list", {{"after", after}, {"limit", 1000}});
    for (auto& e : r["events"].as_array()) out.push_back(e.as_object());
    if (r["next_after"].is_null()) return out;
    after = r["next_after"].as_int64();
  }
}

state_with_history state_and_history(stack& s, std::int64_t order_id) {
  auto state_of = [&] { return std::string(s.result("order.get", {{"id", order_id}})["order"].as_object()["state"].as_string()); };
  state_with_history out{state_of(), {}};
  for (int attempt = 0;; ++attempt) {
    out.history = s.result("order.history", {{"id", order_id}})["events"].as_array();
    const auto after = state_of();
    if (after == out.state || attempt == 20) return out;
    out.state = after;
  }
}

}  // namespace portd::test
