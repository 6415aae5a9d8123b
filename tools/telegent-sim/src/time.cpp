// sim_clock and the API's date formats.
#include <telegent_sim/time.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <cstdio>

namespace telegent_sim {

using std::chrono::microseconds;

real_time real_now() noexcept {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

std::int64_t epoch_ms(real_time t) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::sys_time<microseconds> as_sys(sim_time t) noexcept {
  return std::chrono::sys_time<microseconds>{t.time_since_epoch()};
}

sim_time as_sim(std::chrono::sys_time<microseconds> t) noexcept { return sim_time{t.time_since_epoch()}; }

namespace {
microseconds scaled(microseconds d, double factor) {
  return microseconds{static_cast<std::int64_t>(std::llround(static_cast<double>(d.count()) * factor))};
}
}  // namespace

sim_clock::sim_clock(real_time origin, double scale) {
  segments_.push_back({origin, sim_time{origin.time_since_epoch()}, scale});
}

sim_time sim_clock::to_sim(real_time r) const noexcept {
  // Segments are ordered by real_start; the last one is the common case.
  auto it = std::upper_bound(segments_.begin(), segments_.end(), r,
                             [](real_time t, const segment& s) { return t < s.real_start; });
  const segment& seg = it == segments_.begin() ? segments_.front() : *std::prev(it);
  return seg.sim_start + scaled(r - seg.real_start, seg.scale);
}

real_time sim_clock::to_real(sim_time s) const noexcept {
  // Segments are ordered by sim_start too (sim time never goes back): find the last one that
  // starts at or before s.
  auto it = std::upper_bound(segments_.begin(), segments_.end(), s,
                             [](sim_time t, const segment& seg) { return t < seg.sim_start; });
  const std::size_t i = it == segments_.begin() ? 0 : std::size_t(std::prev(it) - segments_.begin());
  const segment& seg = segments_[i];
  real_time r = seg.real_start + scaled(s - seg.sim_start, 1.0 / seg.scale);
  // s fell in a jump (advance) between this segment's end and the next one's start.
  if (i + 1 < segments_.size() && r > segments_[i + 1].real_start) r = segments_[i + 1].real_start;
  return r;
}

void sim_clock::set_scale(double scale, real_time now) {
  segments_.push_back({now, to_sim(now), scale});
}

void sim_clock::advance(microseconds by, real_time now) {
  const double s = this->scale();
  segments_.push_back({now, to_sim(now) + by, s});
}

namespace {
struct civil {
  int y;
  unsigned mo, d, h, mi, s;
  std::int64_t us;
  unsigned wd;
};

civil split(std::chrono::sys_time<microseconds> t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> tod{t - day};
  return {int(ymd.year()),
          unsigned(ymd.month()),
          unsigned(ymd.day()),
          unsigned(tod.hours().count()),
          unsigned(tod.minutes().count()),
          unsigned(tod.seconds().count()),
          tod.subseconds().count(),
          weekday{day}.c_encoding()};
}
}  // namespace

std::string format_us_datetime(std::chrono::sys_time<microseconds> t) {
  const civil c = split(t);
  const unsigned h12 = c.h % 12 == 0 ? 12 : c.h % 12;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02u/%02u/%04d %02u:%02u:%02u %s", c.mo, c.d, c.y, h12, c.mi, c.s,
                c.h < 12 ? "AM" : "PM");
  return buf;
}

std::string format_iso_7(std::chrono::sys_time<microseconds> t) {
  const civil c = split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%07lld+00:00", c.y, c.mo, c.d, c.h, c.mi,
                c.s, static_cast<long long>(c.us * 10));
  return buf;
}

std::string format_iso_2(std::chrono::sys_time<microseconds> t) {
  const civil c = split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%02lld", c.y, c.mo, c.d, c.h, c.mi, c.s,
                static_cast<long long>(c.us / 10000));
  return buf;
}

std::string format_http_date(std::chrono::sys_time<microseconds> t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const civil c = split(t);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02u:%02u:%02u GMT", days[c.wd], c.d, months[c.mo - 1],
                c.y, c.h, c.mi, c.s);
  return buf;
}

std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t k = 0; k < lens[i]; ++k) {
      const char ch = s[starts[i] + k];
      if (ch < '0' || ch > '9') return std::nullopt;
      v[i] = v[i] * 10 + (ch - '0');
    }
  }
  const std::chrono::year_month_day ymd{std::chrono::year{v[0]}, std::chrono::month{unsigned(v[1])},
                                        std::chrono::day{unsigned(v[2])}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::string format_date(std::chrono::sys_days d) {
  const std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

}  // namespace telegent_sim
