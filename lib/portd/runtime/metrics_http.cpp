// The Prometheus endpoint: one request per connection, a timeout on every phase,
// a bound on connections so a scraper gone wild cannot exhaust the daemon.
#include <portd/runtime/metrics_http.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace portd::runtime {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct metrics_http::impl : std::enable_shared_from_this<impl> {
  impl(asio::any_io_executor ex, tcp::endpoint ep, std::function<std::string()> t)
      : acceptor(ex, ep), text(std::move(t)) {}
  tcp::acceptor acceptor;
  std::function<std::string()> text;
  int connections = 0;
  bool stopped = false;

  asio::awaitable<void> serve(tcp::socket sock) {
    ++connections;
    beast::tcp_stream stream(std::move(sock));
    stream.expires_after(std::chrono::seconds(10));
    beast::flat_buffer buf;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(8 * 1024);
    auto [ec, n] = co_await http::async_read(stream, buf, parser, asio::as_tuple(asio::use_awaitable));
    if (!ec && !stopped) {
      const auto& req = parser.get();
      http::response<http::string_body> res;
      res.version(11);
      res.keep_alive(false);
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
      } else if (req.target() != "/metrics") {
        res.result(http::status::not_found);
        res.body() = "try /metrics\n";
      } else {
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4");
        if (req.method() == http::verb::get) res.body() = text();
      }
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    --connections;
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec || stopped) break;
      if (connections >= 16) continue;  // dropped: a scraper needs one at a time
      asio::co_spawn(acceptor.get_executor(), serve(std::move(sock)), asio::detached);
    }
  }
};

metrics_http::metrics_http(asio::any_io_executor ex, const std::string& listen, bool allow_remote,
                           std::function<std::string()> text) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("\"" + listen + "\" is not host:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("\"" + listen + "\" is not an IP address and port");
  if (!addr.is_loopback() && !allow_remote)
    throw std::invalid_argument("\"" + listen + "\" is not a loopback address (metrics.allow_remote is false)");
  int port = -1;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("\"" + listen + "\" has no valid port");
  impl_ = std::make_shared<impl>(ex, tcp::endpoint(addr, static_cast<unsigned short>(port)), std::move(text));
}

metrics_http::~metrics_http() { stop(); }

void metrics_http::start() {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->accept_loop(), asio::detached);
}

void metrics_http::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

unsigned short metrics_http::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace portd::runtime
