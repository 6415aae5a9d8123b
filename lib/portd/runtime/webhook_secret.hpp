// The Standard Webhooks symmetric secret, read the way the spec's libraries read it: "whsec_"
// then base64 of the HMAC key. One rule for the configuration check and the signer, so a
// secret that passes --check-config is exactly one a receiver's library accepts. Pure.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace portd::runtime {

// The spec's table: "Random. At least 24 bytes (192 bits, 512 maximum)".
inline constexpr std::size_t webhook_key_min_bytes = 24;
inline constexpr std::size_t webhook_key_max_bytes = 64;

struct webhook_key {
  std::optional<std::string> key;  // the decoded HMAC key, or nullopt and
  std::string problem;             // why not (never repeats the secret)
};

// "whsec_" + standard, padded base64 (RFC 4648 §4: the alphabet with + and /, '=' padding) of
// 24 to 64 bytes. Padding is required because the Go library decodes with StdEncoding, which
// refuses unpadded text; what it accepts every library accepts.
webhook_key decode_webhook_secret(std::string_view secret);

}  // namespace portd::runtime
