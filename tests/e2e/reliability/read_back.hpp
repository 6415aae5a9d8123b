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

}  // namespace portd::test
