// The control protocol's JSON-RPC codec (PROTOCOL.md), pure: a line becomes a request or the
// error to answer with; results, errors and notifications become lines. No sockets here.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/validate.hpp>
#include <portd/service/caller.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace portd::wire {

using service::role;

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


inline constexpr std::size_t max_line_bytes = 1024 * 1024;

struct request {
  boost::json::value id;  // string, number or null (as sent)
  bool notification = false;  // no "id" member: executed, never answered
  std::string method;
  boost::json::object params;  // {} when absent
};

// A line that is not a usable request: answer `error` with `id` (null when unknown), unless
// `notification` (a well-formed notification whose params are not an object): no answer.
struct bad_request {
  boost::json::value id;
  rpc_error error;
  bool notification = false;
};

// Parses one line (without its '\n'): non-JSON -> parse_error; not an object, a batch, jsonrpc
// not "2.0", an id that is not a string/number/null, a missing or non-string method, params
// that are not an object -> invalid_request (params: invalid_params).
std::variant<request, bad_request> parse_request(std::string_view line);

// ---- errors ----
rpc_error make_error(int code, std::string reason, std::string message);
rpc_error invalid_params(std::string field, std::string message);
rpc_error invalid_params(const porting::invalid_field&);
rpc_error method_not_found(std::string_view method);
// `groups`: those whose members have the role needed (named in the message and data.groups).
rpc_error forbidden(std::string_view method, role, const std::vector<std::string>& groups = {});
rpc_error internal_error(std::string message = "internal error: the request had no effect");
rpc_error too_long_line();
// {"code","message","data":{"reason",…data}}
boost::json::object to_json(const rpc_error&);

// ---- replies (one line each, '\n' included) ----
std::string render_result(const boost::json::value& id, boost::json::value result);
// The same with the result already JSON text.
std::string render_result_text(const boost::json::value& id, std::string_view result);
std::string render_error(const boost::json::value& id, const rpc_error&);
std::string render_notification(std::string_view method, boost::json::value params);
// {"jsonrpc":"2.0","method":"event","params":event}
std::string render_event_notification(const porting::stored_event&);

}  // namespace portd::wire
