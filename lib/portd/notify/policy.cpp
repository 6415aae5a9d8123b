// The notifier's pure decisions (see policy.hpp).
#include <portd/notify/policy.hpp>
#include <portd/wire/objects.hpp>

#include <boost/json/serialize.hpp>

#include <array>

namespace portd::notify {

namespace json = boost::json;
using std::chrono::milliseconds;

std::optional<milliseconds> retry_schedule::next_delay(int attempts) const {
  if (attempts < 1) attempts = 1;
  milliseconds used{0}, delay = base;
  for (int i = 1; i <= attempts; ++i) {
    if (i > 1) delay = std::min(cap, delay * 2);
    if (delay > cap) delay = cap;
    if (used + delay > max_age) return std::nullopt;
    used += delay;
  }
  return delay;
}

int retry_schedule::max_attempts() const {
  int n = 1;
  while (next_delay(n) && n < 100000) ++n;
  return n;
}

namespace {
constexpr std::array<std::string_view, 3> verdict_names{"delivered", "disabled", "retry"};
}

std::string_view to_string(verdict v) {
  const auto i = static_cast<std::size_t>(v);
  return i < verdict_names.size() ? verdict_names[i] : "?";
}

std::ostream& operator<<(std::ostream& os, verdict v) { return os << to_string(v); }

verdict classify(int status) {
  if (status >= 200 && status < 300) return verdict::delivered;
  if (status == 410) return verdict::disabled;
  return verdict::retry;
}

namespace {
json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return json::value(s);
}
}  // namespace

json::object render_order_summary(const porting::order& o) {
  json::object j;
  j["id"] = o.id;
  j["kind"] = porting::to_string(o.kind);
  j["number"] = o.number;
  j["state"] = porting::to_string(o.state);
  const auto attention = wire::attention_of(o);  // as the socket's order object has them
  j["needs_attention"] = attention.needs_attention;
  j["attention_kind"] = attention.attention_kind;
  j["attention_reason"] = attention.attention_reason;
  j["remote_order_id"] = text_or_null(o.remote_order_id);
  j["remote_status"] = text_or_null(o.remote_status);
  j["client_ref"] = text_or_null(o.client_ref);
  j["group"] = text_or_null(o.group);
  j["account_id"] = text_or_null(o.details.account_id);
  j["subscriber_id"] = text_or_null(o.details.subscriber_id);
  return j;
}

std::string_view to_string(body_format f) {
  return f == body_format::portd_v1 ? "portd-v1" : "standard";
}

std::ostream& operator<<(std::ostream& os, body_format f) { return os << to_string(f); }

std::optional<body_format> parse_body_format(std::string_view s) {
  if (s == "standard") return body_format::standard;
  if (s == "portd-v1") return body_format::portd_v1;
  return std::nullopt;
}

std::string render_body(const porting::stored_event& e, const porting::order* o, body_format format) {
  json::object data;
  data["event"] = wire::render_event(e);  // the same object events.list and watch give
  data["order"] = o ? json::value(render_order_summary(*o)) : json::value(nullptr);
  if (format == body_format::portd_v1) return json::serialize(data);
  json::object j;
  j["type"] = porting::to_string(e.record.type);
  j["timestamp"] = porting::format_time(e.at);  // when it happened; webhook-timestamp is the attempt's
  j["data"] = std::move(data);
  return json::serialize(j);
}

std::string message_id(std::int64_t event_id) { return "evt_" + std::to_string(event_id); }

}  // namespace portd::notify
