// An in-memory service::order_service for the control tests: orders and events in maps, watchers
// fed by emit(), write methods that can be made to finish late (yields on the executor).
#pragma once
#include <portd/control/errors.hpp>
#include <portd/control/vocabulary.hpp>
#include <portd/service/order_service.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <stdexcept>

namespace portd::test {

using namespace portd::control;
using service::result;

class fake_backend : public service::order_service {
 public:
  std::map<std::int64_t, porting::order> orders;
  std::vector<porting::stored_event> events;
  std::vector<std::string> completed;  // names of write calls in the order they finished
  int submit_yields = 0;               // how many times a submit yields before finishing
  bool throw_everywhere = false;
  int list_calls = 0;                  // order.list requests run
  struct watcher {
    std::int64_t order_id;
    std::function<bool(const porting::stored_event&)> fn;
    bool live = true;
  };
  std::vector<std::shared_ptr<watcher>> watchers;
  std::int64_t next_order_id = 1;

  static porting::time_point t0() { return porting::time_point(std::chrono::milliseconds(1795000000000)); }

  porting::order& add_order(std::string number, porting::order_kind kind = porting::order_kind::port_in) {
    porting::order o;
    o.id = next_order_id++;
    o.kind = kind;
    o.number = std::move(number);
    o.created_at = o.updated_at = o.state_since = t0();
    if (kind == porting::order_kind::port_in) {
      o.details.carrier = "Verizon";
      o.details.account_number = "11112222";
      o.details.billing_address = {"1 Main St", "", "Lehi", "UT", "84043"};
      o.secrets.account_pin = "9876";
    } else {
      o.secrets.port_out_pin = "5555";
    }
    auto& ref = orders[o.id] = o;
    emit(ref.id, porting::event_type::created, "order received", "operator:uid=0");
    return ref;
  }

  // Appends an event and sends it to live watchers.
  porting::stored_event emit(std::int64_t order_id, porting::event_type type, std::string message,
                          std::string actor = "daemon") {
    porting::stored_event e;
    e.id = static_cast<std::int64_t>(events.size()) + 1;
    e.order_id = order_id;
    auto& o = orders.at(order_id);
    e.seq = ++o.last_seq;
    e.at = t0() + std::chrono::seconds(e.id);
    e.record.type = type;
    e.record.from_state = e.record.to_state = o.state;
    e.record.actor = std::move(actor);
    e.record.message = std::move(message);
    events.push_back(e);
    for (auto& w : watchers)
      if (w->live && (!w->order_id || w->order_id == order_id)) w->live = w->fn(e);
    return e;
  }

  void check() {
    if (throw_everywhere) throw std::runtime_error("disk I/O error at /var/lib/portd/portd.db");
  }

  static service::error not_found() { return {.code = errc::not_found, .message = "no such order"}; }

