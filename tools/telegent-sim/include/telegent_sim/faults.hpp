// Fault injection: a profile of probabilities (global, and per endpoint overriding the global
// value of the same kind) and a seeded RNG that picks at most one fault per request.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>

namespace telegent_sim {

enum class fault_kind {
  none,
  status_408,
  status_500,
  status_502,
  status_503,
  status_504,
  status_429,      // with the profile's retry_after
  delay,           // answer normally after the profile's delay_ms
  hang,            // read the request, never answer, keep the connection open
  reset_before,    // close the connection without processing the request
  reset_after,     // process the request (e.g. create the order), then close without answering
  truncated_json,  // process, answer with the body cut in half
  unknown_status,  // process, answer a status string that is not in the contract
  missing_field,   // process, answer 200 without a required field (OrderId, OrderStatus, token…)
};

std::string_view to_string(fault_kind k) noexcept;
std::optional<fault_kind> fault_kind_from(std::string_view s) noexcept;
std::ostream& operator<<(std::ostream& os, fault_kind k);

// Faults decided before the request is processed (it has no effect at the sim).
bool is_before_processing(fault_kind k) noexcept;

struct fault_profile {
  std::map<fault_kind, double> global;
  std::map<std::string, std::map<fault_kind, double>, std::less<>> endpoints;  // by endpoint name
  std::chrono::milliseconds delay{1000};
  std::chrono::seconds retry_after{5};
  std::string unknown_status = "Awaiting Paperwork";
  std::optional<std::uint64_t> limit;  // inject at most this many faults, then none

  bool empty() const noexcept;
};

// Parses the JSON shape documented in README.md; nullopt with `error` set when malformed.
std::optional<fault_profile> parse_fault_profile(const boost::json::value& v, std::string& error);
boost::json::value to_json(const fault_profile& p);

// Endpoint names used by profiles and stats.
inline constexpr std::string_view fault_endpoints[] = {"tokens", "eligibility", "portin", "update",
                                                       "cancel", "order",       "portout"};

class fault_injector {
 public:
  fault_injector(fault_profile profile, std::uint64_t seed);

  // Draws one number and returns the fault for a request to `endpoint` (none most of the time).
  fault_kind decide(std::string_view endpoint);

  const fault_profile& profile() const noexcept { return profile_; }
  void set_profile(fault_profile p);
  void reseed(std::uint64_t seed) { rng_.seed(seed); }
  std::uint64_t injected() const noexcept { return injected_; }

 private:
  fault_profile profile_;
  std::mt19937_64 rng_;
  std::uint64_t injected_ = 0;
};

}  // namespace telegent_sim
