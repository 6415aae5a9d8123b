// Ground truth for measurement: what the sim saw and did, read by tests and benchmarks.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telegent_sim {

struct flip_record {
  std::string order_id;
  std::string number;
  std::string status;
  std::int64_t flip_at_ms = 0;                 // real epoch ms when the status became true
  std::optional<std::int64_t> observed_at_ms;  // real epoch ms of the first order request that saw it
};

struct violation_entry {
  std::int64_t at_ms = 0;            // real epoch ms the request arrived
  std::int64_t last_told_at_ms = 0;  // real epoch ms of the latest wait told before it
  std::int64_t told_until_ms = 0;    // real epoch ms the wait ended
};

struct latency_summary {
  std::optional<std::int64_t> p50_ms;
  std::optional<std::int64_t> p95_ms;
  std::uint64_t count = 0;
};

struct refusal_entry {
  std::int64_t at_ms = 0;
  std::int64_t loop_stall_ms = 0;
};

struct stats_snapshot {
  // endpoint -> status ("200", "429", … or "hang", "reset_before", "reset_after") -> count
  std::map<std::string, std::map<std::string, std::uint64_t>> requests;
  std::uint64_t requests_total = 0;
  std::uint64_t violations = 0;
  std::vector<violation_entry> violation_log;  // the first 1000 violations, in order
  std::uint64_t rate_limited = 0;  // 429s sent, for any reason
  // The bucket's own 429s (not injected ones): when, and how long the simulator's loop had
  // been stalled then (0 without the server's loop probe); the first 1000.
  std::vector<refusal_entry> refusal_log;
  std::uint64_t duplicate_submits = 0;
  std::map<std::string, std::uint64_t> orders_created_per_number;
  std::map<std::string, std::uint64_t> faults_injected;
  std::vector<flip_record> flips;  // by flip time
  latency_summary detection_latency;
};

boost::json::value to_json(const stats_snapshot& s);

// Nearest-rank percentiles over observed flips (observed_at - flip_at).
latency_summary summarize_latency(const std::vector<flip_record>& flips);

// Counters the simulator keeps as requests go by.
struct sim_counters {
  std::map<std::string, std::map<std::string, std::uint64_t>> requests;
  std::uint64_t requests_total = 0;
  std::uint64_t rate_limited = 0;
  std::vector<refusal_entry> refusal_log;
  std::uint64_t duplicate_submits = 0;
  std::map<std::string, std::uint64_t> orders_created_per_number;
  std::map<std::string, std::uint64_t> faults_injected;

  void count_request(std::string_view endpoint, std::string_view outcome) {
    ++requests[std::string(endpoint)][std::string(outcome)];
    ++requests_total;
  }
};

}  // namespace telegent_sim
