// HTTP/1.1 exchanges with one origin over a small pool of keep-alive connections: the one
// client stack that Telegent (telegent/client) and the webhooks (notify/http_sender) use.
// HTTPS as tls.hpp sets it up (plain http only when the caller's URL says so), an optional
// egress proxy (CONNECT tunnel, https only), a deadline on every phase (resolve, connect,
// tunnel, TLS handshake, write, read) and optionally on the whole exchange. Expected network
// failures come back as values, never as exceptions.
#pragma once
#include <portd/http/proxy.hpp>
#include <portd/http/url.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace portd::http {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

// Where an exchange stopped. `local`: in portd, before anything was sent (closed, held back).
enum class phase : std::uint8_t { resolve, connect, tunnel, tls, write, read, local };
std::string_view to_string(phase);
std::ostream& operator<<(std::ostream&, phase);

struct failure {
  http::phase phase = phase::connect;
  boost::system::error_code ec;
  bool sent = false;       // every request byte was written: the server may have acted on it
  bool timed_out = false;  // the phase's (or the exchange's) deadline fired
  bool too_large = false;  // the response passed max_response_bytes
  bool via_proxy = false;  // resolve/connect failed on the way to the proxy, not the origin
  std::string detail;      // why, when ec alone does not say (the proxy refused the tunnel)
};

// An answer, or the failure that prevented one.
struct result {
  std::optional<response> answer;
  failure failed;         // meaningful when !answer
  bool withheld = false;  // `before_write` said no: nothing was sent
};

struct client_config {
  http_url origin;       // scheme, host and port; its target is not used
  std::string ca_file;   // "" = the system store
  std::chrono::milliseconds phase_timeout{30000};              // each phase on its own
  std::optional<std::chrono::milliseconds> exchange_timeout;  // all of one exchange, when set
  int max_connections = 4;                                     // open at once (idle + in use)
  std::size_t max_response_bytes = 1 << 20;
  // An https origin is reached through this proxy's CONNECT tunnel; TLS (SNI, verification)
  // is still with the origin. Ignored for plain http. nullopt = direct.
  std::optional<proxy_endpoint> proxy;
};

struct exchange_options {
  // A request on a reused connection that the server had already closed (nothing came back)
  // is sent again once on a fresh connection. Set false for calls that must not be repeated
  // unless nothing was written: the server may have acted on a request it never answered.
  bool resend_if_stale = true;
  // Asked right before the request is written (after waiting for a connection); false ends
  // the exchange with a `local` failure, ec = try_again, nothing sent.
  std::function<bool()> may_send;
  // Awaited on the connection the request is about to be written to, before `may_send`;
  // false ends the exchange `withheld`, nothing sent.
  std::function<boost::asio::awaitable<bool>()> before_write;
};

class client {
 public:
  // Throws std::invalid_argument when the CA file (or the system store) cannot be loaded.
  client(boost::asio::any_io_executor ex, client_config cfg);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends `req` (Host, User-Agent and keep-alive are set here) and reads the answer. Never
  // throws for network failures. An exchange in flight keeps the pool alive past ~client.
  boost::asio::awaitable<result> exchange(request req, exchange_options opts = {});

  // Aborts exchanges in flight and closes every connection; later exchanges fail at once.
  void close();

  std::size_t open_connections() const;  // idle + in use
  std::size_t idle_connections() const;
  std::uint64_t connections_opened() const;  // since construction

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::http
