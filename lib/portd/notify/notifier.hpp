// The webhook dispatcher: delivers the outbox to every configured sink, at least once and in
// order per order (an order's next event waits until the previous one is delivered or dead).
//
// Runs on the daemon's io_context. Woken by committed events (engine listener), by the timer of
// the earliest retry, and by a finished delivery; never polls. A scan of the outbox queues every
// due head in memory; a finished attempt looks up only its own order's next row (an index
// lookup), so draining a backlog needs no further scans. Scans are spaced by four times their
// own cost, so a huge backlog of a receiver that is down costs the loop at most a fifth of its
// time. Reads its work list through the
// repository's writer connection, so its own outcome marks are visible at once, but only rows
// of committed events (id <= the last event the engine published) are handed out. Outcome marks
// are written into the engine's group transaction and committed with it: a crash before that
// commit means a duplicate delivery (same webhook-id), never a lost one.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/notify/command_runner.hpp>
#include <portd/notify/http_sender.hpp>
#include <portd/notify/policy.hpp>
#include <portd/service/status.hpp>
#include <portd/store/outbox.hpp>
#include <portd/store/repository.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/json/array.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace portd::notify {

struct sink_config {
  std::string name;                      // the outbox's sink column: "webhook:0", "command:0", …
  std::string url;                       // http(s)://…; plain http only to a loopback host
  // A command sink instead of a webhook: argv of a program that gets the delivery on stdin
  // (url and secrets unused).
  std::vector<std::string> command;
  std::vector<std::string> secrets;      // "whsec_…", newest first; every one signs (rotation)
  body_format body = body_format::standard;
  std::vector<porting::event_type> events;  // empty: every type
  std::string ca_file;                   // "" = the system store
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per attempt
  retry_schedule schedule;
  int concurrency = 4;                   // deliveries in flight to this sink
  std::optional<http::proxy_endpoint> proxy;  // for an https URL; nullopt = direct
};

class notifier {
 public:
  // Throws std::invalid_argument naming the sink for a bad URL (or plain http to a host that
  // is not loopback), a secret that is not a Standard Webhooks "whsec_" secret, no secret, or
  // an unreadable CA file.
  notifier(boost::asio::any_io_executor ex, store::repository& repo, std::vector<sink_config> sinks);
  ~notifier();
  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;

  // What repository::set_sinks needs, so that every event gets its outbox rows.
  std::vector<store::sink> store_sinks() const;
  // After start, marks written into a group the notifier did not open are committed by calling
  // this (the engine's commit_soon); without it the notifier commits on its own next turn.
  void set_commit(std::function<void()> commit_soon);

  // Begins delivering: every pending row of an event up to `last_committed_event`.
  void start(std::int64_t last_committed_event);
  // The engine's listener: an event (and its outbox rows) is committed.
  void on_committed(const porting::stored_event& e);
  // Something else changed the outbox (a redelivery): look again; re-enables disabled sinks
  // (all when `sink` is empty).
  void wake(const std::string& sink = {});
  // Aborts deliveries in flight (their rows stay pending) and stops. Idempotent.
  void stop();

  // Per sink: name, url (scheme and host only), disabled, in_flight, delivered/failed since start,
  // last_error. For daemon.status.
  std::vector<service::sink_status> status() const;
  // Per sink: delivered, failed-attempt and dead-letter counters, attempt duration and
  // commit-to-delivery latency histograms (for the metrics).
  std::vector<service::sink_metrics> metrics() const;
  bool idle() const;  // nothing in flight (tests)

 private:
  struct sink_state;
  struct outcome_mark;
  void scan_soon();
  void scan();
  void pump(sink_state& s);
  void follow(sink_state& s, std::int64_t order_id);
  void arm_retry_timer(porting::time_point at);
  boost::asio::awaitable<void> deliver(sink_state& s, store::outbox_row row);
  bool record(const outcome_mark& m);

  boost::asio::any_io_executor ex_;
  store::repository& repo_;
  store::outbox outbox_;
  std::vector<std::unique_ptr<sink_state>> sinks_;
  std::function<void()> commit_soon_;
  std::int64_t committed_upto_ = 0;
  bool started_ = false, stopped_ = false;
  bool own_commit_posted_ = false;

  // One scan per loop turn at most, and no closer than scan_gap_ to the last one: a burst of
  // commits costs one look at the outbox, not one per event.
  boost::asio::steady_timer scan_timer_;
  bool scan_armed_ = false;
  boost::asio::steady_timer::time_point last_scan_{};
  std::chrono::steady_clock::duration scan_gap_{};
  boost::asio::system_timer retry_timer_;
  std::optional<porting::time_point> retry_at_;
  // The store refused an outcome mark (disk full): no attempt starts before this, or the same
  // row would be sent again and again while its mark cannot be written.
  std::optional<porting::time_point> paused_until_;
};

}  // namespace portd::notify
