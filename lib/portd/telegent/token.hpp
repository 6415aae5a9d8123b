// Telegent access tokens (telegent-api.md §1): parsing the token answer and deciding when a
// cached token must be refreshed. Pure: `now` is passed in.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/types.hpp>
#include <portd/telegent/response.hpp>

#include <string>
#include <variant>

namespace portd::telegent {

struct access_token {
  std::string value;
  porting::time_point issued_at{};   // when we received it
  porting::time_point expires_at{};  // tokenExpiry (no zone: UTC)
};

// Lifetime assumed when tokenExpiry is missing or unreadable (a 401 corrects a wrong guess).
inline constexpr porting::milliseconds fallback_token_lifetime = std::chrono::minutes(5);

// True once less than max(60 s, 10% of the token's lifetime) is left, or it has expired.
bool needs_refresh(const access_token& t, porting::time_point now);
// True once the token can no longer be sent at all.
bool expired(const access_token& t, porting::time_point now);

// A token answer as a token (200 with a token) or a failed api_result for `call` (the call
// that needed the token): 200 with successful:false or 401 → refused "unauthorized";
// 200 without a token → transient "bad_response"; anything else → as classify_answer().
// A failed token request never sent the call itself: maybe_processed is always false.
std::variant<access_token, porting::api_result> read_token_answer(porting::call_kind call,
                                                               const http_answer& a,
                                                               porting::time_point now);

}  // namespace portd::telegent
