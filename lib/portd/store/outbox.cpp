// The outbox rows after they are written: the notifier's work list and outcomes, and the
// operator's dead letters (see outbox.hpp).
#include <portd/store/outbox.hpp>
#include <portd/store/sqlite.hpp>

#include <algorithm>
#include <array>
#include <ostream>

namespace portd::store {

namespace {

std::int64_t to_ms(porting::time_point t) { return t.time_since_epoch().count(); }
porting::time_point from_ms(std::int64_t ms) { return porting::time_point(porting::milliseconds(ms)); }

using sqlite::fail;

constexpr std::string_view row_columns =
    "SELECT id, event_id, order_id, sink, state, attempts, next_attempt_at, last_error, "
    "delivered_at FROM outbox ";

outbox_row read_row(const sqlite::statement& s) {
  outbox_row r;
  r.id = s.column_int64(0);
  r.event_id = s.column_int64(1);
  r.order_id = s.column_int64(2);
  r.sink = s.column_text(3);
  const auto state = s.column_text(4);
  auto st = parse_delivery_state(state);
  if (!st) throw store_error("database holds an unknown outbox state '" + state + "'");
  r.state = *st;
  r.attempts = s.column_int(5);
  r.next_attempt_at = from_ms(s.column_int64(6));
  r.last_error = s.column_text(7);
  if (auto d = s.column_opt_int64(8)) r.delivered_at = from_ms(*d);
  return r;
}

}  // namespace

struct outbox::impl {
  repository& repo;
  sqlite::statement heads, head_of_order, delivered, retry, dead;
  sqlite::statement redeliver_id, redeliver_dead, redeliver_event;
  sqlite::statement list_any, list_dead, by_id, pending_of_sink, dead_of_sink;

  explicit impl(repository& r) : repo(r) {
    auto& w = repo.writer_connection();
    auto& rd = repo.reader_connection();
    // min(id) makes SQLite take the other (bare) columns from that same row: the head of each
    // order. Walks the partial index outbox_pending (sink, order_id, id).
    heads = {w,
             "SELECT min(id), event_id, order_id, attempts, next_attempt_at, last_error "
             "FROM outbox WHERE sink = ?1 AND state = 'pending' GROUP BY order_id"};
    head_of_order = {w,
                     "SELECT id, event_id, order_id, attempts, next_attempt_at, last_error "
                     "FROM outbox WHERE sink = ?1 AND order_id = ?2 AND state = 'pending' "
                     "ORDER BY id LIMIT 1"};
    delivered = {w,
                 "UPDATE outbox SET state = 'delivered', attempts = ?2, delivered_at = ?3, "
                 "last_error = '' WHERE id = ?1 AND state = 'pending'"};
    retry = {w,
             "UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 "
             "WHERE id = ?1 AND state = 'pending'"};
    dead = {w,
            "UPDATE outbox SET state = 'dead', attempts = ?2, last_error = ?3 "
            "WHERE id = ?1 AND state = 'pending'"};
    redeliver_id = {w,
                    "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, "
                    "last_error = '', delivered_at = NULL WHERE id = ?1"};
    redeliver_dead = {w,
                      "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, "
                      "last_error = '' WHERE state = 'dead' AND (?1 = '' OR sink = ?1)"};
    redeliver_event = {w,
                       "INSERT INTO outbox (event_id, sink, order_id, state, attempts, "
                       "next_attempt_at) SELECT id, ?2, order_id, 'pending', 0, ?3 "
                       "FROM order_events WHERE id = ?1 "
                       "ON CONFLICT (event_id, sink) DO UPDATE SET state = 'pending', "
                       "attempts = 0, next_attempt_at = excluded.next_attempt_at, "
                       "last_error = '', delivered_at = NULL"};
    list_any = {rd, std::string(row_columns) +
                        "WHERE id > ?1 AND (?2 = '' OR state = ?2) AND (?3 = '' OR sink = ?3) "
                        "AND (?4 = 0 OR order_id = ?4) ORDER BY id LIMIT ?5"};
    // Dead letters are few among many delivered rows: through the partial index outbox_dead.
    list_dead = {rd, std::string(row_columns) +
                         "WHERE state = 'dead' AND id > ?1 AND (?2 = '' OR sink = ?2) "
                         "AND (?3 = 0 OR order_id = ?3) ORDER BY id LIMIT ?4"};
    by_id = {rd, std::string(row_columns) + "WHERE id = ?1"};
    pending_of_sink = {rd, "SELECT count(*) FROM outbox WHERE sink = ?1 AND state = 'pending'"};
    dead_of_sink = {rd, "SELECT count(*) FROM outbox WHERE sink = ?1 AND state = 'dead'"};
  }

