// The orchestrator: decide → persist (group commit) → effects. See engine.hpp.
#include <portd/core/redact.hpp>
#include <portd/core/status.hpp>
#include <portd/engine/engine.hpp>
#include <portd/util/log.hpp>
#include <portd/util/metrics.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

namespace portd::engine {

namespace asio = boost::asio;
using core::order;
using core::order_state;

namespace {

service::error fail(errc code, std::string message) { return {.code = code, .message = std::move(message)}; }

service::error not_found(std::int64_t id) { return fail(errc::not_found, "no order with id " + std::to_string(id)); }

service::error unavailable(std::string why) { return fail(errc::unavailable, std::move(why)); }

// decide()'s refusal of a command: the order's state does not allow it, or a value is wrong.
service::error refusal_error(const order& cur, const core::refusal& r) {
  if (r.kind == core::refusal_kind::invalid_state)
    return {.code = errc::invalid_state, .message = r.message, .field = r.field, .state = cur.state};
  return {.code = errc::invalid_params, .message = r.message, .field = r.field};
}

// A port-in whose next step is a submission resent under Telegent's duplicate guard (rule 3).
bool guarded(const order& o) {
  return o.kind == core::order_kind::port_in && o.state == order_state::submitting && o.submit_ambiguous &&
         o.remote_order_id.empty();
}

// Non-secret content of a submission, to recognise a repeated client_ref.
bool same_submission(const order& a, const order& b) {
  return a.kind == b.kind && a.number == b.number && a.details == b.details && a.group == b.group &&
         a.skip_eligibility == b.skip_eligibility;
}

// An order event's log level by what it asks of an operator: one that needs a human is a
// warning, an order given up on (failed) an error; a call that failed and will be retried is
// a warning; routine progress is info. (`journalctl -u portd STATE=failed -p warning`.)
spdlog::level::level_enum log_level(const core::event_record& r) {
  switch (r.type) {
    case core::event_type::needs_attention:
    case core::event_type::error: return spdlog::level::warn;
    case core::event_type::state_changed:
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
               telegent::budget& budget, core::policy pol, engine_options opts)
    : ioc_(ioc), repo_(repo), api_(api), budget_(budget), policy_(pol), opts_(std::move(opts)),
      now_(opts_.clock), started_at_(now_()),
      group_(ioc, repo, [this](std::string_view failure) { on_flushed(failure); }),
      sched_(ioc, opts_.poll_concurrency, now_,
             [this](const schedule_state::due_entry& e, core::time_point now) { take_due(e, now); }),
      fresh_(policy_.poll, budget.requests_per_minute(), now_(), [this] { return budget_.waiting() == 0; },
             [this](std::int64_t id) { return sched_.state().contains(id) && !calls_.contains(id); }) {
  if (fresh_.enabled()) sched_.set_spare_poller(&fresh_);
}

engine::~engine() = default;

// ---- start-up and shutdown -----------------------------------------------------------------

void engine::start() {
  last_committed_event_ = repo_.last_event_id();
  tally();
  // A read-only store serves reads only: no order moves, since nothing it learns or intends
  // could be kept (and no command may leave before its intent is on disk).
  if (!repo_.not_writable().empty()) {
    spdlog::warn("the store is read-only: active orders are not resumed");
    return;
  }
  // A pause Telegent asked for (429) outlives a restart: nothing leaves before its end.
  if (auto v = repo_.read_setting("api_paused_until"); v && !v->empty() &&
                                                      v->find_first_not_of("0123456789") == std::string::npos) {
    const core::time_point until{core::milliseconds{std::stoll(v->substr(0, 15))}};
    if (until > now_()) {
      budget_.pause_until(until);
      spdlog::info("Telegent asked to pause until {}: no request before then", core::format_time(until));
    }
  }
  budget_.on_pause([this](core::time_point until) {
    try {
      repo_.write_setting("api_paused_until", std::to_string(until.time_since_epoch().count()));
      group_.must_sync();
      group_.request_flush();
    } catch (const std::exception& e) {
      spdlog::warn("could not remember the API pause: {}", e.what());
    }
  });
  try {
    fresh_.load(repo_);
  } catch (const std::exception& e) {
    spdlog::warn("freshness: could not read what the history teaches ({}); starting from the priors", e.what());
  }
  const auto entries = repo_.load_schedule();
  const auto now = now_();
  std::size_t resumed = 0;
  for (const auto& e : entries) {
    if (!e.in_flight && e.state != order_state::received && e.state != order_state::submitting &&
        e.next_check_at) {
      // The common case after a restart: nothing was out, the wake-up time is known. No need
      // to load the whole order now; it is loaded when it comes due. (A submission waiting to
      // be resent is loaded: it may be a guarded resend, which goes first.)
      schedule(e.id, std::max(*e.next_check_at, now));
      continue;
    }
    if (!e.in_flight && !e.next_check_at && e.state != order_state::received) continue;  // waits for an operator
    auto o = repo_.load(e.id);
    if (!o) continue;
    auto r = apply(*o, core::recovered{});
    if (r.has_value()) ++resumed;
  }
  spdlog::info("resumed {} active orders ({} needed recovery)", entries.size(), resumed);
  const auto& keep = opts_.retention;
  if (keep.delivered_outbox.count() > 0 || keep.raw_bodies.count() > 0) {
    retention_timer_.emplace(ioc_);
    asio::co_spawn(ioc_, retention_loop(), asio::detached);
  }
  // Recovery's decisions commit now, in one group, and their calls start: a resend under the
  // duplicate guard must not wait for anything.
  group_.must_sync();
  group_.flush();
}

asio::awaitable<void> engine::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  if (backup_running_) backup_running_->interrupt();  // its worker is joined with the engine
  if (retention_timer_) retention_timer_->cancel();
  sched_.stop();
  group_.stop();
  asio::steady_timer t(ioc_);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!calls_.empty() && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
  if (!calls_.empty())
    spdlog::info("abandoning {} calls in flight; their intents are committed and resume at the next start",
                 calls_.size());
  api_.close();
  budget_.on_pause({});
  budget_.close();
  group_.must_sync();  // a clean stop leaves everything on disk
  group_.flush();
}

// ---- group commit --------------------------------------------------------------------------

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
        if (o->in_flight && !calls_.contains(o->id)) retry_later(o->id, core::recovered{}, retry_at);
        else if (o->next_check_at) schedule(o->id, std::max(*o->next_check_at, retry_at), guarded(*o));
      } catch (const std::exception& e2) {
        util::log_order(spdlog::level::err, {s.id}, "cannot reload the order after a failed commit: {}", e2.what());
        retry_later(s.id, core::recovered{}, retry_at);
      }
    }
    sched_.state().drop_reservations();
  }
  dispatch();
}

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

