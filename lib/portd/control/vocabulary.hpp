// The service's vocabulary as the control protocol names it: who calls, what they ask for,
// what comes back (service/order_service.hpp).
#pragma once
#include <portd/service/order_service.hpp>

namespace portd::control {

using service::caller;
using service::event_page;
using service::group_summary;
using service::order_key;
using service::order_page;
using service::outbox_page;
using service::port_in_request;
using service::port_out_request;
using service::role;
using service::submitted;
using service::subscription;

}  // namespace portd::control
