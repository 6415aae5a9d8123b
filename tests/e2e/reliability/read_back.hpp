// What the reliability runs read back from portd once the dust settles: every order, every
// event, and whether an order has settled. Shared by the crash and fault runs.
#pragma once
#include <common/stack.hpp>

#include <boost/json.hpp>

#include <vector>

namespace portd::test {

// Terminal, or in front of an operator; a port-in whose number ends in 8 is the simulator's
// "stuck in carrier approval forever" fate: still progressing as far as Telegent says.
bool settled(const boost::json::object& order);

// Every order order.list gives for `params` (filters), through all its pages.
boost::json::array all_orders(stack& s, boost::json::object params = {});

// Every event in the database (events.list, through all its pages), by id.
std::vector<boost::json::object> all_events(stack& s);

// An order's state and its history, read so that they belong together: a settled order may
// still be polled (one that needs attention is), and may move between the read of a list and
// the read of its history. The history is read between two reads of the state that agree.
struct state_with_history {
  std::string state;
  boost::json::array history;
};
state_with_history state_and_history(stack& s, std::int64_t order_id);

}  // namespace portd::test
