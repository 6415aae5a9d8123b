// JSON-RPC 2.0 framing, errors and the order/event objects of PROTOCOL.md.
#include <portd/control/protocol.hpp>
#include <portd/core/redact.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <ostream>

namespace json = boost::json;

namespace portd::control {

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

std::string render_result(const json::value& id, json::value result) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  std::string s = json::serialize(o);
  s.push_back('\n');
  return s;
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

// JSON text written straight into a string, as json::serialize writes it (same escapes, same
// key order): the order is rendered once per reply on the intake path, where building a
// json::object of ~30 allocations and serialising it was a sixth of the CPU per order.
class json_writer {
 public:
  explicit json_writer(std::string& out) : out_(out) {}

  void open() {
    out_.push_back('{');
    first_ = true;
  }
  void close() {
    out_.push_back('}');
    first_ = false;
  }
  // Keys are this file's literals: plain ASCII, nothing to escape.
  json_writer& key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(k);
    out_.append("\":");
    return *this;
  }
  void text(std::string_view v) {
    out_.push_back('"');
    std::size_t plain = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto c = static_cast<unsigned char>(v[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(v.data() + plain, i - plain);
      plain = i + 1;
      out_.push_back('\\');
      switch (c) {
        case '"': out_.push_back('"'); break;
        case '\\': out_.push_back('\\'); break;
        case '\b': out_.push_back('b'); break;
        case '\f': out_.push_back('f'); break;
        case '\n': out_.push_back('n'); break;
        case '\r': out_.push_back('r'); break;
        case '\t': out_.push_back('t'); break;
        default: {
          static constexpr char hex[] = "0123456789abcdef";
          const char u[] = {'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
          out_.append(u, sizeof u);
        }
      }
    }
    out_.append(v.data() + plain, v.size() - plain);
    out_.push_back('"');
  }
  // Text that is not known yet renders as null, so scripts can tell "none" from "".
  void text_or_null(std::string_view v) {
    if (v.empty()) null();
    else text(v);
  }
  void time(core::time_point t) { text(core::format_time(t)); }
  void time_or_null(const std::optional<core::time_point>& t) {
    if (t) time(*t);
    else null();
  }
  void number(std::int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  void boolean(bool v) { out_.append(v ? "true" : "false"); }
  void null() { out_.append("null"); }

 private:
  std::string& out_;
  bool first_ = true;
};

json::value time_or_null(const std::optional<core::time_point>& t) {
  if (!t) return nullptr;
  return json::value(core::format_time(*t));
}

}  // namespace

void write_order(std::string& out, const core::order& o) {
  json_writer w(out);
  w.open();
  w.key("id").number(o.id);
  w.key("kind").text(core::to_string(o.kind));
  w.key("number").text(o.number);
  w.key("state").text(core::to_string(o.state));
  w.key("needs_attention").boolean(o.needs_attention);
  w.key("attention_reason").text(o.attention_reason);
  w.key("remote_order_id").text_or_null(o.remote_order_id);
  w.key("remote_status").text_or_null(o.remote_status);
  w.key("remote_message").text(o.remote_message);
  w.key("reported_port_date").text(o.reported_port_date);
  w.key("client_ref").text_or_null(o.client_ref);
  w.key("group").text_or_null(o.group);
  w.key("created_at").time(o.created_at);
  w.key("updated_at").time(o.updated_at);
  w.key("state_since").time(o.state_since);
  w.key("next_check_at").time_or_null(o.next_check_at);
  w.key("attempts").number(o.attempts);
  w.key("last_error");
  if (o.last_error) {
    w.open();
    w.key("reason").text(o.last_error->reason);
    w.key("message").text(o.last_error->message);
    w.key("at").time(o.last_error->at);
    w.close();
  } else {
    w.null();
  }
  if (o.kind == core::order_kind::port_in) {
    const auto& d = o.details;
    w.key("details").open();
    w.key("carrier").text(d.carrier);
    w.key("account_number").text(core::mask_account_number(d.account_number));
    w.key("subscriber_name").text(d.subscriber_name);
    w.key("billing_address").open();
    w.key("street1").text(d.billing_address.street1);
    w.key("street2").text(d.billing_address.street2);
    w.key("city").text(d.billing_address.city);
    w.key("state").text(d.billing_address.state);
    w.key("zip").text(d.billing_address.zip);
    w.close();
    w.key("iccid").text(d.iccid);
    w.key("classification").text(d.classification);
    w.key("port_in_date").text(d.port_in_date);
    w.key("account_id").text(d.account_id);
    w.key("subscriber_id").text(d.subscriber_id);
    w.key("skip_eligibility").boolean(o.skip_eligibility);
    w.close();
  }
  w.close();
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
