// rate_limiter: token bucket and violation accounting.
#include <telegent_sim/rate_limiter.hpp>

#include <algorithm>
#include <cmath>

namespace telegent_sim {

namespace {
std::chrono::seconds whole_seconds_up(std::chrono::microseconds d) {
  const auto s = (d.count() + 999'999) / 1'000'000;
  return std::chrono::seconds{std::max<std::int64_t>(1, s)};
}
}  // namespace

rate_limiter::bucket& rate_limiter::bucket_of(std::string_view account, real_time now) {
  auto it = buckets_.find(account);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(account), bucket{config_.burst, now, real_time{}, real_time{}, real_time{}}).first;
  return it->second;
}

std::optional<std::chrono::seconds> rate_limiter::violation(std::string_view account, real_time now) {
  const auto it = buckets_.find(account);
  if (it == buckets_.end() || now >= it->second.told_until || now < it->second.grace_until) return std::nullopt;
  ++violations_;
  if (violation_log_.size() < violation_log_limit)
    violation_log_.push_back({std::string(account), now, it->second.last_told_at, it->second.told_until});
  return whole_seconds_up(it->second.told_until - now);
}

std::optional<std::chrono::seconds> rate_limiter::take(std::string_view account, real_time now) {
  if (config_.requests_per_minute <= 0) return std::nullopt;
  bucket& b = bucket_of(account, now);
  const double per_us = config_.requests_per_minute / 60e6;
  if (now > b.refilled_at) {
    b.tokens = std::min(config_.burst, b.tokens + double((now - b.refilled_at).count()) * per_us);
    b.refilled_at = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  const auto until_token = std::chrono::microseconds{static_cast<std::int64_t>(std::ceil((1.0 - b.tokens) / per_us))};
  const auto wait = whole_seconds_up(until_token);
  tell(b, now, wait);
  return wait;
}

void rate_limiter::told_to_wait(std::string_view account, real_time now, std::chrono::seconds wait) {
  tell(bucket_of(account, now), now, wait);
}

void rate_limiter::tell(bucket& b, real_time now, std::chrono::microseconds wait) {
  if (now >= b.told_until) b.grace_until = now + config_.violation_grace;  // a new window
  b.told_until = std::max(b.told_until, now + wait);
  b.last_told_at = now;
}

}  // namespace telegent_sim
