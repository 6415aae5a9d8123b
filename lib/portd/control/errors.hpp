// JSON-RPC errors of PROTOCOL.md: the codes, the error object, and the one place where the
// service's domain errors (portd::errc) become JSON-RPC codes.
#pragma once
#include <portd/core/error.hpp>
#include <portd/service/error.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace portd::control {

// JSON-RPC error codes of PROTOCOL.md.
namespace code {
inline constexpr int parse_error = -32700, invalid_request = -32600, method_not_found = -32601,
                     invalid_params = -32602, internal_error = -32603, not_found = -32001,
                     conflict = -32002, forbidden = -32003, invalid_state = -32004,
                     unavailable = -32005;
}

struct rpc_error {
  int code = code::internal_error;
  std::string reason;   // snake_case, data.reason
  std::string message;  // human sentence
  boost::json::object data;  // extra data fields (field, order_id, state…)
};

// A protocol step's value or the error to answer with.
template <class T>
struct outcome {
  std::variant<T, rpc_error> v;
  outcome(T t) : v(std::move(t)) {}
  outcome(rpc_error e) : v(std::move(e)) {}
  bool ok() const { return v.index() == 0; }
  T& value() { return std::get<0>(v); }
  rpc_error& error() { return std::get<1>(v); }
};

// errc -> JSON-RPC: the code and its data.reason (PROTOCOL.md "Errors"). Total over errc.
int rpc_code(errc);
std::string_view rpc_reason(errc);
// A service error as the reply carries it: code, reason (the error's own when set), message,
// and data.field / data.order_id / data.state when the error names them.
rpc_error to_rpc_error(const service::error&);

}  // namespace portd::control
