// Business time in a time zone, the clock Telegent documents ports in: "1–5 business days;
// requests after 4 PM local time may start the next business day". A business day is Monday to
// Friday, 9:00–17:00 local (public holidays are not known). Zones come from the system's IANA
// database (Debian's tzdata) through Howard Hinnant's date library, the reference implementation
// of C++20's std::chrono time zones, which libstdc++ 12 lacks. Pure but for find(), which reads
// the database; every other call takes time points.
#pragma once
#include <portd/porting/types.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace date {
class time_zone;
}

namespace portd::poll {

using porting::milliseconds;
using porting::time_point;

class business_calendar {
 public:
  // Opening hours: a carrier's porting desk works office hours, and Telegent's 4 PM cutoff
  // sits an hour before they end.
  static constexpr milliseconds opens = std::chrono::hours(9);
  static constexpr milliseconds cutoff = std::chrono::hours(16);
  static constexpr milliseconds closes = std::chrono::hours(17);
  // The business time of one business day.
  static constexpr milliseconds day = closes - opens;

  // UTC.
  business_calendar() = default;
  // The calendar of IANA zone `name` ("America/New_York"), or nullopt when the system's
  // time-zone database has no such zone (or is not installed). "UTC" needs no database.
  static std::optional<business_calendar> find(std::string_view name);
  // The zone's IANA name.
  std::string_view zone() const;

  // When a stay begun at `began` starts to count: then, on a business day before the cutoff
  // (at the opening when earlier); else at the next business day's opening.
  time_point counts_from(time_point began) const;
  // The business time a stay begun at `began` has spent by `now`: opening hours from
  // counts_from(began) to `now`; 0 before then.
  milliseconds elapsed(time_point began, time_point now) const;
  // The instant the local date `local_day` begins: its midnight, or the end of a daylight-saving
  // gap that skips midnight.
  time_point day_start(std::chrono::sys_days local_day) const;

 private:
  // Wall-clock time in the zone, counted from the local 1970-01-01 00:00.
  milliseconds local(time_point t) const;
  time_point from_local(milliseconds local) const;
  const date::time_zone* zone_ = nullptr;  // nullptr: UTC
};

}  // namespace portd::poll
