// TOML configuration loading and validation.
#include <portd/porting/event.hpp>
#include <portd/runtime/config.hpp>
#include <portd/http/url.hpp>
#include <portd/poll/calendar.hpp>
#include <portd/runtime/webhook_secret.hpp>

#include <boost/asio/ip/address.hpp>

#include <toml++/toml.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace portd::runtime {
namespace {

// The one URL and proxy reading of the senders (http/), so the check passes what they can use.
using http::http_url;
using http::is_loopback_host;
using http::no_proxy_matches;
using http::parse_http_url;
using http::parse_origin;
using http::parse_proxy;
using http::proxy_endpoint;
using http::redact_url;

using namespace std::chrono;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw config_error(key + ": " + what);
}

std::string quoted(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](auto&& v) { os << toml::toml_formatter{v}; });
  return os.str();
}

// Checks that a table holds only the keys we know, so a typo stops the start.
void only_keys(const toml::table& t, const std::string& prefix, std::initializer_list<std::string_view> keys) {
  const std::set<std::string_view> allowed(keys);
  for (const auto& [k, v] : t) {
    (void)v;
    if (!allowed.contains(k.str()))
      fail(prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str()), "unknown key");
  }
}

template <class T>
void get(const toml::table& t, const std::string& prefix, std::string_view key, T& out) {
  const toml::node* n = t.get(key);
  if (!n) return;
  const std::string name = prefix + "." + std::string(key);
  if constexpr (std::is_same_v<T, std::string>) {
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) fail(name, quoted(*n) + " is not a string");
    out = *v;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!n->is_boolean()) fail(name, quoted(*n) + " is not true or false");
    out = *n->value<bool>();
  } else if constexpr (std::is_same_v<T, int>) {
    if (!n->is_integer()) fail(name, quoted(*n) + " is not an integer");
    out = static_cast<int>(*n->value<std::int64_t>());
  } else if constexpr (std::is_same_v<T, double>) {
    if (!n->is_number()) fail(name, quoted(*n) + " is not a number");
    out = *n->value<double>();
  } else if constexpr (std::is_same_v<T, milliseconds>) {
    auto s = n->value<std::string>();
    if (!n->is_string() || !s) fail(name, quoted(*n) + " is not a duration string such as \"90s\"");
    auto d = parse_duration(*s);
    if (!d) fail(name, "\"" + *s + "\" is not a duration (a number with ms, s, m, h or d)");
    out = *d;
  } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
    auto s = n->value<std::string>();
    if (!n->is_string() || !s) fail(name, quoted(*n) + " is not a path string");
    out = *s;
  }
}

std::filesystem::path resolve(const std::filesystem::path& dir, const std::filesystem::path& p) {
  if (p.empty() || p.is_absolute()) return p;
  return dir / p;
}

