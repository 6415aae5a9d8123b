// Tolerant parsing of Telegent's date forms and strict formatting of ours.
#include <portd/telegent/dates.hpp>

#include <array>
#include <cstdio>

namespace portd::telegent {

namespace {

using namespace std::chrono;

// A forward-only reader over the input; every accessor fails softly.
class cursor {
 public:
  explicit cursor(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool eat_ci(std::string_view word) {
    if (s_.size() - pos_ < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (lower(s_[pos_ + i]) != lower(word[i])) return false;
    }
    pos_ += word.size();
    return true;
  }
  // Exactly `min`..`max` decimal digits; returns the value and how many were read.
  std::optional<int> digits(int min, int max, int* count = nullptr) {
    int n = 0;
    long v = 0;
    while (n < max && is_digit(peek())) {
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (count) *count = n;
    if (n < min) return std::nullopt;
    return static_cast<int>(v);
  }
  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }
  std::size_t pos() const { return pos_; }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<year_month_day> make_date(int y, int m, int d) {
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (m < 1 || m > 12 || d < 1 || !ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<milliseconds> make_time(int h, int mi, int s, int ms) {
  // 60 seconds admits a leap second as written; it rolls into the next minute.
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return std::nullopt;
  return hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
}

// Fraction digits after '.', as milliseconds (truncated).
std::optional<int> fraction_ms(cursor& c) {
  int n = 0;
  int ms = 0;
  while (cursor::is_digit(c.peek())) {
    if (n < 3) ms = ms * 10 + (c.peek() - '0');
    c.eat(c.peek());
    ++n;
  }
  if (n == 0 || n > 9) return std::nullopt;
  for (int i = n; i < 3; ++i) ms *= 10;
  return ms;
}

// ":MM", then ":SS" and a fraction after '.' (or ',' where `comma_fraction`) if present.
struct clock_reading {
  int minute = 0, second = 0, ms = 0;
};
std::optional<clock_reading> minutes_seconds(cursor& c, bool comma_fraction) {
  if (!c.eat(':')) return std::nullopt;
  auto mi = c.digits(2, 2);
  if (!mi) return std::nullopt;
  clock_reading r{*mi};
  if (c.eat(':')) {
    auto s = c.digits(2, 2);
    if (!s) return std::nullopt;
    r.second = *s;
    if (c.eat('.') || (comma_fraction && c.eat(','))) {
      auto f = fraction_ms(c);
      if (!f) return std::nullopt;
      r.ms = *f;
    }
  }
  return r;
}

// "YYYY-MM-DD", a real date.
std::optional<year_month_day> iso_date(cursor& c) {
  auto y = c.digits(4, 4);
  if (!y || !c.eat('-')) return std::nullopt;
  auto mo = c.digits(2, 2);
  if (!mo || !c.eat('-')) return std::nullopt;
  auto d = c.digits(2, 2);
  if (!d) return std::nullopt;
  return make_date(*y, *mo, *d);
}

std::optional<remote_datetime> parse_iso(cursor& c) {
  auto date = iso_date(c);
  if (!date) return std::nullopt;
  remote_datetime out{*date, milliseconds{0}, std::nullopt};
  if (c.done()) return out;
  if (!c.eat('T') && !c.eat('t') && !c.eat(' ')) return std::nullopt;
  auto h = c.digits(2, 2);
  if (!h) return std::nullopt;
  auto rest = minutes_seconds(c, true);
  if (!rest) return std::nullopt;
  auto tod = make_time(*h, rest->minute, rest->second, rest->ms);
  if (!tod) return std::nullopt;
  out.time_of_day = *tod;
  if (c.done()) return out;
  if (c.eat('Z') || c.eat('z')) {
    out.utc_offset = minutes{0};
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.peek() == '-' ? -1 : 1;
    c.eat(c.peek());
    auto oh = c.digits(2, 2);
    if (!oh) return std::nullopt;
    c.eat(':');
    auto om = c.digits(2, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    out.utc_offset = minutes{sign * (*oh * 60 + *om)};
  } else {
    return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  return out;
}

std::optional<remote_datetime> parse_us(cursor& c) {
  auto mo = c.digits(1, 2);
  if (!mo || !c.eat('/')) return std::nullopt;
  auto d = c.digits(1, 2);
  if (!d || !c.eat('/')) return std::nullopt;
  auto y = c.digits(4, 4);
  if (!y) return std::nullopt;
  auto date = make_date(*y, *mo, *d);
  if (!date) return std::nullopt;
  remote_datetime out{*date, milliseconds{0}, std::nullopt};
  c.skip_spaces();
  if (c.done()) return out;
  auto h = c.digits(1, 2);
  if (!h) return std::nullopt;
  auto rest = minutes_seconds(c, false);
  if (!rest) return std::nullopt;
  c.skip_spaces();
  int hour = *h;
  if (c.eat_ci("AM") || c.eat_ci("A.M.")) {
    if (hour < 1 || hour > 12) return std::nullopt;
    if (hour == 12) hour = 0;
  } else if (c.eat_ci("PM") || c.eat_ci("P.M.")) {
    if (hour < 1 || hour > 12) return std::nullopt;
    if (hour != 12) hour += 12;
  }
  c.skip_spaces();
  if (c.eat('Z') || c.eat_ci("UTC") || c.eat_ci("GMT")) out.utc_offset = minutes{0};
  if (!c.done()) return std::nullopt;
  auto tod = make_time(hour, rest->minute, rest->second, rest->ms);
  if (!tod) return std::nullopt;
  out.time_of_day = *tod;
  return out;
}

time_point to_time_point(const remote_datetime& dt) {
  auto t = time_point{sys_days{dt.date}.time_since_epoch()} + dt.time_of_day;
  if (dt.utc_offset) t -= *dt.utc_offset;
  return t;
}

constexpr std::array<std::string_view, 12> month_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<int> month_abbrev(cursor& c) {
  for (std::size_t i = 0; i < month_names.size(); ++i) {
    if (c.eat_ci(month_names[i])) return static_cast<int>(i + 1);
  }
  return std::nullopt;
}

std::optional<milliseconds> hms(cursor& c) {
  auto h = c.digits(2, 2);
  if (!h || !c.eat(':')) return std::nullopt;
  auto m = c.digits(2, 2);
  if (!m || !c.eat(':')) return std::nullopt;
  auto s = c.digits(2, 2);
  if (!s) return std::nullopt;
  return make_time(*h, *m, *s, 0);
}

void skip_day_name(cursor& c) {
  while (!c.done() && c.peek() != ',' && c.peek() != ' ') c.eat(c.peek());
}

}  // namespace

std::optional<remote_datetime> parse_remote_datetime(std::string_view s) {
  s = trim(s);
  if (s.size() >= 5 && cursor::is_digit(s[0]) && cursor::is_digit(s[1]) &&
      cursor::is_digit(s[2]) && cursor::is_digit(s[3]) && s[4] == '-') {
    cursor c{s};
    return parse_iso(c);
  }
  cursor c{s};
  return parse_us(c);
}

std::optional<time_point> parse_remote_time(std::string_view s) {
  auto dt = parse_remote_datetime(s);
  if (!dt) return std::nullopt;
  return to_time_point(*dt);
}

std::optional<time_point> parse_token_expiry(std::string_view s) { return parse_remote_time(s); }

std::optional<std::string> remote_date_to_iso(std::string_view s) {
  auto dt = parse_remote_datetime(s);
  if (!dt) return std::nullopt;
  return format_iso_date(dt->date);
}

std::optional<time_point> parse_http_date(std::string_view s) {
  s = trim(s);
  cursor c{s};
  skip_day_name(c);
  if (c.eat(',')) {
    c.skip_spaces();
    // IMF-fixdate "06 Nov 1994 08:49:37 GMT" or RFC 850 "06-Nov-94 08:49:37 GMT"
    auto d = c.digits(1, 2);
    if (!d) return std::nullopt;
    const bool rfc850 = c.eat('-');
    if (!rfc850 && !c.eat(' ')) return std::nullopt;
    auto mo = month_abbrev(c);
    if (!mo) return std::nullopt;
    if (rfc850 ? !c.eat('-') : !c.eat(' ')) return std::nullopt;
    int ny = 0;
    auto y = c.digits(2, 4, &ny);
    if (!y || ny == 3) return std::nullopt;
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past.
    int year_full = *y;
    if (ny == 2) year_full += (*y < 70 ? 2000 : 1900);
    if (!c.eat(' ')) return std::nullopt;
    auto tod = hms(c);
    if (!tod) return std::nullopt;
    c.skip_spaces();
    if (!c.eat_ci("GMT") && !c.eat_ci("UTC")) return std::nullopt;
    if (!c.done()) return std::nullopt;
    auto date = make_date(year_full, *mo, *d);
    if (!date) return std::nullopt;
    return to_time_point({*date, *tod, minutes{0}});
  }
  // asctime "Sun Nov  6 08:49:37 1994"
  c.skip_spaces();
  auto mo = month_abbrev(c);
  if (!mo) return std::nullopt;
  c.skip_spaces();
  auto d = c.digits(1, 2);
  if (!d || !c.eat(' ')) return std::nullopt;
  auto tod = hms(c);
  if (!tod || !c.eat(' ')) return std::nullopt;
  auto y = c.digits(4, 4);
  if (!y || !c.done()) return std::nullopt;
  auto date = make_date(*y, *mo, *d);
  if (!date) return std::nullopt;
  return to_time_point({*date, *tod, minutes{0}});
}

std::optional<year_month_day> parse_iso_date(std::string_view s) {
  if (s.size() != 10) return std::nullopt;
  cursor c{s};
  auto date = iso_date(c);
  if (!date || !c.done()) return std::nullopt;
  return date;
}

bool is_valid_iso_date(std::string_view s) { return parse_iso_date(s).has_value(); }

std::string format_iso_date(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string format_us_date(year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d", static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()), static_cast<int>(d.year()));
  return buf;
}

std::string format_iso_date(time_point t) { return format_iso_date(year_month_day{floor<days>(t)}); }
std::string format_us_date(time_point t) { return format_us_date(year_month_day{floor<days>(t)}); }

std::optional<std::string> iso_date_to_us(std::string_view iso) {
  auto d = parse_iso_date(iso);
  if (!d) return std::nullopt;
  return format_us_date(*d);
}

}  // namespace portd::telegent
