// A token bucket per account, with accounting of requests that arrive while their account was
// told to wait (violations). Real time: the limit is on the client's real request rate.
#pragma once

#include <telegent_sim/time.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telegent_sim {

struct rate_limit_config {
  double requests_per_minute = 50;  // 0 disables the limit
  double burst = 10;                // bucket capacity; the bucket starts full
  // A request that arrives this soon after a wait was first told is not a violation: it left
  // the client before the 429 could reach it (other connections were in flight). A client
  // that ignores Retry-After keeps sending through the whole window and is still caught.
  std::chrono::milliseconds violation_grace{100};
};

// A request that arrived inside a wait its account had been told: when, and the wait it broke.
struct violation_record {
  std::string account;
  real_time at;              // when the request arrived
  real_time last_told_at;    // the latest 429 (or other wait) told before it
  real_time told_until;      // the end of the wait it arrived in
};

class rate_limiter {
 public:
  explicit rate_limiter(rate_limit_config config) : config_(config) {}

  // When the account was told to wait and that wait has not passed: counts a violation and
  // returns the wait that remains (whole seconds, >= 1). nullopt otherwise.
  std::optional<std::chrono::seconds> violation(std::string_view account, real_time now);

  // Takes one token from the account's bucket: nullopt when allowed, otherwise the wait until a
  // token is available (rounded up to whole seconds, >= 1), which the account is now told.
  std::optional<std::chrono::seconds> take(std::string_view account, real_time now);

  // Records that the account was told to wait `wait` from now (a 429 sent for another reason).
  void told_to_wait(std::string_view account, real_time now, std::chrono::seconds wait);

  std::uint64_t violations() const noexcept { return violations_; }
  // The first `violation_log_limit` violations, in order: ground truth for telling what a
  // client missed (e.g. a 429 told just before it was killed) from a client that ignores waits.
  const std::vector<violation_record>& violation_log() const noexcept { return violation_log_; }
  static constexpr std::size_t violation_log_limit = 1000;
  const rate_limit_config& config() const noexcept { return config_; }

 private:
  struct bucket {
    double tokens;
    real_time refilled_at;
    real_time told_until;
    real_time grace_until;  // told_at of the current window + violation_grace
    real_time last_told_at;
  };
  void tell(bucket& b, real_time now, std::chrono::microseconds wait);
  bucket& bucket_of(std::string_view account, real_time now);

  rate_limit_config config_;
  std::map<std::string, bucket, std::less<>> buckets_;
  std::uint64_t violations_ = 0;
  std::vector<violation_record> violation_log_;
};

}  // namespace telegent_sim
