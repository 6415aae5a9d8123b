// The order as portd remembers it: identity, state, remote view, details, secrets, intents.
#pragma once
#include <portd/porting/types.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace portd::porting {

struct billing_address {
  std::string street1, street2, city, state, zip;
  bool operator==(const billing_address&) const = default;
};

// What the operator told us about a port-in (port-outs use none of it).
struct order_details {
  std::string carrier;
  std::string account_number;  // shown masked (last 4) outside the daemon
  std::string subscriber_name;
  ::portd::porting::billing_address billing_address;
  std::string iccid;
  std::string classification = "mvno";  // mvno | iot
  std::string port_in_date;             // YYYY-MM-DD as requested, "" if none
  std::string account_id;               // AID-… the number will belong to
  std::string subscriber_id;            // TSUID-…
  bool operator==(const order_details&) const = default;
};

// Secrets live only while the order may need them and are purged at a terminal state
// (rule 5). They never leave the daemon: not in logs, replies, events or webhooks.
struct order_secrets {
  std::string account_pin;   // port-in: the losing carrier's account PIN/password
  std::string port_out_pin;  // port-out: the PIN we issue
  bool empty() const { return account_pin.empty() && port_out_pin.empty(); }
  bool operator==(const order_secrets&) const = default;
};

struct error_info {
  std::string reason;   // snake_case, e.g. "rate_limited", "duplicate_order", "bad_request"
  std::string message;  // human sentence, secret-free
  time_point at{};
  bool operator==(const error_info&) const = default;
};

struct order {
  std::int64_t id = 0;  // assigned by the store
  order_kind kind = order_kind::port_in;
  std::string number;  // E.164
  order_state state = order_state::received;
  attention_kind attention = attention_kind::none;  // why an operator is wanted, if one is
  std::string attention_reason;  // the same, as a human sentence (shown, never interpreted)

  std::string remote_order_id;  // Telegent's OrderId, "" until known
  std::string remote_status;    // the raw status string last seen
  std::string remote_message;   // OrderStatusMessage last seen (carrier reason)
  std::string reported_port_date;  // a port date Telegent reported, YYYY-MM-DD

  std::string client_ref;  // idempotency key, "" if none
  std::string group;       // batch label, "" if none

  time_point created_at{}, updated_at{};
  time_point state_since{};                 // when the current state was entered
  std::optional<time_point> next_check_at;  // when portd will next act on it

  int attempts = 0;  // consecutive failed attempts of the current call
  std::optional<error_info> last_error;

  order_details details;
  order_secrets secrets;
  bool skip_eligibility = false;

  // Intents (rule 1 and 2), persisted with the order.
  std::optional<call_kind> in_flight;  // the call that is out, committed before it left
  bool request_sent = false;           // in_flight's request may have left (set before the write)
  pending_intent pending = pending_intent::none;
  submit_certainty submit = submit_certainty::known;
  // When the first submission that may have reached Telegent went out (set while `submit` is
  // ambiguous): a resend is safe only while Telegent's duplicate guard still covers that order
  // (policy::resend_window).
  std::optional<time_point> ambiguous_since;
  std::string cancel_reason;

  std::int64_t last_seq = 0;  // seq of the order's latest event

  // Not stored: filled in for order.get by the poller (engine/freshness). Why next_check_at
  // comes then (cadence, port_date, after_submit), and P(news since the last check).
  std::string next_check_reason;
  std::optional<double> expected_news;

  bool active() const { return !is_terminal(state); }
  bool needs_attention() const { return attention != attention_kind::none; }
  bool operator==(const order&) const = default;
};

// Whether two submissions with the same client_ref asked for the same thing (secrets aside):
// a repeat is answered with the first order, a different request is a conflict.
inline bool same_submission(const order& a, const order& b) {
  return a.kind == b.kind && a.number == b.number && a.details == b.details && a.group == b.group &&
         a.skip_eligibility == b.skip_eligibility;
}

}  // namespace portd::porting
