// portd entry point: config → store → io_context{1} → signals → run. Thin on purpose: the
// real code lives in lib/.
#include <portd/runtime/metrics_http.hpp>
#include <portd/control/options.hpp>
#include <portd/control/report.hpp>
#include <portd/control/server.hpp>
#include <portd/engine/engine.hpp>
#include <portd/notify/notifier.hpp>
#include <portd/store/repository.hpp>
#include <portd/telegent/budget.hpp>
#include <portd/telegent/client.hpp>
#include <portd/runtime/config.hpp>
#include <portd/runtime/log.hpp>
#include <portd/runtime/systemd.hpp>
#include <portd/runtime/text.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <iostream>
#include <stdexcept>
#include <system_error>
#include <tuple>
#include <vector>

namespace asio = boost::asio;
using namespace portd;

namespace {

// The settings that only a restart applies, named for the SIGHUP report.
std::vector<std::string> restart_needed(const runtime::config& a, const runtime::config& b) {
  std::vector<std::string> out;
  const auto& at = a.telegent;
  const auto& bt = b.telegent;
  if (std::tie(at.base_url, at.account_key, at.account_secret, at.ca_file, at.allow_insecure_http,
               at.requests_per_minute, at.burst, at.request_timeout, at.eligibility_classification,
               at.max_connections, at.proxy) !=
      std::tie(bt.base_url, bt.account_key, bt.account_secret, bt.ca_file, bt.allow_insecure_http,
               bt.requests_per_minute, bt.burst, bt.request_timeout, bt.eligibility_classification,
               bt.max_connections, bt.proxy))
    out.emplace_back("[telegent]");
  if (a.orders.require_owner != b.orders.require_owner || a.orders.resend_window != b.orders.resend_window)
    out.emplace_back("[orders]");
  if (a.store.path != b.store.path) out.emplace_back("[store]");
  const auto& ac = a.control;
  const auto& bc = b.control;
  // (operators and readers apply live: reload() resolves and applies them)
  if (std::tie(ac.socket, ac.max_connections, ac.idle_timeout) != std::tie(bc.socket, bc.max_connections, bc.idle_timeout))
    out.emplace_back("[control]");
  const auto& ap = a.poll;
  const auto& bp = b.poll;
  if (std::tie(ap.first_after_submit, ap.submitted, ap.carrier_approval, ap.scheduled, ap.rejected, ap.near_port_date,
               ap.spare_share, ap.min_interval, ap.time_zone) !=
      std::tie(bp.first_after_submit, bp.submitted, bp.carrier_approval, bp.scheduled, bp.rejected, bp.near_port_date,
               bp.spare_share, bp.min_interval, bp.time_zone))
    out.emplace_back("[poll]");
  if (std::tie(a.retry.base, a.retry.cap, a.retry.max_attempts_command) !=
      std::tie(b.retry.base, b.retry.cap, b.retry.max_attempts_command))
    out.emplace_back("[retry]");
  if (std::tie(a.stale.submitted, a.stale.carrier_approval, a.stale.scheduled, a.stale.past_port_date) !=
      std::tie(b.stale.submitted, b.stale.carrier_approval, b.stale.scheduled, b.stale.past_port_date))
    out.emplace_back("[stale]");
  auto hook = [](const runtime::webhook_config& w) {
    return std::tie(w.name, w.url, w.secrets, w.events, w.ca_file, w.timeout, w.retry_base, w.retry_cap,
                    w.max_age, w.concurrency, w.body, w.proxy);
  };
  bool hooks_differ = a.webhooks.size() != b.webhooks.size();
  for (std::size_t i = 0; !hooks_differ && i < a.webhooks.size(); ++i)
    hooks_differ = hook(a.webhooks[i]) != hook(b.webhooks[i]);
  if (hooks_differ) out.emplace_back("[[webhook]]");
  auto command = [](const runtime::command_config& c) {
    return std::tie(c.name, c.argv, c.events, c.timeout, c.retry_base, c.retry_cap, c.max_age, c.concurrency, c.body);
  };
  bool commands_differ = a.commands.size() != b.commands.size();
  for (std::size_t i = 0; !commands_differ && i < a.commands.size(); ++i)
    commands_differ = command(a.commands[i]) != command(b.commands[i]);
  if (commands_differ) out.emplace_back("[[command]]");
  return out;
}

// "operators: groups portd-operators, uids 1001; readers: groups portd-clients" for the log.
std::string describe(const control::access_rules& a) {
  auto part = [](const char* role, const std::vector<std::string>& groups, const std::vector<std::uint32_t>& uids) {
    std::string s = std::string(role) + ":";
    if (groups.empty() && uids.empty()) return s + " root and portd only";
    for (std::size_t i = 0; i < groups.size(); ++i) s += (i ? ", " : " groups ") + groups[i];
    for (std::size_t i = 0; i < uids.size(); ++i) s += (i ? ", " : groups.empty() ? " uids " : "; uids ") + std::to_string(uids[i]);
    return s;
  };
  return part("operators", a.operator_groups, a.operator_uids) + "; " + part("readers", a.reader_groups, a.reader_uids);
}

// [control] operators/readers with their names resolved (NSS: at start and on SIGHUP only).
// A name the system does not know is a warning, not an error: it grants nothing (fails closed),
// and the group may be created after the configuration is written.
control::resolved_access resolve_roles(const runtime::config& cfg) {
  return control::resolve_access(cfg.control, control::system_names());
}

// SIGHUP: re-read the file, apply what can change live ([log] level; the log sinks write
// straight to stderr/journald, so there is no file to reopen; [control] operators and readers,
// their user and group names resolved again, for connections accepted from now on) and name
// what needs a restart. A file that no longer validates changes nothing; a user or group
// name the system does not know is warned about and grants nothing.
void reload(const std::string& path, runtime::config& running, control::server& srv) {
  runtime::config next;
  control::access_rules access;
  try {
    next = runtime::load_config(path);
    auto resolved = resolve_roles(next);
    for (const auto& m : resolved.missing) spdlog::warn("SIGHUP: {}", m);
    access = std::move(resolved.rules);
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: {} not reloaded, the running configuration stays: {}", path, e.what());
    return;
  }
  const std::string roles = describe(access);
  if (roles != describe(srv.options().access) || access.operator_gids != srv.options().access.operator_gids ||
      access.reader_gids != srv.options().access.reader_gids)
    spdlog::info("SIGHUP: roles for new connections: {}", roles);
  srv.set_access(std::move(access));
  running.control.operators = next.control.operators;
  running.control.readers = next.control.readers;
  if (next.log.level != running.log.level) {
    runtime::set_log_level(next.log.level);
    spdlog::warn("SIGHUP: log level {} -> {}", running.log.level, next.log.level);
    running.log.level = next.log.level;
  }
  const auto pending = restart_needed(running, next);
  if (pending.empty()) {
    spdlog::info("SIGHUP: configuration {} reloaded", path);
    return;
  }
  std::string names;
  for (const auto& n : pending) names += (names.empty() ? "" : ", ") + n;
  spdlog::warn("SIGHUP: changes to {} take effect only after a restart (systemctl restart portd)", names);
}

telegent::client_config client_config_of(const runtime::config& cfg) {
  telegent::client_config cc;
  cc.base_url = cfg.telegent.base_url;
  cc.account_key = cfg.telegent.account_key;
  cc.account_secret = cfg.telegent.account_secret;
  cc.ca_file = cfg.telegent.ca_file;
  cc.allow_insecure_http = cfg.telegent.allow_insecure_http;
  cc.request_timeout = cfg.telegent.request_timeout;
  cc.eligibility_classification = cfg.telegent.eligibility_classification;
  cc.max_connections = cfg.telegent.max_connections;
  cc.proxy = cfg.telegent.proxy;
  return cc;
}

// --check-config: the store's directory must be one this user can write (portd creates the
// database, its -wal and -shm there). A directory that does not exist yet passes only where
// it can be made (its parent is writable: systemd's StateDirectory= or an installer makes it),
// with a note. Returns the problem, or "".
std::string check_store_directory(const std::filesystem::path& db, std::string& note) {
  const std::filesystem::path dir = db.parent_path().empty() ? std::filesystem::path(".") : db.parent_path();
  std::error_code ec;
  const std::string who = "uid " + std::to_string(::geteuid());
  if (std::filesystem::is_directory(dir, ec)) {
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return "store directory " + dir.string() + " is not writable by " + who + " (" + std::strerror(errno) + ")";
    return "";
  }
  if (std::filesystem::exists(dir, ec)) return "store directory " + dir.string() + " is not a directory";
  const std::filesystem::path parent = dir.parent_path().empty() ? std::filesystem::path(".") : dir.parent_path();
  if (!std::filesystem::is_directory(parent, ec) || ::access(parent.c_str(), W_OK | X_OK) != 0)
    return "store directory " + dir.string() + " does not exist, and " + who + " cannot create it";
  note = "note: store directory " + dir.string() + " does not exist yet; systemd's StateDirectory= creates "
         "it at start, anywhere else create it for portd's user";
  return "";
}

// --check-config --online: the start-up probe on demand (one token request). 0 when Telegent
// granted a token; 77 (EX_NOPERM) when it refused the credentials; 69 (EX_UNAVAILABLE) when
// it could not be reached (TLS, connection, timeout, an unusable answer).
int check_online(const runtime::config& cfg) {
  spdlog::set_level(spdlog::level::off);  // the verdict is printed below, once
  asio::io_context ioc{1};
  telegent::budget budget(ioc.get_executor(), {cfg.telegent.requests_per_minute, cfg.telegent.burst});
  telegent::client client(ioc.get_executor(), client_config_of(cfg), budget);
  std::optional<porting::api_result> result;
  asio::co_spawn(ioc, client.probe(), [&](std::exception_ptr e, porting::api_result r) {
    if (!e) result = std::move(r);
    client.close();
    budget.close();
  });
  ioc.run();
  const auto& c = client.stats().credentials;
  if (result && result->outcome == porting::call_outcome::ok) {
    std::printf("telegent: credentials ok (a token was granted by %s)\n", cfg.telegent.base_url.c_str());
    return 0;
  }
  const std::string problem = c.problem.empty() ? "token request failed" : c.problem;
  const std::string detail = result ? runtime::escape_controls(result->message) : "the probe did not finish";
  std::fprintf(stderr, "portd: telegent: %s at %s (account %s): %s\n", problem.c_str(), cfg.telegent.base_url.c_str(),
               cfg.telegent.account_key.c_str(), detail.c_str());
  return problem.starts_with("credentials refused") ? 77 : 69;
}

int run(runtime::config cfg, const std::string& config_path, control::resolved_access access) {
  runtime::setup_logging(cfg.log.level);
  // A step as long as copying the database (before a schema upgrade) must not run into
  // systemd's start timeout: each one extends it by 30 minutes, and says what it is doing.
  store::repository repo(cfg.store.path, [](const std::string& what) {
    spdlog::info("store: {}", what);
    runtime::sd_notify_state("EXTEND_TIMEOUT_USEC=1800000000\nSTATUS=" + what);
  });
  spdlog::info("portd {} starting; database {}", PORTD_VERSION, cfg.store.path.string());
  for (const auto& w : cfg.warnings) spdlog::warn("configuration: {}", w);
  if (!repo.migration_copy().empty())
    spdlog::info("database schema upgraded; the database as it was is kept in {}", repo.migration_copy());
  if (cfg.telegent.proxy) spdlog::info("Telegent through the proxy {}", cfg.telegent.proxy->display);
  for (const auto& w : cfg.webhooks)
    if (w.proxy) spdlog::info("notify: {} through the proxy {}", w.name, w.proxy->display);
  if (!repo.not_writable().empty()) spdlog::error("{}; until then every write is refused `unavailable`", repo.not_writable());

  asio::io_context ioc{1};
  telegent::budget budget(ioc.get_executor(), {cfg.telegent.requests_per_minute, cfg.telegent.burst});
  telegent::client client(ioc.get_executor(), client_config_of(cfg), budget);

  engine::engine_options eo;
  eo.poll_concurrency = cfg.telegent.max_connections;
  eo.retention = {cfg.retention.delivered_outbox, cfg.retention.raw_bodies, cfg.retention.interval, cfg.retention.batch};
  engine::engine eng(ioc, repo, client, budget, porting::policy{cfg.poll, cfg.retry, cfg.stale, cfg.orders.resend_window},
                     eo);

  // Notifications: one outbox sink per [[webhook]], written with every event (DESIGN.md §8).
  std::vector<notify::sink_config> sinks;
  for (std::size_t i = 0; i < cfg.webhooks.size(); ++i) {
    const auto& w = cfg.webhooks[i];
    notify::sink_config s;
    s.name = w.name;
    s.url = w.url;
    s.secrets = w.secrets.empty() ? std::vector<std::string>{w.secret} : w.secrets;
    for (const auto& t : w.events)
      if (auto et = porting::parse_event_type(t)) s.events.push_back(*et);
    s.ca_file = w.ca_file;
    s.timeout = w.timeout;
    s.schedule = {w.retry_base, w.retry_cap, w.max_age};
    s.concurrency = w.concurrency;
    s.body = notify::parse_body_format(w.body).value_or(notify::body_format::standard);
    s.proxy = w.proxy;
    sinks.push_back(std::move(s));
  }
  for (std::size_t i = 0; i < cfg.commands.size(); ++i) {
    const auto& c = cfg.commands[i];
    notify::sink_config s;
    s.name = c.name;
    s.command = c.argv;
    for (const auto& t : c.events)
      if (auto et = porting::parse_event_type(t)) s.events.push_back(*et);
    s.timeout = c.timeout;
    s.schedule = {c.retry_base, c.retry_cap, c.max_age};
    s.concurrency = c.concurrency;
    s.body = notify::parse_body_format(c.body).value_or(notify::body_format::standard);
    sinks.push_back(std::move(s));
  }
  notify::notifier notifier(ioc.get_executor(), repo, std::move(sinks));
  repo.set_sinks(notifier.store_sinks());
  notifier.set_commit([&eng] { eng.commit_soon(); });
  eng.add_listener([&notifier](const porting::stored_event& e) { notifier.on_committed(e); });
  {
    engine::engine::outbox_hooks hooks;
    for (const auto& s : notifier.store_sinks()) hooks.sinks.push_back(s.name);
    hooks.wake = [&notifier](const std::string& sink) { notifier.wake(sink); };
    hooks.sink_status = [&notifier] { return notifier.status(); };
    hooks.sink_metrics = [&notifier] { return notifier.metrics(); };
    eng.set_outbox_hooks(std::move(hooks));
  }

  control::server_options so;
  so.socket_path = cfg.control.socket;
  for (const auto& m : access.missing) spdlog::warn("{}", m);
  spdlog::info("control roles: {}", describe(access.rules));
  so.access = std::move(access.rules);
  so.protocol.require_owner = cfg.orders.require_owner;
  so.max_connections = static_cast<std::size_t>(cfg.control.max_connections);
  so.idle_timeout = cfg.control.idle_timeout;
  control::server srv(ioc.get_executor(), eng, so);
  if (auto fd = runtime::listen_fd()) {
    srv.adopt(*fd);
    spdlog::info("control socket handed over by systemd");
  } else {
    srv.listen();
    spdlog::info("control socket {}", cfg.control.socket.string());
  }

  std::unique_ptr<runtime::metrics_http> metrics;
  if (!cfg.metrics.listen.empty()) {
    metrics = std::make_unique<runtime::metrics_http>(ioc.get_executor(), cfg.metrics.listen, cfg.metrics.allow_remote,
                                                      [&eng] { return control::render_metrics(eng.metrics()); });
    spdlog::info("metrics on http://{}/metrics (port {})", cfg.metrics.listen, metrics->port());
  }

  eng.start();
  // One token request now, so that wrong credentials, a bad CA or a blocked route show at the
  // start (logged as an error by the client, in daemon.status), not as the first order failing.
  // portd runs on either way: orders wait for the API as for any outage. The token is kept.
  asio::co_spawn(ioc, [&client]() -> asio::awaitable<void> {
    auto r = co_await client.probe();
    if (r.outcome == porting::call_outcome::ok) spdlog::info("telegent: credentials ok");
  }, asio::detached);
  notifier.start(repo.last_event_id());
  srv.start();
  if (metrics) metrics->start();
  // One line for `systemctl status`: orders in hand, calls out, requests queued on the budget.
  auto status = [&] {
    std::string s = eng.status_line();
    if (const auto n = budget.waiting()) s += ", " + std::to_string(n) + " requests waiting for the API budget";
    return s;
  };

  // The watchdog is pinged from the loop itself, so a stuck loop gets restarted; STATUS= rides
  // along, and is refreshed every 30 s even without a watchdog.
  asio::steady_timer watchdog(ioc);
  bool stopping = false;
  const auto every = runtime::watchdog_interval();
  const std::chrono::microseconds tick =
      every ? std::min<std::chrono::microseconds>(*every / 3, std::chrono::seconds(30)) : std::chrono::seconds(30);
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    while (!stopping) {
      runtime::sd_notify_state((every ? "WATCHDOG=1\nSTATUS=" : "STATUS=") + status());
      watchdog.expires_after(tick);
      auto [ec] = co_await watchdog.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
  }, asio::detached);

