// What portd does next with an order, in words, for the replies of the commands that queue
// work (order.update, order.cancel, order.retry, order.poll, order.resolve): their `order` is
// the order as the command left it, which alone reads as "nothing happened".
#pragma once
#include <portd/porting/order.hpp>

#include <string>

namespace portd::control {

// E.g. "correction queued; Telegent is told next", "status check queued", "cancel queued;
// sent once the status check in flight returns", "nothing: the order is cancelled". Pure.
std::string next_step(const porting::order& o);

}  // namespace portd::control
