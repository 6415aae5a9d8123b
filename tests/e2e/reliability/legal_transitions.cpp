// The state changes decide() makes, gathered over the exploration of tests/common/decide_explorer.hpp
// (see legal_transitions.hpp).
#include "legal_transitions.hpp"

#include "common/decide_explorer.hpp"

#include <boost/json.hpp>

namespace portd::test {
namespace json = boost::json;
using namespace portd::porting;
using namespace std::chrono_literals;

std::string to_string(const transition& t) {
  return std::string(porting::to_string(t.kind)) + " " + std::string(porting::to_string(t.from)) + " -> " +
         std::string(porting::to_string(t.to));
}

namespace {

legal_transitions explore() {
  legal_transitions out;
  out.states_explored = decide_explorer::explore([&](const order& o, const input&, const decision& d) {
    ++out.decisions;
    if (d.refused) return;
    for (const auto& e : d.events)
      if (e.type == event_type::state_changed) out.transitions.insert({o.kind, e.from_state, e.to_state});
  });
  return out;
}

}  // namespace

const legal_transitions& decide_transitions() {
  static const legal_transitions all = explore();
  return all;
}

std::vector<std::string> history_problems(std::int64_t order_id, order_kind kind, const std::string& current_state,
                                          const json::array& history, const legal_transitions& legal) {
  std::vector<std::string> problems;
  auto problem = [&](const std::string& what, const json::value& ev) {
    problems.push_back("order " + std::to_string(order_id) + " (" + std::string(porting::to_string(kind)) + "): " +
                       what + ": " + json::serialize(ev));
  };
  std::int64_t seq = 0;
  std::string at = "received";
  for (const auto& ev : history) {
    const auto& e = ev.as_object();
    if (e.at("seq").as_int64() != ++seq) {
      problem("seq " + std::to_string(e.at("seq").as_int64()) + " where " + std::to_string(seq) + " was due", ev);
      seq = e.at("seq").as_int64();
    }
    if (e.at("order_id").as_int64() != order_id) problem("an event of another order", ev);
    const std::string type(e.at("type").as_string());
    if (seq == 1 && type != "order.created") problem("the history does not begin with order.created", ev);
    const std::string from(e.at("from_state").as_string()), to(e.at("to_state").as_string());
    if (type != "order.state_changed") {
      if (from != at || to != at) problem("a " + type + " event that claims a state change or another state than " + at, ev);
      continue;
    }
    if (from != at) problem("a state change from " + from + " while the order was " + at, ev);
    const auto f = parse_order_state(from), t = parse_order_state(to);
    if (!f || !t) {
      problem("a state portd does not have", ev);
    } else if (!legal.contains({kind, *f, *t})) {
      problem("a state change decide() never makes for a " + std::string(porting::to_string(kind)) + " order", ev);
    }
    at = to;
  }
  if (history.empty()) problems.push_back("order " + std::to_string(order_id) + " has no history");
  if (at != current_state)
    problems.push_back("order " + std::to_string(order_id) + ": its history ends in " + at + ", the order is " +
                       current_state);
  return problems;
}

}  // namespace portd::test
