// The CONNECT exchange that opens a tunnel through an HTTP proxy (see proxy_tunnel.hpp).
#include <portd/http/proxy_tunnel.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace portd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;  // (portd::http is this namespace)
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<tunnel_result> open_tunnel(beast::tcp_stream& s, const proxy_endpoint& p, std::string_view host,
                                           std::string_view port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  const std::string authority = (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::string(port);
  bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, authority, 11};
  req.set(bhttp::field::host, authority);
  req.set(bhttp::field::user_agent, "portd/" PORTD_VERSION);
  if (!p.authorization.empty()) req.set(bhttp::field::proxy_authorization, p.authorization);
  auto [wec, wn] = co_await bhttp::async_write(s, req, use_tuple);
  if (wec) co_return tunnel_result{"proxy " + p.display + ": " + wec.message(), wec};
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);  // an answer to CONNECT has no body: what follows is the tunnel
  auto [rec, rn] = co_await bhttp::async_read_header(s, buffer, parser, use_tuple);
  if (rec) co_return tunnel_result{"proxy " + p.display + ": " + rec.message(), rec};
  const int status = static_cast<int>(parser.get().result_int());
  if (status == 407)
    co_return tunnel_result{"proxy " + p.display + " asks for credentials (407)" +
                                (p.authorization.empty() ? ": give them in the credential \"proxy-credentials\""
                                                         : ": it refused ours"),
                            {}};
  if (status / 100 != 2)
    co_return tunnel_result{"proxy " + p.display + " refused the tunnel to " + authority + ": HTTP " + std::to_string(status), {}};
  // Anything the proxy sent after its header would be the origin speaking before our TLS hello.
  if (buffer.size() != 0) co_return tunnel_result{"proxy " + p.display + " sent data before the tunnel opened", {}};
  co_return tunnel_result{};
}

}  // namespace portd::http
