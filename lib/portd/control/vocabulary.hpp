// The names the control side takes from the service (who calls, what they ask for, what comes
// back) and from the JSON-RPC codec (wire/jsonrpc.hpp).
#pragma once
#include <portd/service/order_service.hpp>
#include <portd/wire/jsonrpc.hpp>

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

using wire::bad_request;
using wire::forbidden;
using wire::internal_error;
using wire::invalid_params;
using wire::make_error;
using wire::max_line_bytes;
using wire::method_not_found;
using wire::parse_request;
using wire::render_error;
using wire::render_event_notification;
using wire::render_notification;
using wire::render_result;
using wire::render_result_text;
using wire::request;
using wire::to_json;
using wire::too_long_line;

}  // namespace portd::control
