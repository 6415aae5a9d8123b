// Retention batches: delivered outbox rows deleted, raw bodies of finished orders emptied,
// free pages given back (see retention.hpp).
#include <portd/store/retention.hpp>
#include <portd/store/sqlite.hpp>

#include <string>
#include <vector>

namespace portd::store {

namespace {

std::int64_t to_ms(porting::time_point t) { return t.time_since_epoch().count(); }

using sqlite::fail;

constexpr const char* raw_cursor_key = "retention_raw_after_event";

}  // namespace

struct retention::impl {
  sqlite::database& db;
  sqlite::statement delete_delivered, events_after, with_raw, take_event, put_back, defer_keys, read_cursor,
      write_cursor, free_pages;

  explicit impl(repository& repo) : db(repo.writer_connection()) {
    // The subquery repeats the partial index's WHERE (schema 0005) so that the planner uses it.
    delete_delivered = {db,
                        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'delivered' "
                        "AND delivered_at < ?1 ORDER BY delivered_at LIMIT ?2)"};
    events_after = {db, "SELECT id, order_id, at, from_state, to_state FROM order_events WHERE id > ?1 "
                        "ORDER BY id LIMIT ?2"};
    with_raw = {db, "SELECT id FROM order_events WHERE order_id = ?1 AND raw <> ''"};
    take_event = {db, "DELETE FROM order_events WHERE id = ?1 RETURNING order_id, seq, at, type, from_state, "
                      "to_state, remote_status, actor, message"};
    put_back = {db, "INSERT INTO order_events (id, order_id, seq, at, type, from_state, to_state, remote_status, "
                    "actor, message, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '')"};
    // The outbox's rows refer to the event for the moment it is out of the table: checked at
    // commit instead (SQLite switches this off again at every COMMIT and ROLLBACK).
    defer_keys = {db, "PRAGMA defer_foreign_keys = ON"};
    read_cursor = {db, "SELECT value FROM daemon_state WHERE key = ?1"};
    write_cursor = {db, "INSERT INTO daemon_state (key, value) VALUES (?1, ?2) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"};
    free_pages = {db, "PRAGMA freelist_count"};
  }

  // Empties one event's raw body by taking the row out and putting it back without it, same id.
  // An UPDATE would leave the row's page as sparse as the body was large: SQLite merges pages
  // only after a delete, so the space would never come back to the table or the file.
  void empty_raw(std::int64_t id) {
    std::int64_t order_id = 0, seq = 0, at = 0;
    std::string type, from, to, remote_status, actor, message;
    {
      sqlite::reset_on_exit r(take_event);
      take_event.bind(1, id);
      if (!take_event.step()) return;
      order_id = take_event.column_int64(0);
      seq = take_event.column_int64(1);
      at = take_event.column_int64(2);
      type = take_event.column_text(3);
      from = take_event.column_text(4);
      to = take_event.column_text(5);
      remote_status = take_event.column_text(6);
      actor = take_event.column_text(7);
      message = take_event.column_text(8);
      while (take_event.step()) {
      }
    }
    put_back.bind(1, id).bind(2, order_id).bind(3, seq).bind(4, at).bind(5, std::string_view(type));
    put_back.bind(6, std::string_view(from)).bind(7, std::string_view(to)).bind(8, std::string_view(remote_status));
    put_back.bind(9, std::string_view(actor)).bind(10, std::string_view(message)).exec();
  }

  std::int64_t freelist() {
    sqlite::reset_on_exit r(free_pages);
    return free_pages.step() ? free_pages.column_int64(0) : 0;
  }
};

retention::retention(repository& repo)
    : impl_(sqlite::make_prepared<impl>("cannot prepare the retention statements", repo)) {}

retention::~retention() = default;

retention::step retention::prune_delivered_outbox(porting::time_point before, int limit) {
  auto& m = *impl_;
  try {
    m.delete_delivered.bind(1, to_ms(before)).bind(2, limit).exec();
  } catch (const sqlite::error& e) {
    fail("cannot delete delivered outbox rows", e);
  }
  const std::int64_t n = m.db.changes();
  return {n, n == limit};
}

namespace {

// The states an order never leaves (PROTOCOL.md); as porting::to_string spells them.
bool terminal(std::string_view state) {
  return state == "ineligible" || state == "cancelled" || state == "completed" || state == "port_out_rejected" ||
         state == "closed";
}

}  // namespace

retention::step retention::prune_raw_bodies(porting::time_point before, int limit) {
  auto& m = *impl_;
  step out;
  try {
    std::int64_t cursor = 0;
    {
      sqlite::reset_on_exit r(m.read_cursor);
      m.read_cursor.bind(1, raw_cursor_key);
      if (m.read_cursor.step()) cursor = std::stoll("0" + m.read_cursor.column_text(0));
    }
    // The orders that ended in this batch, read first: the update must not run while the scan
    // still holds its statement open over the same table.
    std::vector<std::int64_t> ended;
    std::int64_t read = 0;
    bool young = false;
    {
      sqlite::reset_on_exit r(m.events_after);
      m.events_after.bind(1, cursor).bind(2, limit);
      while (m.events_after.step()) {
        if (m.events_after.column_int64(2) >= to_ms(before)) {
          young = true;  // ids follow commit order, so the rest are as young: stop here
          break;
        }
        ++read;
        cursor = m.events_after.column_int64(0);
        const auto from = m.events_after.column_text(3), to = m.events_after.column_text(4);
        if (from != to && terminal(to)) ended.push_back(m.events_after.column_int64(1));
      }
    }
    if (!ended.empty()) m.defer_keys.exec();
    for (auto order_id : ended) {
      std::vector<std::int64_t> ids;
      {
        sqlite::reset_on_exit r(m.with_raw);
        m.with_raw.bind(1, order_id);
        while (m.with_raw.step()) ids.push_back(m.with_raw.column_int64(0));
      }
      for (auto id : ids) m.empty_raw(id);
      out.changed += static_cast<std::int64_t>(ids.size());
    }
    if (read > 0) {  // nothing read: nothing to write either (no empty transaction every pass)
      const std::string value = std::to_string(cursor);
      m.write_cursor.bind(1, raw_cursor_key).bind(2, std::string_view(value)).exec();
    }
    out.more = !young && read == limit;
  } catch (const sqlite::error& e) {
    fail("cannot empty raw bodies of finished orders", e);
  }
  return out;
}

std::int64_t retention::release_free_pages(int pages) {
  auto& m = *impl_;
  try {
    const auto before = m.freelist();
    m.db.exec("PRAGMA incremental_vacuum(" + std::to_string(pages) + ")");  // a pragma takes no parameters
    return before - m.freelist();
  } catch (const sqlite::error& e) {
    fail("cannot give free pages back", e);
  }
}

}  // namespace portd::store
