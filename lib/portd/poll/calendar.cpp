// Business days and local midnight in an IANA time zone.
#include <portd/poll/calendar.hpp>

#include <date/tz.h>

#include <algorithm>
#include <exception>
#include <string>

namespace portd::poll {

namespace {

using std::chrono::days;

// Days since Monday 1969-12-29, the Monday before the epoch: 0 is a Monday, 5 a Saturday.
constexpr days::rep since_monday(days d) { return d.count() + 3; }

constexpr days::rep floor_div(days::rep a, days::rep b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

constexpr bool business_day(days d) {
  const days::rep n = since_monday(d);
  return n - floor_div(n, 7) * 7 < 5;
}

// Business time from a fixed origin to wall-clock time `local`: five days of opening hours a
// week, then the part of `local`'s own day that was open. Counting on the wall clock keeps a
// business day eight hours long across daylight-saving changes, which happen at night.
milliseconds business_before(milliseconds local) {
  const days d = std::chrono::floor<days>(local);
  const days::rep n = since_monday(d);
  const days::rep weeks = floor_div(n, 7);
  const days::rep weekday = n - weeks * 7;
  milliseconds open_today{0};
  if (weekday < 5) open_today = std::clamp(local - d - business_calendar::opens, milliseconds{0}, business_calendar::day);
  return business_calendar::day * (weeks * 5 + std::min<days::rep>(weekday, 5)) + open_today;
}

}  // namespace

std::optional<business_calendar> business_calendar::find(std::string_view name) {
  if (name == "UTC") return business_calendar{};
  try {
    business_calendar c;
    c.zone_ = date::locate_zone(name);
    return c;
  } catch (const std::exception&) {  // no such zone, or no database to look in
    return std::nullopt;
  }
}

std::string_view business_calendar::zone() const { return zone_ ? zone_->name() : std::string_view{"UTC"}; }

milliseconds business_calendar::local(time_point t) const {
  if (!zone_) return t.time_since_epoch();
  return zone_->to_local(t).time_since_epoch();
}

time_point business_calendar::from_local(milliseconds local) const {
  if (!zone_) return time_point{local};
  return zone_->to_sys(date::local_time<milliseconds>{local}, date::choose::earliest);
}

time_point business_calendar::counts_from(time_point began) const {
  const milliseconds l = local(began);
  days d = std::chrono::floor<days>(l);
  if (business_day(d) && l - d < cutoff) return from_local(std::max(l, d + opens));
  do ++d;
  while (!business_day(d));
  return from_local(d + opens);
}

milliseconds business_calendar::elapsed(time_point began, time_point now) const {
  if (now <= began) return milliseconds{0};
  return std::max(business_before(local(now)) - business_before(local(counts_from(began))), milliseconds{0});
}

time_point business_calendar::day_start(std::chrono::sys_days local_day) const {
  return from_local(local_day.time_since_epoch());
}

}  // namespace portd::poll
