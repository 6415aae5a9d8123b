// The orchestrator: runs decide() for every command, API result and timer, persists the
// decision (order, history, outbox) in the group transaction, and only after the commit
// performs its effects — starts the Telegent call, arms the order's next wake-up, answers the
// socket, tells watchers. One thread, one io_context; no locks.
//
// Its parts, one file each: the driver (engine.cpp: apply, after_commit), start-up and
// shutdown (lifecycle.cpp), calls (calls.cpp: the scheduler's hand-outs, launch, run_call and
// the send mark), the socket's commands (commands.cpp), reads (queries.cpp), status and metrics
// (status.cpp), retention (retention.cpp), backup (backup.cpp). The scheduler
// (scheduler + schedule_state) and the group commit (store::group_commit) are classes of their
// own; Telegent is reached through telegent::api, time through engine_options::clock.
#pragma once
#include <portd/porting/decide.hpp>
#include <portd/engine/freshness.hpp>
#include <portd/engine/scheduler.hpp>
#include <portd/service/order_service.hpp>
#include <portd/store/backup.hpp>
#include <portd/store/outbox.hpp>
#include <portd/store/group_commit.hpp>
#include <portd/store/repository.hpp>
#include <portd/store/retention.hpp>
#include <portd/telegent/api.hpp>
#include <portd/telegent/client.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace portd::engine {

struct engine_options {
  int poll_concurrency = 4;    // polls handed to the client at once (the rest wait, due-first)
  int command_concurrency = 64;  // commands handed to the client at once (the rest queue, in order)
  std::string db_path;         // for daemon.status
  // [retention]: ages past which delivered outbox rows are deleted and the raw Telegent bodies
  // of finished orders emptied (0: kept for ever), how often that runs, rows per transaction.
  struct retention_options {
    std::chrono::milliseconds delivered_outbox{0};
    std::chrono::milliseconds raw_bodies{0};
    std::chrono::milliseconds interval = std::chrono::hours(1);
    int batch = 500;
  } retention;
  now_fn clock = porting::now_ms;  // the engine's only time source (tests move their own)
};

// Something interested in committed events (watchers, the notifier).
using event_listener = std::function<void(const porting::stored_event&)>;

class engine final : public service::order_service {
 public:
  engine(boost::asio::io_context& ioc, store::repository& repo, telegent::api& api,
         telegent::budget& budget, porting::policy pol, engine_options opts);
  ~engine() override;

  // Resumes every active order (DESIGN.md §4 recovery) and arms the scheduler.
  void start();
  // Stops taking commands and starting calls; waits up to `grace` for calls in flight, then
  // abandons them (their intents stay committed; the next start resumes them), commits.
  boost::asio::awaitable<void> stop(std::chrono::milliseconds grace);

  // A one-line summary for sd_notify STATUS=.
  std::string status_line() const;
  std::size_t active_orders() const { return sched_.state().waiting() + calls_.size() + command_queue_.size(); }
  // Issue 18's planner for budget the due orders leave over (nullptr: cadences only).
  void set_spare_poller(spare_poller* p) { sched_.set_spare_poller(p); }
  // Hands out what is due now; for a clock that moved without the timer (tests).
  void run_due() { sched_.run_due(); }
  void add_listener(event_listener l) { listeners_.push_back(std::move(l)); }
  // Commits the open group on a coming loop turn (the notifier's outcome marks ride on it).
  void commit_soon() { group_.request_flush(); }

  // What the engine needs of the notifier for outbox.* and daemon.status.
  struct outbox_hooks {
    std::vector<std::string> sinks;                    // names redeliver accepts
    std::function<void(const std::string&)> wake;      // after a redelivery committed
    std::function<std::vector<service::sink_status>()> sink_status;    // daemon.status outbox.sinks
    std::function<std::vector<service::sink_metrics>()> sink_metrics;  // per-sink counters
  };
  void set_outbox_hooks(outbox_hooks h) { outbox_hooks_ = std::move(h); }

