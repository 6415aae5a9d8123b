// Orders, events and group summaries as PROTOCOL.md shows them.
#include <portd/porting/redact.hpp>
#include <portd/wire/objects.hpp>

#include <charconv>

namespace json = boost::json;

namespace portd::wire {

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
  void time(porting::time_point t) { text(porting::format_time(t)); }
  void time_or_null(const std::optional<porting::time_point>& t) {
    if (t) time(*t);
    else null();
  }
  void number(std::int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
  }
  void fixed3(double v) {  // 0.123
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
    out_.append(buf, r.ptr);
  }
  void boolean(bool v) { out_.append(v ? "true" : "false"); }
  void null() { out_.append("null"); }

 private:
  std::string& out_;
  bool first_ = true;
};

json::value time_or_null(const std::optional<porting::time_point>& t) {
  if (!t) return nullptr;
  return json::value(porting::format_time(*t));
}

}  // namespace

attention_fields attention_of(const porting::order& o) {
  return {o.needs_attention(), porting::to_string(o.attention), o.attention_reason};
}

void write_order(std::string& out, const porting::order& o) {
  json_writer w(out);
  w.open();
  w.key("id").number(o.id);
  w.key("kind").text(porting::to_string(o.kind));
  w.key("number").text(o.number);
  w.key("state").text(porting::to_string(o.state));
  const auto attention = attention_of(o);
  w.key("needs_attention").boolean(attention.needs_attention);
  w.key("attention_kind").text(attention.attention_kind);
  w.key("attention_reason").text(attention.attention_reason);
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
  if (!o.next_check_reason.empty()) w.key("next_check_reason").text(o.next_check_reason);  // order.get only
  if (o.expected_news) w.key("expected_news").fixed3(*o.expected_news);
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
  if (o.kind == porting::order_kind::port_in) {
    const auto& d = o.details;
    w.key("details").open();
    w.key("carrier").text(d.carrier);
    w.key("account_number").text(porting::mask_account_number(d.account_number));
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

json::object render_event(const porting::stored_event& e) {
  json::object j;
  j["id"] = e.id;
  j["order_id"] = e.order_id;
  j["seq"] = e.seq;
  j["at"] = porting::format_time(e.at);
  j["type"] = porting::to_string(e.record.type);
  j["from_state"] = porting::to_string(e.record.from_state);
  j["to_state"] = porting::to_string(e.record.to_state);
  j["remote_status"] = e.record.remote_status;
  j["actor"] = e.record.actor;
  j["message"] = e.record.message;
  return j;
}

json::object render_group_summary(const service::group_summary& g) {
  json::object j;
  j["group"] = g.group;
  j["total"] = g.total;
  json::object by;
  for (auto& [state, n] : g.by_state) by[porting::to_string(state)] = n;
  j["by_state"] = std::move(by);
  j["needs_attention"] = g.needs_attention;
  j["completed_at_last"] = time_or_null(g.completed_at_last);
  return j;
}

}  // namespace portd::wire
