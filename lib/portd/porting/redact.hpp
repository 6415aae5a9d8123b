// Keeping secrets out of everything that leaves the daemon: masked account numbers and
// secret-free text for replies, logs and error messages. Pure.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>

namespace portd::porting {

// "****" followed by the last 4 characters ("****2222"); "****" alone when the number has 4
// characters or fewer (showing them would show it all); "" for "".
std::string mask_account_number(std::string_view account_number);

// `text` with every occurrence of each non-empty secret replaced by "[redacted]".
std::string redact(std::string_view text, std::initializer_list<std::string_view> secrets);

inline constexpr std::string_view redacted_marker = "[redacted]";

}  // namespace portd::porting
