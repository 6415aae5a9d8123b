// Telegent's requests over the shared HTTP client (http/client.hpp): its request shape
// (JSON, a bearer token) and its answers and failures in the terms response.hpp classifies.
// One phase timeout for each of resolve, connect, TLS handshake, write and read; TLS always
// verifies the peer and its host name; there is no plaintext fallback.
#pragma once
#include <portd/http/client.hpp>
#include <portd/telegent/request.hpp>
#include <portd/telegent/response.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace portd::telegent {

struct transport_config {
  http::http_url where;  // the origin (http::parse_origin of client_config::base_url)
  std::string ca_file;   // "" = system store
  std::chrono::milliseconds timeout{30000};
  int max_connections = 4;
  std::size_t max_response_bytes = 1 << 20;
  // An https origin is reached through this proxy's CONNECT tunnel; TLS (SNI, verification)
  // is still with the origin. nullopt = direct.
  std::optional<http::proxy_endpoint> proxy;
};

// Either an answer or the failure that prevented one.
struct exchange_result {
  std::optional<http_answer> answer;
  transport_failure failure;
  bool withheld = false;  // `before_write` said no: nothing was sent
};

class transport {
 public:
  // Throws std::invalid_argument when the CA file cannot be loaded.
  transport(boost::asio::any_io_executor ex, transport_config cfg);

  // Sends one request (with `bearer` as its Authorization when non-empty) and reads the answer.
  // `resend_if_stale`, `may_send` and `before_write` are http::exchange_options' (a `may_send`
  // refusal ends the exchange with failure `try_again`, nothing sent). Never throws for
  // network failures.
  using write_gate = std::function<boost::asio::awaitable<bool>()>;
  boost::asio::awaitable<exchange_result> exchange(http_method method, std::string_view target,
                                                   std::string_view body, std::string_view bearer,
                                                   bool resend_if_stale = true,
                                                   std::function<bool()> may_send = {},
                                                   write_gate before_write = {});

  // Aborts in-flight exchanges and closes every connection; later exchanges fail at once.
  void close() { net_.close(); }

  std::size_t open_connections() const { return net_.open_connections(); }
  std::size_t idle_connections() const { return net_.idle_connections(); }
  std::uint64_t connections_opened() const { return net_.connections_opened(); }

 private:
  http::client net_;
};

}  // namespace portd::telegent
