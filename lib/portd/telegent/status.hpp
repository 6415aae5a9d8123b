// Telegent's status strings (telegent-api.md §9) read into what they mean for an order
// (porting::status_meaning). Pure.
#pragma once
#include <portd/porting/status.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace portd::telegent {

// Lower-case `raw` with spaces, '_' and '-' removed: the form statuses are compared in.
std::string status_key(std::string_view raw);

// Interprets any spelling of §9 (case-insensitive, ignoring spaces, '_' and '-'). Never throws.
porting::status_meaning interpret_status(std::string_view raw, porting::order_kind kind);

// The order state `raw` means, or nullopt for an acknowledgement ("Updated") or an unknown
// status (use interpret_status() to tell the two apart).
std::optional<porting::order_state> normalise_status(std::string_view raw, porting::order_kind kind);

}  // namespace portd::telegent
