// Telegent status strings (telegent-api.md §9) mapped onto portd's order states. Pure.
#pragma once
#include <portd/porting/types.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace portd::porting {

// What a raw Telegent status means for an order.
struct status_meaning {
  enum class kind : std::uint8_t {
    state,            // maps onto `state`
    acknowledgement,  // "Updated": the call was taken, the order's state is not told
    unknown,          // not a spelling we know: keep polling and flag the order
  };
  kind what = kind::unknown;
  order_state state = order_state::submitted;  // meaningful only when what == state
  bool is_error = false;  // Error/Failed: rejected, with OrderStatusMessage as the reason

  bool operator==(const status_meaning&) const = default;
};
std::string_view to_string(status_meaning::kind);
std::ostream& operator<<(std::ostream&, status_meaning::kind);

// Lower-case `raw` with spaces, '_' and '-' removed: the form statuses are compared in.
std::string status_key(std::string_view raw);

// Interprets any spelling of §9 (case-insensitive, ignoring spaces, '_' and '-'). Never throws.
status_meaning interpret_status(std::string_view raw, order_kind kind);

// The order state `raw` means, or nullopt for an acknowledgement ("Updated") or an unknown
// status (use interpret_status() to tell the two apart).
std::optional<order_state> normalise_status(std::string_view raw, order_kind kind);

}  // namespace portd::porting
