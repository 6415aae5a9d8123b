// Reads for the socket, from committed data only: orders, history, events and their watchers,
// group summaries, and the notification outbox (with its redelivery).
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace portd::engine {

namespace asio = boost::asio;
using porting::order;
using porting::order_state;
using namespace detail;

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

service::result<std::vector<porting::stored_event>> engine::history(std::int64_t id) {
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
                                             std::function<bool(const porting::stored_event&)> on_event) {
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
      if (o.needs_attention()) ++g.needs_attention;
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

}  // namespace portd::engine
