// Real time, simulated time, the clock that maps one to the other, and the date formats of the
// Telegent API. Nothing here reads a clock: callers pass `now`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telegent_sim {

using real_time = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

// The simulated world's calendar: an instant counted from the Unix epoch, like real time, but
// running `scale` times faster and jumping forward on demand.
struct sim_epoch {
  using rep = std::int64_t;
  using period = std::micro;
  using duration = std::chrono::microseconds;
  using time_point = std::chrono::time_point<sim_epoch, duration>;
  static constexpr bool is_steady = false;
};
using sim_time = sim_epoch::time_point;

// Reads the system clock: only drivers (the server, main) call this, never the simulation.
real_time real_now() noexcept;

std::int64_t epoch_ms(real_time t) noexcept;
std::chrono::sys_time<std::chrono::microseconds> as_sys(sim_time t) noexcept;
sim_time as_sim(std::chrono::sys_time<std::chrono::microseconds> t) noexcept;

// Maps real time to sim time as a list of segments, so that a past sim instant maps back to the
// real instant it happened at even after the scale changed or time was advanced.
class sim_clock {
 public:
  // Sim time equals real time at `origin`.
  sim_clock(real_time origin, double scale);

  sim_time to_sim(real_time r) const noexcept;
  // The first real instant at which the sim clock showed `s` or later.
  real_time to_real(sim_time s) const noexcept;
  double scale() const noexcept { return segments_.back().scale; }
  // The sim instant the clock started at (equal to the real instant it was made at).
  sim_time origin() const noexcept { return segments_.front().sim_start; }

  // Precondition: scale > 0 (callers validate).
  void set_scale(double scale, real_time now);
  // Precondition: by >= 0.
  void advance(std::chrono::microseconds by, real_time now);

 private:
  struct segment {
    real_time real_start;
    sim_time sim_start;
    double scale;
  };
  std::vector<segment> segments_;
};

// "05/02/2026 06:36:13 PM" (tokenExpiry).
std::string format_us_datetime(std::chrono::sys_time<std::chrono::microseconds> t);
// "2025-05-14T18:00:00.0000000+00:00" (submit OrderDate).
std::string format_iso_7(std::chrono::sys_time<std::chrono::microseconds> t);
// "2025-12-08T00:12:08.89" (order endpoint OrderDate: no zone, two fractional digits).
std::string format_iso_2(std::chrono::sys_time<std::chrono::microseconds> t);
// "Sun, 06 Nov 1994 08:49:37 GMT" (Retry-After as an HTTP-date).
std::string format_http_date(std::chrono::sys_time<std::chrono::microseconds> t);
// Parses "YYYY-MM-DD" into a valid calendar day; nullopt otherwise.
std::optional<std::chrono::sys_days> parse_date(std::string_view s);
std::string format_date(std::chrono::sys_days d);

}  // namespace telegent_sim
