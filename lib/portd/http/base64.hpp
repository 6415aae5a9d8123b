// Standard base64 (RFC 4648 §4: A–Z a–z 0–9 + /, '=' padding), the one codec for what portd
// puts in or reads from HTTP: a proxy's Basic credentials, webhook signatures and the
// "whsec_" secrets they are made with. Pure; OpenSSL does the coding.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace portd::http {

std::string base64_encode(std::string_view bytes);

// The bytes of `text`, or nullopt unless it is standard padded base64: a multiple of 4
// characters from the alphabet, '=' only as the last one or two.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace portd::http
