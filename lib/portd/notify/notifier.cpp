// The webhook dispatcher (see notifier.hpp).
#include <portd/notify/notifier.hpp>
#include <portd/notify/signature.hpp>
#include <portd/runtime/metrics.hpp>
#include <portd/runtime/webhook_secret.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <deque>
#include <stdexcept>

namespace portd::notify {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono;

namespace {
constexpr auto min_scan_gap = milliseconds(20);

std::string seconds_text(milliseconds d) {
  if (d < seconds(1)) return std::to_string(d.count()) + "ms";
  return std::to_string(duration_cast<seconds>(d).count()) + "s";
}
}  // namespace

struct notifier::sink_state {
  sink_config cfg;
  http::http_url url;
  std::vector<std::string> keys;  // HMAC keys (secrets decoded); never logged
  std::unique_ptr<http_sender> sender;     // a webhook, or
  std::unique_ptr<command_runner> runner;  // a command
  std::set<std::int64_t> busy_orders;  // queued or out: the order's next event waits
  std::deque<store::outbox_row> ready;  // due heads, oldest first, not yet sent
  int in_flight = 0;
  bool disabled = false;
  std::uint64_t delivered = 0, failed = 0, dead = 0;
  runtime::histogram attempt_seconds;  // one attempt: the request, or the command's run
  runtime::histogram latency_seconds;  // an event's commit to its delivery
  std::string last_error;
};

struct notifier::outcome_mark {
  enum class kind : std::uint8_t { delivered, retry, dead } what;
  std::int64_t id;
  int attempts;
  porting::time_point at;  // delivered_at or next_attempt_at
  std::string error;
};

notifier::notifier(asio::any_io_executor ex, store::repository& repo, std::vector<sink_config> sinks)
    : ex_(ex), repo_(repo), outbox_(repo), scan_timer_(ex), retry_timer_(ex) {
  for (auto& c : sinks) {
    auto s = std::make_unique<sink_state>();
    if (c.concurrency < 1) c.concurrency = 1;
    if (!c.command.empty()) {
      try {
        s->runner = std::make_unique<command_runner>(ex, c.command, c.timeout);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(c.name + ": " + e.what());
      }
      s->url.display = c.command.front();
      s->cfg = std::move(c);
      sinks_.push_back(std::move(s));
      continue;
    }
    auto parsed = http::parse_http_url(c.url);
    auto& u = parsed.url;
    if (!u) throw std::invalid_argument(c.name + ": " + http::redact_url(c.url) + " " + parsed.problem);
    if (!u->tls && !http::is_loopback_host(u->host))
      throw std::invalid_argument(c.name + ": plain http is only allowed to a loopback receiver; use https://");
    if (c.secrets.empty()) throw std::invalid_argument(c.name + ": no secret");
    for (std::size_t i = 0; i < c.secrets.size(); ++i) {
      auto key = runtime::decode_webhook_secret(c.secrets[i]);
      if (!key.key)
        throw std::invalid_argument(c.name + ": secret " + std::to_string(i + 1) + " " + key.problem);
      s->keys.push_back(std::move(*key.key));
    }
    if (c.concurrency < 1) c.concurrency = 1;
    s->url = *u;
    s->sender = std::make_unique<http_sender>(ex, *u, c.ca_file, c.timeout, c.concurrency, c.proxy);
    s->cfg = std::move(c);
    sinks_.push_back(std::move(s));
  }
}

notifier::~notifier() { stop(); }

std::vector<store::sink> notifier::store_sinks() const {
  std::vector<store::sink> out;
  for (const auto& s : sinks_) out.push_back({s->cfg.name, s->cfg.events});
  return out;
}

void notifier::set_commit(std::function<void()> commit_soon) { commit_soon_ = std::move(commit_soon); }

void notifier::start(std::int64_t last_committed_event) {
  committed_upto_ = std::max(committed_upto_, last_committed_event);
  started_ = true;
  try {
    std::vector<std::string> names;
    for (const auto& s : sinks_) names.push_back(s->cfg.name);
    store::repository::unit u(repo_);
    if (const auto n = outbox_.bury_unconfigured(names))
      spdlog::warn("notify: {} pending deliveries belong to sinks no longer configured; they are dead "
                   "letters now (portctl events --failed; portctl redeliver --event N --sink NAME)", n);
    u.release();
    if (commit_soon_) commit_soon_();
    else repo_.commit();
  } catch (const std::exception& e) {
    spdlog::error("notify: cannot retire the deliveries of removed sinks: {}", e.what());
  }
  for (const auto& s : sinks_) {
    auto c = outbox_.counts(s->cfg.name);
    spdlog::info("notify: {} → {}: {} pending, {} dead letters; body {}", s->cfg.name, s->url.display,
                 c.pending, c.dead, to_string(s->cfg.body));
  }
  scan_soon();
}

void notifier::on_committed(const porting::stored_event& e) {
  if (e.id <= committed_upto_) return;
  committed_upto_ = e.id;
  scan_soon();
}

void notifier::wake(const std::string& sink) {
  for (auto& s : sinks_) {
    if (!sink.empty() && s->cfg.name != sink) continue;
    if (s->disabled) spdlog::info("notify: {} enabled again by a redelivery", s->cfg.name);
    s->disabled = false;
    // Forget queued rows: a redelivery may have put an older row of their order first.
    for (const auto& q : s->ready) s->busy_orders.erase(q.order_id);
    s->ready.clear();
  }
  scan_soon();
}

void notifier::stop() {
  if (stopped_) return;
  stopped_ = true;
  scan_timer_.cancel();
  retry_timer_.cancel();
  for (auto& s : sinks_) {
    if (s->sender) s->sender->close();
    if (s->runner) s->runner->close();
  }
}

bool notifier::idle() const {
  for (const auto& s : sinks_)
    if (s->in_flight) return false;
  return true;
}

std::vector<service::sink_status> notifier::status() const {
  std::vector<service::sink_status> v;
  for (const auto& s : sinks_)
    v.push_back({s->cfg.name, s->url.display, s->disabled, s->in_flight, s->delivered, s->failed, s->last_error});
  return v;
}

std::vector<service::sink_metrics> notifier::metrics() const {
  std::vector<service::sink_metrics> v;
  for (const auto& s : sinks_) v.push_back({s->cfg.name, s->delivered, s->failed, s->dead, s->attempt_seconds, s->latency_seconds});
  return v;
}

// ---- scheduling -----------------------------------------------------------------------------

void notifier::scan_soon() {
  if (!started_ || stopped_ || scan_armed_) return;
  scan_armed_ = true;
  scan_timer_.expires_at(std::max(asio::steady_timer::clock_type::now(),
                                  last_scan_ + std::max<asio::steady_timer::duration>(min_scan_gap, scan_gap_)));
  scan_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    scan_armed_ = false;
    scan();
  });
}

