// libFuzzer: the control protocol's line parser (parse_request) and every method's typed
// parameter parser/validator (params.hpp), fed the parsed params whatever the method, plus the
// error rendering of a refused line. Nothing may crash, leak or trip UBSan.
#include <portd/control/params.hpp>
#include <portd/wire/jsonrpc.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

using namespace portd::control;

namespace {

void all_params(const boost::json::object& p) {
  (void)parse_port_in(p, protocol_options{});
  (void)parse_port_in(p, protocol_options{.require_owner = true});
  (void)parse_port_out(p);
  (void)parse_order_get(p);
  (void)parse_order_list(p);
  (void)parse_id_only(p);
  (void)parse_update(p);
  (void)parse_cancel(p);
  (void)parse_resolve(p);
  (void)parse_note(p);
  (void)parse_events_list(p);
  (void)parse_watch(p);
  (void)parse_group_summary(p);
  (void)parse_outbox_list(p);
  (void)parse_outbox_redeliver(p);
  (void)parse_no_params(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_request(line);
  if (auto* req = std::get_if<request>(&parsed)) {
    all_params(req->params);
    (void)render_result(req->id, boost::json::value(nullptr));
  } else {
    auto& bad = std::get<bad_request>(parsed);
    (void)render_error(bad.id, bad.error);
  }
  return 0;
}