  // ---- service::order_service ----
  boost::asio::awaitable<service::result<service::submitted>> submit_port_in(service::port_in_request,
                                                                             const service::caller&) override;
  boost::asio::awaitable<service::result<service::submitted>> submit_port_out(service::port_out_request,
                                                                              const service::caller&) override;
  service::result<porting::order> get_order(const service::order_key&) override;
  service::result<service::order_page> list_orders(const service::order_filter&) override;
  service::result<std::vector<porting::stored_event>> history(std::int64_t id) override;
  boost::asio::awaitable<service::result<porting::order>> update(std::int64_t id, porting::order_patch,
                                                               const service::caller&) override;
  boost::asio::awaitable<service::result<porting::order>> cancel(std::int64_t id, std::string reason,
                                                               const service::caller&) override;
  boost::asio::awaitable<service::result<porting::order>> resolve(std::int64_t id, std::string adopt,
                                                                bool resubmit, const service::caller&) override;
  boost::asio::awaitable<service::result<porting::order>> retry(std::int64_t id, const service::caller&) override;
  boost::asio::awaitable<service::result<porting::order>> close(std::int64_t id, std::string reason,
                                                              const service::caller&) override;
  boost::asio::awaitable<service::result<porting::order>> poll(std::int64_t id, const service::caller&) override;
  // order.resolve adopting `remote`: Telegent must know it as a port of this order's number and
  // kind, and no other order may hold it. The refusal, or what Telegent said (for the history).
  boost::asio::awaitable<service::result<std::string>> check_adoption(std::int64_t id, const std::string& remote,
                                                                       const porting::input& in);
  boost::asio::awaitable<service::result<porting::stored_event>> note(std::int64_t id, std::string text,
                                                                    const service::caller&) override;
  service::result<service::event_page> list_events(std::int64_t after, std::int64_t order_id, int limit) override;
  service::result<service::subscription> watch(std::int64_t after, std::int64_t order_id,
                                                std::function<bool(const porting::stored_event&)> on_event) override;
  service::result<service::group_summary> summarize_group(const std::string& group) override;
  service::result<service::outbox_page> list_outbox(const service::outbox_query&) override;
  boost::asio::awaitable<service::result<std::int64_t>> redeliver(service::redeliver_selector,
                                                                   const service::caller&) override;
  boost::asio::awaitable<service::result<service::backup_result>> backup(std::string path, bool force,
                                                                        const service::caller&) override;
  service::daemon_status status() override;
  service::daemon_metrics metrics() override;

 private:
  struct staged {  // what to do once the group commits
    std::int64_t id = 0;
    std::optional<porting::call_kind> call;
    bool urgent = false;  // an operator's poll: command priority
    bool guarded = false;  // a submission to resend under the duplicate guard: goes first
    std::optional<porting::time_point> wake_at;
    bool terminal = false;
    std::vector<porting::stored_event> events;
    bool log_events = false;  // logged once committed, with the order's state and remote id
    porting::order_state state{};
    std::string remote_order_id;
    // The order's change, for the tally: where it was (none for a new order) and where it is.
    std::optional<porting::order_state> from;
    bool from_attention = false;
    bool attention = false;
  };
  struct applied {
    porting::order order;
    std::vector<porting::stored_event> events;
  };
  struct watcher {
    std::int64_t order_id = 0;
    std::function<bool(const porting::stored_event&)> fn;
  };

