// What a Telegent status string means for an order (telegent-api.md §9): compared
// case-insensitively, ignoring spaces, '_' and '-'.
#pragma once
#include <portd/core/types.hpp>

#include <string_view>

namespace portd::core {

struct status_meaning {
  enum what_t : std::uint8_t {
    known_state,      // `state` holds the normalised state
    acknowledgement,  // "Updated": an answer to an update, not a position in the lifecycle
    unknown,          // keep polling and raise needs_attention
  };
  what_t what = unknown;
  order_state state = order_state::submitted;
  bool is_error = false;  // "Error"/"Failed": rejected, with OrderStatusMessage as the reason
};

status_meaning normalise_status(std::string_view raw, order_kind kind);

}  // namespace portd::core