void notifier::arm_retry_timer(porting::time_point at) {
  if (retry_at_ && *retry_at_ <= at) return;
  retry_at_ = at;
  retry_timer_.expires_at(at);
  retry_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    retry_at_.reset();
    scan_soon();
  });
}

void notifier::scan() {
  const auto started = asio::steady_timer::clock_type::now();
  last_scan_ = started;
  if (stopped_) return;
  const auto now = porting::now_ms();
  if (paused_until_ && now < *paused_until_) {
    arm_retry_timer(*paused_until_);
    return;
  }
  paused_until_.reset();
  std::optional<porting::time_point> earliest;
  for (auto& sp : sinks_) {
    auto& s = *sp;
    if (s.disabled) continue;
    std::vector<store::outbox_row> heads;
    try {
      heads = outbox_.heads(s.cfg.name, committed_upto_);
    } catch (const std::exception& e) {
      spdlog::error("notify: {}: cannot read the outbox: {}", s.cfg.name, e.what());
      arm_retry_timer(now + seconds(5));
      continue;
    }
    for (auto& h : heads) {
      if (s.busy_orders.contains(h.order_id)) continue;  // queued or out already
      if (h.next_attempt_at > now) {
        if (!earliest || h.next_attempt_at < *earliest) earliest = h.next_attempt_at;
        continue;
      }
      s.busy_orders.insert(h.order_id);
      s.ready.push_back(std::move(h));
    }
    pump(s);
  }
  if (earliest) arm_retry_timer(*earliest);
  scan_gap_ = 4 * (asio::steady_timer::clock_type::now() - started);
}

// Starts queued deliveries up to the sink's concurrency.
void notifier::pump(sink_state& s) {
  if (paused_until_) return;  // the next scan after the pause starts them
  while (!stopped_ && !s.disabled && s.in_flight < s.cfg.concurrency && !s.ready.empty()) {
    auto row = std::move(s.ready.front());
    s.ready.pop_front();
    ++s.in_flight;
    asio::co_spawn(ex_, deliver(s, std::move(row)), asio::detached);
  }
}

// An attempt of an order's head ended for good (delivered or dead): queue the order's next row
// if it is due, with one index lookup instead of a scan.
void notifier::follow(sink_state& s, std::int64_t order_id) {
  std::optional<store::outbox_row> next;
  try {
    next = outbox_.head_of(s.cfg.name, order_id, committed_upto_);
  } catch (const std::exception& e) {
    spdlog::error("notify: {}: cannot read the outbox: {}", s.cfg.name, e.what());
    scan_soon();
    return;
  }
  if (!next) return;  // none yet: its commit wakes a scan
  if (next->next_attempt_at > porting::now_ms()) {
    arm_retry_timer(next->next_attempt_at);
    return;
  }
  s.busy_orders.insert(order_id);
  s.ready.push_back(std::move(*next));
}

// ---- one attempt ----------------------------------------------------------------------------

