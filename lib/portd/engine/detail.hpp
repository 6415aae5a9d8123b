// What the engine's parts share and nobody else needs: its domain errors in one spelling, and
// which order is a guarded resend. Included only by lib/portd/engine/*.cpp.
#pragma once
#include <portd/porting/decide.hpp>
#include <portd/porting/order.hpp>
#include <portd/service/error.hpp>

#include <string>

namespace portd::engine::detail {

inline service::error fail(errc code, std::string message) { return {.code = code, .message = std::move(message)}; }

inline service::error not_found(std::int64_t id) { return fail(errc::not_found, "no order with id " + std::to_string(id)); }

inline service::error unavailable(std::string why) { return fail(errc::unavailable, std::move(why)); }

// decide()'s refusal of a command: the order's state does not allow it, or a value is wrong.
inline service::error refusal_error(const porting::order& cur, const porting::refusal& r) {
  if (r.kind == porting::refusal_kind::invalid_state)
    return {.code = errc::invalid_state, .message = r.message, .field = r.field, .state = cur.state};
  return {.code = errc::invalid_params, .message = r.message, .field = r.field};
}

// A port-in whose next step is a submission resent under Telegent's duplicate guard (rule 3).
inline bool guarded(const porting::order& o) { return porting::guarded_resend(o); }

}  // namespace portd::engine::detail
