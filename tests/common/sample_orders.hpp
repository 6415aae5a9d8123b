// Ready-made orders for tests that hold a porting::order in hand (the store, the Telegent client,
// the engine, notify). Start from the builder closest to what the test needs and change the
// fields it is about, so the test shows only what matters to it. (The JSON params of a
// portin.submit, for tests that speak to the socket, are port_in_params() in stack.hpp.)
// Header-only: a test area that includes it links portd_porting.
#pragma once
#include <portd/porting/order.hpp>

#include <cstdint>
#include <string>
#include <utility>

namespace portd::test {

inline porting::time_point at_ms(std::int64_t ms) { return porting::time_point(porting::milliseconds(ms)); }

// A minimal order of kind `k` in state `s`, with its times set (nothing else).
inline porting::order simple_order(std::string number, porting::order_state s = porting::order_state::received,
                                porting::order_kind k = porting::order_kind::port_in) {
  porting::order o;
  o.kind = k;
  o.number = std::move(number);
  o.state = s;
  o.created_at = o.updated_at = o.state_since = at_ms(1'764'000'000'000);
  return o;
}

// A port-in as Telegent needs it to submit: carrier, account, PIN, billing address, a port date
// and a remote order id (whose case matters).
inline porting::order sample_port_in(std::string number = "+15555551234") {
  porting::order o;
  o.number = std::move(number);
  o.remote_order_id = "JNUOID-Case/Sensitive";
  o.details.carrier = "Verizon";
  o.details.account_number = "ACC-1";
  o.details.billing_address = {"1 Main St", "", "Detroit", "MI", "48201"};
  o.details.port_in_date = "2026-05-02";
  o.secrets.account_pin = "pin-4321";
  return o;
}

// A port-in with every field set, secrets, optionals and intents included (for round trips).
inline porting::order full_port_in(std::string number = "+18015551234") {
  porting::order o;
  o.kind = porting::order_kind::port_in;
  o.number = std::move(number);
  o.state = porting::order_state::carrier_approval;
  o.attention = porting::attention_kind::unknown_status;
  o.attention_reason = "unknown remote status";
  o.remote_order_id = "JNUOID-6c05aa";
  o.remote_status = "Pending Carrier Approval";
  o.remote_message = "waiting on the carrier";
  o.reported_port_date = "2026-12-03";
  o.client_ref = "crm-" + o.number;
  o.group = "acme-migration";
  o.created_at = at_ms(1'764'000'000'001);
  o.updated_at = at_ms(1'764'000'000'502);
  o.state_since = at_ms(1'764'000'000'400);
  o.next_check_at = at_ms(1'764'000'900'000);
  o.attempts = 3;
  o.last_error = porting::error_info{"rate_limited", "Telegent answered 429", at_ms(1'764'000'000'300)};
  o.details.carrier = "Verizon";
  o.details.account_number = "1111222233332222";
  o.details.subscriber_name = "Jane Doe";
  o.details.billing_address = {"1 Main St", "Apt 2", "Lehi", "UT", "84043"};
  o.details.iccid = "8901240397190195850";
  o.details.classification = "iot";
  o.details.port_in_date = "2026-12-03";
  o.details.account_id = "AID-ceb8";
  o.details.subscriber_id = "TSUID-90c6";
  o.secrets.account_pin = "s3cret-pin";
  o.secrets.port_out_pin = "";
  o.skip_eligibility = true;
  o.in_flight = porting::call_kind::status;
  o.pending = porting::pending_intent::cancel;
  o.submit = porting::submit_certainty::ambiguous;
  o.ambiguous_since = at_ms(1'764'000'000'200);
  o.cancel_reason = "customer changed their mind";
  return o;
}

}  // namespace portd::test
