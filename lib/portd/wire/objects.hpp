// PROTOCOL.md's objects as JSON: an order, an event, a group's summary. The control socket's
// replies and the webhooks' bodies render them here, so both show the same object.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>
#include <portd/service/order_service.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace portd::wire {

// PROTOCOL.md's order, as JSON text appended to `out` (the bytes json::serialize would write):
// secrets never, account_number masked, next_check_at/last_error null when absent, details
// only for port-ins. Also `attention_reason`, `remote_message`, `reported_port_date` and
// `state_since` (additions to the documented object).
void write_order(std::string& out, const porting::order&);
// The order object's attention fields, as write_order writes them: `needs_attention`,
// `attention_kind`, `attention_reason`. The webhooks' order summary carries them from here.
struct attention_fields {
  bool needs_attention;
  std::string_view attention_kind;
  std::string_view attention_reason;
};
attention_fields attention_of(const porting::order&);
// PROTOCOL.md's event (events.list, events.watch, the webhooks' "event").
boost::json::object render_event(const porting::stored_event&);
// group.summary's result.
boost::json::object render_group_summary(const service::group_summary&);

}  // namespace portd::wire
