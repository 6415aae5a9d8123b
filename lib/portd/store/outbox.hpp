// The notification outbox (schema 0001, table outbox): one row per event per sink, written by
// repository::append_events() in the event's own transaction. This class is everything else the
// notifier and the control socket do with those rows: find the next deliverable row of each
// order, record an attempt's outcome, list dead letters, and queue them again.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/types.hpp>
#include <portd/service/queries.hpp>
#include <portd/store/repository.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace portd::store {

// The rows, queries and selectors are the service vocabulary (service/queries.hpp).
using service::delivery_state;
using service::outbox_query;
using service::outbox_row;
using service::parse_delivery_state;
using service::redeliver_selector;
using service::to_string;

class outbox {
 public:
  // Prepares its statements on the repository's two connections. Throws store_error. (Not
  // copied: it owns its statements.)
  explicit outbox(repository& repo);
  ~outbox();

  // ---- the notifier's view (writer connection: it sees its own marks at once) ----
  // The oldest pending row of each order of `sink`, for events up to `max_event_id` (the last
  // committed event: rows of an open, uncommitted group are never handed out), ascending id.
  std::vector<outbox_row> heads(const std::string& sink, std::int64_t max_event_id);
  // The oldest pending row of one order of `sink` (after an attempt of its predecessor ended),
  // if its event is committed (id <= max_event_id).
  std::optional<outbox_row> head_of(const std::string& sink, std::int64_t order_id,
                                    std::int64_t max_event_id);
  // The committed event behind a row (reader connection).
  std::optional<porting::stored_event> event(std::int64_t event_id);

  // ---- outcomes (writer connection, inside the group: the caller commits) ----
  void mark_delivered(std::int64_t id, int attempts, porting::time_point at);
  void mark_retry(std::int64_t id, int attempts, porting::time_point next_at, const std::string& error);
  void mark_dead(std::int64_t id, int attempts, const std::string& error);
  // Pending rows of sinks not in `configured` become dead letters ("sink no longer
  // configured"), visible and redeliverable to another sink; returns how many.
  std::int64_t bury_unconfigured(const std::vector<std::string>& configured);
  // Queues rows again (attempts 0, due `now`); returns how many rows it queued. An event_id+sink
  // for an unknown event or a sink the event never had gets a new row (order_id from the event).
  std::int64_t redeliver(const redeliver_selector& sel, porting::time_point now);

  // ---- the control socket's view (reader connection: committed data) ----
  std::vector<outbox_row> list(const outbox_query& q);
  std::optional<outbox_row> row(std::int64_t id);
  outbox_counts counts(const std::string& sink);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::store
