// Telegent requests built from an order (telegent-api.md §1–7). Pure. A request_spec holds
// secrets in its body: it is never logged, and its `secrets` list is what responses are
// scrubbed of.
#pragma once
#include <portd/porting/order.hpp>
#include <portd/porting/types.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace portd::telegent {

namespace paths {
inline constexpr std::string_view token = "/v1.0/oauth2/tokens";
inline constexpr std::string_view eligibility = "/v1.0/numbers/portin/eligibility";
inline constexpr std::string_view port_in = "/v1.0/numbers/portin";
inline constexpr std::string_view update = "/v1.0/numbers/portin/update";
inline constexpr std::string_view cancel = "/v1.0/numbers/portin/cancel";
inline constexpr std::string_view order = "/v1.0/numbers/order";
inline constexpr std::string_view port_out = "/v1.0/numbers/portout";
}  // namespace paths

// How PortInDate is written: §9 "dates out" (YYYY-MM-DD first, MM/DD/YYYY after a 400 naming it).
enum class date_style : std::uint8_t { iso, us };

enum class http_method : std::uint8_t { get, post };
std::string_view to_string(http_method);
std::ostream& operator<<(std::ostream&, http_method);
std::string_view to_string(date_style);
std::ostream& operator<<(std::ostream&, date_style);

struct request_spec {
  http_method method = http_method::post;
  std::string path;    // the token scope: no query string
  std::string target;  // path + query
  std::string body;    // JSON; empty for GET
  bool has_port_in_date = false;
  std::vector<std::string> secrets;  // values sent that must never come back in a result
  std::string problem;  // non-empty: the order lacks what the call needs (nothing to send)
  // May the transport send it again by itself when a reused keep-alive connection turns out
  // closed? Only for calls that change nothing at Telegent: a resent submit could create a
  // second order (rule 3 leaves that decision to decide(), which knows the duplicate guard).
  bool resend_if_stale = true;
};

// The request for `kind` on `o`: eligibility uses `eligibility_classification`; update sends
// OrderId and every non-empty correction field. Never throws.
request_spec build_request(const porting::order& o, porting::call_kind kind,
                           std::string_view eligibility_classification, date_style dates);

// The token request for the API endpoint URL `api_endpoint` (base_url + path, no query).
request_spec build_token_request(std::string_view account_key, std::string_view account_secret,
                                 std::string_view api_endpoint);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view s);

}  // namespace portd::telegent