  void exec_update(sqlite::statement& s, std::string_view what) {
    try {
      s.exec();
    } catch (const sqlite::error& e) {
      fail(what, e);
    }
  }
};

outbox::outbox(repository& repo)
    : impl_(sqlite::make_prepared<impl>("cannot prepare the outbox statements", repo)) {}

outbox::~outbox() = default;

std::vector<outbox_row> outbox::heads(const std::string& sink, std::int64_t max_event_id) {
  auto& s = impl_->heads;
  std::vector<outbox_row> out;
  try {
    sqlite::reset_on_exit guard(s);
    s.bind(1, std::string_view(sink));
    while (s.step()) {
      outbox_row r;
      r.id = s.column_int64(0);
      r.event_id = s.column_int64(1);
      if (r.event_id > max_event_id) continue;  // not committed yet: its commit wakes us
      r.order_id = s.column_int64(2);
      r.sink = sink;
      r.attempts = s.column_int(3);
      r.next_attempt_at = from_ms(s.column_int64(4));
      r.last_error = s.column_text(5);
      out.push_back(std::move(r));
    }
  } catch (const sqlite::error& e) {
    fail("cannot read the outbox of " + sink, e);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::optional<outbox_row> outbox::head_of(const std::string& sink, std::int64_t order_id,
                                          std::int64_t max_event_id) {
  auto& s = impl_->head_of_order;
  try {
    sqlite::reset_on_exit guard(s);
    s.bind(1, std::string_view(sink)).bind(2, order_id);
    if (!s.step()) return std::nullopt;
    outbox_row r;
    r.id = s.column_int64(0);
    r.event_id = s.column_int64(1);
    if (r.event_id > max_event_id) return std::nullopt;
    r.order_id = s.column_int64(2);
    r.sink = sink;
    r.attempts = s.column_int(3);
    r.next_attempt_at = from_ms(s.column_int64(4));
    r.last_error = s.column_text(5);
    return r;
  } catch (const sqlite::error& e) {
    fail("cannot read the outbox of " + sink, e);
  }
}

std::optional<porting::stored_event> outbox::event(std::int64_t event_id) {
  auto evs = impl_->repo.read_events(event_id - 1, 0, 1);
  if (evs.empty() || evs.front().id != event_id) return std::nullopt;
  return evs.front();
}

void outbox::mark_delivered(std::int64_t id, int attempts, porting::time_point at) {
  auto& s = impl_->delivered;
  s.bind(1, id).bind(2, attempts).bind(3, to_ms(at));
  impl_->exec_update(s, "cannot mark outbox row " + std::to_string(id) + " delivered");
}

void outbox::mark_retry(std::int64_t id, int attempts, porting::time_point next_at,
                        const std::string& error) {
  auto& s = impl_->retry;
  s.bind(1, id).bind(2, attempts).bind(3, to_ms(next_at)).bind(4, std::string_view(error));
  impl_->exec_update(s, "cannot reschedule outbox row " + std::to_string(id));
}

void outbox::mark_dead(std::int64_t id, int attempts, const std::string& error) {
  auto& s = impl_->dead;
  s.bind(1, id).bind(2, attempts).bind(3, std::string_view(error));
  impl_->exec_update(s, "cannot mark outbox row " + std::to_string(id) + " dead");
}

std::int64_t outbox::bury_unconfigured(const std::vector<std::string>& configured) {
  auto& w = impl_->repo.writer_connection();
  std::string sql =
      "UPDATE outbox SET state = 'dead', last_error = 'sink no longer configured' "
      "WHERE state = 'pending'";
  for (std::size_t i = 0; i < configured.size(); ++i)
    sql += " AND sink <> ?" + std::to_string(i + 1);
  try {
    sqlite::statement s(w, sql);  // once per start: not worth keeping prepared
    for (std::size_t i = 0; i < configured.size(); ++i)
      s.bind(static_cast<int>(i + 1), std::string_view(configured[i]));
    s.exec();
  } catch (const sqlite::error& e) {
    fail("cannot retire the outbox rows of removed sinks", e);
  }
  return w.changes();
}

std::int64_t outbox::redeliver(const redeliver_selector& sel, porting::time_point now) {
  auto& m = *impl_;
  sqlite::statement* s = nullptr;
  if (sel.id) {
    s = &m.redeliver_id;
    s->bind(1, sel.id).bind(2, to_ms(now));
  } else if (sel.all_dead) {
    s = &m.redeliver_dead;
    s->bind(1, std::string_view(sel.sink)).bind(2, to_ms(now));
  } else if (sel.event_id && !sel.sink.empty()) {
    s = &m.redeliver_event;
    s->bind(1, sel.event_id).bind(2, std::string_view(sel.sink)).bind(3, to_ms(now));
  } else {
    return 0;
  }
  m.exec_update(*s, "cannot queue outbox rows again");
  return m.repo.writer_connection().changes();
}

std::vector<outbox_row> outbox::list(const outbox_query& q) {
  auto& m = *impl_;
  std::vector<outbox_row> out;
  if (q.limit <= 0) return out;
  const bool dead_only = q.state == delivery_state::dead;
  auto& s = dead_only ? m.list_dead : m.list_any;
  const std::string_view state = q.state ? to_string(*q.state) : std::string_view();
  try {
    sqlite::reset_on_exit guard(s);
    int p = 1;
    s.bind(p++, q.after);
    if (!dead_only) s.bind(p++, state);
    s.bind(p++, std::string_view(q.sink));
    s.bind(p++, q.order_id);
    s.bind(p++, q.limit);
    while (s.step()) out.push_back(read_row(s));
  } catch (const sqlite::error& e) {
    fail("cannot list the outbox", e);
  }
  return out;
}

std::optional<outbox_row> outbox::row(std::int64_t id) {
  auto& s = impl_->by_id;
  try {
    sqlite::reset_on_exit guard(s);
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_row(s);
  } catch (const sqlite::error& e) {
    fail("cannot read outbox row " + std::to_string(id), e);
  }
}

outbox_counts outbox::counts(const std::string& sink) {
  auto one = [&](sqlite::statement& s) {
    sqlite::reset_on_exit guard(s);
    s.bind(1, std::string_view(sink));
    return s.step() ? s.column_int64(0) : 0;
  };
  try {
    return {one(impl_->pending_of_sink), one(impl_->dead_of_sink)};
  } catch (const sqlite::error& e) {
    fail("cannot count the outbox of " + sink, e);
  }
}

}  // namespace portd::store