id_set read_ids(const toml::table& t, const std::string& name) {
  id_set ids;
  const toml::node* n = t.get(name);
  if (!n) return ids;
  const toml::table* tt = n->as_table();
  if (!tt)
    fail("control." + name, quoted(*n) + " is not a table { users = [...], groups = [...], uids = [...], gids = [...] }");
  only_keys(*tt, "control." + name, {"uids", "gids", "users", "groups"});
  for (const char* which : {"users", "groups"}) {
    const toml::node* a = tt->get(which);
    if (!a) continue;
    const std::string key = "control." + name + "." + which;
    const toml::array* arr = a->as_array();
    if (!arr) fail(key, quoted(*a) + " is not an array of names");
    for (const auto& e : *arr) {
      auto v = e.value<std::string>();
      // A name as useradd/groupadd allow it: no space, colon, comma or control character.
      if (!e.is_string() || !v || v->empty() || v->size() > 256 ||
          v->find_first_of(" :,\t\n\r") != std::string::npos ||
          std::any_of(v->begin(), v->end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        fail(key, quoted(e) + " is not a user or group name");
      (std::string_view(which) == "users" ? ids.users : ids.groups).push_back(*v);
    }
  }
  for (const char* which : {"uids", "gids"}) {
    const toml::node* a = tt->get(which);
    if (!a) continue;
    const std::string key = "control." + name + "." + which;
    const toml::array* arr = a->as_array();
    if (!arr) fail(key, quoted(*a) + " is not an array of numeric ids");
    for (const auto& e : *arr) {
      auto v = e.value<std::int64_t>();
      if (!e.is_integer() || !v || *v < 0 || *v > 0xFFFFFFFFll) fail(key, quoted(e) + " is not a numeric id");
      (std::string_view(which) == "uids" ? ids.uids : ids.gids).push_back(static_cast<std::uint32_t>(*v));
    }
  }
  return ids;
}

bool outside_the_service() {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  return !dir || !*dir;
}

// A credential handed over by systemd (LoadCredential=), if present.
std::optional<std::filesystem::path> credential(const std::string& name) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (!dir || !*dir) return std::nullopt;
  if (name.find('/') != std::string::npos) return std::nullopt;  // a sink name is not a path
  std::filesystem::path p = std::filesystem::path(dir) / name;
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return std::nullopt;
  return p;
}

// An environment variable, the lower-case spelling first (as curl reads them); "" when unset.
std::string env(const char* lower_name, const char* upper_name) {
  for (const char* n : {lower_name, upper_name})
    if (const char* v = std::getenv(n); v && *v) return v;
  return "";
}

// The proxy one destination goes through (nullopt = direct): its `proxy` key when the key is
// there ("" = no proxy, whatever the environment says), else https_proxy/HTTPS_PROXY unless
// no_proxy/NO_PROXY names the host. Only https destinations go through a proxy.
std::optional<proxy_endpoint> egress_proxy(const std::optional<std::string>& key, const std::string& key_name,
                                           const http_url& dest, const std::string& credentials) {
  std::string url, from;
  if (key) {
    url = *key;
    from = key_name;
  } else if (auto e = env("https_proxy", "HTTPS_PROXY"); !e.empty() && !no_proxy_matches(env("no_proxy", "NO_PROXY"), dest.host)) {
    url = e;
    from = "HTTPS_PROXY (environment)";
  }
  if (url.empty()) return std::nullopt;
  if (!dest.tls) {
    if (key) fail(key_name, "applies to https:// destinations only; " + dest.display + " is plain http");
    return std::nullopt;  // HTTPS_PROXY is for https; plain http goes only to this host anyway
  }
  auto p = parse_proxy(url, credentials);
  if (!p.proxy) fail(from, p.problem);
  return p.proxy;
}

// The delivery body of a sink (`body`): when the key is absent, say once what the default is, so
// a receiver written for the earlier body does not stop understanding deliveries unnoticed.
void read_body(const toml::table& t, const std::string& prefix, const std::string& sink, std::string& body,
               std::vector<std::string>& warnings) {
  if (!t.get("body")) {
    warnings.push_back(prefix + " (\"" + sink +
                       "\"): body is not set, so deliveries carry the Standard Webhooks body {\"type\", "
                       "\"timestamp\", \"data\": {\"event\", \"order\"}}; a receiver written for portd's earlier "
                       "{\"event\", \"order\"} body needs body = \"portd-v1\" (set body = \"standard\" to "
                       "silence this)");
    return;
  }
  get(t, prefix, "body", body);
  if (body != "standard" && body != "portd-v1")
    fail(prefix + ".body", "\"" + body + "\" is not \"standard\" or \"portd-v1\"");
}

}  // namespace

std::optional<milliseconds> parse_duration(std::string_view s) {
  std::size_t i = 0;
  std::uint64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (v > 1'000'000'000ull) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = s.substr(i);
  const auto n = static_cast<milliseconds::rep>(v);
  if (unit == "ms") return milliseconds{n};
  if (unit == "s") return seconds{n};
  if (unit == "m") return minutes{n};
  if (unit == "h") return hours{n};
  if (unit == "d") return hours{24 * n};
  return std::nullopt;
}

std::string read_secret_file(const std::filesystem::path& file, const std::string& what) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) fail(what, "cannot read secret file " + file.string());
  if (!S_ISREG(st.st_mode)) fail(what, file.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    fail(what, "secret file " + file.string() + " is readable by group or others; chmod 600 it");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(what, "cannot read secret file " + file.string());
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) fail(what, "secret file " + file.string() + " is empty");
  return s;
}

