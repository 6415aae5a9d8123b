// Inputs to decide() (commands, API results, timers, restart) and the history records it emits.
#pragma once
#include <portd/porting/order.hpp>
#include <portd/porting/status.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace portd::porting {

// ---- inputs ---------------------------------------------------------------------------------

struct start {           // a new order, about to be made durable: begin its life
  std::string actor;    // who submitted it, for order.created
};
struct timer_fired {};  // its scheduled time came (poll due, retry due)
struct recovered {};    // the daemon restarted; whatever was in flight is lost

// Fields an operator may correct (order.update). Only the engaged ones change.
struct order_patch {
  std::optional<std::string> carrier, account_number, account_pin, subscriber_name, iccid,
      classification, port_in_date;
  std::optional<::portd::porting::billing_address> billing_address;
  bool empty() const {
    return !carrier && !account_number && !account_pin && !subscriber_name && !iccid &&
           !classification && !port_in_date && !billing_address;
  }
};

struct cmd_update { order_patch patch; std::string actor; };
struct cmd_cancel { std::string reason; std::string actor; };
// Exactly one of adopt (a Telegent OrderId) or resubmit.
// `checked`: what Telegent said of the adopted order when portd asked it (for the history).
struct cmd_resolve {
  std::string adopt_remote_order_id;
  bool resubmit = false;
  std::string actor;
  std::string checked;
};
struct cmd_retry { std::string actor; };
struct cmd_poll_now { std::string actor; };
struct cmd_note { std::string text; std::string actor; };
// Ends the order locally in `closed` (order.close); Telegent is told nothing.
struct cmd_close { std::string reason; std::string actor; };

// How a Telegent call ended, as classified by the client.
enum class call_outcome : std::uint8_t {
  ok,         // a 200 with a usable body
  transient,  // 408/429/5xx, transport failure, unusable body: may be tried again
  refused,    // 400/403/404/405/409/422, or successful:false: a definite no
};
std::string_view to_string(call_outcome);
std::ostream& operator<<(std::ostream&, call_outcome);

struct api_result {
  call_kind call = call_kind::status;
  call_outcome outcome = call_outcome::ok;
  // transient only: the request may have been acted on (sent but no answer, or 5xx).
  bool maybe_processed = false;
  int http_status = 0;  // 0 when no HTTP answer came
  std::string reason;   // snake_case: rate_limited, server_error, timeout, connection_reset,
                        // bad_response, bad_request, unauthorized, forbidden, not_found,
                        // duplicate_order, business_rule, ...
  std::string message;  // human and secret-free; includes carrier codes when given
  std::optional<milliseconds> retry_after;  // from a 429 (header or body)

  // Payload of an ok result.
  std::optional<bool> eligible;   // eligibility
  std::string remote_order_id;    // submit, port-out (and echoed by update/cancel/status)
  std::string remote_status;      // raw status string (submit, port-out, update, cancel, status)
  status_meaning meaning;         // what remote_status means (telegent::interpret_status)
  std::string status_message;     // OrderStatusMessage / Message
  std::string port_date;          // a port date Telegent reported, YYYY-MM-DD
  std::string remote_number;      // status: the number the order ports (E.164), "" if not named
  std::string remote_type;        // status: OrderType as sent (portin, PortIn, portout, …)
  std::string raw;                // the response body as received, kept with the event
};

using input = std::variant<start, timer_fired, recovered, cmd_update, cmd_cancel, cmd_resolve,
                           cmd_retry, cmd_poll_now, cmd_note, api_result, cmd_close>;

// ---- outputs: history records ---------------------------------------------------------------

enum class event_type : std::uint8_t {
  created,                // order.created
  state_changed,          // order.state_changed
  remote_status_changed,  // order.remote_status_changed
  updated,                // order.updated
  error,                  // order.error (a failed call that will be retried)
  needs_attention,        // order.needs_attention
  port_date_changed,      // order.port_date_changed
  note_added,             // order.note_added
};
std::string_view to_string(event_type);  // "order.state_changed"
std::optional<event_type> parse_event_type(std::string_view);
std::ostream& operator<<(std::ostream&, event_type);

// One entry of an order's history, before the store gives it an id and seq.
struct event_record {
  event_type type = event_type::state_changed;
  order_state from_state = order_state::received;
  order_state to_state = order_state::received;
  std::string remote_status;
  std::string actor;    // "telegent", "daemon", "operator:uid=N"
  std::string message;  // human, secret-free
  std::string raw;      // raw remote data, if any
  bool operator==(const event_record&) const = default;
};

// A history entry as stored: global id, gap-free per-order seq.
struct stored_event {
  std::int64_t id = 0;
  std::int64_t order_id = 0;
  std::int64_t seq = 0;
  time_point at{};
  event_record record;
};

}  // namespace portd::porting
