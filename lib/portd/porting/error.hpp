// What a request to the daemon can fail with, in domain terms (tier 1 of STYLE.md's errors):
// the engine's service answers with these; the control socket turns each into its JSON-RPC
// code in one place (control/errors.cpp). Pure: no protocol numbers here.
#pragma once
#include <boost/system/error_code.hpp>

#include <ostream>
#include <string_view>
#include <type_traits>

namespace portd {

enum class errc {
  not_found = 1,   // no such order, group, outbox row or event
  conflict,        // the request clashes with what exists (a client_ref reused, a backup running)
  invalid_state,   // the order's state does not allow the command
  invalid_params,  // a value is wrong for this order or daemon (data names the field)
  unavailable,     // the daemon cannot do it now (shutting down, store full or read-only, Telegent
                   // unreachable); nothing was changed, trying again later may succeed
  forbidden,       // the caller's role does not allow the method
  not_supported,   // this daemon does not offer it (no outbox, no backups)
  internal,        // the store failed in a way that is not the caller's to fix
};
inline constexpr int errc_count = static_cast<int>(errc::internal);

std::string_view to_string(errc) noexcept;
std::ostream& operator<<(std::ostream& os, errc e);

const boost::system::error_category& error_category() noexcept;

}  // namespace portd

namespace boost::system {
template <>
struct is_error_code_enum<portd::errc> : std::true_type {};
}  // namespace boost::system

namespace portd {

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace portd
