// http(s) URLs by Boost.URL, with portd's rules on top (see url.hpp).
#include <portd/http/url.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

namespace portd::http {

namespace urls = boost::urls;

parsed_url parse_http_url(std::string_view text) {
  parsed_url out;
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) {
    out.problem = "is not a URL (" + parsed.error().message() + ")";
    return out;
  }
  const urls::url_view& u = *parsed;
  http_url r;
  if (u.scheme_id() == urls::scheme::https) {
    r.tls = true;
  } else if (u.scheme_id() == urls::scheme::http) {
    r.tls = false;
  } else {
    out.problem = "must start with https:// (or http:// to this host)";
    return out;
  }
  if (u.has_userinfo()) {
    out.problem = "holds a user name or password: put credentials in the secret file, not in the URL";
    return out;
  }
  if (u.has_fragment()) {
    out.problem = "has a #fragment, which is never sent";
    return out;
  }
  switch (u.host_type()) {
    case urls::host_type::name:
      r.host = std::string(u.encoded_host_name());
      if (r.host.find('%') != std::string::npos) {
        out.problem = "has a percent-encoded host name";
        return out;
      }
      break;
    case urls::host_type::ipv4:
      r.host = u.host_ipv4_address().to_string();
      break;
    case urls::host_type::ipv6:
      r.host = u.host_ipv6_address().to_string();
      break;
    default:
      out.problem = "has no host name or address";
      return out;
  }
  if (r.host.empty()) {
    out.problem = "has no host";
    return out;
  }
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0 || u.port() != std::to_string(u.port_number())) {
      out.problem = "has a port that is not 1 to 65535";
      return out;
    }
    r.port = std::to_string(u.port_number());
  } else {
    r.port = r.tls ? "443" : "80";
  }
  r.target = std::string(u.encoded_target());
  if (r.target.empty() || r.target.front() != '/') r.target.insert(0, "/");
  r.host_header = std::string(u.encoded_host_and_port());
  r.display = std::string(r.tls ? "https://" : "http://") + r.host_header;
  out.url = std::move(r);
  return out;
}

parsed_url parse_origin(std::string_view text) {
  auto out = parse_http_url(text);
  if (out.url && out.url->target != "/") {
    out.url.reset();
    out.problem = "must be scheme://host[:port] only, without a path or query";
  }
  return out;
}

bool is_loopback_host(std::string_view host) {
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "localhost") return true;
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(lower, ec);
  return !ec && a.is_loopback();
}

std::string redact_url(std::string_view text) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return "(not a URL)";
  const auto start = scheme_end + 3;
  const auto end = std::min(text.find_first_of("/?#", start), text.size());
  std::string_view authority = text.substr(start, end - start);
  std::string out(text.substr(0, start));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out += "***@";
    authority.remove_prefix(at + 1);
  }
  out += authority;
  if (end < text.size()) out += "/…";
  return out;
}

}  // namespace portd::http
