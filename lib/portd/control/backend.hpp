// What the control protocol needs from the daemon. The protocol layer (parse, validate,
// dispatch, render orders/events as PROTOCOL.md objects) calls these; the engine implements
// them. Domain failures come back as values (rpc_error), never as exceptions.
#pragma once
#include <portd/core/event.hpp>
#include <portd/core/order.hpp>
#include <portd/store/backup.hpp>
#include <portd/store/outbox.hpp>
#include <portd/store/repository.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace portd::control {

enum class role : std::uint8_t { none, reader, operator_ };

struct caller {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int32_t pid = 0;
  // Qualified: GCC rejects a member that changes the meaning of the type's name.
  control::role role = control::role::none;
  std::string actor() const { return "operator:uid=" + std::to_string(uid); }
};

// JSON-RPC error codes of PROTOCOL.md.
namespace code {
inline constexpr int parse_error = -32700, invalid_request = -32600, method_not_found = -32601,
                     invalid_params = -32602, internal_error = -32603, not_found = -32001,
                     conflict = -32002, forbidden = -32003, invalid_state = -32004,
                     unavailable = -32005;
}

struct rpc_error {
  int code = code::internal_error;
  std::string reason;   // snake_case, data.reason
  std::string message;  // human sentence
  boost::json::object data;  // extra data fields (field, order_id, state…)
};

template <class T>
struct outcome {
  std::variant<T, rpc_error> v;
  outcome(T t) : v(std::move(t)) {}
  outcome(rpc_error e) : v(std::move(e)) {}
  bool ok() const { return v.index() == 0; }
  T& value() { return std::get<0>(v); }
  rpc_error& error() { return std::get<1>(v); }
};

struct port_in_request {
  std::string number;
  core::order_details details;
  std::string account_pin;
  bool skip_eligibility = false;
  std::string client_ref, group;
};

struct port_out_request {
  std::string number, pin, client_ref, group;
};

struct submitted {
  core::order order;
  bool created = false;
};

// Exactly one key is set.
struct order_key {
  std::optional<std::int64_t> id;
  std::string client_ref, remote_order_id, number;
};

struct order_page {
  std::vector<core::order> orders;
  std::optional<std::int64_t> next_after_id;
};

struct event_page {
  std::vector<core::stored_event> events;
  std::optional<std::int64_t> next_after;
};

struct group_summary {
  std::string group;
  std::int64_t total = 0;
  std::vector<std::pair<core::order_state, std::int64_t>> by_state;
  std::int64_t needs_attention = 0;
  std::optional<core::time_point> completed_at_last;
};

// A live event subscription: `on_event` is called for each committed event after the
// backlog; returning false ends the subscription. `cancel()` ends it from the other side.
struct subscription {
  std::function<void()> cancel;
  // The event id the stream starts after: `after` as asked, or, when watch() was called with
  // after < 0 ("from now"), the id of the latest committed event.
  std::int64_t after = 0;
};

// outbox.list: rows of the notification outbox, each with its event when it still exists.
struct outbox_page {
  std::vector<store::outbox_row> rows;
  std::vector<std::optional<core::stored_event>> events;  // parallel to rows
  std::optional<std::int64_t> next_after;
};

class backend {
 public:
  virtual ~backend() = default;

  virtual boost::asio::awaitable<outcome<submitted>> submit_port_in(port_in_request,
                                                                     const caller&) = 0;
  virtual boost::asio::awaitable<outcome<submitted>> submit_port_out(port_out_request,
                                                                      const caller&) = 0;
  virtual outcome<core::order> get_order(const order_key&) = 0;
  virtual outcome<order_page> list_orders(const store::order_filter&) = 0;
  virtual outcome<std::vector<core::stored_event>> history(std::int64_t id) = 0;
  virtual boost::asio::awaitable<outcome<core::order>> update(std::int64_t id, core::order_patch,
                                                               const caller&) = 0;
  virtual boost::asio::awaitable<outcome<core::order>> cancel(std::int64_t id, std::string reason,
                                                               const caller&) = 0;
  virtual boost::asio::awaitable<outcome<core::order>> resolve(std::int64_t id,
                                                                std::string adopt_remote_order_id,
                                                                bool resubmit, const caller&) = 0;
  virtual boost::asio::awaitable<outcome<core::order>> retry(std::int64_t id, const caller&) = 0;
  // Ends the order locally in `closed` (order.close); Telegent is told nothing.
  virtual boost::asio::awaitable<outcome<core::order>> close(std::int64_t id, std::string reason, const caller&) {
    (void)id, (void)reason;
    co_return rpc_error{code::method_not_found, "method_not_found", "this daemon cannot close orders", {}};
  }
  virtual boost::asio::awaitable<outcome<core::order>> poll(std::int64_t id, const caller&) = 0;
  virtual boost::asio::awaitable<outcome<core::stored_event>> note(std::int64_t id, std::string text,
                                                                    const caller&) = 0;
  virtual outcome<event_page> list_events(std::int64_t after, std::int64_t order_id, int limit) = 0;
  // Delivers every committed event with id > after (and order_id if non-zero), then live
  // ones, each exactly once, in id order. after < 0 means "from now": no backlog, only events
  // committed from here on. subscription::after is the id the stream starts after (the
  // "after" of the {"watching":true} reply). Backlog events may be delivered before watch()
  // returns.
  virtual outcome<subscription> watch(std::int64_t after, std::int64_t order_id,
                                      std::function<bool(const core::stored_event&)> on_event) = 0;
  virtual outcome<group_summary> summarize_group(const std::string& group) = 0;
  // Notification outbox (additions to PROTOCOL.md, see README "Notifications"). A backend
  // without notifications answers method_not_found.
  virtual outcome<outbox_page> list_outbox(const store::outbox_query&) {
    return rpc_error{code::method_not_found, "method_not_found", "this daemon has no outbox", {}};
  }
  // Queues the selected rows again; the result is how many.
  virtual boost::asio::awaitable<outcome<std::int64_t>> redeliver(store::redeliver_selector,
                                                                  const caller&) {
    co_return rpc_error{code::method_not_found, "method_not_found", "this daemon has no outbox", {}};
  }
  // daemon.backup: a consistent copy of the database written to `path` (absolute) by the
  // daemon's user, off the event loop.
  virtual boost::asio::awaitable<outcome<store::backup_result>> backup(std::string path, bool force,
                                                                       const caller&) {
    (void)path, (void)force;
    co_return rpc_error{code::method_not_found, "method_not_found", "this daemon cannot make backups", {}};
  }
  virtual boost::json::object status() = 0;        // the daemon.status result object
  virtual std::string metrics_text() = 0;          // Prometheus exposition
};

}  // namespace portd::control
