// The state changes decide() can make, one history event at a time, found by exploring decide()
// itself (tests/common/decide_explorer.hpp; the unit test porting transitions_test holds the same steps
// to the transition table), and a checker that replays an order's history, as order.history
// returns it, against them.
#pragma once
#include <portd/porting/types.hpp>

#include <boost/json/array.hpp>

#include <compare>
#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace portd::test {

struct transition {
  porting::order_kind kind = porting::order_kind::port_in;
  porting::order_state from = porting::order_state::received;
  porting::order_state to = porting::order_state::received;
  auto operator<=>(const transition&) const = default;
};
std::string to_string(const transition&);  // "port_in submitting -> submitted"

struct legal_transitions {
  std::set<transition> transitions;  // every (kind, from, to) of a state_changed event decide() emitted
  std::size_t states_explored = 0;   // distinct orders reached
  std::size_t decisions = 0;         // decide() calls made
  bool contains(const transition& t) const { return transitions.contains(t); }
};

// Breadth-first over every order reachable by decide() from a fresh port-in (with and without
// the eligibility check) and a fresh port-out, applying every kind of input in every reached
// order: start, timer_fired, recovered, each operator command, and for every call kind an ok
// answer (each eligibility verdict, each meaning of a Telegent status), a transient failure
// (plain, maybe processed, 429 with Retry-After) and a refusal (plain, duplicate). Run with the
// stale alarm off and with every polled order stale. Computed once; throws if the exploration
// does not close (an order field that grows without bound).
const legal_transitions& decide_transitions();

// What is wrong with one order's history (order.history's `events`, in seq order): seq not
// 1, 2, 3 … without a gap, an event of another order, a first event other than order.created,
// a state change that does not start where the previous one ended or that decide() cannot
// make for an order of this kind, another event that claims a state change, or a history that
// does not end in `current_state`. Empty when the history replays.
std::vector<std::string> history_problems(std::int64_t order_id, porting::order_kind kind,
                                          const std::string& current_state, const boost::json::array& history,
                                          const legal_transitions& legal);

}  // namespace portd::test
