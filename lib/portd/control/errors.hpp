// The one place where the service's domain errors (portd::errc) become JSON-RPC errors.
#pragma once
#include <portd/porting/error.hpp>
#include <portd/service/error.hpp>
#include <portd/wire/jsonrpc.hpp>

#include <string_view>

namespace portd::control {

using wire::outcome;
using wire::rpc_error;
namespace code = wire::code;

// errc -> JSON-RPC: the code and its data.reason (PROTOCOL.md "Errors"). Total over errc.
int rpc_code(errc);
std::string_view rpc_reason(errc);
// A service error as the reply carries it: code, reason (the error's own when set), message,
// and data.field / data.order_id / data.state when the error names them.
rpc_error to_rpc_error(const service::error&);

}  // namespace portd::control