  boost::asio::awaitable<result<submitted>> submit_port_in(port_in_request r,
                                                            const caller&) override {
    check();
    for (int i = 0; i < submit_yields; ++i)
      co_await boost::asio::post(co_await boost::asio::this_coro::executor,
                                 boost::asio::use_awaitable);
    if (!r.client_ref.empty())
      for (auto& [id, o] : orders)
        if (o.client_ref == r.client_ref) co_return submitted{o, false};
    for (auto& [id, o] : orders)
      if (o.number == r.number && o.active()) {
        completed.push_back("portin.submit");
        co_return service::error{
            .code = errc::conflict, .message = "an active order exists for that number", .order_id = id};
      }
    auto& o = add_order(r.number);
    o.details = r.details;
    o.secrets.account_pin = r.account_pin;
    o.client_ref = r.client_ref;
    o.group = r.group;
    completed.push_back("portin.submit " + r.number);
    co_return submitted{o, true};
  }
  boost::asio::awaitable<result<submitted>> submit_port_out(port_out_request r,
                                                             const caller&) override {
    check();
    auto& o = add_order(r.number, porting::order_kind::port_out);
    o.secrets.port_out_pin = r.pin;
    co_return submitted{o, true};
  }
  result<porting::order> get_order(const order_key& k) override {
    check();
    for (auto it = orders.rbegin(); it != orders.rend(); ++it) {
      auto& o = it->second;
      if ((k.id && *k.id == o.id) || (!k.client_ref.empty() && k.client_ref == o.client_ref) ||
          (!k.remote_order_id.empty() && k.remote_order_id == o.remote_order_id) ||
          (!k.number.empty() && k.number == o.number))
        return o;
    }
    return not_found();
  }
  result<order_page> list_orders(const service::order_filter& f) override {
    check();
    ++list_calls;
    order_page p;
    for (auto& [id, o] : orders) {
      if (id <= f.after_id) continue;
      if (!f.states.empty() &&
          std::find(f.states.begin(), f.states.end(), o.state) == f.states.end())
        continue;
      if (f.needs_attention && *f.needs_attention != o.needs_attention()) continue;
      if (!f.number.empty() && f.number != o.number) continue;
      if (!f.group.empty() && f.group != o.group) continue;
      if (static_cast<int>(p.orders.size()) == f.limit) {
        p.next_after_id = p.orders.back().id;
        break;
      }
      p.orders.push_back(o);
    }
    return p;
  }
  result<std::vector<porting::stored_event>> history(std::int64_t id) override {
    check();
    if (!orders.count(id)) return not_found();
    std::vector<porting::stored_event> r;
    for (auto& e : events)
      if (e.order_id == id) r.push_back(e);
    return r;
  }
  boost::asio::awaitable<result<porting::order>> update(std::int64_t id, porting::order_patch p,
                                                      const caller& c) override {
    check();
    if (!orders.count(id)) co_return not_found();
    auto& o = orders[id];
    if (p.carrier) o.details.carrier = *p.carrier;
    if (p.account_number) o.details.account_number = *p.account_number;
    if (p.account_pin) o.secrets.account_pin = *p.account_pin;
    if (p.billing_address) o.details.billing_address = *p.billing_address;
    if (p.subscriber_name) o.details.subscriber_name = *p.subscriber_name;
    if (p.iccid) o.details.iccid = *p.iccid;
    if (p.classification) o.details.classification = *p.classification;
    if (p.port_in_date) o.details.port_in_date = *p.port_in_date;
    emit(id, porting::event_type::updated, "details corrected", c.actor());
    co_return o;
  }
  boost::asio::awaitable<result<porting::order>> cancel(std::int64_t id, std::string reason,
                                                      const caller& c) override {
    check();
    if (!orders.count(id)) co_return not_found();
    auto& o = orders[id];
    if (!o.active()) {
      co_return service::error{.code = errc::invalid_state, .message = "the order is finished", .state = o.state};
    }
    o.state = porting::order_state::cancelled;
    emit(id, porting::event_type::state_changed, "cancelled: " + reason, c.actor());
    completed.push_back("order.cancel");
    co_return o;
  }
  boost::asio::awaitable<result<porting::order>> resolve(std::int64_t id, std::string remote,
                                                       bool, const caller&) override {
    check();
    if (!orders.count(id)) co_return not_found();
    orders[id].remote_order_id = remote;
    co_return orders[id];
  }
  boost::asio::awaitable<result<porting::order>> retry(std::int64_t id, const caller&) override {
    check();
    if (!orders.count(id)) co_return not_found();
    co_return orders[id];
  }
  boost::asio::awaitable<result<porting::order>> poll(std::int64_t id, const caller&) override {
    check();
    if (!orders.count(id)) co_return not_found();
    co_return orders[id];
  }
  boost::asio::awaitable<result<porting::stored_event>> note(std::int64_t id, std::string text,
                                                           const caller& c) override {
    check();
    if (!orders.count(id)) co_return not_found();
    co_return emit(id, porting::event_type::note_added, text, c.actor());
  }
  result<event_page> list_events(std::int64_t after, std::int64_t order_id, int limit) override {
    check();
    event_page p;
    for (auto& e : events) {
      if (e.id <= after || (order_id && e.order_id != order_id)) continue;
      if (static_cast<int>(p.events.size()) == limit) {
        p.next_after = p.events.back().id;
        break;
      }
      p.events.push_back(e);
    }
    return p;
  }
  result<subscription> watch(std::int64_t after, std::int64_t order_id,
                              std::function<bool(const porting::stored_event&)> fn) override {
    check();
    auto w = std::make_shared<watcher>(watcher{order_id, std::move(fn)});
    subscription s;
    s.after = after < 0 ? static_cast<std::int64_t>(events.size()) : after;
    for (auto& e : events)
      if (w->live && e.id > s.after && (!order_id || e.order_id == order_id)) w->live = w->fn(e);
    watchers.push_back(w);
    s.cancel = [w] { w->live = false; };
    return s;
  }
  result<group_summary> summarize_group(const std::string& g) override {
    check();
    group_summary s;
    s.group = g;
    for (auto& [id, o] : orders)
      if (o.group == g) ++s.total;
    s.by_state.push_back({porting::order_state::received, s.total});
    return s;
  }
  service::daemon_status status() override {
    check();
    service::daemon_status s;
    s.version = "test";
    s.started_at = t0();
    return s;
  }
  service::daemon_metrics metrics() override {
    service::daemon_metrics m;
    m.version = "test";
    return m;
  }
};

}  // namespace portd::test
