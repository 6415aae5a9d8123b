// The simulator's expected domain failures, as error codes: they are values, never exceptions.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <ostream>
#include <string_view>
#include <type_traits>

namespace telegent_sim {

enum class sim_errc {
  bad_credentials = 1,  // unknown AccountKey or wrong AccountSecret
  token_missing,        // no Bearer token
  token_unknown,        // a token this sim never issued
  token_expired,
  token_wrong_scope,    // issued for another endpoint
  order_not_found,      // unknown OrderId, or another account's
  order_not_open,       // update/cancel on a completed or cancelled order
  duplicate_port_in,    // an active port-in exists for the number
  ineligible,           // the number cannot be ported in
};

std::string_view to_string(sim_errc e) noexcept;
std::ostream& operator<<(std::ostream& os, sim_errc e);

const boost::system::error_category& sim_category() noexcept;

}  // namespace telegent_sim

namespace boost::system {
template <>
struct is_error_code_enum<telegent_sim::sim_errc> : std::true_type {};
}  // namespace boost::system

namespace telegent_sim {

inline boost::system::error_code make_error_code(sim_errc e) noexcept {
  return {static_cast<int>(e), sim_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace telegent_sim
