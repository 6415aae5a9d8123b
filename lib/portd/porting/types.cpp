// Names of the core enums and RFC 3339 time formatting.
#include <portd/porting/event.hpp>
#include <portd/porting/types.hpp>

#include <array>
#include <cstdio>
#include <ctime>

namespace portd::porting {
namespace {

// An enum's names in enumerator order.
template <class E, std::size_t N>
struct enum_names {
  std::array<std::string_view, N> text;
};

template <class E, std::size_t N>
std::optional<E> parse_name(const enum_names<E, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names.text[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

constexpr enum_names<order_kind, 2> kind_names{{"port_in", "port_out"}};
constexpr enum_names<order_state, order_state_count> state_names{{
    "received",  "checking_eligibility", "ineligible", "submitting", "submit_unknown",
    "issuing_pin", "submitted",          "carrier_approval", "scheduled", "rejected",
    "cancelling", "cancelled",           "completed",  "failed",       "port_out_rejected",
    "closed"}};
constexpr enum_names<call_kind, 6> call_names{{
    "eligibility", "submit_port_in", "submit_port_out", "update", "cancel", "status"}};
constexpr enum_names<pending_intent, 4> intent_names{{"none", "update", "cancel", "settle"}};
constexpr enum_names<submit_certainty, 2> certainty_names{{"known", "ambiguous"}};
constexpr enum_names<attention_kind, 7> attention_names{{
    "none", "operator_state", "unknown_status", "poll_refused", "stale", "cancel_refused", "cancel_failing"}};
constexpr enum_names<call_priority, 3> priority_names{{"guarded", "command", "poll"}};
constexpr enum_names<call_outcome, 3> outcome_names{{"ok", "transient", "refused"}};
constexpr enum_names<event_type, 8> event_names{{
    "order.created",        "order.state_changed",     "order.remote_status_changed",
    "order.updated",        "order.error",             "order.needs_attention",
    "order.port_date_changed", "order.note_added"}};

}  // namespace

time_point now_ms() { return std::chrono::time_point_cast<milliseconds>(clock::now()); }

// A value outside the enum (a corrupt row cast in, a test's static_cast) names itself "?"
// instead of reading past the table.
template <class E, std::size_t N>
std::string_view name_of(const enum_names<E, N>& names, E v) {
  const auto i = static_cast<std::size_t>(v);
  return i < N ? names.text[i] : std::string_view("?");
}

std::string_view to_string(order_kind k) { return name_of(kind_names, k); }
std::string_view to_string(order_state s) { return name_of(state_names, s); }
std::string_view to_string(call_kind k) { return name_of(call_names, k); }
std::string_view to_string(pending_intent v) { return name_of(intent_names, v); }
std::string_view to_string(submit_certainty v) { return name_of(certainty_names, v); }
std::string_view to_string(attention_kind v) { return name_of(attention_names, v); }
std::string_view to_string(call_priority v) { return name_of(priority_names, v); }
std::string_view to_string(call_outcome o) { return name_of(outcome_names, o); }
std::string_view to_string(event_type t) { return name_of(event_names, t); }

std::optional<order_kind> parse_order_kind(std::string_view s) { return parse_name(kind_names, s); }
std::optional<order_state> parse_order_state(std::string_view s) { return parse_name(state_names, s); }
std::optional<call_kind> parse_call_kind(std::string_view s) { return parse_name(call_names, s); }
std::optional<pending_intent> parse_pending_intent(std::string_view s) { return parse_name(intent_names, s); }
std::optional<submit_certainty> parse_submit_certainty(std::string_view s) {
  return parse_name(certainty_names, s);
}
std::optional<attention_kind> parse_attention_kind(std::string_view s) {
  return parse_name(attention_names, s);
}
std::optional<event_type> parse_event_type(std::string_view s) { return parse_name(event_names, s); }

std::ostream& operator<<(std::ostream& os, order_kind v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, order_state v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, call_kind v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, pending_intent v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, submit_certainty v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, attention_kind v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, call_priority v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, call_outcome v) { return os << to_string(v); }
std::ostream& operator<<(std::ostream& os, event_type v) { return os << to_string(v); }

std::string format_time(time_point t) {
  // Calendar arithmetic, no libc: this runs three times for every order a reply renders.
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t pos, std::size_t width, long long v) {
    for (std::size_t i = pos + width; i-- > pos; v /= 10) out[i] = static_cast<char>('0' + v % 10);
  };
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {  // outside RFC 3339's four digits: never a real order's time
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", y,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<long long>(hms.hours().count()), static_cast<long long>(hms.minutes().count()),
                  static_cast<long long>(hms.seconds().count()), static_cast<long long>(hms.subseconds().count()));
    return buf;
  }
  put(0, 4, y);
  put(5, 2, static_cast<unsigned>(ymd.month()));
  put(8, 2, static_cast<unsigned>(ymd.day()));
  put(11, 2, hms.hours().count());
  put(14, 2, hms.minutes().count());
  put(17, 2, hms.seconds().count());
  put(20, 3, hms.subseconds().count());
  return out;
}

std::optional<time_point> parse_time(std::string_view s) {
  // Strict RFC 3339 UTC as produced by format_time: "YYYY-MM-DDThh:mm:ss[.fff…]Z", every field
  // exactly its width in digits (sscanf's %d would also take signs, blanks and short fields).
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < shape.size() + 1) return std::nullopt;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (shape[i] == 'd' ? !digit : s[i] != shape[i]) return std::nullopt;
  }
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  const int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
            sec = num(17, 2);
  long ms = 0;
  std::size_t pos = shape.size();
  if (s[pos] == '.') {
    int digits = 0;
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) ms *= 10;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  return time_point{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec} +
                    milliseconds{ms}};
}

}  // namespace portd::porting
