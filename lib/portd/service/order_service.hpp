// The daemon's service: what the control socket (and any other front end) asks of the engine,
// in domain terms. Expected failures come back as values (service::error with a portd::errc),
// never as exceptions; nothing here knows JSON-RPC. The engine implements it.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>
#include <portd/service/caller.hpp>
#include <portd/service/error.hpp>
#include <portd/service/queries.hpp>
#include <portd/service/status.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portd::service {

struct port_in_request {
  std::string number;
  porting::order_details details;
  std::string account_pin;
  bool skip_eligibility = false;
  std::string client_ref, group;
};

struct port_out_request {
  std::string number, pin, client_ref, group;
};

struct submitted {
  porting::order order;
  bool created = false;
};

// Exactly one key is set.
struct order_key {
  std::optional<std::int64_t> id;
  std::string client_ref, remote_order_id, number;
};

struct order_page {
  std::vector<porting::order> orders;
  std::optional<std::int64_t> next_after_id;
};

struct event_page {
  std::vector<porting::stored_event> events;
  std::optional<std::int64_t> next_after;
};

struct group_summary {
  std::string group;
  std::int64_t total = 0;
  std::vector<std::pair<porting::order_state, std::int64_t>> by_state;
  std::int64_t needs_attention = 0;
  std::optional<porting::time_point> completed_at_last;
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
  std::vector<outbox_row> rows;
  std::vector<std::optional<porting::stored_event>> events;  // parallel to rows
  std::optional<std::int64_t> next_after;
};

inline error not_supported(std::string message) { return {.code = errc::not_supported, .message = std::move(message)}; }

class order_service {
 public:
  virtual ~order_service() = default;

  virtual boost::asio::awaitable<result<submitted>> submit_port_in(port_in_request, const caller&) = 0;
  virtual boost::asio::awaitable<result<submitted>> submit_port_out(port_out_request, const caller&) = 0;
  virtual result<porting::order> get_order(const order_key&) = 0;
  virtual result<order_page> list_orders(const order_filter&) = 0;
  virtual result<std::vector<porting::stored_event>> history(std::int64_t id) = 0;
  virtual boost::asio::awaitable<result<porting::order>> update(std::int64_t id, porting::order_patch, const caller&) = 0;
  virtual boost::asio::awaitable<result<porting::order>> cancel(std::int64_t id, std::string reason, const caller&) = 0;
  virtual boost::asio::awaitable<result<porting::order>> resolve(std::int64_t id, std::string adopt_remote_order_id,
                                                              bool resubmit, const caller&) = 0;
  virtual boost::asio::awaitable<result<porting::order>> retry(std::int64_t id, const caller&) = 0;
  // Ends the order locally in `closed` (order.close); Telegent is told nothing.
  virtual boost::asio::awaitable<result<porting::order>> close(std::int64_t id, std::string reason, const caller&) {
    (void)id, (void)reason;
    co_return not_supported("this daemon cannot close orders");
  }
  virtual boost::asio::awaitable<result<porting::order>> poll(std::int64_t id, const caller&) = 0;
  virtual boost::asio::awaitable<result<porting::stored_event>> note(std::int64_t id, std::string text,
                                                                  const caller&) = 0;
  virtual result<event_page> list_events(std::int64_t after, std::int64_t order_id, int limit) = 0;
  // Delivers every committed event with id > after (and order_id if non-zero), then live
  // ones, each exactly once, in id order. after < 0 means "from now": no backlog, only events
  // committed from here on. subscription::after is the id the stream starts after (the
  // "after" of the {"watching":true} reply). Backlog events may be delivered before watch()
  // returns.
  virtual result<subscription> watch(std::int64_t after, std::int64_t order_id,
                                     std::function<bool(const porting::stored_event&)> on_event) = 0;
  virtual result<group_summary> summarize_group(const std::string& group) = 0;
  // Notification outbox (additions to PROTOCOL.md, see README "Notifications"). A service
  // without notifications answers not_supported.
  virtual result<outbox_page> list_outbox(const outbox_query&) { return not_supported("this daemon has no outbox"); }
  // Queues the selected rows again; the result is how many.
  virtual boost::asio::awaitable<result<std::int64_t>> redeliver(redeliver_selector, const caller&) {
    co_return not_supported("this daemon has no outbox");
  }
  // daemon.backup: a consistent copy of the database written to `path` (absolute) by the
  // daemon's user, off the event loop.
  virtual boost::asio::awaitable<result<backup_result>> backup(std::string path, bool force, const caller&) {
    (void)path, (void)force;
    co_return not_supported("this daemon cannot make backups");
  }
  virtual daemon_status status() = 0;
  virtual daemon_metrics metrics() = 0;
};

}  // namespace portd::service
