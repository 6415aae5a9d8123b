// JSON-RPC 2.0 framing, errors and the order/event objects of PROTOCOL.md.
#include <portd/wire/jsonrpc.hpp>
#include <portd/wire/objects.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <ostream>

namespace json = boost::json;

namespace portd::wire {

rpc_error make_error(int code, std::string reason, std::string message) {
  return rpc_error{code, std::move(reason), std::move(message), {}};
}

rpc_error invalid_params(std::string field, std::string message) {
  rpc_error e = make_error(code::invalid_params, "invalid_params", std::move(message));
  if (!field.empty()) e.data["field"] = field;
  return e;
}

rpc_error invalid_params(const porting::invalid_field& f) { return invalid_params(f.field, f.message); }

rpc_error method_not_found(std::string_view method) {
  // The method name is echoed bounded: it came from the peer.
  std::string shown(method.substr(0, 64));
  return make_error(code::method_not_found, "method_not_found",
                    "unknown method \"" + shown + "\"");
}

// Says which role the method needs and where that role is granted. A peer is refused only
// what its role lacks: with no role it needs at least reader; a reader needs operator.
rpc_error forbidden(std::string_view method, role r, const std::vector<std::string>& groups) {
  const bool reader = r == role::reader;
  std::string message = std::string(method) + " needs the " + (reader ? "operator" : "reader") +
                        " role (this peer has role " + std::string(to_string(r)) + "): ";
  std::string list;
  for (std::size_t i = 0; i < groups.size(); ++i)
    list += (i == 0 ? "" : i + 1 == groups.size() ? " or " : ", ") + groups[i];
  if (!groups.empty())
    message += "membership in " + list + " grants it (then log in again), or add its uid or one of its groups to [control] ";
  else
    message += "add its uid or one of its groups to [control] ";
  message += std::string(reader ? "operators" : "readers (or operators)") + " in portd.toml";
  rpc_error e = make_error(code::forbidden, "forbidden", std::move(message));
  e.data["needed_role"] = reader ? "operator" : "reader";
  if (!groups.empty()) {
    json::array names;
    for (const auto& g : groups) names.emplace_back(g);
    e.data["groups"] = std::move(names);
  }
  return e;
}

rpc_error internal_error(std::string message) {
  return make_error(code::internal_error, "internal_error", std::move(message));
}

rpc_error too_long_line() {
  return make_error(code::invalid_request, "invalid_request",
                    "line longer than 1 MiB; closing the connection");
}

namespace {

bad_request invalid_request(json::value id, std::string message) {
  return {std::move(id), make_error(code::invalid_request, "invalid_request", std::move(message)),
          false};
}

bool valid_id(const json::value& id) {
  // A number too large for a double (1e400) parses as infinity, which JSON cannot write back.
  return id.is_string() || id.is_int64() || id.is_uint64() || id.is_null() ||
         (id.is_double() && std::isfinite(id.get_double()));
}

}  // namespace

std::variant<request, bad_request> parse_request(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > max_line_bytes) return invalid_request(nullptr, too_long_line().message);
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec)
    return bad_request{nullptr,
                       make_error(code::parse_error, "parse_error",
                                  "the line is not valid JSON (" + ec.message() + ")"),
                       false};
  if (v.is_array())
    return invalid_request(nullptr, "batches are not supported: send one request per line");
  if (!v.is_object()) return invalid_request(nullptr, "a request must be a JSON object");
  json::object& o = v.as_object();

  json::value id = nullptr;
  bool has_id = false;
  if (auto* p = o.if_contains("id")) {
    if (!valid_id(*p)) return invalid_request(nullptr, "id must be a string, a finite number or null");
    id = *p;
    has_id = true;
  }
  auto* jsonrpc = o.if_contains("jsonrpc");
  if (!jsonrpc || !jsonrpc->is_string() || jsonrpc->as_string() != "2.0")
    return invalid_request(id, "jsonrpc must be \"2.0\"");
  auto* method = o.if_contains("method");
  if (!method || !method->is_string() || method->as_string().empty())
    return invalid_request(id, "method must be a non-empty string");
  // Strict like params: a misspelt "param" would otherwise run the method with no params.
  for (auto& kv : o) {
    if (kv.key() != "jsonrpc" && kv.key() != "id" && kv.key() != "method" &&
        kv.key() != "params")
      return invalid_request(id, "unknown member \"" + std::string(kv.key().substr(0, 64)) +
                                     "\" in the request");
  }
  request r;
  r.id = std::move(id);
  r.notification = !has_id;
  r.method = std::string(method->as_string());
  if (auto* p = o.if_contains("params")) {
    if (!p->is_object()) {
      // By-position params are valid JSON-RPC but no method of ours takes them.
      return bad_request{r.id, invalid_params("params", "params must be an object (named parameters)"),
                         r.notification};
    }
    r.params = std::move(p->as_object());
  }
  return r;
}

json::object to_json(const rpc_error& e) {
  json::object data = e.data;
  data["reason"] = e.reason;
  json::object o;
  o["code"] = e.code;
  o["message"] = e.message;
  o["data"] = std::move(data);
  return o;
}

namespace {

// One message on the wire: "jsonrpc":"2.0", then its two members in this order, and the newline
// that ends it.
std::string message_line(std::string_view k1, json::value v1, std::string_view k2, json::value v2) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o[k1] = std::move(v1);
  o[k2] = std::move(v2);
  std::string s = json::serialize(o);
  s.push_back('\n');
  return s;
}

}  // namespace

std::string render_result(const json::value& id, json::value result) {
  return message_line("id", id, "result", std::move(result));
}

std::string render_result_text(const json::value& id, std::string_view result) {
  std::string s;
  s.reserve(result.size() + 64);
  s = R"({"jsonrpc":"2.0","id":)";
  if (id.is_int64()) {
    char buf[24];
    s.append(buf, std::to_chars(buf, buf + sizeof buf, id.get_int64()).ptr);
  } else {
    s += json::serialize(id);
  }
  s += R"(,"result":)";
  s += result;
  s += "}\n";
  return s;
}

std::string render_error(const json::value& id, const rpc_error& e) {
  return message_line("id", id, "error", to_json(e));
}

std::string render_notification(std::string_view method, json::value params) {
  return message_line("method", json::string(method), "params", std::move(params));
}

std::string render_event_notification(const porting::stored_event& e) {
  return render_notification("event", render_event(e));
}

}  // namespace portd::wire
