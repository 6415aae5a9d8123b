// Pieces of the Prometheus text exposition that several modules write: a histogram kept in
// memory, label values escaped, and the standard process_* metrics read from /proc.
#pragma once
#include <array>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace portd::runtime {

// Upper bounds in seconds for request and delivery latencies (Prometheus' client defaults,
// extended to a minute: a Telegent call may take its whole timeout).
inline constexpr std::array<double, 13> latency_bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                       1, 2.5, 5, 10, 30, 60};

class histogram {
 public:
  explicit histogram(std::span<const double> bounds = latency_bounds);
  void observe(double value);
  // Writes NAME_bucket (cumulative, then le="+Inf"), NAME_sum and NAME_count; `labels` is ""
  // or `a="x",b="y"` (already escaped). The caller writes # HELP and # TYPE once per family.
  void write(std::ostream& os, std::string_view name, std::string_view labels) const;
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> buckets_;  // per bucket, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// A sample value, exact (shortest round-trip form): "27541504", "0.25", "1765000000.5".
std::string number(double v);

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string label_value(std::string_view v);

// process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total,
// process_open_fds, process_max_fds and process_start_time_seconds of this process, with their
// HELP and TYPE lines (the names client libraries use). A figure /proc does not give is left out.
void write_process_metrics(std::ostream& os);

}  // namespace portd::runtime