  asio::signal_set signals(ioc, SIGTERM, SIGINT, SIGHUP);
  std::function<void()> wait_signal;
  wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        runtime::sd_notify_state("RELOADING=1");
        reload(config_path, cfg, srv);
        runtime::sd_notify_state("READY=1\nSTATUS=" + status());
        wait_signal();
        return;
      }
      spdlog::info("signal {}: stopping", sig);
      stopping = true;
      runtime::sd_notify_state("STOPPING=1");
      srv.drain();  // requests read and not run are answered `unavailable`
      if (metrics) metrics->stop();
      notifier.stop();  // deliveries in flight stay pending: the next start sends them
      watchdog.cancel();
      asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        co_await eng.stop(std::chrono::seconds(5));
        co_await srv.drained(std::chrono::seconds(2));
        signals.cancel();
        ioc.stop();
      }, asio::detached);
    });
  };
  wait_signal();
  // READY only now: the store is open, the socket listens, and SIGTERM/SIGHUP are handled
  // (a stop right after READY drains instead of killing the process).
  runtime::sd_notify_state("READY=1\nSTATUS=" + status());
  spdlog::info("ready");
  ioc.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"portd: carries telephone-number port orders through their whole life on the Telegent API"};
  std::string config_path = "/etc/portd/portd.toml";
  bool check = false, online = false;
  app.add_option("-c,--config", config_path, "configuration file (TOML)");
  auto* check_flag = app.add_flag("--check-config", check,
                                  "validate the configuration and the store's directory, and exit (78 when bad)");
  app.add_flag("--online", online,
               "with --check-config: also ask Telegent for a token (exit 77: credentials refused, 69: unreachable)")
      ->needs(check_flag);
  app.set_version_flag("--version", std::string("portd ") + PORTD_VERSION);
  CLI11_PARSE(app, argc, argv);
  runtime::config cfg;
  try {
    cfg = runtime::load_config(config_path, check);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "portd: configuration %s: %s\n", config_path.c_str(), e.what());
    return 78;  // EX_CONFIG
  }
  control::resolved_access access;
  try {
    access = resolve_roles(cfg);
  } catch (const std::system_error& e) {  // NSS down (LDAP, sssd): may pass; a restart retries
    std::fprintf(stderr, "portd: %s: %s\n", config_path.c_str(), e.what());
    return 1;
  }
  if (check) {
    for (const auto& m : access.missing) std::printf("warning: %s\n", m.c_str());
    for (const auto& note : cfg.unchecked) std::printf("not checked: %s\n", note.c_str());
    for (const auto& w : cfg.warnings) std::fprintf(stderr, "portd: warning: %s\n", w.c_str());
    std::string note;
    if (const auto problem = check_store_directory(cfg.store.path, note); !problem.empty()) {
      std::fprintf(stderr, "portd: configuration %s: %s\n", config_path.c_str(), problem.c_str());
      return 78;
    }
    if (!note.empty()) std::puts(note.c_str());
    if (online) {
      try {
        if (const int rc = check_online(cfg); rc != 0) return rc;
      } catch (const std::exception& e) {  // an unusable client set-up (CA file, URL)
        std::fprintf(stderr, "portd: configuration %s: %s\n", config_path.c_str(), e.what());
        return 78;
      }
    }
    std::puts("configuration ok");
    return 0;
  }
  try {
    return run(std::move(cfg), config_path, std::move(access));
  } catch (const store::store_error& e) {
    spdlog::critical("portd cannot run: {}", e.what());
    std::fprintf(stderr, "portd: %s\n", e.what());
    // A damaged or newer database is not fixed by restarting (systemd's
    // RestartPreventExitStatus lists it); a store that could not be opened may be.
    return e.unusable ? 65 : 1;  // EX_DATAERR
  } catch (const std::invalid_argument& e) {
    // What the parts refuse when they are built from the configuration (a CA file that does
    // not load, a webhook secret that is not base64): a configuration error like any other.
    spdlog::critical("portd cannot run: configuration {}: {}", config_path, e.what());
    std::fprintf(stderr, "portd: configuration %s: %s\n", config_path.c_str(), e.what());
    return 78;  // EX_CONFIG
  } catch (const std::exception& e) {
    spdlog::critical("portd cannot run: {}", e.what());
    std::fprintf(stderr, "portd: %s\n", e.what());
    return 1;
  }
}
