// What the notifier decides without I/O: how long to wait before the next attempt, when to
// give up, what an HTTP answer means, and what a delivery carries (the payload). Pure.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace portd::notify {

// 5 s, 10 s, 20 s … doubling up to `cap`, until the waits add up to `max_age`; then the row is a
// dead letter. Counted in attempts (not from the event's time), so an event held back behind
// its predecessor, or queued again by an operator, gets the whole schedule.
struct retry_schedule {
  std::chrono::milliseconds base{std::chrono::seconds(5)};
  std::chrono::milliseconds cap{std::chrono::hours(1)};
  std::chrono::milliseconds max_age{std::chrono::hours(72)};

  // The wait after the `attempts`-th failed attempt (1 = the first), or nullopt when the
  // waits so far have used up max_age: give up.
  std::optional<std::chrono::milliseconds> next_delay(int attempts) const;
  // How many attempts the schedule allows in all (for docs and status).
  int max_attempts() const;
};

enum class verdict : std::uint8_t {
  delivered,  // 2xx
  disabled,   // 410 Gone: the receiver asks us to stop; the sink is switched off
  retry,      // anything else, or no answer
};
std::string_view to_string(verdict);
std::ostream& operator<<(std::ostream&, verdict);

// status 0 = no HTTP answer (connect failure, timeout, reset).
verdict classify(int http_status);

// The order summary of a delivery: who and where the order is, whether and why it needs an
// operator (the order object's attention fields), never its secrets nor the subscriber's
// account details.
boost::json::object render_order_summary(const porting::order& o);
// What a delivery's body looks like, per sink ([[webhook]] / [[command]] key `body`).
enum class body_format : std::uint8_t {
  standard,  // Standard Webhooks: {"type", "timestamp" (RFC 3339, the event's time), "data": {event, order}}
  portd_v1,  // portd before the Standard Webhooks shape: {"event", "order"}
};
std::string_view to_string(body_format);
std::ostream& operator<<(std::ostream&, body_format);
// "standard" | "portd-v1"; nullopt for anything else.
std::optional<body_format> parse_body_format(std::string_view);

// The body of one delivery. data (or the whole body in portd-v1) is {"event": …, "order": …};
// `order` may be absent (then null).
std::string render_body(const porting::stored_event& e, const porting::order* o,
                        body_format format = body_format::standard);

// webhook-id: the same for every attempt of an event to a sink, so receivers can drop
// duplicates ("evt_<event id>"; sinks are told apart by their URL).
std::string message_id(std::int64_t event_id);

}  // namespace portd::notify
