// The Telegent API client: one call per order action, under the account's request budget,
// with per-endpoint token caching. Returns outcomes as values (porting::api_result); retries of
// failed calls are decided by porting::decide(), not here (except the single re-authentication
// after a 401, which is transparent).
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>
#include <portd/telegent/api.hpp>
#include <portd/telegent/budget.hpp>
#include <portd/runtime/metrics.hpp>
#include <portd/http/proxy.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace portd::telegent {

struct client_config {
  std::string base_url = "https://api.telegent.com";  // scheme://host[:port]
  std::string account_key;
  std::string account_secret;  // a secret: never logged
  std::string ca_file;         // extra CA bundle; "" = system store
  bool allow_insecure_http = false;
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  std::string eligibility_classification = "mvno";
  int max_connections = 4;                  // keep-alive connections to the API
  std::size_t max_response_bytes = 1 << 20;
  std::optional<http::proxy_endpoint> proxy;  // for an https base_url; nullopt = direct
};

// What the last token request said about the account's credentials and the way to Telegent.
struct credentials_state {
  bool verified = false;       // a token was granted at least once since the start
  std::string problem;         // "" unless the last token request failed: "credentials refused
                               // (401)", "TLS failed", "unreachable", "token request failed"
  std::string detail;          // the failure as the client saw it (secret-free)
  std::optional<porting::time_point> at;  // when the last token request ended
};

struct client_stats {
  std::uint64_t requests_total = 0;
  std::map<std::string, std::uint64_t> by_status;  // "200", "429", "transport"
  std::uint64_t in_flight = 0;
  credentials_state credentials;
  // Seconds from writing a request (a connection taken) to its answer or failure, by path
  // ("/v1.0/numbers/order") and status class ("2xx", "4xx", "5xx", "transport").
  std::map<std::pair<std::string, std::string>, runtime::histogram> latency;
};

class client final : public api {
 public:
  // Throws std::invalid_argument for an unusable config (http:// without allow_insecure_http,
  // unreadable CA file, malformed base_url).
  client(boost::asio::any_io_executor ex, client_config cfg, budget& b);
  ~client() override;

  // See api.hpp.
  boost::asio::awaitable<porting::api_result> call(const porting::order& o, porting::call_kind kind,
                                                priority prio) override;
  // The call runs on as a task of its own that stops right before its request is written and
  // waits there for send() or withhold() (or for the ready_request to be destroyed).
  boost::asio::awaitable<prepared> prepare(const porting::order& o, porting::call_kind kind, priority prio) override;

  // Requests one token (for the order-status endpoint, which polls use; it is kept for them)
  // under the budget at command priority: proves the credentials, the TLS set-up and the way to
  // Telegent before any order depends on them. An ok result, or the failure, classified; a
  // failure is also logged as an error and kept in stats().credentials. Never throws.
  boost::asio::awaitable<porting::api_result> probe();

  const client_stats& stats() const override;
  // Cancels in-flight requests and closes connections (shutdown).
  void close() override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::telegent
