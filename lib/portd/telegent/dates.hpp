// Dates as Telegent writes them (telegent-api.md §9 "dates in"/"dates out", tokenExpiry,
// HTTP-dates of Retry-After) and as portd sends them. Pure: no clock is read here.
#pragma once
#include <portd/porting/types.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace portd::telegent {

using porting::milliseconds;
using porting::time_point;

// A date/time as written, before zone arithmetic.
struct remote_datetime {
  std::chrono::year_month_day date{};
  milliseconds time_of_day{0};
  std::optional<std::chrono::minutes> utc_offset;  // nullopt: no zone written (taken as UTC)
};

// Parses ISO 8601 (`YYYY-MM-DD`, optionally `Thh:mm[:ss[.f…]]` with 0–9 fractional digits, then
// `Z`, `±hh:mm`, `±hhmm` or nothing), `MM/DD/YYYY` / `M/D/YYYY` with an optional
// ` h:mm[:ss] AM/PM` (or 24-hour without AM/PM). nullopt for anything else or an impossible
// date/time. Surrounding whitespace is ignored.
std::optional<remote_datetime> parse_remote_datetime(std::string_view s);

// The instant `s` names: offsets applied, no zone = UTC. nullopt if unparseable.
std::optional<time_point> parse_remote_time(std::string_view s);

// tokenExpiry ("05/02/2026 06:36:13 PM", no zone: UTC); also accepts every form above.
std::optional<time_point> parse_token_expiry(std::string_view s);

// The calendar date as written in `s` (any form above), as YYYY-MM-DD; no zone shift, since a
// port date means the day the carrier named.
std::optional<std::string> remote_date_to_iso(std::string_view s);

// RFC 9110 HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994").
std::optional<time_point> parse_http_date(std::string_view s);

// Strict `YYYY-MM-DD` naming a real calendar date (2026-02-29 is refused).
std::optional<std::chrono::year_month_day> parse_iso_date(std::string_view s);
bool is_valid_iso_date(std::string_view s);

// UTC calendar date of `t`.
std::string format_iso_date(time_point t);  // "2026-05-02"
std::string format_us_date(time_point t);   // "05/02/2026"
std::string format_iso_date(std::chrono::year_month_day d);
std::string format_us_date(std::chrono::year_month_day d);

// "2026-05-02" -> "05/02/2026" (the PortInDate form to retry with); nullopt if not a valid date.
std::optional<std::string> iso_date_to_us(std::string_view iso);

}  // namespace portd::telegent
