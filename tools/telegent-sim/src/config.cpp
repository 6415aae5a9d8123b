// sim_config from TOML. Unknown keys are errors: a typo should not silently run defaults.
#include <telegent_sim/config.hpp>

#include <boost/json.hpp>
#include <toml++/toml.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace telegent_sim {

namespace json = boost::json;

std::string_view to_string(retry_after_style s) noexcept {
  switch (s) {
    case retry_after_style::seconds: return "seconds";
    case retry_after_style::http_date: return "http_date";
    case retry_after_style::body: return "body";
  }
  return "seconds";
}

std::string_view to_string(problem_casing c) noexcept { return c == problem_casing::pascal ? "pascal" : "camel"; }
std::ostream& operator<<(std::ostream& os, retry_after_style s) { return os << to_string(s); }
std::ostream& operator<<(std::ostream& os, problem_casing c) { return os << to_string(c); }

namespace {

[[noreturn]] void bad(std::string_view key, std::string_view why) {
  throw std::runtime_error("config: " + std::string(key) + ": " + std::string(why));
}

double number(const toml::node& n, std::string_view key) {
  if (auto v = n.value<double>()) return *v;
  bad(key, "must be a number");
}

std::string text(const toml::node& n, std::string_view key) {
  if (auto v = n.value<std::string>()) return *v;
  bad(key, "must be a string");
}

json::value to_json(const toml::node& n) {
  if (const auto* t = n.as_table()) {
    json::object o;
    for (const auto& [k, v] : *t) o[std::string(k.str())] = to_json(v);
    return o;
  }
  if (const auto* a = n.as_array()) {
    json::array arr;
    for (const auto& v : *a) arr.push_back(to_json(v));
    return arr;
  }
  if (auto v = n.value_exact<std::int64_t>()) return *v;
  if (auto v = n.value_exact<double>()) return *v;
  if (auto v = n.value_exact<bool>()) return *v;
  if (auto v = n.value_exact<std::string>()) return json::string(*v);
  return nullptr;
}

// One key of [delays] or [carriers.NAME] into `p`; false when the key is not one of them.
bool profile_key(carrier_profile& p, const std::string& name, const toml::node& v, const std::string& where) {
  auto delay = [&] {
    const double d = number(v, where);
    if (d < 0) bad(where, "must be >= 0");
    return std::chrono::seconds{static_cast<std::int64_t>(d)};
  };
  if (name == "submitted") p.delays.submitted = delay();
  else if (name == "carrier_approval") p.delays.carrier_approval = delay();
  else if (name == "scheduled") p.delays.scheduled = delay();
  else if (name == "completed") p.delays.completed = delay();
  else if (name == "port_date") p.delays.port_date = delay();
  else if (name == "distribution") {
    const auto d = dwell_distribution_from(text(v, where));
    if (!d) bad(where, "must be \"fixed\", \"lognormal\" or \"uniform\"");
    p.distribution = *d;
  } else if (name == "spread") {
    p.spread = number(v, where);
    if (p.spread < 0) bad(where, "must be >= 0");
  } else {
    return false;
  }
  return true;
}

constexpr std::string_view profile_keys =
    "submitted, carrier_approval, scheduled, completed, port_date, distribution, spread";

}  // namespace

