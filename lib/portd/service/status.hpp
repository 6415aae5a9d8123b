// What daemon.status and the metrics report, as values: the engine, the Telegent client and the
// notifier fill these; the control side renders them (daemon.status JSON, Prometheus text).
#pragma once
#include <portd/porting/types.hpp>
#include <portd/runtime/metrics.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace portd::service {

// Orders by state and needing an operator, as committed.
struct order_counts {
  std::array<std::int64_t, porting::order_state_count> by_state{};
  std::int64_t needs_attention = 0;
};

// The start-up probe and every token request since.
struct credentials_status {
  bool verified = false;  // a token was granted at least once since the start
  std::string problem;    // "" unless the last token request failed
  std::string detail;
  std::optional<porting::time_point> at;  // when the last token request ended
};

// One notification sink, for daemon.status.
struct sink_status {
  std::string name;
  std::string url;  // scheme and host only
  bool disabled = false;
  int in_flight = 0;
  std::uint64_t delivered = 0, failed_attempts = 0;  // since start
  std::string last_error;
};

struct daemon_status {
  std::string version;
  porting::time_point started_at{};
  order_counts orders;
  struct api_status {
    double budget_per_minute = 0;
    std::uint64_t requests_total = 0;
    std::map<std::string, std::uint64_t> by_status;  // "200", "429", "transport"
    std::optional<porting::time_point> paused_until;     // a 429's pause still running
    std::uint64_t in_flight = 0;
    credentials_status credentials;
  } api;
  struct outbox_status {
    std::int64_t pending = 0, dead = 0;
    std::optional<std::vector<sink_status>> sinks;  // none: no notifier
  } outbox;
  struct db_status {
    std::string path;
    std::int64_t size_bytes = 0;
    std::string problem;  // "" = writable
  } db;
};

// One notification sink, for the metrics.
struct sink_metrics {
  std::string name;
  std::uint64_t delivered = 0, failed = 0, dead = 0;  // since start
  runtime::histogram attempt_seconds;  // one attempt: the request, or the command's run
  runtime::histogram latency_seconds;  // an event's commit to its delivery
};

struct daemon_metrics {
  std::string version;
  std::int64_t database_size_bytes = 0;
  order_counts orders;
  // Committed state changes by (from, to).
  std::map<std::pair<porting::order_state, porting::order_state>, std::uint64_t> transitions;
  std::map<std::string, std::uint64_t> api_requests;  // by HTTP status
  // By (path, status class).
  std::map<std::pair<std::string, std::string>, runtime::histogram> api_latency;
  std::uint64_t api_in_flight = 0;
  std::size_t budget_waiting = 0;
  std::uint64_t commits = 0, commit_failures = 0, scheduler_wakeups = 0;
  std::int64_t outbox_pending = 0, outbox_dead = 0;
  std::optional<std::vector<sink_metrics>> sinks;  // none: no notifier
  double api_paused_seconds = 0;
  double oldest_active_order_age_seconds = 0;
  // How late due orders were handed to the client, in seconds (cumulative: each bucket counts
  // every dispatch at most its bound late).
  static constexpr std::array<double, 7> lateness_bounds{0.1, 1, 10, 60, 600, 3600, 21600};
  std::array<std::uint64_t, 7> lateness_buckets{};
  std::uint64_t lateness_count = 0;
  double lateness_sum = 0;
  // Status checks sent, by class: a state's cadence (or an operator's poll), or the budget the
  // cadences left over (issue 18); and how long Telegent's moves went unseen, estimated.
  std::uint64_t poll_checks_cadence = 0, poll_checks_spare = 0;
  static constexpr std::array<double, 9> detection_bounds{1, 5, 15, 60, 300, 900, 3600, 14400, 86400};
  runtime::histogram detection_latency_seconds{detection_bounds};
};

}  // namespace portd::service
