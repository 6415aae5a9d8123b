// fault_injector and the fault profile's JSON form.
#include <telegent_sim/faults.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace telegent_sim {

namespace json = boost::json;

namespace {
constexpr std::array<std::pair<fault_kind, std::string_view>, 13> names{{
    {fault_kind::status_408, "status_408"},
    {fault_kind::status_500, "status_500"},
    {fault_kind::status_502, "status_502"},
    {fault_kind::status_503, "status_503"},
    {fault_kind::status_504, "status_504"},
    {fault_kind::status_429, "status_429"},
    {fault_kind::delay, "delay"},
    {fault_kind::hang, "hang"},
    {fault_kind::reset_before, "reset_before"},
    {fault_kind::reset_after, "reset_after"},
    {fault_kind::truncated_json, "truncated_json"},
    {fault_kind::unknown_status, "unknown_status"},
    {fault_kind::missing_field, "missing_field"},
}};

std::optional<double> number_of(const json::value& v) {
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return double(v.get_int64());
  if (v.is_uint64()) return double(v.get_uint64());
  return std::nullopt;
}

bool parse_probabilities(const json::value& v, std::string_view where, std::map<fault_kind, double>& out,
                         std::string& error) {
  const auto* obj = v.if_object();
  if (obj == nullptr) {
    error = std::string(where) + " must be an object of fault kind -> probability";
    return false;
  }
  for (const auto& [key, val] : *obj) {
    const auto kind = fault_kind_from(key);
    if (!kind) {
      error = std::string(where) + ": unknown fault kind \"" + std::string(key) + "\"";
      return false;
    }
    const auto p = number_of(val);
    if (!p || *p < 0 || *p > 1) {
      error = std::string(where) + "." + std::string(key) + " must be a probability in [0, 1]";
      return false;
    }
    out[*kind] = *p;
  }
  return true;
}
}  // namespace

std::string_view to_string(fault_kind k) noexcept {
  for (const auto& [kind, name] : names) {
    if (kind == k) return name;
  }
  return "none";
}

std::optional<fault_kind> fault_kind_from(std::string_view s) noexcept {
  for (const auto& [kind, name] : names) {
    if (name == s) return kind;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, fault_kind k) { return os << to_string(k); }

bool is_before_processing(fault_kind k) noexcept {
  switch (k) {
    case fault_kind::status_408:
    case fault_kind::status_500:
    case fault_kind::status_502:
    case fault_kind::status_503:
    case fault_kind::status_504:
    case fault_kind::status_429:
    case fault_kind::delay:
    case fault_kind::hang:
    case fault_kind::reset_before:
      return true;
    default:
      return false;
  }
}

bool fault_profile::empty() const noexcept {
  auto zero = [](const std::map<fault_kind, double>& m) {
    return std::all_of(m.begin(), m.end(), [](const auto& kv) { return kv.second <= 0; });
  };
  return zero(global) && std::all_of(endpoints.begin(), endpoints.end(), [&](const auto& e) { return zero(e.second); });
}

std::optional<fault_profile> parse_fault_profile(const json::value& v, std::string& error) {
  const auto* obj = v.if_object();
  if (obj == nullptr) {
    error = "the fault profile must be a JSON object";
    return std::nullopt;
  }
  fault_profile p;
  for (const auto& [key, val] : *obj) {
    if (key == "global") {
      if (!parse_probabilities(val, "global", p.global, error)) return std::nullopt;
    } else if (key == "endpoints") {
      const auto* eps = val.if_object();
      if (eps == nullptr) {
        error = "endpoints must be an object of endpoint name -> probabilities";
        return std::nullopt;
      }
      for (const auto& [ep, probs] : *eps) {
        if (std::find(std::begin(fault_endpoints), std::end(fault_endpoints), std::string_view(ep)) ==
            std::end(fault_endpoints)) {
          error = "endpoints: unknown endpoint \"" + std::string(ep) +
                  "\" (tokens, eligibility, portin, update, cancel, order, portout)";
          return std::nullopt;
        }
        if (!parse_probabilities(probs, "endpoints." + std::string(ep), p.endpoints[std::string(ep)], error))
          return std::nullopt;
      }
    } else if (key == "delay_ms" || key == "retry_after" || key == "limit") {
      const auto n = number_of(val);
      if (!n || *n < 0) {
        error = std::string(key) + " must be a non-negative number";
        return std::nullopt;
      }
      if (key == "delay_ms") p.delay = std::chrono::milliseconds{static_cast<std::int64_t>(*n)};
      if (key == "retry_after") p.retry_after = std::chrono::seconds{static_cast<std::int64_t>(*n)};
      if (key == "limit") p.limit = static_cast<std::uint64_t>(*n);
    } else if (key == "unknown_status") {
      if (!val.is_string()) {
        error = "unknown_status must be a string";
        return std::nullopt;
      }
      p.unknown_status = std::string(val.get_string());
    } else if (const auto kind = fault_kind_from(key)) {
      // Shorthand: a fault kind at the top level is a global probability.
      if (!parse_probabilities(json::object{{key, val}}, "global", p.global, error)) return std::nullopt;
    } else {
      error = "unknown key \"" + std::string(key) + "\" in the fault profile";
      return std::nullopt;
    }
  }
  return p;
}

json::value to_json(const fault_profile& p) {
  auto probs = [](const std::map<fault_kind, double>& m) {
    json::object o;
    // Whole numbers as integers: 1, not 1E0 (Boost.JSON's spelling of a double).
    for (const auto& [k, v] : m) o[to_string(k)] = v == 0 || v == 1 ? json::value(std::int64_t(v)) : json::value(v);
    return o;
  };
  json::object eps;
  for (const auto& [name, m] : p.endpoints) eps[name] = probs(m);
  json::object out{{"global", probs(p.global)},
                   {"endpoints", std::move(eps)},
                   {"delay_ms", p.delay.count()},
                   {"retry_after", p.retry_after.count()},
                   {"unknown_status", p.unknown_status}};
  if (p.limit) out["limit"] = *p.limit;
  return out;
}

fault_injector::fault_injector(fault_profile profile, std::uint64_t seed) : profile_(std::move(profile)), rng_(seed) {}

void fault_injector::set_profile(fault_profile p) {
  profile_ = std::move(p);
  injected_ = 0;
}

fault_kind fault_injector::decide(std::string_view endpoint) {
  // Always draw, so that the sequence of decisions depends only on the seed and the requests.
  const double u = std::uniform_real_distribution<double>{0.0, 1.0}(rng_);
  if (profile_.limit && injected_ >= *profile_.limit) return fault_kind::none;
  const auto ep = profile_.endpoints.find(endpoint);
  double acc = 0;
  for (const auto& [kind, name] : names) {
    double p = 0;
    if (ep != profile_.endpoints.end()) {
      if (const auto it = ep->second.find(kind); it != ep->second.end()) {
        p = it->second;
      } else if (const auto g = profile_.global.find(kind); g != profile_.global.end()) {
        p = g->second;
      }
    } else if (const auto g = profile_.global.find(kind); g != profile_.global.end()) {
      p = g->second;
    }
    acc += p;
    if (u < acc) {
      ++injected_;
      return kind;
    }
  }
  return fault_kind::none;
}

}  // namespace telegent_sim
