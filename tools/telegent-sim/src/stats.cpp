// Stats snapshot: JSON form and detection-latency percentiles.
#include <telegent_sim/stats.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace telegent_sim {

namespace json = boost::json;

latency_summary summarize_latency(const std::vector<flip_record>& flips) {
  std::vector<std::int64_t> lat;
  for (const auto& f : flips) {
    if (f.observed_at_ms) lat.push_back(*f.observed_at_ms - f.flip_at_ms);
  }
  latency_summary out;
  out.count = lat.size();
  if (lat.empty()) return out;
  std::sort(lat.begin(), lat.end());
  auto rank = [&](double p) {
    const auto n = static_cast<std::size_t>(std::ceil(p * double(lat.size())));
    return lat[std::max<std::size_t>(n, 1) - 1];
  };
  out.p50_ms = rank(0.50);
  out.p95_ms = rank(0.95);
  return out;
}

json::value to_json(const stats_snapshot& s) {
  json::object requests;
  for (const auto& [ep, by_status] : s.requests) {
    json::object o;
    for (const auto& [status, n] : by_status) o[status] = n;
    requests[ep] = std::move(o);
  }
  json::object per_number;
  for (const auto& [number, n] : s.orders_created_per_number) per_number[number] = n;
  json::object faults;
  for (const auto& [kind, n] : s.faults_injected) faults[kind] = n;
  json::array flips;
  for (const auto& f : s.flips) {
    json::object o{{"order_id", f.order_id}, {"number", f.number}, {"status", f.status}, {"flip_at_ms", f.flip_at_ms}};
    if (f.observed_at_ms) {
      o["observed_at_ms"] = *f.observed_at_ms;
    } else {
      o["observed_at_ms"] = nullptr;
    }
    flips.push_back(std::move(o));
  }
  json::array violation_log;
  for (const auto& v : s.violation_log)
    violation_log.push_back(
        json::object{{"at_ms", v.at_ms}, {"last_told_at_ms", v.last_told_at_ms}, {"told_until_ms", v.told_until_ms}});
  json::array refusal_log;
  for (const auto& r : s.refusal_log) refusal_log.push_back(json::object{{"at_ms", r.at_ms}, {"loop_stall_ms", r.loop_stall_ms}});
  json::object latency{{"count", s.detection_latency.count}};
  latency["p50"] = s.detection_latency.p50_ms ? json::value(*s.detection_latency.p50_ms) : json::value(nullptr);
  latency["p95"] = s.detection_latency.p95_ms ? json::value(*s.detection_latency.p95_ms) : json::value(nullptr);
  return json::object{{"requests", std::move(requests)},
                      {"requests_total", s.requests_total},
                      {"violations", s.violations},
                      {"violation_log", std::move(violation_log)},
                      {"rate_limited", s.rate_limited},
                      {"refusal_log", std::move(refusal_log)},
                      {"duplicate_submits", s.duplicate_submits},
                      {"orders_created_per_number", std::move(per_number)},
                      {"faults_injected", std::move(faults)},
                      {"flips", std::move(flips)},
                      {"detection_latency_ms", std::move(latency)}};
}

}  // namespace telegent_sim