  // decide() + stage in the open group; returns the refusal as a service error.
  service::result<applied> apply(const porting::order& cur, const porting::input& in);
  // A command on an existing order, acknowledged after the commit.
  boost::asio::awaitable<service::result<porting::order>> command(std::int64_t id, porting::input in);
  boost::asio::awaitable<service::result<service::submitted>> intake(porting::order o, std::string pin,
                                                                     std::string actor);
  // After every group flush: a committed group's effects, or a failed one's orders reloaded.
  void on_flushed(std::string_view failure);
  void after_commit(staged& s);
  void schedule(std::int64_t id, porting::time_point at, bool guarded = false) { sched_.schedule(id, at, guarded); }
  // Hands the due order `top` (already off the schedule) to decide().
  void take_due(const schedule_state::due_entry& top, porting::time_point now);
  void dispatch() { sched_.run_due(); }
  // The store failed: act on order `id` again at `at` with `in` instead of timer_fired (a
  // result not yet recorded, or `recovered`).
  void retry_later(std::int64_t id, porting::input in, porting::time_point at);
  bool start_poll(const porting::order& cur);
  // The order as the engine knows it: the copy of a call that is out, else the open group's.
  std::optional<porting::order> load(std::int64_t id);
  // Starts the call `o` (loaded if not given) has in flight.
  void launch(std::int64_t id, porting::call_kind kind, bool urgent, std::optional<porting::order> o = {},
              bool guarded = false);
  boost::asio::awaitable<void> run_call(std::int64_t id, porting::call_kind kind, bool urgent);
  // Records (synced) that a submission's request, ready to be written, may leave now; false:
  // it must not (stopping, the store failed).
  boost::asio::awaitable<bool> mark_sent(std::int64_t id);
  void publish(const porting::stored_event& e);

  boost::asio::io_context& ioc_;
  store::repository& repo_;
  telegent::api& api_;
  telegent::budget& budget_;
  porting::policy policy_;
  engine_options opts_;
  now_fn now_;
  porting::time_point started_at_;

  // Group commit: staged_ holds what to do once the open group commits.
  store::group_commit group_;
  std::vector<staged> staged_;

  // When each waiting order is due, the poll slots, the timer.
  scheduler sched_;
  // Issue 18: the budget the cadences leave over, spent where news is likeliest.
  freshness fresh_;

  // Calls.
  // Orders with a call out, as of the latest decision: a poll's start is not written (it is
  // read-only), so this, not the database, says that the call is out.
  std::unordered_map<std::int64_t, porting::order> calls_;
  struct queued_call {
    std::int64_t id;
    porting::call_kind kind;
    bool urgent;
    bool guarded;
  };
  int commands_out_ = 0;
  std::deque<queued_call> command_queue_;
  bool stopping_ = false;

  // Events.
  std::int64_t last_committed_event_ = 0;
  std::map<std::uint64_t, watcher> watchers_;
  std::uint64_t next_watcher_ = 1;
  std::vector<event_listener> listeners_;
  outbox_hooks outbox_hooks_;
  std::unique_ptr<store::outbox> outbox_;  // prepared on first use
  store::outbox& outbox();

  // Orders by state and needing an operator, as committed: loaded once (GROUP BY at start),
  // then moved by every committed change in after_commit(), so daemon.status and a scrape
  // never scan the orders table. A group that fails to commit moves nothing.
  struct order_tally {
    bool loaded = false;
    std::array<std::int64_t, porting::order_state_count> by_state{};
    std::int64_t needs_attention = 0;
  };
  order_tally tally_;
  const order_tally& tally();
  void count(const staged& s);
  // Committed state changes, by (from, to): portd_transitions_total.
  std::map<std::pair<porting::order_state, porting::order_state>, std::uint64_t> transitions_;

  // Counters for status and metrics.
  std::unordered_map<std::int64_t, porting::input> resume_;  // see retry_later()

  // Retention: a pass every opts_.retention.interval (the first one a minute after start at
  // most), each batch a unit of its own group, committed before the next batch starts.
  boost::asio::awaitable<void> retention_loop();
  boost::asio::awaitable<void> prune();
  std::optional<boost::asio::steady_timer> retention_timer_;
  std::unique_ptr<store::retention> retention_;

  // daemon.backup: the copy runs on a thread of its own with its own connection, so that
  // copying a large database never stalls the loop. Declared last: destroyed (joined) first.
  std::shared_ptr<store::backup_job> backup_running_;
  std::unique_ptr<boost::asio::thread_pool> backup_worker_;
};

}  // namespace portd::engine
