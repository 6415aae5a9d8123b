// daemon.status, the metrics and the one-line status, from the engine's tally and counters
// (no scan of the orders table).
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>

#include <spdlog/spdlog.h>

#include <sstream>

namespace portd::engine {

namespace asio = boost::asio;
using porting::order_state;
using namespace detail;

const engine::order_tally& engine::tally() {
  if (tally_.loaded) return tally_;
  const auto c = repo_.read_counts();
  for (const auto& [st, n] : c.by_state) tally_.by_state[static_cast<std::size_t>(st)] = n;
  tally_.needs_attention = c.needs_attention;
  tally_.loaded = true;
  return tally_;
}

void engine::count(const staged& s) {
  if (s.from) {
    --tally_.by_state[static_cast<std::size_t>(*s.from)];
    if (s.from_attention) --tally_.needs_attention;
    if (*s.from != s.state) ++transitions_[{*s.from, s.state}];
  } else if (s.state != order_state::received) {
    ++transitions_[{order_state::received, s.state}];  // a new order starts as received
  }
  ++tally_.by_state[static_cast<std::size_t>(s.state)];
  if (s.attention) ++tally_.needs_attention;
}

service::daemon_status engine::status() {
  service::daemon_status r;
  r.version = PORTD_VERSION;
  r.started_at = started_at_;
  r.orders = {tally().by_state, tally().needs_attention};
  const auto& st = api_.stats();
  r.api.budget_per_minute = budget_.requests_per_minute();
  r.api.requests_total = st.requests_total;
  r.api.by_status = st.by_status;
  if (auto p = budget_.paused_until(); p && *p > now_()) r.api.paused_until = *p;
  r.api.in_flight = st.in_flight;
  r.api.credentials = {st.credentials.verified, st.credentials.problem, st.credentials.detail, st.credentials.at};
  const auto ob = repo_.read_outbox_counts();
  r.outbox.pending = ob.pending;
  r.outbox.dead = ob.dead;
  if (outbox_hooks_.sink_status) r.outbox.sinks = outbox_hooks_.sink_status();
  r.db.path = repo_.path().string();
  r.db.size_bytes = repo_.size_bytes();
  r.db.problem = repo_.not_writable();
  return r;
}

std::string engine::status_line() const {
  std::ostringstream os;
  if (!repo_.not_writable().empty()) os << "store read-only, orders refused; ";
  os << active_orders() << " orders scheduled, " << calls_.size() << " calls out";
  if (!command_queue_.empty()) os << ", " << command_queue_.size() << " commands queued";
  if (auto p = budget_.paused_until(); p && *p > now_()) os << ", API paused until " << porting::format_time(*p);
  return os.str();
}

service::daemon_metrics engine::metrics() {
  service::daemon_metrics m;
  m.version = PORTD_VERSION;
  m.database_size_bytes = repo_.size_bytes();
  m.orders = {tally().by_state, tally().needs_attention};
  m.transitions = transitions_;
  const auto& st = api_.stats();
  m.api_requests = st.by_status;
  m.api_latency = st.latency;
  m.api_in_flight = st.in_flight;
  m.budget_waiting = budget_.waiting();
  m.commits = group_.commits();
  m.scheduler_wakeups = sched_.wakeups();
  m.commit_failures = group_.failures();
  const auto ob = repo_.read_outbox_counts();
  m.outbox_pending = ob.pending;
  m.outbox_dead = ob.dead;
  if (outbox_hooks_.sink_metrics) m.sinks = outbox_hooks_.sink_metrics();
  const auto now = now_();
  if (auto p = budget_.paused_until(); p && *p > now) m.api_paused_seconds = std::chrono::duration<double>(*p - now).count();
  store::order_filter oldest;
  oldest.active = true;
  oldest.limit = 1;
  if (auto o = repo_.read_list(oldest); !o.empty())
    m.oldest_active_order_age_seconds = std::chrono::duration<double>(now - o.front().created_at).count();
  static_assert(service::daemon_metrics::lateness_bounds == schedule_state::lateness_bounds);
  const auto& late = sched_.state().late();
  m.lateness_buckets = late.buckets;
  m.lateness_count = late.count;
  m.lateness_sum = late.sum;
  fresh_.metrics(m);
  return m;
}

}  // namespace portd::engine
