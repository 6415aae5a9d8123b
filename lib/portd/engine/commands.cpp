// The socket's commands: intake of port-ins and port-outs and the commands on an existing
// order (update, cancel, resolve, retry, close, poll, note), each acknowledged after its commit.
#include <portd/telegent/status.hpp>
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>

#include <spdlog/spdlog.h>

namespace portd::engine {

namespace asio = boost::asio;
using porting::order;
using namespace detail;

asio::awaitable<service::result<service::submitted>> engine::intake(order o, std::string pin, std::string actor) {
  if (stopping_) co_return unavailable("portd is shutting down");
  const auto now = now_();
  if (!o.client_ref.empty()) {
    if (auto existing = repo_.load_by_client_ref(o.client_ref)) {
      if (!porting::same_submission(*existing, o)) {
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
  if (o.kind == porting::order_kind::port_in) o.secrets.account_pin = pin;
  else o.secrets.port_out_pin = pin;
  // The order is written once, as decide() leaves it after `start` (its first call decided),
  // with its whole history so far: `order.created` and what the start added.
  porting::decision d = porting::decide(o, porting::start{std::move(actor)}, now, policy_);
  if (d.refused) co_return refusal_error(o, *d.refused);
  order& n = d.next;
  std::vector<porting::event_record> records;
  records.reserve(1 + d.events.size());
  records.push_back(std::move(*d.created));
  std::move(d.events.begin(), d.events.end(), std::back_inserter(records));
  try {
    store::repository::unit u(repo_);
    n.last_seq = static_cast<std::int64_t>(records.size());  // the row as it is once they are in
    if (auto inserted = repo_.insert_order(n); !inserted) {  // the unit, unreleased, unwinds
      const auto& c = inserted.error();
      co_return service::error{.code = errc::conflict,
                               .message = c.message,
                               .field = c.client_ref ? "client_ref" : "",
                               .order_id = c.existing_id};
    }
    n.last_seq = 0;
    staged s;
    s.events = repo_.append_events(n, records, now);  // seq 1…, back to the count above
    s.id = n.id;
    s.call = d.call;
    s.wake_at = d.wake_at;
    s.terminal = porting::is_terminal(n.state);
    s.state = n.state;
    s.attention = n.needs_attention();
    staged_.push_back(std::move(s));
    group_.add_unit();
    u.release();
  } catch (const store::store_error& e) {
    spdlog::error("intake failed: {}", e.what());
    co_return e.disk_full   ? unavailable("the store is full; the order was not accepted")
           : e.read_only ? unavailable("the store is not writable (read-only); the order was not accepted")
                         : fail(errc::internal, "the store failed; the order was not accepted");
  }
  if (!co_await group_.committed()) co_return unavailable("the store is not writable; the order was not accepted");
  co_return service::submitted{std::move(n), true};
}

namespace {

// The order a submission asks for: its kind, number, client_ref and group (the rest is the kind's).
template <class Request>
order requested(porting::order_kind kind, Request& req) {
  order o;
  o.kind = kind;
  o.number = req.number;
  o.client_ref = std::move(req.client_ref);
  o.group = std::move(req.group);
  return o;
}

}  // namespace

asio::awaitable<service::result<service::submitted>> engine::submit_port_in(service::port_in_request req,
                                                                    const service::caller& c) {
  order o = requested(porting::order_kind::port_in, req);
  o.details = std::move(req.details);
  o.skip_eligibility = req.skip_eligibility;
  co_return co_await intake(std::move(o), std::move(req.account_pin), c.actor());
}

asio::awaitable<service::result<service::submitted>> engine::submit_port_out(service::port_out_request req,
                                                                     const service::caller& c) {
  co_return co_await intake(requested(porting::order_kind::port_out, req), std::move(req.pin), c.actor());
}

asio::awaitable<service::result<order>> engine::command(std::int64_t id, porting::input in) {
  if (stopping_) co_return unavailable("portd is shutting down");
  std::optional<applied> done;
  try {
    auto cur = load(id);
    if (!cur) co_return not_found(id);
    auto r = apply(*cur, in);
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
asio::awaitable<service::result<order>> engine::update(std::int64_t id, porting::order_patch p, const service::caller& c) {
  porting::input in = porting::cmd_update{std::move(p), c.actor()};
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<order>> engine::cancel(std::int64_t id, std::string reason, const service::caller& c) {
  porting::input in = porting::cmd_cancel{std::move(reason), c.actor()};
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<order>> engine::resolve(std::int64_t id, std::string adopt, bool resubmit,
                                                const service::caller& c) {
  porting::input in = porting::cmd_resolve{adopt, resubmit, c.actor(), {}};
  if (!adopt.empty()) {
    auto checked = co_await check_adoption(id, adopt, in);
    if (!checked.has_value()) co_return checked.error();
    std::get<porting::cmd_resolve>(in).checked = std::move(checked.value());
  }
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<std::string>> engine::check_adoption(std::int64_t id, const std::string& remote,
                                                             const porting::input& in) {
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
  if (auto d = porting::decide(*cur, in, now_(), policy_); d.refused) co_return refusal_error(*cur, *d.refused);
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
  const porting::api_result r = co_await api_.call(probe, porting::call_kind::status, telegent::priority::command);
  auto refuse = [&](std::string why) {
    return service::error{.code = errc::invalid_params,
                          .message = "Telegent order " + remote + " cannot be adopted for order " +
                                     std::to_string(id) + ": " + why + "; order " + std::to_string(id) +
                                     " stays submit_unknown",
                          .field = "remote_order_id"};
  };
  if (r.outcome == porting::call_outcome::transient)
    co_return unavailable("could not check Telegent order " + remote + " with Telegent (" + r.reason +
                          (r.message.empty() ? "" : ": " + r.message) + "); nothing was changed, try again");
  if (r.outcome == porting::call_outcome::refused)
    co_return refuse("Telegent answered " + r.reason + (r.message.empty() ? "" : " (" + r.message + ")"));
  if (!r.remote_number.empty() && r.remote_number != cur->number)
    co_return refuse("it ports " + r.remote_number + ", not " + cur->number);
  std::string checked = "Telegent reports \"" + r.remote_status + "\"";
  if (r.remote_number.empty()) checked += "; its answer did not name the number";
  if (!r.remote_type.empty()) {
    const std::string type = telegent::status_key(r.remote_type);
    const std::string want = cur->kind == porting::order_kind::port_in ? "portin" : "portout";
    if (type != want)
      co_return refuse("it is a \"" + r.remote_type + "\" order, not a " +
                       (cur->kind == porting::order_kind::port_in ? "port-in" : "port-out"));
  } else {
    checked += "; its answer did not name the order type";
  }
  if (auto e = bound_elsewhere()) co_return *e;  // another resolve may have taken it meanwhile
  co_return checked;
}

asio::awaitable<service::result<order>> engine::retry(std::int64_t id, const service::caller& c) {
  porting::input in = porting::cmd_retry{c.actor()};
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<order>> engine::close(std::int64_t id, std::string reason, const service::caller& c) {
  porting::input in = porting::cmd_close{std::move(reason), c.actor()};
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<order>> engine::poll(std::int64_t id, const service::caller& c) {
  porting::input in = porting::cmd_poll_now{c.actor()};
  co_return co_await command(id, std::move(in));
}

asio::awaitable<service::result<porting::stored_event>> engine::note(std::int64_t id, std::string text,
                                                          const service::caller& c) {
  if (stopping_) co_return unavailable("portd is shutting down");
  std::optional<applied> done;
  try {
    auto cur = load(id);
    if (!cur) co_return not_found(id);
    auto r = apply(*cur, porting::cmd_note{std::move(text), c.actor()});
    if (!r.has_value()) co_return r.error();
    done = std::move(r.value());
  } catch (const store::store_error& e) {
    co_return unavailable("the store is not writable; the note was not kept");
  }
  if (!co_await group_.committed()) co_return unavailable("the store is not writable; the note was not kept");
  if (done->events.empty()) co_return fail(errc::internal, "the note was not recorded");
  co_return done->events.back();
}

}  // namespace portd::engine
