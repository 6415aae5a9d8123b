// The Telegent API client: one call per order action, under the account's request budget,
// with per-endpoint token caching. Returns outcomes as values (core::api_result); retries of
// failed calls are decided by core::decide(), not here (except the single re-authentication
// after a 401, which is transparent).
#pragma once
#include <portd/core/event.hpp>
#include <portd/core/order.hpp>
#include <portd/telegent/budget.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

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
};

struct client_stats {
  std::uint64_t requests_total = 0;
  std::map<std::string, std::uint64_t> by_status;  // "200", "429", "transport"
  std::uint64_t in_flight = 0;
};

class client {
 public:
  // Throws std::invalid_argument for an unusable config (http:// without allow_insecure_http,
  // unreadable CA file, malformed base_url).
  client(boost::asio::any_io_executor ex, client_config cfg, budget& b);
  ~client();

  // Awaited once the call has its budget, its token and a connection, right before its request
  // is written (and again before a re-sent one): the caller records that the request may have
  // left. false means "do not send": the call returns a transient result that says nothing left.
  using send_gate = std::function<boost::asio::awaitable<bool>()>;

  // Performs `kind` for the order `o` (its number, remote_order_id, details and secrets),
  // waiting for the budget at `prio`. Never throws for network or API failures: they come
  // back classified in the result.
  boost::asio::awaitable<core::api_result> call(const core::order& o, core::call_kind kind,
                                                priority prio, send_gate gate = {});

  const client_stats& stats() const;
  // Cancels in-flight requests and closes connections (shutdown).
  void close();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::telegent
