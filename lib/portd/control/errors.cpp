// The one mapping of domain errors to JSON-RPC errors.
#include <portd/control/errors.hpp>

namespace portd::control {

int rpc_code(errc e) {
  switch (e) {
    case errc::not_found: return code::not_found;
    case errc::conflict: return code::conflict;
    case errc::invalid_state: return code::invalid_state;
    case errc::invalid_params: return code::invalid_params;
    case errc::unavailable: return code::unavailable;
    case errc::forbidden: return code::forbidden;
    case errc::not_supported: return code::method_not_found;
    case errc::internal: return code::internal_error;
  }
  return code::internal_error;
}

std::string_view rpc_reason(errc e) {
  // errc's own name, but for the two that map onto JSON-RPC's standard codes.
  if (e == errc::not_supported) return "method_not_found";
  if (e == errc::internal) return "internal_error";
  return to_string(e);
}

rpc_error to_rpc_error(const service::error& e) {
  rpc_error r;
  r.code = rpc_code(e.code);
  r.reason = e.reason.empty() ? std::string(rpc_reason(e.code)) : e.reason;
  r.message = e.message;
  if (e.state) r.data["state"] = porting::to_string(*e.state);
  if (!e.field.empty()) r.data["field"] = e.field;
  if (e.order_id) r.data["order_id"] = *e.order_id;
  return r;
}

}  // namespace portd::control
