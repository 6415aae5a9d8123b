// Standard Webhooks signing (https://www.standardwebhooks.com): the receiver recomputes
// base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")) and compares it with the
// "v1,<base64>" entries of the webhook-signature header. Pure; no I/O.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace portd::notify {

// The HMAC key of a configured secret, as the Standard Webhooks libraries take it: the base64
// after "whsec_", decoded. nullopt for anything else (runtime::decode_webhook_secret says why).
std::optional<std::string> signing_key(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>" for one key.
std::string sign(std::string_view key, std::string_view msg_id, std::string_view timestamp,
                 std::string_view body);

// The webhook-signature header: one "v1,…" entry per key, space-separated (several keys while
// a secret is being rotated; receivers accept a message when any entry matches).
std::string signature_header(std::span<const std::string> keys, std::string_view msg_id,
                             std::string_view timestamp, std::string_view body);

// True when any "v1,…" entry of `header` is the signature of the message under `key`
// (constant-time comparison). What a receiver does; kept here for tests and tools.
bool verify(std::string_view key, std::string_view msg_id, std::string_view timestamp,
            std::string_view body, std::string_view header);

}  // namespace portd::notify
