// JSON-RPC 2.0 framing, errors and the order/event objects of PROTOCOL.md.
#include <portd/control/protocol.hpp>
#include <portd/core/redact.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <ostream>

namespace json = boost::json;

namespace portd::control {

std::string_view to_string(role r) {
  switch (r) {
    case role::none: return "none";
    case role::reader: return "reader";
    case role::operator_: return "operator";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, role r) { return os << to_string(r); }

rpc_error make_error(int code, std::string reason, std::string message) {
  return rpc_error{code, std::move(reason), std::move(message), {}};
}

rpc_error invalid_params(std::string field, std::string message) {
  rpc_error e = make_error(code::invalid_params, "invalid_params", std::move(message));
  if (!field.empty()) e.data["field"] = field;
  return e;
}

rpc_error invalid_params(const core::invalid_field& f) { return invalid_params(f.field, f.message); }

rpc_error method_not_found(std::string_view method) {
  // The method name is echoed bounded: it came from the peer.
  std::string shown(method.substr(0, 64));
  return make_error(code::method_not_found, "method_not_found",
                    "unknown method \"" + shown + "\"");
}

rpc_error forbidden(std::string_view method, role r) {
  return make_error(code::forbidden, "forbidden",
                    std::string(method) + " is not allowed for role " + std::string(to_string(r)));
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
  return id.is_string() || id.is_int64() || id.is_uint64() || id.is_double() || id.is_null();
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
    if (!valid_id(*p)) return invalid_request(nullptr, "id must be a string, a number or null");
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

std::string render_result(const json::value& id, json::value result) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  std::string s = json::serialize(o);
  s.push_back('\n');
  return s;
}

std::string render_error(const json::value& id, const rpc_error& e) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["error"] = to_json(e);
  std::string s = json::serialize(o);
  s.push_back('\n');
  return s;
}

std::string render_notification(std::string_view method, json::value params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = method;
  o["params"] = std::move(params);
  std::string s = json::serialize(o);
  s.push_back('\n');
  return s;
}

std::string render_event_notification(const core::stored_event& e) {
  return render_notification("event", render_event(e));
}

namespace {
json::value time_or_null(const std::optional<core::time_point>& t) {
  if (!t) return nullptr;
  return json::value(core::format_time(*t));
}
}  // namespace

// Text that is not known yet renders as null, so scripts can tell "none" from "".
static json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::value(s);
}

json::object render_order(const core::order& o) {
  json::object j;
  j["id"] = o.id;
  j["kind"] = core::to_string(o.kind);
  j["number"] = o.number;
  j["state"] = core::to_string(o.state);
  j["needs_attention"] = o.needs_attention;
  j["attention_reason"] = o.attention_reason;
  j["remote_order_id"] = text_or_null(o.remote_order_id);
  j["remote_status"] = text_or_null(o.remote_status);
  j["remote_message"] = o.remote_message;
  j["reported_port_date"] = o.reported_port_date;
  j["client_ref"] = text_or_null(o.client_ref);
  j["group"] = text_or_null(o.group);
  j["created_at"] = core::format_time(o.created_at);
  j["updated_at"] = core::format_time(o.updated_at);
  j["state_since"] = core::format_time(o.state_since);
  j["next_check_at"] = time_or_null(o.next_check_at);
  j["attempts"] = o.attempts;
  if (o.last_error) {
    json::object e;
    e["reason"] = o.last_error->reason;
    e["message"] = o.last_error->message;
    e["at"] = core::format_time(o.last_error->at);
    j["last_error"] = std::move(e);
  } else {
    j["last_error"] = nullptr;
  }
  if (o.kind == core::order_kind::port_in) {
    const auto& d = o.details;
    json::object a;
    a["street1"] = d.billing_address.street1;
    a["street2"] = d.billing_address.street2;
    a["city"] = d.billing_address.city;
    a["state"] = d.billing_address.state;
    a["zip"] = d.billing_address.zip;
    json::object dj;
    dj["carrier"] = d.carrier;
    dj["account_number"] = core::mask_account_number(d.account_number);
    dj["subscriber_name"] = d.subscriber_name;
    dj["billing_address"] = std::move(a);
    dj["iccid"] = d.iccid;
    dj["classification"] = d.classification;
    dj["port_in_date"] = d.port_in_date;
    dj["account_id"] = d.account_id;
    dj["subscriber_id"] = d.subscriber_id;
    dj["skip_eligibility"] = o.skip_eligibility;
    j["details"] = std::move(dj);
  }
  return j;
}

json::object render_event(const core::stored_event& e) {
  json::object j;
  j["id"] = e.id;
  j["order_id"] = e.order_id;
  j["seq"] = e.seq;
  j["at"] = core::format_time(e.at);
  j["type"] = core::to_string(e.record.type);
  j["from_state"] = core::to_string(e.record.from_state);
  j["to_state"] = core::to_string(e.record.to_state);
  j["remote_status"] = e.record.remote_status;
  j["actor"] = e.record.actor;
  j["message"] = e.record.message;
  return j;
}

json::object render_group_summary(const group_summary& g) {
  json::object j;
  j["group"] = g.group;
  j["total"] = g.total;
  json::object by;
  for (auto& [state, n] : g.by_state) by[core::to_string(state)] = n;
  j["by_state"] = std::move(by);
  j["needs_attention"] = g.needs_attention;
  j["completed_at_last"] = time_or_null(g.completed_at_last);
  return j;
}

}  // namespace portd::control
