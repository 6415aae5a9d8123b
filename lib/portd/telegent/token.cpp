// Token answers and the refresh rule (see token.hpp).
#include <portd/telegent/dates.hpp>
#include <portd/telegent/token.hpp>
#include <portd/telegent/tolerant_json.hpp>

#include <algorithm>

namespace portd::telegent {

namespace ja = json_access;
using namespace std::chrono_literals;

bool expired(const access_token& t, porting::time_point now) { return now >= t.expires_at; }

bool needs_refresh(const access_token& t, porting::time_point now) {
  const auto lifetime = std::max(t.expires_at - t.issued_at, porting::milliseconds{0});
  const auto margin = std::max<porting::milliseconds>(60s, lifetime / 10);
  return t.expires_at - now < margin;
}

std::variant<access_token, porting::api_result> read_token_answer(porting::call_kind call,
                                                               const http_answer& a,
                                                               porting::time_point now) {
  auto failure = [&](porting::call_outcome outcome, std::string reason, std::string message) {
    porting::api_result r;
    r.call = call;
    r.outcome = outcome;
    r.http_status = a.status;
    r.reason = std::move(reason);
    r.message = std::move(message);
    r.raw = a.body;
    return r;
  };
  if (a.status == 200) {
    auto v = ja::parse(a.body);
    const auto* o = v ? v->if_object() : nullptr;
    if (!o) {
      return failure(porting::call_outcome::transient, "bad_response",
                     "token answer is not a JSON object");
    }
    const auto successful = ja::get_bool(*o, {"successful", "success"});
    const auto token = ja::get_string(*o, {"token", "access_token", "accessToken"});
    if (successful == false) {
      auto msg = ja::get_string(*o, {"message", "error", "errorMessage"}).value_or("");
      return failure(porting::call_outcome::refused, "unauthorized",
                     "token refused" + (msg.empty() ? std::string{} : ": " + msg));
    }
    if (!token || token->empty()) {
      return failure(porting::call_outcome::transient, "bad_response", "token answer without a token");
    }
    access_token t;
    t.value = *token;
    t.issued_at = now;
    const auto expiry = ja::get_string(*o, {"tokenExpiry", "expiry", "expiresAt"});
    const auto parsed = expiry ? parse_token_expiry(*expiry) : std::nullopt;
    t.expires_at = parsed ? *parsed : now + fallback_token_lifetime;
    return t;
  }
  auto r = classify_answer(call, a, now);
  r.maybe_processed = false;  // the call itself never left
  if (a.status == 401) {
    r.outcome = porting::call_outcome::refused;
    r.reason = "unauthorized";
  }
  if (r.outcome == porting::call_outcome::ok) {  // a 2xx other than 200
    r = failure(porting::call_outcome::transient, "bad_response", "unexpected token answer");
  }
  return r;
}

}  // namespace portd::telegent
