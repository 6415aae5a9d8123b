// libFuzzer: date parsing (every remote form, token expiry, HTTP-dates, strict ISO, the US
// conversion) and status interpretation for both order kinds. Also checks one round-trip
// property: a strict ISO date converts to a US date that parses back to the same day.
#include <portd/telegent/dates.hpp>
#include <portd/telegent/status.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace portd::telegent;
using namespace portd::porting;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  (void)parse_remote_datetime(s);
  (void)parse_remote_time(s);
  (void)parse_token_expiry(s);
  (void)remote_date_to_iso(s);
  (void)parse_http_date(s);
  if (auto d = parse_iso_date(s)) {
    (void)format_iso_date(*d);
    auto us = iso_date_to_us(s);
    if (!us) std::abort();  // a valid ISO date must convert
    auto back = remote_date_to_iso(*us);
    if (!back || *back != format_iso_date(*d)) std::abort();
  }
  (void)is_valid_iso_date(s);
  (void)status_key(s);
  for (auto kind : {order_kind::port_in, order_kind::port_out}) {
    auto m = interpret_status(s, kind);
    auto n = normalise_status(s, kind);
    if ((m.what == status_meaning::kind::state) != n.has_value()) std::abort();
  }
  return 0;
}
