// HTTPS (or, when allowed, plain HTTP) exchanges with one origin over a small pool of keep-alive
// connections. Every phase (resolve, connect, TLS handshake, write, read) has the same timeout;
// failures come back as values. TLS always verifies the peer and its host name; there is no
// plaintext fallback.
#pragma once
#include <portd/telegent/request.hpp>
#include <portd/telegent/response.hpp>
#include <portd/util/proxy.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace portd::telegent {

// scheme://host[:port], as parsed from client_config::base_url.
struct origin {
  bool tls = true;
  std::string host;  // without brackets for IPv6
  std::string port;  // "443" / "80" when not given
  std::string text;  // scheme://host[:port] as it prefixes ApiEndpoint (no trailing '/')
  std::string host_header;
};
// nullopt for anything but http(s)://host[:port] with an optional trailing '/'.
std::optional<origin> parse_origin(std::string_view base_url);

struct transport_config {
  origin where;
  std::string ca_file;  // "" = system store
  std::chrono::milliseconds timeout{30000};
  int max_connections = 4;
  std::size_t max_response_bytes = 1 << 20;
  // An https origin is reached through this proxy's CONNECT tunnel; TLS (SNI, verification)
  // is still with the origin. nullopt = direct.
  std::optional<util::proxy_endpoint> proxy;
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
  ~transport();

  // Sends one request (with `bearer` as its Authorization when non-empty) and reads the answer.
  // A request on a reused connection that the server had already closed is sent again once
  // on a fresh connection, if `resend_if_stale` (only for calls that change nothing): when
  // the connection broke after the request was written, the server may have acted on it.
  // `may_send`, when given, is asked right before the request is written (after waiting for a
  // connection); false ends the exchange with failure `try_again` and nothing sent.
  // `before_write`, when given, is awaited on the connection the request is about to be written
  // to, before `may_send`; false ends the exchange `withheld`, nothing sent.
  // Never throws for network failures.
  using write_gate = std::function<boost::asio::awaitable<bool>()>;
  boost::asio::awaitable<exchange_result> exchange(http_method method, std::string_view target,
                                                   std::string_view body, std::string_view bearer,
                                                   bool resend_if_stale = true,
                                                   std::function<bool()> may_send = {},
                                                   write_gate before_write = {});

  // Aborts in-flight exchanges and closes every connection; later exchanges fail at once.
  void close();

  std::size_t open_connections() const;  // idle + in use
  std::size_t idle_connections() const;
  std::uint64_t connections_opened() const;  // since construction

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::telegent
