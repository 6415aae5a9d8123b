// What a status the carrier's API reports means for an order: the domain's side of
// telegent/status (which reads Telegent's spellings into it). Pure.
#pragma once
#include <portd/porting/types.hpp>

#include <cstdint>
#include <ostream>
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

}  // namespace portd::porting
