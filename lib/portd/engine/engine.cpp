// The engine's driver: decide → persist (the group commit) → effects, for every command, API
// result and timer. See engine.hpp.
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>
#include <portd/runtime/log.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace portd::engine {

namespace asio = boost::asio;
using porting::order;
using porting::order_state;
using namespace detail;

namespace {

// An order event's log level by what it asks of an operator: one that needs a human is a
// warning, an order given up on (failed) an error; a call that failed and will be retried is
// a warning; routine progress is info. (`journalctl -u portd STATE=failed -p warning`.)
spdlog::level::level_enum log_level(const porting::event_record& r) {
  switch (r.type) {
    case porting::event_type::needs_attention:
    case porting::event_type::error: return spdlog::level::warn;
    case porting::event_type::state_changed:
      switch (r.to_state) {
        case order_state::failed: return spdlog::level::err;
        case order_state::submit_unknown:
        case order_state::rejected:
        case order_state::port_out_rejected:
        case order_state::ineligible: return spdlog::level::warn;
        default: return spdlog::level::info;
      }
    default: return spdlog::level::info;
  }
}

}  // namespace

engine::engine(asio::io_context& ioc, store::repository& repo, telegent::api& api,
               telegent::budget& budget, porting::policy pol, engine_options opts)
    : ioc_(ioc), repo_(repo), api_(api), budget_(budget), policy_(pol), opts_(std::move(opts)),
      now_(opts_.clock), started_at_(now_()),
      group_(ioc, repo, [this](std::string_view failure) { on_flushed(failure); }),
      sched_(ioc, opts_.poll_concurrency, now_,
             [this](const schedule_state::due_entry& e, porting::time_point now) { take_due(e, now); }),
      fresh_(policy_.poll, budget.requests_per_minute(), now_(), [this] { return budget_.waiting() == 0; },
             [this](std::int64_t id) { return sched_.state().contains(id) && !calls_.contains(id); }) {
  if (fresh_.enabled()) sched_.set_spare_poller(&fresh_);
}

engine::~engine() = default;

// After every flush: a committed group's effects run; a failed one was rolled back, and the
// database still holds each of its orders as before the group: they resume from there, after
// a pause that grows while the store keeps failing (a full disk is not retried in a loop).
void engine::on_flushed(std::string_view failure) {
  auto batch = std::move(staged_);
  staged_.clear();
  if (failure.empty()) {
    for (auto& s : batch) after_commit(s);
  } else {
    spdlog::error("commit failed, {} changes rolled back: {}", batch.size(), failure);
    const auto retry_at = now_() + group_.backoff();
    for (const auto& s : batch) {
      try {
        auto o = repo_.load(s.id);
        if (!o || !o->active()) continue;
        if (o->in_flight && !calls_.contains(o->id)) retry_later(o->id, porting::recovered{}, retry_at);
        else if (o->next_check_at) schedule(o->id, std::max(*o->next_check_at, retry_at), guarded(*o));
      } catch (const std::exception& e2) {
        runtime::log_order(spdlog::level::err, {s.id}, "cannot reload the order after a failed commit: {}", e2.what());
        retry_later(s.id, porting::recovered{}, retry_at);
      }
    }
    sched_.state().drop_reservations();
  }
  dispatch();
}

void engine::after_commit(staged& s) {
  if (tally_.loaded) count(s);
  // Logged only now: a group that fails to commit is rolled back, and its transitions with it.
  if (s.log_events) {
    const runtime::order_fields fields{s.id, porting::to_string(s.state), s.remote_order_id};
    for (const auto& e : s.events)
      runtime::log_order(log_level(e.record), fields, "{}: {}", porting::to_string(e.record.type), e.record.message);
  }
  for (const auto& e : s.events) publish(e);
  if (s.terminal) {
    sched_.state().forget(s.id);
    return;
  }
  if (s.call) {
    sched_.state().forget(s.id);
    launch(s.id, *s.call, s.urgent, {}, s.guarded);
  } else if (s.wake_at) {
    schedule(s.id, *s.wake_at, s.guarded);
  }
}

service::result<engine::applied> engine::apply(const order& cur, const porting::input& in) {
  const auto now = now_();
  porting::decision d = porting::decide(cur, in, now, policy_);
  if (d.refused) return refusal_error(cur, *d.refused);
  fresh_.decided(cur, d.next, in, d.events, now);
  if (d.next == cur && !d.call && !d.wake_at) return applied{cur, {}};
  staged s;
  if (d.events.empty()) {
    repo_.begin();
    repo_.update_order(d.next);  // one statement: all or nothing without a savepoint
  } else {
    store::repository::unit u(repo_);
    s.events = repo_.append_events(d.next, d.events, now);
    repo_.update_order(d.next);
    u.release();
  }
  // Events are told to others after the commit, and a non-idempotent call leaves after it
  // (rule 1): both need the group on disk. A poll's bookkeeping does not.
  if (d.durable) group_.must_sync();
  s.id = d.next.id;
  s.call = d.call;
  s.urgent = d.priority == porting::call_priority::command;
  s.guarded = d.priority == porting::call_priority::guarded;
  s.wake_at = d.wake_at;
  s.terminal = porting::is_terminal(d.next.state);
  s.log_events = !s.events.empty();
  s.state = d.next.state;
  s.remote_order_id = d.next.remote_order_id;
  s.from = cur.state;
  s.from_attention = cur.needs_attention();
  s.attention = d.next.needs_attention();
  if (auto it = calls_.find(d.next.id); it != calls_.end()) it->second = d.next;  // a call is out
  applied a{d.next, s.events};
  staged_.push_back(std::move(s));
  group_.add_unit();
  group_.request_flush();
  return a;
}

void engine::retry_later(std::int64_t id, porting::input in, porting::time_point at) {
  resume_.insert_or_assign(id, std::move(in));
  schedule(id, at);
}

void engine::publish(const porting::stored_event& e) {
  last_committed_event_ = std::max(last_committed_event_, e.id);
  for (auto& l : listeners_) l(e);
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    if (it->second.order_id != 0 && it->second.order_id != e.order_id) {
      ++it;
      continue;
    }
    bool keep = it->second.fn(e);
    it = keep ? std::next(it) : watchers_.erase(it);
  }
}

}  // namespace portd::engine