asio::awaitable<void> notifier::deliver(sink_state& s, store::outbox_row row) {
  post_result r;
  porting::time_point event_at{};
  bool have_body = false;
  std::string body;
  try {
    if (auto ev = outbox_.event(row.event_id)) {
      event_at = ev->at;
      auto o = repo_.read(row.order_id);  // as committed now; secrets never leave render_*
      body = render_body(*ev, o ? &*o : nullptr, s.cfg.body);
      have_body = true;
    } else {
      r.error = "event " + std::to_string(row.event_id) + " not found";
    }
  } catch (const std::exception& e) {
    spdlog::error("notify: {}: cannot build event {}: {}", s.cfg.name, row.event_id, e.what());
    r.error = "portd could not read the event";
  }
  if (have_body) {
    const auto id = message_id(row.event_id);
    const auto ts = std::to_string(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
    const auto started = std::chrono::steady_clock::now();
    if (s.runner) {
      header_list env{{"WEBHOOK_ID", id}, {"ORDER_ID", std::to_string(row.order_id)}};
      r = co_await s.runner->run(std::move(body), std::move(env));
    } else {
      header_list headers{{"webhook-id", id},
                          {"webhook-timestamp", ts},
                          {"webhook-signature", signature_header(s.keys, id, ts, body)}};
      r = co_await s.sender->post(std::move(body), std::move(headers));
    }
    if (stopped_) co_return;  // the row stays pending; the next start delivers it
    s.attempt_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  --s.in_flight;
  s.busy_orders.erase(row.order_id);
  bool settled = false;  // the row is done with: the order's next one may go
  const int attempts = row.attempts + 1;
  const auto now = porting::now_ms();
  const verdict v = have_body ? classify(r.status) : verdict::retry;
  const std::string what = r.status ? "HTTP " + std::to_string(r.status) : r.error;
  switch (v) {
    case verdict::delivered:
      ++s.delivered;
      s.latency_seconds.observe(std::chrono::duration<double>(now - event_at).count());
      settled = record({outcome_mark::kind::delivered, row.id, attempts, now, {}});
      spdlog::debug("notify: {} event {} (order {}) delivered, attempt {}", s.cfg.name, row.event_id,
                    row.order_id, attempts);
      break;
    case verdict::disabled:
      s.disabled = true;
      // Queued rows go back to the outbox; a redelivery's scan picks them up again.
      for (const auto& q : s.ready) s.busy_orders.erase(q.order_id);
      s.ready.clear();
      s.last_error = "HTTP 410: the receiver disabled this endpoint";
      // The row stays pending, due at once: a redelivery (or a restart) resumes from here.
      record({outcome_mark::kind::retry, row.id, row.attempts, now, s.last_error});
      spdlog::warn("notify: {} ({}) answered 410 Gone: deliveries to it are stopped until "
                   "`portctl redeliver --sink {}` or a restart",
                   s.cfg.name, s.url.display, s.cfg.name);
      break;
    case verdict::retry:
      ++s.failed;
      s.last_error = what;
      if (auto delay = s.cfg.schedule.next_delay(attempts)) {
        record({outcome_mark::kind::retry, row.id, attempts, now + *delay, what});
        spdlog::info("notify: {} event {} (order {}) attempt {} failed ({}); next in {}", s.cfg.name,
                     row.event_id, row.order_id, attempts, what, seconds_text(*delay));
      } else {
        ++s.dead;
        settled = record({outcome_mark::kind::dead, row.id, attempts, now, what});
        spdlog::warn("notify: {} event {} (order {}) is a dead letter after {} attempts ({}); "
                     "`portctl redeliver {}` sends it again",
                     s.cfg.name, row.event_id, row.order_id, attempts, what, row.id);
      }
      break;
  }
  if (settled && !s.disabled) follow(s, row.order_id);
  pump(s);
  if (s.ready.empty()) scan_soon();  // other orders may have become due meanwhile
}

bool notifier::record(const outcome_mark& m) {
  try {
    store::repository::unit u(repo_);  // opens the group when none is open
    switch (m.what) {
      case outcome_mark::kind::delivered: outbox_.mark_delivered(m.id, m.attempts, m.at); break;
      case outcome_mark::kind::retry: outbox_.mark_retry(m.id, m.attempts, m.at, m.error); break;
      case outcome_mark::kind::dead: outbox_.mark_dead(m.id, m.attempts, m.error); break;
    }
    u.release();
  } catch (const std::exception& e) {
    // The row keeps its last committed state and is attempted again: a duplicate, not a loss.
    spdlog::error("notify: cannot record the outcome of outbox row {}: {}; deliveries pause for 5 s",
                  m.id, e.what());
    paused_until_ = porting::now_ms() + seconds(5);
    arm_retry_timer(*paused_until_);
    return false;
  }
  if (commit_soon_) {
    commit_soon_();
  } else if (!own_commit_posted_) {
    own_commit_posted_ = true;
    asio::post(ex_, [this] {
      own_commit_posted_ = false;
      try {
        repo_.commit();
      } catch (const std::exception& e) {
        spdlog::error("notify: commit failed: {}", e.what());
      }
    });
  }
  return true;
}

}  // namespace portd::notify
