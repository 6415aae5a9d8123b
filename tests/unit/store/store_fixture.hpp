// Shared helpers for the store's unit tests: the database in a temp directory, ready-made orders
// (tests/common) and a side connection to look at what was written.
#pragma once
#include "common/sample_orders.hpp"
#include "common/temp_dir.hpp"

#include <portd/store/repository.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace portd::store::test {

using portd::test::at_ms;
using portd::test::file_mode;
using portd::test::simple_order;

// The common temp_dir, with the database file the store's tests keep in it.
struct temp_dir : portd::test::temp_dir {
  std::filesystem::path db() const { return *this / "portd.db"; }
};

// A port-in with every field set, secrets, optionals and intents included.
inline porting::order full_order(std::string number = "+18015551234") {
  return portd::test::full_port_in(std::move(number));
}

inline porting::event_record record(porting::event_type t, porting::order_state from, porting::order_state to,
                                 std::string message = "") {
  porting::event_record r;
  r.type = t;
  r.from_state = from;
  r.to_state = to;
  r.actor = "daemon";
  r.message = std::move(message);
  return r;
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A side connection for looking at what the repository wrote.
struct raw_db {
  sqlite3* db = nullptr;
  explicit raw_db(const std::filesystem::path& p) {
    if (sqlite3_open_v2(p.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + p.string());
  }
  ~raw_db() { sqlite3_close_v2(db); }
  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db));
    std::int64_t v = -1;
    if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
  }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error(sqlite3_errmsg(db));
  }
};

}  // namespace portd::store::test