sim_config parse_config(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "config: " << e.description() << " at line " << e.source().begin.line;
    throw std::runtime_error(os.str());
  }
  sim_config c;
  const toml::table* carriers = nullptr;  // read after [delays], whose values they default to
  for (const auto& [key_node, node] : root) {
    const std::string key(key_node.str());
    if (key == "seed") {
      c.seed = static_cast<std::uint64_t>(number(node, key));
    } else if (key == "dialect") {
      const auto d = dialect_from(text(node, key));
      if (!d) bad(key, "must be \"lifecycle\" or \"kb\"");
      c.carrier_dialect = *d;
    } else if (key == "time_scale") {
      c.time_scale = number(node, key);
      if (c.time_scale <= 0) bad(key, "must be > 0");
    } else if (key == "token_lifetime_seconds") {
      c.token_lifetime = std::chrono::seconds{static_cast<std::int64_t>(number(node, key))};
    } else if (key == "problem_casing") {
      const auto s = text(node, key);
      if (s == "camel") c.casing = problem_casing::camel;
      else if (s == "pascal") c.casing = problem_casing::pascal;
      else bad(key, "must be \"camel\" or \"pascal\"");
    } else if (key == "requests_per_minute") {
      c.rate_limit.requests_per_minute = number(node, key);
      if (c.rate_limit.requests_per_minute < 0) bad(key, "must be >= 0");
    } else if (key == "burst") {
      c.rate_limit.burst = number(node, key);
      if (c.rate_limit.burst < 1) bad(key, "must be >= 1");
    } else if (key == "violation_grace_ms") {
      const double g = number(node, key);
      if (g < 0) bad(key, "must be >= 0");
      c.rate_limit.violation_grace = std::chrono::milliseconds{static_cast<std::int64_t>(g)};
    } else if (key == "retry_after_style") {
      const auto s = text(node, key);
      if (s == "seconds") c.retry_after = retry_after_style::seconds;
      else if (s == "http_date") c.retry_after = retry_after_style::http_date;
      else if (s == "body") c.retry_after = retry_after_style::body;
      else bad(key, "must be \"seconds\", \"http_date\" or \"body\"");
    } else if (key == "accounts") {
      const auto* arr = node.as_array();
      if (arr == nullptr) bad(key, "must be an array of tables ([[accounts]])");
      c.accounts.clear();
      for (const auto& item : *arr) {
        const auto* t = item.as_table();
        if (t == nullptr) bad(key, "each entry must be a table with key and secret");
        const auto* k = t->get("key");
        const auto* s = t->get("secret");
        if (k == nullptr || s == nullptr) bad(key, "each entry needs key and secret");
        c.accounts.push_back({text(*k, "accounts.key"), text(*s, "accounts.secret")});
      }
    } else if (key == "delays") {
      const auto* t = node.as_table();
      if (t == nullptr) bad(key, "must be a table");
      for (const auto& [dk, dv] : *t) {
        const std::string name(dk.str());
        if (!profile_key(c.dwell.standard, name, dv, "delays." + name))
          bad("delays." + name, "unknown key (" + std::string(profile_keys) + ")");
      }
      c.delays = c.dwell.standard.delays;
    } else if (key == "carriers") {
      carriers = node.as_table();
      if (carriers == nullptr) bad(key, "must be a table of [carriers.NAME] tables");
    } else if (key == "dwell_changes") {
      const auto* arr = node.as_array();
      if (arr == nullptr) bad(key, "must be an array of tables ([[dwell_changes]])");
      for (const auto& item : *arr) {
        const auto* t = item.as_table();
        if (t == nullptr) bad(key, "each entry must be a table with carrier, at and factor");
        dwell_change change;
        for (const auto& [ck, cv] : *t) {
          const std::string name(ck.str());
          const std::string where = "dwell_changes." + name;
          if (name == "carrier") {
            change.carrier = text(cv, where);
          } else if (name == "at") {
            const double at = number(cv, where);
            if (at < 0) bad(where, "must be >= 0");
            change.at = std::chrono::seconds{static_cast<std::int64_t>(at)};
          } else if (name == "factor") {
            change.factor = number(cv, where);
            if (change.factor <= 0) bad(where, "must be > 0");
          } else {
            bad(where, "unknown key (carrier, at, factor)");
          }
        }
        if (change.carrier.empty()) bad(key, "each entry needs a carrier (a name, or \"*\" for every carrier)");
        c.dwell.changes.push_back(std::move(change));
      }
    } else if (key == "faults") {
      std::string error;
      auto p = parse_fault_profile(to_json(node), error);
      if (!p) bad(key, error);
      c.faults = std::move(*p);
    } else {
      bad(key, "unknown key");
    }
  }
  c.dwell.standard.delays = c.delays;
  if (carriers != nullptr) {
    for (const auto& [name_node, profile_node] : *carriers) {
      const std::string name(name_node.str());
      const auto* t = profile_node.as_table();
      if (t == nullptr) bad("carriers." + name, "must be a table");
      carrier_profile p = c.dwell.standard;
      for (const auto& [pk, pv] : *t) {
        const std::string k(pk.str());
        if (!profile_key(p, k, pv, "carriers." + name + "." + k))
          bad("carriers." + name + "." + k, "unknown key (" + std::string(profile_keys) + ")");
      }
      std::string lowered = name;
      for (char& ch : lowered) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      c.dwell.carriers.insert_or_assign(std::move(lowered), std::move(p));
    }
  }
  return c;
}

sim_config load_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("config: cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str());
}

}  // namespace telegent_sim
