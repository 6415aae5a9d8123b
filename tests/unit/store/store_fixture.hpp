// Shared helpers for the store's unit tests: a temporary directory and ready-made orders.
#pragma once
#include <portd/store/repository.hpp>

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace portd::store::test {

// A fresh directory under /tmp, removed with everything in it at the end of the test.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = "/tmp/portd-store-test-XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path db() const { return path / "portd.db"; }
};

inline core::time_point at_ms(std::int64_t ms) { return core::time_point(core::milliseconds(ms)); }

// A port-in with every field set, secrets and optionals included.
inline core::order full_order(std::string number = "+18015551234") {
  core::order o;
  o.kind = core::order_kind::port_in;
  o.number = std::move(number);
  o.state = core::order_state::carrier_approval;
  o.needs_attention = true;
  o.attention_reason = "unknown remote status";
  o.remote_order_id = "JNUOID-6c05aa";
  o.remote_status = "Pending Carrier Approval";
  o.remote_message = "waiting on the carrier";
  o.reported_port_date = "2026-12-03";
  o.client_ref = "crm-" + o.number;
  o.group = "acme-migration";
  o.created_at = at_ms(1'764'000'000'001);
  o.updated_at = at_ms(1'764'000'000'502);
  o.state_since = at_ms(1'764'000'000'400);
  o.next_check_at = at_ms(1'764'000'900'000);
  o.attempts = 3;
  o.last_error = core::error_info{"rate_limited", "Telegent answered 429", at_ms(1'764'000'000'300)};
  o.details.carrier = "Verizon";
  o.details.account_number = "1111222233332222";
  o.details.subscriber_name = "Jane Doe";
  o.details.billing_address = {"1 Main St", "Apt 2", "Lehi", "UT", "84043"};
  o.details.iccid = "8901240397190195850";
  o.details.classification = "iot";
  o.details.port_in_date = "2026-12-03";
  o.details.account_id = "AID-ceb8";
  o.details.subscriber_id = "TSUID-90c6";
  o.secrets.account_pin = "s3cret-pin";
  o.secrets.port_out_pin = "";
  o.skip_eligibility = true;
  o.in_flight = core::call_kind::status;
  o.cancel_requested = true;
  o.update_pending = true;
  o.submit_ambiguous = true;
  o.cancel_reason = "customer changed their mind";
  return o;
}

// A minimal order in state `s`.
inline core::order simple_order(std::string number, core::order_state s = core::order_state::received,
                                core::order_kind k = core::order_kind::port_in) {
  core::order o;
  o.kind = k;
  o.number = std::move(number);
  o.state = s;
  o.created_at = o.updated_at = o.state_since = at_ms(1'764'000'000'000);
  return o;
}

inline core::event_record record(core::event_type t, core::order_state from, core::order_state to,
                                 std::string message = "") {
  core::event_record r;
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
