// Dwell samples from the history: one window-function pass over the latest events.
#include <portd/store/dwell.hpp>
#include <portd/store/sqlite.hpp>

#include <string>

namespace portd::store {

std::vector<poll::dwell_sample> load_dwell_samples(repository& repo, std::int64_t window) {
  std::vector<poll::dwell_sample> out;
  try {
    // LAG pairs each state change with the one before it in the same order: that one entered
    // the state this one leaves. A change whose predecessor lies before the window is skipped.
    sqlite::statement q{repo.reader_connection(),
                        "WITH changes AS ("
                        " SELECT order_id, at, from_state, actor,"
                        "  LAG(at) OVER (PARTITION BY order_id ORDER BY seq) AS entered_at,"
                        "  LAG(to_state) OVER (PARTITION BY order_id ORDER BY seq) AS entered"
                        " FROM order_events"
                        " WHERE type IN ('order.state_changed', 'order.remote_status_changed')"
                        "  AND id > (SELECT COALESCE(MAX(id), 0) FROM order_events) - ?1)"
                        " SELECT c.from_state, o.carrier, c.at - c.entered_at FROM changes c"
                        " JOIN orders o ON o.id = c.order_id"
                        " WHERE c.actor = 'telegent' AND c.entered = c.from_state"
                        "  AND c.from_state IN ('submitted', 'carrier_approval', 'scheduled', 'rejected')"
                        " ORDER BY c.at, c.order_id"};
    sqlite::reset_on_exit r(q);
    q.bind(1, window);
    while (q.step()) {
      auto state = porting::parse_order_state(q.column_text(0));
      if (!state) continue;
      out.push_back({*state, q.column_text(1), porting::milliseconds{q.column_int64(2)}});
    }
  } catch (const sqlite::error& e) {
    store_error err(std::string("reading dwell times: ") + e.what());
    err.disk_full = e.disk_full;
    throw err;
  }
  return out;
}

std::size_t for_each_polled_order(repository& repo, const std::function<void(const porting::order&)>& fn) {
  std::size_t n = 0;
  try {
    // orders_state (schema 0001) serves the IN list.
    sqlite::statement q{repo.reader_connection(),
                        "SELECT id, state, state_since, next_check_at, carrier, reported_port_date, port_in_date"
                        " FROM orders WHERE state IN ('submitted', 'carrier_approval', 'scheduled', 'rejected')"
                        " ORDER BY id"};
    sqlite::reset_on_exit r(q);
    porting::order o;
    while (q.step()) {
      auto state = porting::parse_order_state(q.column_text(1));
      if (!state) continue;
      o.id = q.column_int64(0);
      o.state = *state;
      o.state_since = porting::time_point{porting::milliseconds{q.column_int64(2)}};
      o.next_check_at.reset();
      if (auto t = q.column_opt_int64(3)) o.next_check_at = porting::time_point{porting::milliseconds{*t}};
      o.details.carrier = q.column_text(4);
      o.reported_port_date = q.column_text(5);
      o.details.port_in_date = q.column_text(6);
      fn(o);
      ++n;
    }
  } catch (const sqlite::error& e) {
    store_error err(std::string("reading the polled orders: ") + e.what());
    err.disk_full = e.disk_full;
    throw err;
  }
  return n;
}

}  // namespace portd::store
