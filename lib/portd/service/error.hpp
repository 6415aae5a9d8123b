// A service call's expected failure, in domain terms: the errc plus what the caller's reply
// needs (a sentence, the field at fault, the other order involved, the order's state). The
// control socket maps it to a JSON-RPC error in one place (control/errors.cpp).
#pragma once
#include <portd/porting/error.hpp>
#include <portd/porting/types.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace portd::service {

struct error {
  errc code = errc::internal;
  std::string message;  // one sentence for a human
  // A finer name than the code's, when the caller may act on it ("exists", "backup_running",
  // "backup_failed"); "" = the code's own.
  std::string reason;
  std::string field;                       // the request field at fault; "" none
  std::optional<std::int64_t> order_id;    // the other order involved (client_ref reused, remote id bound)
  std::optional<porting::order_state> state;  // the order's state (invalid_state)
};

template <class T>
using result = boost::system::result<T, error>;

// result::value() on an error (a bug: callers test first) throws this.
[[noreturn]] inline void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw std::logic_error("unchecked service error: " + e.message);
}

}  // namespace portd::service
