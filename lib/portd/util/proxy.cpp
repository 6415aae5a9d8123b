// Proxy selection and the CONNECT tunnel (see proxy.hpp).
#include <portd/util/proxy_tunnel.hpp>
#include <portd/util/url.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace portd::util {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

parsed_proxy parse_proxy(std::string_view url, std::string_view credentials) {
  parsed_proxy out;
  const auto parsed = parse_http_url(url);
  if (!parsed.url) {
    out.problem = redact_url(url) + " " +
                  (parsed.problem.find("user name or password") != std::string::npos
                       ? "holds a user name or password: put them in the credential \"proxy-credentials\" (user:password)"
                       : parsed.problem);
    return out;
  }
  if (parsed.url->tls) {
    out.problem = parsed.url->display + " is an https:// proxy; portd speaks to its proxy in plain http:// (the "
                                        "tunnel it opens carries TLS to the destination)";
    return out;
  }
  if (parsed.url->target != "/") {
    out.problem = redact_url(url) + " must be http://host[:port] only";
    return out;
  }
  proxy_endpoint p;
  p.host = parsed.url->host;
  p.port = parsed.url->port;
  p.display = parsed.url->display;
  if (!credentials.empty()) p.authorization = "Basic " + base64(credentials);
  out.proxy = std::move(p);
  return out;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in) {
  std::string host = lower(host_in);
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.find(']') - 1);
  boost::system::error_code ec;
  const auto host_address = asio::ip::make_address(host, ec);
  const bool host_is_address = !ec;
  std::size_t i = 0;
  while (i < no_proxy.size()) {
    const auto end = no_proxy.find_first_of(", ", i);
    std::string entry = lower(no_proxy.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    i = end == std::string_view::npos ? no_proxy.size() : end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // Strip a port: "[::1]:443", "host:443" (an IPv6 address without brackets has several ':').
    if (entry.front() == '[') {
      entry = entry.substr(1, entry.find(']') - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
      entry = entry.substr(0, entry.find(':'));
    }
    if (host_is_address) {
      const auto a = asio::ip::make_address(entry, ec);
      if (!ec && a == host_address) return true;
      continue;
    }
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry) return true;
    if (host.size() > entry.size() && host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.') return true;
  }
  return false;
}

asio::awaitable<tunnel_result> open_tunnel(beast::tcp_stream& s, const proxy_endpoint& p, std::string_view host,
                                           std::string_view port) {
  const bool v6 = host.find(':') != std::string_view::npos;
  const std::string authority = (v6 ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::string(port);
  http::request<http::empty_body> req{http::verb::connect, authority, 11};
  req.set(http::field::host, authority);
  req.set(http::field::user_agent, "portd/" PORTD_VERSION);
  if (!p.authorization.empty()) req.set(http::field::proxy_authorization, p.authorization);
  auto [wec, wn] = co_await http::async_write(s, req, use_tuple);
  if (wec) co_return tunnel_result{"proxy " + p.display + ": " + wec.message(), wec};
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // an answer to CONNECT has no body: what follows is the tunnel
  auto [rec, rn] = co_await http::async_read_header(s, buffer, parser, use_tuple);
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

}  // namespace portd::util
