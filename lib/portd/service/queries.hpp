// What reads and outbox administration ask for and get back: the order filter, the outbox's
// rows and selectors, a backup's result. The service's vocabulary; the store answers in it.
#pragma once
#include <portd/porting/types.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace portd::service {

struct order_filter {
  std::vector<porting::order_state> states;  // empty: any
  std::optional<porting::order_kind> kind;
  std::string number;  // "" any
  std::string group;   // "" any
  std::optional<bool> active;
  std::optional<bool> needs_attention;
  int limit = 100;
  std::int64_t after_id = 0;  // orders with id > after_id, ascending
};

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

// One row of the notification outbox: one event for one sink.
struct outbox_row {
  std::int64_t id = 0;
  std::int64_t event_id = 0;
  std::int64_t order_id = 0;
  std::string sink;
  delivery_state state = delivery_state::pending;
  int attempts = 0;
  porting::time_point next_attempt_at{};
  std::string last_error;
  std::optional<porting::time_point> delivered_at;
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

struct backup_result {
  std::filesystem::path path;
  std::int64_t bytes = 0;
  std::int64_t schema_version = 0;
};

}  // namespace portd::service