void engine::after_commit(staged& s) {
  if (tally_.loaded) count(s);
  // Logged only now: a group that fails to commit is rolled back, and its transitions with it.
  if (s.log_events) {
    const util::order_fields fields{s.id, core::to_string(s.state), s.remote_order_id};
    for (const auto& e : s.events)
      util::log_order(log_level(e.record), fields, "{}: {}", core::to_string(e.record.type), e.record.message);
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

service::result<engine::applied> engine::apply(const order& cur, const core::input& in, bool urgent) {
  const auto now = now_();
  core::decision d = core::decide(cur, in, now, policy_);
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
  if (!s.events.empty() || (d.call && core::is_command_call(*d.call))) group_.must_sync();
  s.id = d.next.id;
  s.call = d.call;
  s.urgent = urgent;
  s.guarded = guarded(d.next);
  s.wake_at = d.wake_at;
  s.terminal = core::is_terminal(d.next.state);
  s.log_events = !s.events.empty();
  s.state = d.next.state;
  s.remote_order_id = d.next.remote_order_id;
  s.from = cur.state;
  s.from_attention = cur.needs_attention;
  s.attention = d.next.needs_attention;
  if (auto it = calls_.find(d.next.id); it != calls_.end()) it->second = d.next;  // a call is out
  applied a{d.next, s.events};
  staged_.push_back(std::move(s));
  group_.add_unit();
  group_.request_flush();
  return a;
}

// ---- scheduler and calls -------------------------------------------------------------------

// Takes one order the scheduler hands out (a due order, guarded resends first and polls within
// their slots, or the spare poller's pick): its timer_fired, or the input a failed store left
// for it, goes through decide().
void engine::take_due(const schedule_state::due_entry& top, core::time_point now) {
  (void)now;
  auto pending = resume_.extract(top.id);
  try {
    auto o = load(top.id);
    if (!o) return;
    if (pending.empty() && start_poll(*o)) return;
    const core::input& in = pending.empty() ? core::input{core::timer_fired{}} : pending.mapped();
    auto r = apply(*o, in);
    if (!r.has_value() || staged_.empty() || staged_.back().id != top.id) return;  // nothing to do now
  } catch (const std::exception& e) {
    util::log_order(spdlog::level::err, {top.id}, "the store failed; trying again later: {}", e.what());
    retry_later(top.id, pending.empty() ? core::input{core::recovered{}} : std::move(pending.mapped()),
                now_() + group_.backoff());
    return;
  }
  if (staged_.back().call == core::call_kind::status) sched_.state().reserve_poll();  // counts until launched
}

// A plain poll leaves at once, without a write: a status request is read-only, so rule 1
// asks for no intent, and the order as it stands on disk (due, nothing out) is exactly what a
// restart would resume — with a poll. Its result is written as usual. Anything more than a
// poll (an event, another call) goes through apply() and the commit.
bool engine::start_poll(const order& cur) {
  core::decision d = core::decide(cur, core::timer_fired{}, now_(), policy_);
  if (d.call != core::call_kind::status || !d.events.empty() || d.refused) return false;
  order bookkeeping = d.next;  // what a poll changes: the call out, the time, the wake-up
  bookkeeping.in_flight = cur.in_flight;
  bookkeeping.updated_at = cur.updated_at;
  bookkeeping.next_check_at = cur.next_check_at;
  if (bookkeeping != cur) return false;
  sched_.state().reserve_poll();  // launch() turns it into a poll out
  launch(cur.id, core::call_kind::status, false, std::move(d.next));
  return true;
}

std::optional<order> engine::load(std::int64_t id) {
  if (auto it = calls_.find(id); it != calls_.end()) return it->second;
  return repo_.load(id);
}

void engine::launch(std::int64_t id, core::call_kind kind, bool urgent, std::optional<order> o, bool guarded) {
  const bool poll = kind == core::call_kind::status && !urgent;
  if (stopping_ || calls_.contains(id)) {  // calls_: rule 2, belt and braces
    if (poll) sched_.state().poll_launched(false);
    return;
  }
  const bool command = !poll;
  if (command && commands_out_ >= opts_.command_concurrency) {
    // Beyond this many, commands wait here as ids, first come first served (a bulk import's
    // submissions wait for the budget without holding an order and a coroutine each).
    // Their intents are committed: a restart meanwhile resumes them like calls that were out.
    // A guarded resend goes to the front: the duplicate guard does not wait.
    if (guarded) command_queue_.push_front({id, kind, urgent, guarded});
    else command_queue_.push_back({id, kind, urgent, guarded});
    return;
  }
  if (!o) o = repo_.load(id);
  const bool goes = o && o->in_flight == kind;
  if (poll) sched_.state().poll_launched(goes);  // reserved until now, whether it goes or not
  if (!goes) return;
  if (kind == core::call_kind::status) fresh_.polling(id, now_());
  calls_.emplace(id, std::move(*o));
  if (command) ++commands_out_;
  asio::co_spawn(ioc_, run_call(id, kind, urgent), asio::detached);
}

asio::awaitable<void> engine::run_call(std::int64_t id, core::call_kind kind, bool urgent) {
  const bool counted_poll = kind == core::call_kind::status && !urgent;
  core::api_result result;
  bool have_result = false;
  try {
    // A copy: a command may change the order (an intent queued) while the call is out.
    const order o = calls_.at(id);
    const auto prio = kind == core::call_kind::submit_port_in && guarded(o) ? telegent::priority::guarded
                      : core::is_command_call(kind) || urgent             ? telegent::priority::command
                                                                          : telegent::priority::poll;
    if (kind == core::call_kind::submit_port_in || kind == core::call_kind::submit_port_out) {
      // A submission records that its request is leaving (rule 1's second half) once it has
      // its budget, token and connection, before it is written: a restart then knows whether
      // an attempt still waiting for any of them reached anybody.
      auto p = co_await api_.prepare(o, kind, prio);
      if (!p.ready) result = std::move(p.ended);
      else if (co_await mark_sent(id)) result = co_await p.ready->send();
      else result = co_await p.ready->withhold();
    } else {
      result = co_await api_.call(o, kind, prio);
    }
    have_result = true;
  } catch (const std::exception& e) {
    result.call = kind;
    result.outcome = core::call_outcome::transient;
    result.reason = "internal_error";
    result.message = e.what();
    have_result = !stopping_;
    util::log_order(spdlog::level::err, {id}, "{} call failed inside portd: {}", core::to_string(kind), e.what());
  }
  auto node = calls_.extract(id);
  if (counted_poll) sched_.state().poll_done();
  if (!counted_poll) {
    --commands_out_;
    // The next queued commands take the freed place (one that no longer applies is skipped).
    while (!stopping_ && !command_queue_.empty() && commands_out_ < opts_.command_concurrency) {
      const auto next = command_queue_.front();
      command_queue_.pop_front();
      launch(next.id, next.kind, next.urgent, {}, next.guarded);
    }
  }
  if (stopping_ || !have_result || node.empty()) {
    // Abandoned at shutdown: the intent stays committed and the next start resumes it.
    co_return;
  }
  result.call = kind;
  try {
    (void)apply(node.mapped(), result);  // its events are logged once they commit
  } catch (const std::exception& e) {
    // Kept, and recorded once the store takes writes again: the call happened.
    util::log_order(spdlog::level::err, {id}, "could not record the {} result yet: {}", core::to_string(kind), e.what());
    retry_later(id, std::move(result), now_() + group_.backoff());
  }
  dispatch();
}

asio::awaitable<bool> engine::mark_sent(std::int64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || stopping_) co_return false;  // abandoned: nothing may leave
  if (it->second.request_sent) co_return true;            // a re-sent request (after a 401)
  order marked = it->second;
  marked.request_sent = true;
  try {
    repo_.begin();
    repo_.update_order(marked);
  } catch (const std::exception& e) {
    if (repo_.in_transaction()) group_.request_flush();
    util::log_order(spdlog::level::err, {id}, "cannot record that the submission is leaving; not sent: {}", e.what());
    co_return false;
  }
  it->second = marked;
  // Synced before the request is written: a kill in between must find the mark.
  if (co_await group_.committed()) co_return true;
  if (auto again = calls_.find(id); again != calls_.end()) again->second.request_sent = false;
  co_return false;
}

void engine::retry_later(std::int64_t id, core::input in, core::time_point at) {
  resume_.insert_or_assign(id, std::move(in));
  schedule(id, at);
}

// ---- events --------------------------------------------------------------------------------

void engine::publish(const core::stored_event& e) {
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

// ---- commands ------------------------------------------------------------------------------

asio::awaitable<service::result<service::submitted>> engine::intake(order o, std::string pin, std::string actor) {
  if (stopping_) co_return unavailable("portd is shutting down");
  const auto now = now_();
  if (!o.client_ref.empty()) {
    if (auto existing = repo_.load_by_client_ref(o.client_ref)) {
      if (!same_submission(*existing, o)) {
        co_return service::error{.code = errc::conflict,
                                 .message = "client_ref \"" + o.client_ref + "\" was used for order " +
                                            std::to_string(existing->id) + " with different content",
                                 .field = "client_ref",
                                 .order_id = existing->id};
      }
      if (!co_await group_.committed()) co_return unavailable("the store is not writable");
      auto again = repo_.read(existing->id);
      co_return service::submitted{again ? *again : *existing, false};
    }
  }
  o.created_at = o.updated_at = o.state_since = now;
  if (o.kind == core::order_kind::port_in) o.secrets.account_pin = pin;
  else o.secrets.port_out_pin = pin;
  // The order is written once, as decide() leaves it after `start` (its first call decided),
  // with its whole history so far: `order.created` and what the start added.
  core::decision d = core::decide(o, core::start{}, now, policy_);
  if (d.refused) co_return refusal_error(o, *d.refused);
  order& n = d.next;
  std::vector<core::event_record> records;
  records.reserve(1 + d.events.size());
  records.push_back({});
  records.back().type = core::event_type::created;
  records.back().actor = actor;
  records.back().message = std::string(o.kind == core::order_kind::port_in ? "port-in" : "port-out") + " of " +
                           o.number + " received";
  std::move(d.events.begin(), d.events.end(), std::back_inserter(records));
  try {
    store::repository::unit u(repo_);
    n.last_seq = static_cast<std::int64_t>(records.size());  // the row as it is once they are in
    repo_.insert_order(n);
    n.last_seq = 0;
    staged s;
    s.events = repo_.append_events(n, records, now);  // seq 1…, back to the count above
    s.id = n.id;
    s.call = d.call;
    s.wake_at = d.wake_at;
    s.terminal = core::is_terminal(n.state);
    s.state = n.state;
    s.attention = n.needs_attention;
    staged_.push_back(std::move(s));
    group_.add_unit();
    u.release();
  } catch (const store::conflict_error& e) {
    co_return service::error{.code = errc::conflict,
                             .message = e.what(),
                             .field = e.client_ref ? "client_ref" : "",
                             .order_id = e.existing_id};
  } catch (const store::store_error& e) {
    spdlog::error("intake failed: {}", e.what());
    co_return e.disk_full   ? unavailable("the store is full; the order was not accepted")
           : e.read_only ? unavailable("the store is not writable (read-only); the order was not accepted")
                         : fail(errc::internal, "the store failed; the order was not accepted");
  }
  if (!co_await group_.committed()) co_return unavailable("the store is not writable; the order was not accepted");
  co_return service::submitted{std::move(n), true};
}

asio::awaitable<service::result<service::submitted>> engine::submit_port_in(service::port_in_request req,
                                                                    const service::caller& c) {
  order o;
  o.kind = core::order_kind::port_in;
  o.number = req.number;
  o.details = std::move(req.details);
  o.skip_eligibility = req.skip_eligibility;
  o.client_ref = std::move(req.client_ref);
  o.group = std::move(req.group);
  std::string actor = c.actor();
  co_return co_await intake(std::move(o), std::move(req.account_pin), std::move(actor));
}

asio::awaitable<service::result<service::submitted>> engine::submit_port_out(service::port_out_request req,
                                                                     const service::caller& c) {
  order o;
  o.kind = core::order_kind::port_out;
  o.number = req.number;
  o.client_ref = std::move(req.client_ref);
  o.group = std::move(req.group);
  std::string actor = c.actor();
  co_return co_await intake(std::move(o), std::move(req.pin), std::move(actor));
}

asio::awaitable<service::result<order>> engine::command(std::int64_t id, core::input in, bool urgent) {
  if (stopping_) co_return unavailable("portd is shutting down");
  std::optional<applied> done;
  try {
    auto cur = load(id);
    if (!cur) co_return not_found(id);
    auto r = apply(*cur, in, urgent);
    if (!r.has_value()) co_return r.error();
    done = std::move(r.value());
  } catch (const store::store_error& e) {
    spdlog::error("order {}: command failed in the store: {}", id, e.what());
    co_return e.disk_full   ? unavailable("the store is full; nothing was changed")
           : e.read_only ? unavailable("the store is not writable (read-only); nothing was changed")
                         : fail(errc::internal, "the store failed; nothing was changed");
  }
  if (!co_await group_.committed()) co_return unavailable("the store is not writable; nothing was changed");
  co_return done->order;
}

// Inputs are built as named locals before co_await: GCC 12 destroys a temporary that lives
// across a co_await twice.
asio::awaitable<service::result<order>> engine::update(std::int64_t id, core::order_patch p, const service::caller& c) {
  core::input in = core::cmd_update{std::move(p), c.actor()};
  co_return co_await command(id, std::move(in));
}
asio::awaitable<service::result<order>> engine::cancel(std::int64_t id, std::string reason, const service::caller& c) {
  core::input in = core::cmd_cancel{std::move(reason), c.actor()};
  co_return co_await command(id, std::move(in));
}
asio::awaitable<service::result<order>> engine::resolve(std::int64_t id, std::string adopt, bool resubmit,
                                                const service::caller& c) {
  core::input in = core::cmd_resolve{adopt, resubmit, c.actor(), {}};
  if (!adopt.empty()) {
    auto checked = co_await check_adoption(id, adopt, in);
    if (!checked.has_value()) co_return checked.error();
    std::get<core::cmd_resolve>(in).checked = std::move(checked.value());
  }
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<std::string>> engine::check_adoption(std::int64_t id, const std::string& remote,
                                                             const core::input& in) {
  if (stopping_) co_return unavailable("portd is shutting down");
  std::optional<order> cur;
  try {
    cur = load(id);
  } catch (const store::store_error& e) {
    spdlog::error("order {}: cannot read it for resolve: {}", id, e.what());
    co_return fail(errc::internal, "the store failed; nothing was changed");
  }
  if (!cur) co_return not_found(id);
  // The state rules first (only submit_unknown resolves): no call for an order that cannot be.
  if (auto d = core::decide(*cur, in, now_(), policy_); d.refused) co_return refusal_error(*cur, *d.refused);
  auto bound_elsewhere = [&]() -> std::optional<service::error> {
    auto other = repo_.read_by_remote_id(remote);
    if (!other || other->id == id) return std::nullopt;
    return service::error{.code = errc::invalid_params,
                          .message = "Telegent order " + remote + " already belongs to order " +
                                     std::to_string(other->id) + "; order " + std::to_string(id) +
                                     " stays submit_unknown",
                          .field = "remote_order_id",
                          .order_id = other->id};
  };
  if (auto e = bound_elsewhere()) co_return *e;
  // Ask Telegent, at command priority, within the budget.
  order probe = *cur;
  probe.remote_order_id = remote;
  const core::api_result r = co_await api_.call(probe, core::call_kind::status, telegent::priority::command);
  auto refuse = [&](std::string why) {
    return service::error{.code = errc::invalid_params,
                          .message = "Telegent order " + remote + " cannot be adopted for order " +
                                     std::to_string(id) + ": " + why + "; order " + std::to_string(id) +
                                     " stays submit_unknown",
                          .field = "remote_order_id"};
  };
  if (r.outcome == core::call_outcome::transient)
    co_return unavailable("could not check Telegent order " + remote + " with Telegent (" + r.reason +
                          (r.message.empty() ? "" : ": " + r.message) + "); nothing was changed, try again");
  if (r.outcome == core::call_outcome::refused)
    co_return refuse("Telegent answered " + r.reason + (r.message.empty() ? "" : " (" + r.message + ")"));
  if (!r.remote_number.empty() && r.remote_number != cur->number)
    co_return refuse("it ports " + r.remote_number + ", not " + cur->number);
  std::string checked = "Telegent reports \"" + r.remote_status + "\"";
  if (r.remote_number.empty()) checked += "; its answer did not name the number";
  if (!r.remote_type.empty()) {
    const std::string type = core::status_key(r.remote_type);
    const std::string want = cur->kind == core::order_kind::port_in ? "portin" : "portout";
    if (type != want)
      co_return refuse("it is a \"" + r.remote_type + "\" order, not a " +
                       (cur->kind == core::order_kind::port_in ? "port-in" : "port-out"));
  } else {
    checked += "; its answer did not name the order type";
  }
  if (auto e = bound_elsewhere()) co_return *e;  // another resolve may have taken it meanwhile
  co_return checked;
}
asio::awaitable<service::result<order>> engine::retry(std::int64_t id, const service::caller& c) {
  core::input in = core::cmd_retry{c.actor()};
  co_return co_await command(id, std::move(in));
}
asio::awaitable<service::result<order>> engine::close(std::int64_t id, std::string reason, const service::caller& c) {
  core::input in = core::cmd_close{std::move(reason), c.actor()};
  co_return co_await command(id, std::move(in));
}
asio::awaitable<service::result<order>> engine::poll(std::int64_t id, const service::caller& c) {
  core::input in = core::cmd_poll_now{c.actor()};
  co_return co_await command(id, std::move(in), true);
}

asio::awaitable<service::result<core::stored_event>> engine::note(std::int64_t id, std::string text,
                                                          const service::caller& c) {
  if (stopping_) co_return unavailable("portd is shutting down");
  std::optional<applied> done;
  try {
    auto cur = load(id);
    if (!cur) co_return not_found(id);
    auto r = apply(*cur, core::cmd_note{std::move(text), c.actor()});
    if (!r.has_value()) co_return r.error();
    done = std::move(r.value());
  } catch (const store::store_error& e) {
    co_return unavailable("the store is not writable; the note was not kept");
  }
  if (!co_await group_.committed()) co_return unavailable("the store is not writable; the note was not kept");
  if (done->events.empty()) co_return fail(errc::internal, "the note was not recorded");
  co_return done->events.back();
}

// ---- reads (committed data only) -----------------------------------------------------------

service::result<order> engine::get_order(const service::order_key& k) {
  std::optional<order> o;
  std::string what;
  if (k.id) { o = repo_.read(*k.id); what = "id " + std::to_string(*k.id); }
  else if (!k.client_ref.empty()) { o = repo_.read_by_client_ref(k.client_ref); what = "client_ref \"" + k.client_ref + "\""; }
  else if (!k.remote_order_id.empty()) { o = repo_.read_by_remote_id(k.remote_order_id); what = "remote_order_id \"" + k.remote_order_id + "\""; }
  else if (!k.number.empty()) { o = repo_.read_latest_for_number(k.number); what = "number " + k.number; }
  if (!o) return fail(errc::not_found, "no order with " + what);
  fresh_.describe(*o, now_());
  return *o;
}

service::result<service::order_page> engine::list_orders(const service::order_filter& f) {
  service::order_page page;
  service::order_filter g = f;
  g.limit = f.limit + 1;  // one more tells whether there is a next page
  page.orders = repo_.read_list(g);
  if (static_cast<int>(page.orders.size()) > f.limit) {
    page.orders.resize(static_cast<std::size_t>(f.limit));
    page.next_after_id = page.orders.back().id;
  }
  return page;
}

service::result<std::vector<core::stored_event>> engine::history(std::int64_t id) {
  if (!repo_.read(id)) return not_found(id);
  return repo_.read_history(id);
}

service::result<service::event_page> engine::list_events(std::int64_t after, std::int64_t order_id, int limit) {
  service::event_page page;
  page.events = repo_.read_events(after, order_id, limit + 1);
  if (static_cast<int>(page.events.size()) > limit) {
    page.events.resize(static_cast<std::size_t>(limit));
    page.next_after = page.events.back().id;
  }
  return page;
}

service::result<service::subscription> engine::watch(std::int64_t after, std::int64_t order_id,
                                             std::function<bool(const core::stored_event&)> on_event) {
  service::subscription sub;
  std::int64_t from = after < 0 ? last_committed_event_ : after;
  sub.after = from;
  // Backlog: committed events after `from` up to the last one published; the reader sees
  // exactly the committed ones and publish() has seen each of those, so live delivery starts
  // right after without a gap or a duplicate.
  while (from < last_committed_event_) {
    const auto batch = repo_.read_events(from, order_id, 1000);
    bool more = batch.size() == 1000;
    for (const auto& e : batch) {
      if (e.id > last_committed_event_) {
        more = false;
        break;
      }
      from = e.id;
      if (!on_event(e)) {
        sub.cancel = [] {};
        return sub;
      }
    }
    if (!more) break;
  }
  const std::uint64_t key = next_watcher_++;
  watchers_[key] = watcher{order_id, std::move(on_event)};
  sub.cancel = [this, key] { watchers_.erase(key); };
  return sub;
}

service::result<service::group_summary> engine::summarize_group(const std::string& group) {
  service::group_summary g;
  g.group = group;
  std::map<order_state, std::int64_t> by;
  service::order_filter f;
  f.group = group;
  f.limit = 1000;
  for (;;) {
    auto page = repo_.read_list(f);
    for (const auto& o : page) {
      ++g.total;
      ++by[o.state];
      if (o.needs_attention) ++g.needs_attention;
      if (o.state == order_state::completed && (!g.completed_at_last || o.state_since > *g.completed_at_last))
        g.completed_at_last = o.state_since;
    }
    if (static_cast<int>(page.size()) < f.limit) break;
    f.after_id = page.back().id;
  }
  if (g.total == 0) return fail(errc::not_found, "no orders in group \"" + group + "\"");
  for (auto& [s, n] : by) g.by_state.emplace_back(s, n);
  return g;
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

// ---- notification outbox -------------------------------------------------------------------

// ---- retention ------------------------------------------------------------------------------

asio::awaitable<void> engine::retention_loop() {
  auto wait = std::min<core::milliseconds>(opts_.retention.interval, std::chrono::minutes(1));
  while (!stopping_) {  // stop() cancels the timer; a pass that ends after it must not re-arm it
    retention_timer_->expires_after(wait);
    boost::system::error_code ec;
    co_await retention_timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopping_) co_return;
    wait = opts_.retention.interval;
    try {
      co_await prune();
    } catch (const std::exception& e) {  // a store failure (disk full): the next pass tries again
      spdlog::warn("retention: {}; trying again in {} s", e.what(),
                   std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    }
  }
}

// One pass: batches until nothing older is left, each committed (and the loop free to serve
// everything else) before the next; then the freed pages go back to the file system.
asio::awaitable<void> engine::prune() {
  if (!retention_) retention_ = std::make_unique<store::retention>(repo_);
  const auto& keep = opts_.retention;
  const auto now = now_();
  std::int64_t outbox_rows = 0, raw_bodies = 0, pages = 0;
  // One batch in a transaction of its own, begun once the group has committed and committed
  // before anything else runs on the loop: it never rides in (or rolls back) anyone's writes,
  // and needs no savepoint journal (see retention.hpp). Relaxed: a batch lost to a power cut is
  // simply done again. True when another batch may find more.
  auto batch = [&](auto&& work) -> asio::awaitable<bool> {
    while (!stopping_ && group_.open())
      if (!co_await group_.committed()) co_return false;
    if (stopping_) co_return false;
    repo_.begin();
    store::retention::step st;
    try {
      st = work();
      repo_.commit(store::repository::durability::relaxed);
    } catch (...) {
      try {
        repo_.rollback();
      } catch (...) {  // SQLite rolled it back already
      }
      throw;
    }
    // Let everything that waited meanwhile run before the next batch.
    co_await asio::post(ioc_, asio::use_awaitable);
    co_return st.more;
  };
  if (keep.delivered_outbox.count() > 0)
    while (co_await batch([&] {
      auto st = retention_->prune_delivered_outbox(now - keep.delivered_outbox, keep.batch);
      outbox_rows += st.changed;
      return st;
    })) {
    }
  if (keep.raw_bodies.count() > 0)
    while (co_await batch([&] {
      auto st = retention_->prune_raw_bodies(now - keep.raw_bodies, keep.batch);
      raw_bodies += st.changed;
      return st;
    })) {
    }
  while (co_await batch([&] {
    const auto n = retention_->release_free_pages(keep.batch * 4);
    pages += n;
    return store::retention::step{n, n > 0};
  })) {
  }
  if (outbox_rows || raw_bodies || pages)
    spdlog::info("retention: {} delivered outbox rows deleted, raw bodies of {} events emptied, {} free pages given back",
                 outbox_rows, raw_bodies, pages);
}

// ---- backup ---------------------------------------------------------------------------------

namespace {

asio::awaitable<service::backup_result> run_backup(std::shared_ptr<store::backup_job> job) {
  co_return job->run();
}

}  // namespace

// The copy is VACUUM INTO on a connection the worker thread opens and alone uses: in WAL mode
// its read transaction is one snapshot of committed groups, while the loop's writer keeps
// committing (its checkpoints only stop short of the frames the copy still reads). The loop
// only waits for the result, as for any other I/O.
asio::awaitable<service::result<service::backup_result>> engine::backup(std::string path, bool force,
                                                              const service::caller& c) {
  if (stopping_) co_return unavailable("portd is stopping");
  if (backup_running_)
    co_return service::error{.code = errc::conflict,
                             .message = "a backup is already running; try again when it is done",
                             .reason = "backup_running"};
  auto job = std::make_shared<store::backup_job>(repo_.path(), path, force);
  backup_running_ = job;
  if (!backup_worker_) backup_worker_ = std::make_unique<asio::thread_pool>(1);
  spdlog::info("backup of {} to {} started by {}", repo_.path().string(), path, c.actor());
  const auto started = std::chrono::steady_clock::now();
  std::optional<service::error> refused;
  std::optional<service::backup_result> done;
  try {
    done = co_await asio::co_spawn(backup_worker_->get_executor(), run_backup(job), asio::use_awaitable);
  } catch (const store::backup_refused& e) {
    refused = e.exists ? service::error{.code = errc::conflict, .message = e.what(), .reason = "exists"}
                       : service::error{.code = errc::invalid_params, .message = e.what(), .field = "path"};
  } catch (const std::exception& e) {  // store_error: disk full, I/O, interrupted
    spdlog::error("backup to {} failed: {}", path, e.what());
    refused = service::error{.code = errc::unavailable,
                             .message = std::string("the backup failed: ") + e.what(),
                             .reason = "backup_failed"};
  }
  backup_running_.reset();
  if (refused) co_return std::move(*refused);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("backup written to {} ({} bytes, schema version {}) in {} ms", done->path.string(), done->bytes,
               done->schema_version, ms.count());
  co_return std::move(*done);
}

store::outbox& engine::outbox() {
  if (!outbox_) outbox_ = std::make_unique<store::outbox>(repo_);
  return *outbox_;
}

service::result<service::outbox_page> engine::list_outbox(const service::outbox_query& q) {
  service::outbox_page page;
  service::outbox_query g = q;
  g.limit = q.limit + 1;  // one more tells whether there is a next page
  page.rows = outbox().list(g);
  if (static_cast<int>(page.rows.size()) > q.limit) {
    page.rows.resize(static_cast<std::size_t>(q.limit));
    page.next_after = page.rows.back().id;
  }
  for (const auto& r : page.rows) page.events.push_back(outbox().event(r.event_id));
  return page;
}

asio::awaitable<service::result<std::int64_t>> engine::redeliver(service::redeliver_selector sel,
                                                         const service::caller& c) {
  if (stopping_) co_return unavailable("portd is shutting down");
  const auto& names = outbox_hooks_.sinks;
  if (!sel.sink.empty() && std::find(names.begin(), names.end(), sel.sink) == names.end())
    co_return service::error{
        .code = errc::invalid_params, .message = "no sink named \"" + sel.sink + "\"", .field = "sink"};
  if (sel.id && !outbox().row(sel.id))
    co_return fail(errc::not_found, "no outbox row with id " + std::to_string(sel.id));
  if (sel.event_id && outbox().event(sel.event_id) == std::nullopt)
    co_return fail(errc::not_found, "no event with id " + std::to_string(sel.event_id));
  std::int64_t n = 0;
  try {
    store::repository::unit u(repo_);
    n = outbox().redeliver(sel, now_());
    u.release();
  } catch (const store::store_error& e) {
    spdlog::error("outbox.redeliver failed in the store: {}", e.what());
    co_return unavailable("the store is not writable; nothing was queued");
  }
  if (!co_await group_.committed()) co_return unavailable("the store is not writable; nothing was queued");
  spdlog::info("{} queued {} outbox rows again", c.actor(), n);
  if (outbox_hooks_.wake) outbox_hooks_.wake(sel.sink);
  co_return n;
}

std::string engine::status_line() const {
  std::ostringstream os;
  if (!repo_.not_writable().empty()) os << "store read-only, orders refused; ";
  os << active_orders() << " orders scheduled, " << calls_.size() << " calls out";
  if (!command_queue_.empty()) os << ", " << command_queue_.size() << " commands queued";
  if (auto p = budget_.paused_until(); p && *p > now_()) os << ", API paused until " << core::format_time(*p);
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
