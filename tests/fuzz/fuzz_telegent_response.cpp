// libFuzzer: Telegent answers. The input's first byte picks the HTTP status and the call (each
// endpoint: eligibility, submit port-in/out, update, cancel, status) and the token answer; the
// rest is split at the first '\n' into a Retry-After header and the body. Covers
// classify_answer, read_token_answer, parse_fields, parse_problem, parse_retry_after and the
// tolerant JSON accessors.
#include <portd/telegent/response.hpp>
#include <portd/telegent/token.hpp>
#include <portd/telegent/tolerant_json.hpp>

#include <boost/json/object.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace portd;
using namespace portd::telegent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<int, 12> statuses{200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 503};
  static constexpr std::array<porting::call_kind, 6> calls{
      porting::call_kind::eligibility, porting::call_kind::submit_port_in, porting::call_kind::submit_port_out,
      porting::call_kind::update,      porting::call_kind::cancel,         porting::call_kind::status};
  if (size == 0) return 0;
  const std::uint8_t sel = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view header;
  if (auto nl = rest.find('\n'); nl != std::string_view::npos && (sel & 0x80)) {
    header = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  http_answer a;
  a.status = statuses[sel % statuses.size()];
  a.body = std::string(rest);
  a.retry_after = std::string(header);
  const auto now = porting::time_point{} + std::chrono::hours(24 * 365 * 56);  // ~2026

  const auto call = calls[(sel / statuses.size()) % calls.size()];
  auto r = classify_answer(call, a, now);
  redact(r, {"secret", "tok\"en"});
  (void)read_token_answer(call, a, now);
  if (auto t = read_token_answer(call, a, now); auto* tok = std::get_if<access_token>(&t)) {
    (void)needs_refresh(*tok, now);
    (void)expired(*tok, now);
  }
  (void)parse_fields(rest);
  auto p = parse_problem(rest);
  (void)p.names_field("PortInDate");
  (void)p.message();
  (void)parse_retry_after(header, rest, now);
  if (auto v = json_access::parse(rest)) {
    if (auto* o = v->if_object()) {
      (void)json_access::get_bool(*o, {"Eligible", "successful"});
      (void)json_access::get_seconds(*o, {"RetryAfter"});
      for (auto& kv : *o) (void)json_access::to_e164(kv.value());
    } else {
      (void)json_access::to_e164(*v);
    }
  }
  return 0;
}
