// The notification outbox (schema 0001, table outbox): one row per event per sink, written by
// repository::append_events() in the event's own transaction. This class is everything else the
// notifier and the control socket do with those rows: find the next deliverable row of each
// order, record an attempt's outcome, list dead letters, and queue them again.
#pragma once
#include <portd/core/event.hpp>
#include <portd/core/types.hpp>
#include <portd/store/repository.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace portd::store {

// Inline: the control protocol (which does not link the store) parses and renders these.
enum class delivery_state : std::uint8_t { pending, delivered, dead };
inline std::string_view to_string(delivery_state s) {
  switch (s) {
    case delivery_state::pending: return "pending";
    case delivery_state::delivered: return "delivered";
    case delivery_state::dead: return "dead";
  }
  return "?";
}
inline std::optional<delivery_state> parse_delivery_state(std::string_view s) {
  for (auto v : {delivery_state::pending, delivery_state::delivered, delivery_state::dead})
    if (to_string(v) == s) return v;
  return std::nullopt;
}
inline std::ostream& operator<<(std::ostream& os, delivery_state s) { return os << to_string(s); }

struct outbox_row {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::int64_t order_id = 0;
  std::string sink;
  delivery_state state = delivery_state::pending;
  int attempts = 0;
  core::time_point next_attempt_at{};
  std::string last_error;
  std::optional<core::time_point> delivered_at;
};

struct outbox_query {
  std::optional<delivery_state> state;  // none: any
  std::string sink;                     // "" any
  std::int64_t order_id = 0;            // 0 any
  std::int64_t after = 0;               // rows with id > after, ascending
  int limit = 100;
};

// What a redelivery request selects. Exactly one form:
//   id            one outbox row (a dead letter, or any row: it is queued again)
//   event_id+sink that event to that sink, whether it was delivered, dead or never queued
//   all_dead      every dead letter (of `sink` when given)
struct redeliver_selector {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::string sink;
  bool all_dead = false;
};

class outbox {
 public:
  // Prepares its statements on the repository's two connections. Throws store_error.
  explicit outbox(repository& repo);
  ~outbox();
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;

  // ---- the notifier's view (writer connection: it sees its own marks at once) ----
  // The oldest pending row of each order of `sink`, for events up to `max_event_id` (the last
  // committed event: rows of an open, uncommitted group are never handed out), ascending id.
  std::vector<outbox_row> heads(const std::string& sink, std::int64_t max_event_id);
  // The oldest pending row of one order of `sink` (after an attempt of its predecessor ended),
  // if its event is committed (id <= max_event_id).
  std::optional<outbox_row> head_of(const std::string& sink, std::int64_t order_id,
                                    std::int64_t max_event_id);
  // The committed event behind a row (reader connection).
  std::optional<core::stored_event> event(std::int64_t event_id);

  // ---- outcomes (writer connection, inside the group: the caller commits) ----
  void mark_delivered(std::int64_t id, int attempts, core::time_point at);
  void mark_retry(std::int64_t id, int attempts, core::time_point next_at, const std::string& error);
  void mark_dead(std::int64_t id, int attempts, const std::string& error);
  // Pending rows of sinks not in `configured` become dead letters ("sink no longer
  // configured"), visible and redeliverable to another sink; returns how many.
  std::int64_t bury_unconfigured(const std::vector<std::string>& configured);
  // Queues rows again (attempts 0, due `now`); returns how many rows it queued. An event_id+sink
  // for an unknown event or a sink the event never had gets a new row (order_id from the event).
  std::int64_t redeliver(const redeliver_selector& sel, core::time_point now);

  // ---- the control socket's view (reader connection: committed data) ----
  std::vector<outbox_row> list(const outbox_query& q);
  std::optional<outbox_row> row(std::int64_t id);
  outbox_counts counts(const std::string& sink);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::store
