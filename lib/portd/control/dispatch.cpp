// The method table and the handlers behind it.
#include <portd/control/dispatch.hpp>
#include <portd/control/next_step.hpp>
#include <portd/control/report.hpp>
#include <portd/wire/objects.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <spdlog/spdlog.h>

#include <array>
#include <exception>
#include <string>
#include <type_traits>

namespace json = boost::json;

namespace portd::control {
namespace {

// A result is the JSON text of the reply's `result` member: orders are written straight as
// text (write_order, the busiest replies), the rest is built as a json::value and serialised.
using result = outcome<std::string>;
using boost::asio::awaitable;

// {"order": order}
std::string order_result(const porting::order& o) {
  std::string r;
  r.reserve(1024);  // a port-in renders to ~800 bytes
  r = R"({"order":)";
  wire::write_order(r, o);
  r += '}';
  return r;
}

// {"order": order, "created": bool}
std::string submitted_result(const submitted& s) {
  std::string r = order_result(s.order);
  r.pop_back();
  r += s.created ? R"(,"created":true})" : R"(,"created":false})";
  return r;
}

// {"order": order, "next": "what portd does next"}: the reply to a command that queues work.
std::string command_result(const porting::order& o) {
  std::string r = order_result(o);
  r.pop_back();
  r += R"(,"next":)";
  r += json::serialize(json::value(next_step(o)));
  r += '}';
  return r;
}

// The service's answer as the reply's result text, or its error as JSON-RPC.
template <class T, class F>
result map(service::result<T> o, F f) {
  if (!o) return to_rpc_error(o.error());
  if constexpr (std::is_same_v<std::invoke_result_t<F, T&>, std::string>)
    return f(*o);
  else
    return json::serialize(f(*o));
}

awaitable<result> portin_submit(service::order_service& b, const json::object& p, const caller& c,
                                const protocol_options& opts) {
  auto req = parse_port_in(p, opts);
  if (!req.ok()) co_return std::move(req.error());
  co_return map(co_await b.submit_port_in(std::move(req.value()), c), submitted_result);
}

awaitable<result> portout_submit(service::order_service& b, const json::object& p, const caller& c,
                                 const protocol_options&) {
  auto req = parse_port_out(p);
  if (!req.ok()) co_return std::move(req.error());
  co_return map(co_await b.submit_port_out(std::move(req.value()), c), submitted_result);
}

awaitable<result> order_get(service::order_service& b, const json::object& p, const caller&,
                            const protocol_options&) {
  auto key = parse_order_get(p);
  if (!key.ok()) co_return std::move(key.error());
  co_return map(b.get_order(key.value()), order_result);
}

awaitable<result> order_list(service::order_service& b, const json::object& p, const caller&,
                             const protocol_options&) {
  auto filter = parse_order_list(p);
  if (!filter.ok()) co_return std::move(filter.error());
  co_return map(b.list_orders(filter.value()), [](order_page& page) {
    std::string r = R"({"orders":[)";
    r.reserve(page.orders.size() * 1024 + 64);
    for (std::size_t i = 0; i < page.orders.size(); ++i) {
      if (i) r += ',';
      wire::write_order(r, page.orders[i]);
    }
    r += R"(],"next_after_id":)";
    r += page.next_after_id ? std::to_string(*page.next_after_id) : "null";
    r += '}';
    return r;
  });
}

json::value events_result(const std::vector<porting::stored_event>& events) {
  json::array a;
  a.reserve(events.size());
  for (auto& e : events) a.push_back(wire::render_event(e));
  json::object r;
  r["events"] = std::move(a);
  return r;
}

awaitable<result> order_history(service::order_service& b, const json::object& p, const caller&,
                                const protocol_options&) {
  auto id = parse_id_only(p);
  if (!id.ok()) co_return std::move(id.error());
  co_return map(b.history(id.value()), events_result);
}

awaitable<result> order_update(service::order_service& b, const json::object& p, const caller& c,
                               const protocol_options&) {
  auto u = parse_update(p);
  if (!u.ok()) co_return std::move(u.error());
  co_return map(co_await b.update(u.value().id, std::move(u.value().patch), c), command_result);
}

awaitable<result> order_cancel(service::order_service& b, const json::object& p, const caller& c,
                               const protocol_options&) {
  auto x = parse_cancel(p);
  if (!x.ok()) co_return std::move(x.error());
  co_return map(co_await b.cancel(x.value().id, std::move(x.value().reason), c), command_result);
}

awaitable<result> order_resolve(service::order_service& b, const json::object& p, const caller& c,
                                const protocol_options&) {
  auto x = parse_resolve(p);
  if (!x.ok()) co_return std::move(x.error());
  auto& r = x.value();
  co_return map(co_await b.resolve(r.id, std::move(r.remote_order_id), r.resubmit, c),
                command_result);
}

awaitable<result> order_close(service::order_service& b, const json::object& p, const caller& c,
                              const protocol_options&) {
  auto x = parse_close(p);
  if (!x.ok()) co_return std::move(x.error());
  co_return map(co_await b.close(x.value().id, std::move(x.value().reason), c), command_result);
}

awaitable<result> order_retry(service::order_service& b, const json::object& p, const caller& c,
                              const protocol_options&) {
  auto id = parse_id_only(p);
  if (!id.ok()) co_return std::move(id.error());
  co_return map(co_await b.retry(id.value(), c), command_result);
}

awaitable<result> order_poll(service::order_service& b, const json::object& p, const caller& c,
                             const protocol_options&) {
  auto id = parse_id_only(p);
  if (!id.ok()) co_return std::move(id.error());
  co_return map(co_await b.poll(id.value(), c), command_result);
}

awaitable<result> order_note(service::order_service& b, const json::object& p, const caller& c,
                             const protocol_options&) {
  auto n = parse_note(p);
  if (!n.ok()) co_return std::move(n.error());
  co_return map(co_await b.note(n.value().id, std::move(n.value().text), c),
                [](porting::stored_event& e) {
                  json::object r;
                  r["event"] = wire::render_event(e);
                  return json::value(std::move(r));
                });
}

awaitable<result> events_list(service::order_service& b, const json::object& p, const caller&,
                              const protocol_options&) {
  auto x = parse_events_list(p);
  if (!x.ok()) co_return std::move(x.error());
  auto& q = x.value();
  co_return map(b.list_events(q.after, q.order_id, q.limit), [](event_page& page) {
    json::value r = events_result(page.events);
    r.as_object()["next_after"] =
        page.next_after ? json::value(*page.next_after) : json::value(nullptr);
    return r;
  });
}

awaitable<result> group_summarize(service::order_service& b, const json::object& p, const caller&,
                                 const protocol_options&) {
  auto g = parse_group_summary(p);
  if (!g.ok()) co_return std::move(g.error());
  co_return map(b.summarize_group(g.value()),
                [](group_summary& s) { return json::value(wire::render_group_summary(s)); });
}

awaitable<result> daemon_status(service::order_service& b, const json::object& p, const caller&,
                                const protocol_options&) {
  if (auto e = parse_no_params(p)) co_return std::move(*e);
  co_return json::serialize(render_status(b.status()));
}

awaitable<result> daemon_metrics(service::order_service& b, const json::object& p, const caller&,
                                 const protocol_options&) {
  if (auto e = parse_no_params(p)) co_return std::move(*e);
  json::object r;
  r["text"] = render_metrics(b.metrics());
  co_return json::serialize(r);
}

awaitable<result> outbox_list(service::order_service& b, const json::object& p, const caller&,
                              const protocol_options&) {
  auto q = parse_outbox_list(p);
  if (!q.ok()) co_return std::move(q.error());
  co_return map(b.list_outbox(q.value()), [](outbox_page& page) {
    json::array a;
    a.reserve(page.rows.size());
    for (std::size_t i = 0; i < page.rows.size(); ++i)
      a.push_back(render_outbox_row(page.rows[i], i < page.events.size() ? page.events[i] : std::nullopt));
    json::object r;
    r["deliveries"] = std::move(a);
    r["next_after"] = page.next_after ? json::value(*page.next_after) : json::value(nullptr);
    return json::value(std::move(r));
  });
}

awaitable<result> outbox_redeliver(service::order_service& b, const json::object& p, const caller& c,
                                   const protocol_options&) {
  auto sel = parse_outbox_redeliver(p);
  if (!sel.ok()) co_return std::move(sel.error());
  co_return map(co_await b.redeliver(std::move(sel.value()), c), [](std::int64_t& n) {
    json::object r;
    r["queued"] = n;
    return json::value(std::move(r));
  });
}

awaitable<result> daemon_backup(service::order_service& b, const json::object& p, const caller& c,
                                const protocol_options&) {
  auto x = parse_backup(p);
  if (!x.ok()) co_return std::move(x.error());
  co_return map(co_await b.backup(std::move(x.value().path), x.value().force, c), [](service::backup_result& r) {
    json::object j;
    j["path"] = r.path.string();
    j["bytes"] = r.bytes;
    j["schema_version"] = r.schema_version;
    return json::value(std::move(j));
  });
}

constexpr std::array<method_entry, 20> table{{
    {"portin.submit", role::operator_, portin_submit},
    {"portout.submit", role::operator_, portout_submit},
    {"order.get", role::reader, order_get},
    {"order.list", role::reader, order_list},
    {"order.history", role::reader, order_history},
    {"order.update", role::operator_, order_update},
    {"order.cancel", role::operator_, order_cancel},
    {"order.resolve", role::operator_, order_resolve},
    {"order.retry", role::operator_, order_retry},
    {"order.note", role::operator_, order_note},
    {"order.poll", role::operator_, order_poll},
    {"events.list", role::reader, events_list},
    {"events.watch", role::reader, nullptr},
    {"group.summary", role::reader, group_summarize},
    {"daemon.status", role::reader, daemon_status},
    {"daemon.metrics", role::reader, daemon_metrics},
    // Additions (README "Notifications"): dead letters and their redelivery.
    {"outbox.list", role::reader, outbox_list},
    {"outbox.redeliver", role::operator_, outbox_redeliver},
    {"order.close", role::operator_, order_close},
    {"daemon.backup", role::operator_, daemon_backup},
}};

}  // namespace

std::span<const method_entry> method_table() { return table; }

const method_entry* find_method(std::string_view name) {
  for (auto& m : method_table())
    if (m.name == name) return &m;
  return nullptr;
}

bool allowed(role needed, role have) {
  if (have == role::operator_) return needed != role::none;
  if (have == role::reader) return needed == role::reader;
  return false;
}

awaitable<handled> dispatcher::handle(std::string line, caller who) {
  auto parsed = parse_request(line);
  if (auto* bad = std::get_if<bad_request>(&parsed)) {
    handled h;
    if (!bad->notification) h.reply = render_error(bad->id, bad->error);
    co_return h;
  }
  co_return co_await handle(std::move(std::get<request>(parsed)), who);
}

outcome<admitted> dispatcher::admit(const request& req, const caller& who) const {
  const method_entry* m = find_method(req.method);
  if (!m) return method_not_found(req.method);
  if (!allowed(m->needed, who.role))
    return forbidden(m->name, who.role, access_ ? groups_granting(*access_, m->needed) : std::vector<std::string>{});
  admitted a{m, std::nullopt};
  if (!m->handler) {  // events.watch
    auto w = parse_watch(req.params);
    if (!w.ok()) return std::move(w.error());
    a.watch = w.value();
  }
  return a;
}

awaitable<handled> dispatcher::handle(request req, caller who) {
  handled h;
  h.id = req.id;
  auto answer = [&](const rpc_error& e) {
    if (!req.notification) h.reply = render_error(req.id, e);
  };
  auto ok = admit(req, who);
  if (!ok.ok()) {
    answer(ok.error());
    co_return h;
  }
  const method_entry* m = ok.value().method;
  if (ok.value().watch) {
    if (!req.notification) h.watch = ok.value().watch;  // a watch nobody can read is pointless: ignored
    co_return h;
  }
  std::optional<result> r;
  try {
    r.emplace(co_await m->handler(service_, req.params, who, opts_));
  } catch (const std::exception& e) {
    // The text may carry infrastructure detail (paths, SQLite's words): the log has it, the
    // peer gets a plain internal_error.
    spdlog::error("control: {} from uid {} failed: {}", m->name, who.uid, e.what());
    r.emplace(internal_error());
  }
  if (!r->ok())
    answer(r->error());
  else if (!req.notification)
    h.reply = render_result_text(req.id, r->value());
  co_return h;
}

}  // namespace portd::control
