// portd's configuration file (docs/CONFIG.md is the contract): TOML, every key with a
// default except the credentials, unknown keys and bad values refused with their names.
#pragma once
#include <portd/porting/policy.hpp>
#include <portd/http/proxy.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace portd::runtime {

// The message names the key and the offending value: "poll.submitted: \"15x\" is not a
// duration (use ms, s, m, h or d)".
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// [control] operators/readers: users and groups by number, and by name ("portd-operators"),
// which the daemon resolves at start and on SIGHUP (control::resolve_access), not here.
struct id_set {
  std::vector<std::uint32_t> uids, gids;
  std::vector<std::string> users, groups;
  bool operator==(const id_set&) const = default;
};

struct webhook_config {
  std::string name;  // the outbox's sink name; "webhook:N" (by position) unless set
  std::string url;
  // Loaded from secret_file, else the credential webhook-secret-<name> (a named sink), else
  // webhook-secret-<position>. Each line a Standard Webhooks "whsec_" secret; never logged.
  std::string secret;
  std::vector<std::string> events;  // event types; empty = all
  // Every secret of the file, one per line, newest first (the first is `secret`): during a
  // rotation each one signs, so receivers holding either accept the message.
  std::vector<std::string> secrets;
  std::string ca_file;                                               // "" = system store
  std::chrono::milliseconds timeout = std::chrono::seconds(10);      // per attempt
  std::chrono::milliseconds retry_base = std::chrono::seconds(5);    // first wait, doubling…
  std::chrono::milliseconds retry_cap = std::chrono::hours(1);       // …up to this
  std::chrono::milliseconds max_age = std::chrono::hours(72);        // then a dead letter
  int concurrency = 4;                                               // deliveries in flight
  std::string body = "standard";  // "standard" ({type, timestamp, data}) | "portd-v1" ({event, order})
  // The proxy deliveries go through (https:// URLs only): the `proxy` key, else HTTPS_PROXY
  // unless NO_PROXY names the host; nullopt = direct.
  std::optional<http::proxy_endpoint> proxy;
};

// [[command]]: a program that gets each event's delivery JSON on stdin (same retry rules).
struct command_config {
  std::string name;                 // the outbox's sink name; "command:N" unless set
  std::vector<std::string> argv;    // program = "/path" or ["/path", "arg", …]
  std::vector<std::string> events;  // event types; empty = all
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  std::chrono::milliseconds retry_base = std::chrono::seconds(5);
  std::chrono::milliseconds retry_cap = std::chrono::hours(1);
  std::chrono::milliseconds max_age = std::chrono::hours(72);
  int concurrency = 4;
  std::string body = "standard";  // the stdin JSON, as [[webhook]] body
};

struct config {
  struct telegent_section {
    std::string base_url = "https://api.telegent.com";
    std::string account_key;
    std::string account_secret;  // loaded from account_secret_file or the "telegent-secret" credential
    std::string ca_file;
    bool allow_insecure_http = false;
    double requests_per_minute = 50;
    int burst = 5;
    std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
    std::string eligibility_classification = "mvno";
    int max_connections = 4;
    // The proxy to Telegent (https base_url only): [telegent] proxy, else HTTPS_PROXY unless
    // NO_PROXY names the host; nullopt = direct.
    std::optional<http::proxy_endpoint> proxy;
  } telegent;
  struct orders_section {
    bool require_owner = false;
    // How long an ambiguous port-in submission is still resent (porting::policy::resend_window).
    std::chrono::milliseconds resend_window = std::chrono::hours(4);
  } orders;
  struct store_section {
    std::filesystem::path path = "/var/lib/portd/portd.db";
  } store;
  struct control_section {
    std::filesystem::path socket = "/run/portd/portd.sock";
    id_set operators, readers;
    int max_connections = 256;
    std::chrono::milliseconds idle_timeout = std::chrono::minutes(10);
  } control;
  porting::poll_policy poll;
  porting::retry_policy retry;
  porting::stale_policy stale;  // [stale]: "0s" turns a limit off
  std::vector<webhook_config> webhooks;
  std::vector<command_config> commands;
  struct metrics_section {
    std::string listen;  // "127.0.0.1:9464": serve GET /metrics there; "" = off
    bool allow_remote = false;  // listen may be a non-loopback address
  } metrics;
  // [retention]: what portd stops keeping. "0s" keeps for ever.
  struct retention_section {
    std::chrono::milliseconds delivered_outbox = std::chrono::hours(24 * 30);  // delivered outbox rows
    std::chrono::milliseconds raw_bodies = std::chrono::hours(24 * 90);        // raw bodies of finished orders
    std::chrono::milliseconds interval = std::chrono::hours(1);                // how often it runs
    int batch = 500;                                                           // rows per transaction
  } retention;
  struct log_section {
    std::string level = "info";
  } log;
  // What a check outside the service could not see (see load_config's `checking`), one
  // sentence each; empty when loaded for a run.
  std::vector<std::string> unchecked;
  // Accepted but worth telling the operator (a setting about to go away, a changed default):
  // logged as warnings at start, printed by --check-config. Never holds a secret.
  std::vector<std::string> warnings;
};

// Reads and validates the file. Relative paths are resolved against the file's directory;
// secret files must not be group- or world-readable. Throws config_error.
// `checking` (portd --check-config): a secret left to a systemd credential while
// $CREDENTIALS_DIRECTORY is unset — the check runs outside the service, as the README's set-up
// has it — is not an error; config::unchecked says so, and everything else is checked.
config load_config(const std::filesystem::path& file, bool checking = false);

// "90s", "15m", "2h", "1d", "250ms" → duration; nullopt if malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Reads a secret from `file` (trailing newline stripped), refusing a file that group or others
// may read. `what` names the key for messages. Throws config_error.
std::string read_secret_file(const std::filesystem::path& file, const std::string& what);

}  // namespace portd::runtime
