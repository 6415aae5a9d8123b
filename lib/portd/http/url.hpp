// The one reading of an http(s) URL that portd uses for outgoing requests (webhooks, Telegent's
// base_url, a proxy): Boost.URL's RFC 3986 parser plus portd's rules, applied alike by the
// configuration check and by the senders, so that a URL the check passes is one they can use.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace portd::http {

struct http_url {
  bool tls = true;
  std::string host;         // as parsed: a name, an IPv4 address, or IPv6 without brackets
  std::string port;         // "443" / "80" when not given
  std::string target;       // path and query, "/" when empty
  std::string host_header;  // host[:port] as written (IPv6 in brackets)
  // scheme://host[:port] only (a path or query may carry a token): for logs and status.
  std::string display;
};

// An http_url, or why the text is not one portd sends to (`problem`, which never repeats the
// URL's user-info).
struct parsed_url {
  std::optional<http_url> url;
  std::string problem;
};

// Accepts http(s)://host[:port][/path][?query]: absolute, host not empty, port 1-65535, no
// user-info (credentials belong in a secret file, where they are not logged), no fragment.
parsed_url parse_http_url(std::string_view text);

// An origin, as telegent.base_url is given: parse_http_url's rules, and nothing after
// scheme://host[:port] but an optional "/" (the client adds its own paths).
parsed_url parse_origin(std::string_view text);

// True for the parsed host "localhost", 127.0.0.0/8 and ::1 — decided on the host itself,
// never by its spelling ("127.evil.example" is a name like any other).
bool is_loopback_host(std::string_view host);

// `text` fit to print: user-info replaced by "***", and nothing after the authority (a path or
// query may carry a token) — "https://***@crm.example.com/…".
std::string redact_url(std::string_view text);

}  // namespace portd::http
