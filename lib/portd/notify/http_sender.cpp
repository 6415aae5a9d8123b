// A webhook POST over http::client, its failures in words (see http_sender.hpp).
#include <portd/notify/http_sender.hpp>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace portd::notify {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;

namespace {

std::string describe(std::string_view what, const http::failure& f) {
  return std::string(what) + ": " + (f.timed_out ? std::string("timed out") : f.ec.message());
}

// Why a POST got no answer, as the delivery log says it.
std::string describe(const http::failure& f, const std::optional<http::proxy_endpoint>& proxy) {
  const std::string via = f.via_proxy && proxy ? " the proxy " + proxy->display : "";
  switch (f.phase) {
    case http::phase::resolve: return describe(via.empty() ? "resolve" : "resolve" + via, f);
    case http::phase::connect: return describe(via.empty() ? "connect" : "connect to" + via, f);
    case http::phase::tunnel: return f.timed_out && proxy ? "proxy " + proxy->display + ": timed out" : f.detail;
    case http::phase::tls: return describe("TLS handshake", f);
    case http::phase::write:
      return f.ec == asio::error::connection_reset && !f.timed_out ? "connection closed by the receiver"
                                                                    : describe("write", f);
    case http::phase::read: return describe("read", f);
    case http::phase::local: return "notifier stopped";
  }
  return "?";
}

http::client_config client_config_of(const http::http_url& url, std::string ca_file, std::chrono::milliseconds timeout,
                                      int max_connections, std::optional<http::proxy_endpoint> proxy) {
  http::client_config c;
  c.origin = url;
  c.ca_file = std::move(ca_file);
  c.phase_timeout = timeout;
  c.exchange_timeout = timeout;  // one deadline for the whole POST
  c.max_connections = max_connections;
  c.max_response_bytes = 64 * 1024;  // the answer is only looked at for its status
  c.proxy = std::move(proxy);
  return c;
}

}  // namespace

http_sender::http_sender(asio::any_io_executor ex, http::http_url url, std::string ca_file,
                         std::chrono::milliseconds timeout, int max_connections,
                         std::optional<http::proxy_endpoint> proxy)
    : url_(std::move(url)),
      proxy_(url_.tls ? std::move(proxy) : std::nullopt),  // only https goes through the proxy
      net_(std::move(ex), client_config_of(url_, std::move(ca_file), timeout, max_connections, proxy_)) {}

asio::awaitable<post_result> http_sender::post(std::string body, header_list headers) {
  http::request req{beast_http::verb::post, url_.target, 11};
  req.set(beast_http::field::content_type, "application/json");
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);
  const auto proxy = proxy_;  // nothing of *this is touched after the wait: close() may end it
  auto r = co_await net_.exchange(std::move(req));
  if (r.answer) co_return post_result{static_cast<int>(r.answer->result_int()), ""};
  co_return post_result{0, describe(r.failed, proxy)};
}

}  // namespace portd::notify
