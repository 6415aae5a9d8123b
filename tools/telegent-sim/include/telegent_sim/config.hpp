// The simulator's configuration: defaults, and the TOML file form (keys in README.md).
#pragma once

#include <telegent_sim/carrier.hpp>
#include <telegent_sim/faults.hpp>
#include <telegent_sim/rate_limiter.hpp>
#include <telegent_sim/tokens.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace telegent_sim {

enum class retry_after_style { seconds, http_date, body };
enum class problem_casing { camel, pascal };

std::string_view to_string(retry_after_style s) noexcept;
std::string_view to_string(problem_casing c) noexcept;
std::ostream& operator<<(std::ostream& os, retry_after_style s);
std::ostream& operator<<(std::ostream& os, problem_casing c);

struct sim_config {
  std::vector<account> accounts{{"DID-sim", "sim-secret"}};
  std::chrono::seconds token_lifetime{300};  // real time
  rate_limit_config rate_limit;
  retry_after_style retry_after = retry_after_style::seconds;
  problem_casing casing = problem_casing::camel;
  dialect carrier_dialect = dialect::lifecycle;
  double time_scale = 1.0;
  carrier_delays delays;  // [delays]: the delays of a carrier without a profile of its own
  // [delays] distribution and spread (in dwell.standard; its delays are `delays`), the
  // [carriers.NAME] profiles (unset keys taken from [delays]) and [[dwell_changes]].
  dwell_model dwell;
  fault_profile faults;
  std::optional<std::uint64_t> seed;  // random when absent
};

// Parses TOML text; throws std::runtime_error naming the bad key (a startup error).
sim_config parse_config(std::string_view toml_text);
// Reads and parses a file; throws std::runtime_error.
sim_config load_config(const std::filesystem::path& path);

}  // namespace telegent_sim
