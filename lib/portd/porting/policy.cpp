// Poll cadence and retry schedule.
#include <portd/porting/policy.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace portd::porting {

milliseconds retry_policy::next_delay(int attempt, std::uint64_t salt) const {
  attempt = std::max(attempt, 1);
  milliseconds d = base;
  for (int i = 1; i < attempt && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  // ±20% jitter from a cheap integer hash of the salt, so that orders that failed together
  // do not retry together, while decide() stays a pure function.
  std::uint64_t h = salt * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(attempt);
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  const double unit = static_cast<double>(h % 10001) / 10000.0;  // 0..1
  const double factor = 0.8 + 0.4 * unit;
  return milliseconds{static_cast<milliseconds::rep>(static_cast<double>(d.count()) * factor)};
}

std::optional<time_point> port_date_start(const order& o, const poll_policy& p) {
  const std::string& s = !o.reported_port_date.empty() ? o.reported_port_date : o.details.port_in_date;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return std::nullopt;
  using namespace std::chrono;
  const int y = std::stoi(s.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  if (p.day_start) return p.day_start(sys_days{ymd});
  return time_point{sys_days{ymd}.time_since_epoch()};
}

std::string stale_reason(const order& o, time_point now, const policy& pol) {
  const stale_policy& p = pol.stale;
  milliseconds limit{0};
  switch (o.state) {
    case order_state::submitted: limit = p.submitted; break;
    case order_state::carrier_approval: limit = p.carrier_approval; break;
    case order_state::scheduled: limit = p.scheduled; break;
    default: return {};
  }
  if (auto start = port_date_start(o, pol.poll); start && p.past_port_date.count() > 0 &&
                                      now >= *start + std::chrono::hours(24) + p.past_port_date) {
    const std::string& date = !o.reported_port_date.empty() ? o.reported_port_date : o.details.port_in_date;
    return "stale: the port date " + date + " has passed and the order is still " +
           std::string(to_string(o.state));
  }
  if (limit.count() > 0 && now - o.state_since >= limit) {
    const auto hours = std::chrono::duration_cast<std::chrono::hours>(limit).count();
    return "stale: no change from Telegent in " + std::string(to_string(o.state)) + " since " +
           format_time(o.state_since) + " (limit " +
           (hours % 24 == 0 ? std::to_string(hours / 24) + "d" : std::to_string(hours) + "h") + ")";
  }
  return {};
}

poll_policy as_guarantees(poll_policy p) {
  p.first_after_submit = std::min(p.first_after_submit, p.submitted);
  return p;
}

time_point next_poll_at(const order& o, time_point now, const poll_policy& p) {
  milliseconds cadence = p.submitted;
  switch (o.state) {
    case order_state::submitted: cadence = p.submitted; break;
    case order_state::carrier_approval: cadence = p.carrier_approval; break;
    case order_state::scheduled: cadence = p.scheduled; break;
    case order_state::rejected:
    case order_state::cancelling: cadence = p.rejected; break;
    default: break;
  }
  if (o.state == order_state::rejected || o.state == order_state::cancelling) return now + cadence;
  // Around a known port date the status is most likely to flip: poll closely from its
  // start, and make sure a slow cadence does not step over the start.
  if (auto start = port_date_start(o, p)) {
    if (now >= *start) return now + std::min(cadence, p.near_port_date);
    return std::min(now + cadence, *start);
  }
  return now + cadence;
}

}  // namespace portd::porting