config load_config(const std::filesystem::path& file, bool checking) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << file.string() << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
       << e.description();
    throw config_error(os.str());
  }
  const std::filesystem::path dir = std::filesystem::absolute(file).parent_path();
  config c;
  // Proxy credentials ("user:password") only from a credential file, never a URL.
  std::string proxy_credentials;
  if (auto p = credential("proxy-credentials")) proxy_credentials = read_secret_file(*p, "credential proxy-credentials");
  std::optional<std::string> telegent_proxy;
  only_keys(root, "", {"telegent", "orders", "store", "control", "poll", "retry", "stale", "webhook", "command", "log", "metrics",
                       "retention"});
  auto section = [&](const char* name) -> const toml::table* {
    const toml::node* n = root.get(name);
    if (!n) return nullptr;
    if (!n->is_table()) fail(name, "must be a table [" + std::string(name) + "]");
    return n->as_table();
  };

  if (auto* t = section("telegent")) {
    only_keys(*t, "telegent", {"base_url", "account_key", "account_key_file", "account_secret_file",
                               "ca_file", "allow_insecure_http", "requests_per_minute", "burst",
                               "request_timeout", "eligibility_classification", "max_connections", "proxy"});
    auto& s = c.telegent;
    get(*t, "telegent", "base_url", s.base_url);
    get(*t, "telegent", "account_key", s.account_key);
    std::filesystem::path key_file, secret_file, ca;
    get(*t, "telegent", "account_key_file", key_file);
    get(*t, "telegent", "account_secret_file", secret_file);
    get(*t, "telegent", "ca_file", ca);
    get(*t, "telegent", "allow_insecure_http", s.allow_insecure_http);
    get(*t, "telegent", "requests_per_minute", s.requests_per_minute);
    get(*t, "telegent", "burst", s.burst);
    get(*t, "telegent", "request_timeout", s.request_timeout);
    get(*t, "telegent", "eligibility_classification", s.eligibility_classification);
    get(*t, "telegent", "max_connections", s.max_connections);
    if (t->get("proxy")) get(*t, "telegent", "proxy", telegent_proxy.emplace());
    if (!key_file.empty()) s.account_key = read_secret_file(resolve(dir, key_file), "telegent.account_key_file");
    if (!secret_file.empty())
      s.account_secret = read_secret_file(resolve(dir, secret_file), "telegent.account_secret_file");
    s.ca_file = resolve(dir, ca).string();
  }
  {
    auto& s = c.telegent;
    if (s.account_secret.empty())
      if (auto p = credential("telegent-secret")) s.account_secret = read_secret_file(*p, "credential telegent-secret");
    if (s.account_key.empty()) fail("telegent.account_key", "missing (or set telegent.account_key_file)");
    if (s.account_secret.empty() && checking && outside_the_service())
      c.unchecked.push_back(
          "telegent.account_secret_file is not set: the secret must come from the systemd credential "
          "\"telegent-secret\" (LoadCredential= in portd.service), which this check outside the service cannot see");
    else if (s.account_secret.empty())
      fail("telegent.account_secret_file", "missing (or pass the systemd credential \"telegent-secret\")");
    const auto base = parse_origin(s.base_url);  // the client adds Telegent's own paths
    if (!base.url) fail("telegent.base_url", redact_url(s.base_url) + " " + base.problem);
    if (!base.url->tls && !s.allow_insecure_http)
      fail("telegent.base_url", base.url->display + " is plain http; set telegent.allow_insecure_http = true only for a local simulator");
    s.proxy = egress_proxy(telegent_proxy, "telegent.proxy", *base.url, proxy_credentials);
    if (s.requests_per_minute < 0) fail("telegent.requests_per_minute", std::to_string(s.requests_per_minute) + " is negative");
    if (s.burst < 1) fail("telegent.burst", std::to_string(s.burst) + " must be at least 1");
    if (s.max_connections < 1 || s.max_connections > 64)
      fail("telegent.max_connections", std::to_string(s.max_connections) + " must be 1 to 64");
    if (s.request_timeout < milliseconds{100}) fail("telegent.request_timeout", "must be at least 100ms");
    if (s.eligibility_classification.empty()) fail("telegent.eligibility_classification", "must not be empty");
  }
  if (auto* t = section("orders")) {
    only_keys(*t, "orders", {"require_owner", "resend_window"});
    get(*t, "orders", "require_owner", c.orders.require_owner);
    get(*t, "orders", "resend_window", c.orders.resend_window);
    if (c.orders.resend_window < milliseconds{100}) fail("orders.resend_window", "must be at least 100ms");
  }
  if (auto* t = section("store")) {
    only_keys(*t, "store", {"path"});
    get(*t, "store", "path", c.store.path);
  }
  c.store.path = resolve(dir, c.store.path);
  if (auto* t = section("control")) {
    only_keys(*t, "control", {"socket", "operators", "readers", "max_connections", "idle_timeout"});
    get(*t, "control", "socket", c.control.socket);
    get(*t, "control", "max_connections", c.control.max_connections);
    get(*t, "control", "idle_timeout", c.control.idle_timeout);
    c.control.operators = read_ids(*t, "operators");
    c.control.readers = read_ids(*t, "readers");
    if (c.control.max_connections < 1) fail("control.max_connections", "must be at least 1");
  }
  c.control.socket = resolve(dir, c.control.socket);
  if (auto* t = section("poll")) {
    only_keys(*t, "poll", {"submitted", "carrier_approval", "scheduled", "rejected", "first_after_submit", "near_port_date",
                           "spare_share", "min_interval", "time_zone"});
    get(*t, "poll", "submitted", c.poll.submitted);
    get(*t, "poll", "carrier_approval", c.poll.carrier_approval);
    get(*t, "poll", "scheduled", c.poll.scheduled);
    get(*t, "poll", "rejected", c.poll.rejected);
    get(*t, "poll", "first_after_submit", c.poll.first_after_submit);
    get(*t, "poll", "near_port_date", c.poll.near_port_date);
    for (auto [name, d] : {std::pair{"submitted", c.poll.submitted}, {"carrier_approval", c.poll.carrier_approval},
                           {"scheduled", c.poll.scheduled}, {"rejected", c.poll.rejected},
                           {"first_after_submit", c.poll.first_after_submit}, {"near_port_date", c.poll.near_port_date}})
      if (d < milliseconds{100}) fail(std::string("poll.") + name, "must be at least 100ms");
    get(*t, "poll", "spare_share", c.poll.spare_share);
    get(*t, "poll", "min_interval", c.poll.min_interval);
    if (!(c.poll.spare_share >= 0 && c.poll.spare_share <= 1))
      fail("poll.spare_share", std::to_string(c.poll.spare_share) + " must be 0 to 1");
    if (c.poll.min_interval < milliseconds{100}) fail("poll.min_interval", "must be at least 100ms");
    get(*t, "poll", "time_zone", c.poll.time_zone);
  }
  // Resolved here, so that a zone the system does not know stops the start and --check-config.
  if (auto zone = poll::business_calendar::find(c.poll.time_zone))
    c.poll.day_start = [zone = *zone](sys_days local_day) { return zone.day_start(local_day); };
  else
    fail("poll.time_zone", "\"" + c.poll.time_zone +
                               "\" is not a time zone in this system's time-zone database (/usr/share/zoneinfo): "
                               "use an IANA name such as \"America/New_York\" (timedatectl list-timezones lists "
                               "them; install tzdata if it lists none)");
  c.poll = porting::as_guarantees(c.poll);
  if (auto* t = section("stale")) {
    only_keys(*t, "stale", {"submitted", "carrier_approval", "scheduled", "past_port_date"});
    get(*t, "stale", "submitted", c.stale.submitted);
    get(*t, "stale", "carrier_approval", c.stale.carrier_approval);
    get(*t, "stale", "scheduled", c.stale.scheduled);
    get(*t, "stale", "past_port_date", c.stale.past_port_date);
  }
  if (auto* t = section("retention")) {
    only_keys(*t, "retention", {"delivered_outbox", "raw_bodies", "interval", "batch"});
    auto& r = c.retention;
    get(*t, "retention", "delivered_outbox", r.delivered_outbox);
    get(*t, "retention", "raw_bodies", r.raw_bodies);
    get(*t, "retention", "interval", r.interval);
    get(*t, "retention", "batch", r.batch);
    if (r.interval < std::chrono::seconds(1)) fail("retention.interval", "must be at least 1s");
    if (r.batch < 1 || r.batch > 100000) fail("retention.batch", "must be between 1 and 100000");
  }
  if (auto* t = section("retry")) {
    only_keys(*t, "retry", {"base", "cap", "max_attempts"});
    get(*t, "retry", "base", c.retry.base);
    get(*t, "retry", "cap", c.retry.cap);
    get(*t, "retry", "max_attempts", c.retry.max_attempts_command);
    if (c.retry.max_attempts_command < 1) fail("retry.max_attempts", "must be at least 1");
  }
  if (const toml::node* n = root.get("webhook")) {
    const toml::array* arr = n->as_array();
    if (!arr) fail("webhook", "must be an array of tables [[webhook]]");
    std::size_t i = 0;
    for (const auto& e : *arr) {
      const std::string prefix = "webhook[" + std::to_string(i++) + "]";
      const toml::table* t = e.as_table();
      if (!t) fail(prefix, "must be a table");
      only_keys(*t, prefix, {"url", "secret_file", "events", "timeout", "retry_base", "retry_cap",
                             "max_age", "concurrency", "ca_file", "name", "body", "proxy"});
      webhook_config w;
      w.name = "webhook:" + std::to_string(i - 1);
      get(*t, prefix, "name", w.name);
      get(*t, prefix, "url", w.url);
      if (w.url.empty()) fail(prefix + ".url", "missing");
      // Read as the sender reads it (http/url.hpp); never printed with its user-info.
      const auto parsed = parse_http_url(w.url);
      if (!parsed.url) fail(prefix + ".url", redact_url(w.url) + " " + parsed.problem);
      // Plain http carries the signed events in clear: only to a receiver on this host.
      if (!parsed.url->tls && !is_loopback_host(parsed.url->host))
        fail(prefix + ".url", parsed.url->display +
                                  " is plain http to another host; use https:// (http:// only to 127.0.0.1, ::1 or localhost)");
      std::optional<std::string> proxy_key;
      if (t->get("proxy")) get(*t, prefix, "proxy", proxy_key.emplace());
      w.proxy = egress_proxy(proxy_key, prefix + ".proxy", *parsed.url, proxy_credentials);
      // The secret: secret_file, else a credential. A named sink's credential is keyed by its
      // name, so reordering blocks cannot swap secrets; the positional one is still read.
      std::filesystem::path sf;
      get(*t, prefix, "secret_file", sf);
      const bool named = t->get("name") != nullptr;
      const std::string by_position = "webhook-secret-" + std::to_string(i - 1);
      const std::string by_name = "webhook-secret-" + w.name;
      std::filesystem::path secret_path;
      std::string secret_from;  // names the key or the credential in messages
      if (!sf.empty()) {
        secret_path = resolve(dir, sf);
        secret_from = prefix + ".secret_file";
      } else if (auto p = named ? credential(by_name) : std::nullopt) {
        secret_path = *p;
        secret_from = prefix + " credential " + by_name;
      } else if (auto q = credential(by_position)) {
        secret_path = *q;
        secret_from = prefix + " credential " + by_position;
        if (named)
          c.warnings.push_back(prefix + " (\"" + w.name + "\") takes its secret from the credential " + by_position +
                               ", which follows the block's position: rename it to " + by_name +
                               " (LoadCredential=" + by_name + ":…) so that reordering [[webhook]] blocks cannot "
                               "swap secrets");
      } else if (checking && outside_the_service()) {
        c.unchecked.push_back(prefix + ".secret_file is not set: the secret must come from the systemd credential \"" +
                              (named ? by_name : by_position) + "\", which this check outside the service cannot see");
      } else {
        fail(prefix + ".secret_file", "missing (or pass the systemd credential \"" +
                                          (named ? by_name : by_position) + "\")");
      }
      if (!secret_path.empty()) w.secret = read_secret_file(secret_path, secret_from);
      if (const toml::node* ev = t->get("events")) {
        const toml::array* ea = ev->as_array();
        if (!ea) fail(prefix + ".events", "must be an array of event types");
        for (const auto& x : *ea) {
          auto s = x.value<std::string>();
          if (!s) fail(prefix + ".events", quoted(x) + " is not an event type string");
          if (!porting::parse_event_type(*s))
            fail(prefix + ".events", "\"" + *s + "\" is not an event type (e.g. \"order.state_changed\")");
          w.events.push_back(*s);
        }
      }
      // Several secrets (one per line) while one is being rotated; each signs. Each must be one
      // a Standard Webhooks library takes (util/webhook_secret.hpp); messages name the file and
      // the line, never the secret.
      std::size_t line = 0;
      for (std::size_t a = 0, b; a < w.secret.size(); a = b + 1) {
        ++line;
        b = w.secret.find('\n', a);
        if (b == std::string::npos) b = w.secret.size();
        std::string one = w.secret.substr(a, b - a);
        while (!one.empty() && (one.back() == '\r' || one.back() == ' ')) one.pop_back();
        if (one.empty()) continue;
        if (auto k = decode_webhook_secret(one); !k.key)
          fail(secret_from, secret_path.string() + " line " + std::to_string(line) + " " + k.problem);
        w.secrets.push_back(std::move(one));
      }
      if (!secret_path.empty()) {  // else a credential this check cannot see (c.unchecked says so)
        if (w.secrets.empty()) fail(secret_from, secret_path.string() + " holds no secret");
        w.secret = w.secrets.front();
      }
      read_body(*t, prefix, w.name, w.body, c.warnings);
      std::filesystem::path ca;
      get(*t, prefix, "ca_file", ca);
      w.ca_file = resolve(dir, ca).string();
      get(*t, prefix, "timeout", w.timeout);
      get(*t, prefix, "retry_base", w.retry_base);
      get(*t, prefix, "retry_cap", w.retry_cap);
      get(*t, prefix, "max_age", w.max_age);
      get(*t, prefix, "concurrency", w.concurrency);
      if (w.timeout < milliseconds{100}) fail(prefix + ".timeout", "must be at least 100ms");
      if (w.retry_base < milliseconds{10}) fail(prefix + ".retry_base", "must be at least 10ms");
      if (w.retry_cap < w.retry_base) fail(prefix + ".retry_cap", "must not be shorter than retry_base");
      if (w.max_age < w.retry_base) fail(prefix + ".max_age", "must not be shorter than retry_base");
      if (w.concurrency < 1 || w.concurrency > 64) fail(prefix + ".concurrency", "must be 1 to 64");
      c.webhooks.push_back(std::move(w));
    }
  }
  if (const toml::node* n = root.get("command")) {
    const toml::array* arr = n->as_array();
    if (!arr) fail("command", "must be an array of tables [[command]]");
    std::size_t i = 0;
    for (const auto& e : *arr) {
      const std::string prefix = "command[" + std::to_string(i++) + "]";
      const toml::table* t = e.as_table();
      if (!t) fail(prefix, "must be a table");
      only_keys(*t, prefix, {"program", "events", "timeout", "retry_base", "retry_cap", "max_age", "concurrency", "name",
                             "body"});
      command_config cmd;
      cmd.name = "command:" + std::to_string(i - 1);
      get(*t, prefix, "name", cmd.name);
      const toml::node* p = t->get("program");
      if (!p) fail(prefix + ".program", "missing");
      if (auto s = p->value<std::string>(); p->is_string() && s) {
        cmd.argv.push_back(*s);
      } else if (const toml::array* pa = p->as_array()) {
        for (const auto& x : *pa) {
          auto a = x.value<std::string>();
          if (!x.is_string() || !a) fail(prefix + ".program", quoted(x) + " is not a string");
          cmd.argv.push_back(*a);
        }
      } else {
        fail(prefix + ".program", "must be a path or an array [path, arg, …]");
      }
      if (cmd.argv.empty() || cmd.argv[0].empty()) fail(prefix + ".program", "is empty");
      cmd.argv[0] = resolve(dir, cmd.argv[0]).string();
      if (const toml::node* ev = t->get("events")) {
        const toml::array* ea = ev->as_array();
        if (!ea) fail(prefix + ".events", "must be an array of event types");
        for (const auto& x : *ea) {
          auto s = x.value<std::string>();
          if (!s || !porting::parse_event_type(*s)) fail(prefix + ".events", quoted(x) + " is not an event type");
          cmd.events.push_back(*s);
        }
      }
      get(*t, prefix, "timeout", cmd.timeout);
      get(*t, prefix, "retry_base", cmd.retry_base);
      get(*t, prefix, "retry_cap", cmd.retry_cap);
      get(*t, prefix, "max_age", cmd.max_age);
      get(*t, prefix, "concurrency", cmd.concurrency);
      read_body(*t, prefix, cmd.name, cmd.body, c.warnings);
      if (cmd.timeout < milliseconds{100}) fail(prefix + ".timeout", "must be at least 100ms");
      if (cmd.retry_base < milliseconds{10}) fail(prefix + ".retry_base", "must be at least 10ms");
      if (cmd.retry_cap < cmd.retry_base) fail(prefix + ".retry_cap", "must not be shorter than retry_base");
      if (cmd.max_age < cmd.retry_base) fail(prefix + ".max_age", "must not be shorter than retry_base");
      if (cmd.concurrency < 1 || cmd.concurrency > 64) fail(prefix + ".concurrency", "must be 1 to 64");
      c.commands.push_back(std::move(cmd));
    }
  }
  {
    // Sink names key the outbox rows: two sinks with one name would share (and lose) them.
    std::set<std::string> names;
    for (const auto& w : c.webhooks)
      if (w.name.empty() || !names.insert(w.name).second) fail("webhook.name", "\"" + w.name + "\" is empty or used twice");
    for (const auto& m : c.commands)
      if (m.name.empty() || !names.insert(m.name).second) fail("command.name", "\"" + m.name + "\" is empty or used twice");
  }
  if (auto* t = section("metrics")) {
    only_keys(*t, "metrics", {"listen", "allow_remote"});
    get(*t, "metrics", "listen", c.metrics.listen);
    get(*t, "metrics", "allow_remote", c.metrics.allow_remote);
    const auto colon = c.metrics.listen.rfind(':');
    std::string host = colon == std::string::npos ? "" : c.metrics.listen.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : c.metrics.listen.substr(colon + 1);
    const bool port_ok = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
                         std::stoi(port) <= 65535;
    if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    if (host != "localhost") boost::asio::ip::make_address(host, ec);
    if (!c.metrics.listen.empty() && (ec || !port_ok))
      fail("metrics.listen", "\"" + c.metrics.listen + "\" must be an IP address and port such as \"127.0.0.1:9464\"");
    // The endpoint has no authentication: off this host only when the operator says so.
    if (!c.metrics.listen.empty() && !c.metrics.allow_remote && !is_loopback_host(host))
      fail("metrics.listen", "\"" + c.metrics.listen + "\" is not a loopback address; the endpoint is unauthenticated: "
                             "set metrics.allow_remote = true to serve it off this host");
  }
  if (auto* t = section("log")) {
    only_keys(*t, "log", {"level"});
    get(*t, "log", "level", c.log.level);
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
    if (!levels.contains(c.log.level)) fail("log.level", "\"" + c.log.level + "\" is not one of trace, debug, info, warn, error");
  }
  return c;
}

}  // namespace portd::runtime
