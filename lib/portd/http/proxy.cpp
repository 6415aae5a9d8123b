// Proxy selection (see proxy.hpp): pure, no I/O — the configuration check (and its fuzzer)
// uses it; the CONNECT exchange is in proxy_tunnel.cpp.
#include <portd/http/proxy.hpp>
#include <portd/http/base64.hpp>
#include <portd/http/url.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace portd::http {

namespace asio = boost::asio;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
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
  if (!credentials.empty()) p.authorization = "Basic " + base64_encode(credentials);
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

}  // namespace portd::http
