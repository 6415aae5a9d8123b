// The repository: orders, history and outbox over two SQLite connections (a writer that holds
// the group transaction, a query_only reader that sees committed data only).
#include <portd/store/backup.hpp>
#include <portd/store/migrations.hpp>
#include <portd/store/repository.hpp>
#include <portd/store/sqlite.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string_view>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace portd::store {

namespace {

using namespace std::string_view_literals;

// The orders columns after `id`, in the order bind_order() binds and read_order() reads them.
constexpr std::array order_columns = {
    // identity and state
    "kind"sv, "number"sv, "state"sv, "needs_attention"sv, "attention_reason"sv,
    // Telegent's view
    "remote_order_id"sv, "remote_status"sv, "remote_message"sv, "reported_port_date"sv,
    "client_ref"sv, "group_name"sv,
    // times and the last failure
    "created_at"sv, "updated_at"sv, "state_since"sv, "next_check_at"sv, "attempts"sv,
    "last_error_reason"sv, "last_error_message"sv, "last_error_at"sv,
    // details
    "carrier"sv, "account_number"sv, "subscriber_name"sv, "billing_street1"sv,
    "billing_street2"sv, "billing_city"sv, "billing_state"sv, "billing_zip"sv, "iccid"sv,
    "classification"sv, "port_in_date"sv, "account_id"sv, "subscriber_id"sv,
    // secrets
    "account_pin"sv, "port_out_pin"sv,
    // intents
    "skip_eligibility"sv, "in_flight"sv, "pending_intent"sv, "submit_certainty"sv,
    "cancel_reason"sv, "last_seq"sv, "request_sent"sv, "ambiguous_since"sv, "attention_kind"sv,
};
constexpr int order_column_count = static_cast<int>(order_columns.size());

// Verbatim the WHERE of the partial indexes orders_one_active_per_number and orders_schedule:
// SQLite uses a partial index only for a query that repeats its condition.
constexpr std::string_view active_condition =
    "state <> 'ineligible' AND state <> 'cancelled' AND state <> 'completed' AND "
    "state <> 'port_out_rejected' AND state <> 'closed'";

std::string select_orders() {
  std::string sql = "SELECT id";
  for (auto c : order_columns) {
    sql += ", ";
    sql += c;
  }
  sql += " FROM orders ";
  return sql;
}

std::string insert_order_sql() {
  std::string sql = "INSERT INTO orders (";
  std::string values;
  for (int i = 0; i < order_column_count; ++i) {
    if (i) {
      sql += ", ";
      values += ", ";
    }
    sql += order_columns[i];
    values += "?" + std::to_string(i + 1);
  }
  return sql + ") VALUES (" + values + ")";
}

// Which indexes an update touches. SQLite rewrites an index entry whenever one of its columns
// is assigned, changed or not, so update_order assigns indexed columns only when they differ.
enum class update_scope { light, schedule, full };

// Columns in an index other than orders_schedule (whose extra columns are the next two).
constexpr std::array identity_columns = {"kind"sv,          "number"sv,     "state"sv,
                                         "needs_attention"sv, "client_ref"sv, "group_name"sv,
                                         "remote_order_id"sv};
constexpr std::array schedule_columns = {"next_check_at"sv, "in_flight"sv};

std::string update_order_sql(update_scope scope) {
  auto listed = [](auto& list, std::string_view c) {
    return std::find(list.begin(), list.end(), c) != list.end();
  };
  std::string sql = "UPDATE orders SET ";
  bool first = true;
  for (int i = 0; i < order_column_count; ++i) {
    auto c = order_columns[i];
    if (scope != update_scope::full && listed(identity_columns, c)) continue;
    if (scope == update_scope::light && listed(schedule_columns, c)) continue;
    if (!first) sql += ", ";
    first = false;
    sql += c;
    sql += " = ?" + std::to_string(i + 1);  // same numbering as bind_order in every scope
  }
  return sql + " WHERE id = ?" + std::to_string(order_column_count + 1);
}

std::int64_t to_ms(porting::time_point t) { return t.time_since_epoch().count(); }
porting::time_point from_ms(std::int64_t ms) { return porting::time_point(porting::milliseconds(ms)); }

[[noreturn]] void corrupt(std::string_view what, std::string_view value) {
  throw store_error("database holds an unknown " + std::string(what) + " '" + std::string(value) +
                    "'");
}

porting::order_state state_from(const std::string& s) {
  auto v = porting::parse_order_state(s);
  if (!v) corrupt("order state", s);
  return *v;
}

template <class Parse>
auto enum_from(Parse parse, std::string_view what, const std::string& s) {
  auto v = parse(s);
  if (!v) corrupt(what, s);
  return *v;
}

porting::order_kind kind_from(const std::string& s) {
  auto v = porting::parse_order_kind(s);
  if (!v) corrupt("order kind", s);
  return *v;
}

std::optional<porting::call_kind> call_from(const sqlite::statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  auto text = s.column_text(column);
  auto v = porting::parse_call_kind(text);
  if (!v) corrupt("call kind", text);
  return v;
}

// Binds ?1…?N in order_columns order. Every string bound here lives in `o` or in static storage
// (to_string), as statement::bind requires.
void bind_order(sqlite::statement& s, const porting::order& o) {
  int i = 1;
  s.bind(i++, porting::to_string(o.kind));
  s.bind(i++, o.number);
  s.bind(i++, porting::to_string(o.state));
  s.bind(i++, o.needs_attention());
  s.bind(i++, o.attention_reason);
  s.bind(i++, o.remote_order_id);
  s.bind(i++, o.remote_status);
  s.bind(i++, o.remote_message);
  s.bind(i++, o.reported_port_date);
  if (o.client_ref.empty())
    s.bind_null(i++);
  else
    s.bind(i++, o.client_ref);
  s.bind(i++, o.group);
  s.bind(i++, to_ms(o.created_at));
  s.bind(i++, to_ms(o.updated_at));
  s.bind(i++, to_ms(o.state_since));
  if (o.next_check_at)
    s.bind(i++, to_ms(*o.next_check_at));
  else
    s.bind_null(i++);
  s.bind(i++, o.attempts);
  if (o.last_error) {
    s.bind(i++, o.last_error->reason);
    s.bind(i++, o.last_error->message);
    s.bind(i++, to_ms(o.last_error->at));
  } else {
    s.bind_null(i++);
    s.bind_null(i++);
    s.bind_null(i++);
  }
  const auto& d = o.details;
  s.bind(i++, d.carrier);
  s.bind(i++, d.account_number);
  s.bind(i++, d.subscriber_name);
  s.bind(i++, d.billing_address.street1);
  s.bind(i++, d.billing_address.street2);
  s.bind(i++, d.billing_address.city);
  s.bind(i++, d.billing_address.state);
  s.bind(i++, d.billing_address.zip);
  s.bind(i++, d.iccid);
  s.bind(i++, d.classification);
  s.bind(i++, d.port_in_date);
  s.bind(i++, d.account_id);
  s.bind(i++, d.subscriber_id);
  s.bind(i++, o.secrets.account_pin);
  s.bind(i++, o.secrets.port_out_pin);
  s.bind(i++, o.skip_eligibility);
  if (o.in_flight)
    s.bind(i++, porting::to_string(*o.in_flight));
  else
    s.bind_null(i++);
  s.bind(i++, porting::to_string(o.pending));
  s.bind(i++, porting::to_string(o.submit));
  s.bind(i++, o.cancel_reason);
  s.bind(i++, o.last_seq);
  s.bind(i++, o.request_sent);
  if (o.ambiguous_since)
    s.bind(i++, to_ms(*o.ambiguous_since));
  else
    s.bind_null(i++);
  s.bind(i++, porting::to_string(o.attention));
}

// Reads a row of select_orders().
porting::order read_order(const sqlite::statement& s) {
  porting::order o;
  int c = 0;
  o.id = s.column_int64(c++);
  o.kind = kind_from(s.column_text(c++));
  o.number = s.column_text(c++);
  o.state = state_from(s.column_text(c++));
  c++;  // needs_attention: what attention_kind says, kept as a column for its index
  o.attention_reason = s.column_text(c++);
  o.remote_order_id = s.column_text(c++);
  o.remote_status = s.column_text(c++);
  o.remote_message = s.column_text(c++);
  o.reported_port_date = s.column_text(c++);
  o.client_ref = s.column_text(c++);  // NULL reads as ""
  o.group = s.column_text(c++);
  o.created_at = from_ms(s.column_int64(c++));
  o.updated_at = from_ms(s.column_int64(c++));
  o.state_since = from_ms(s.column_int64(c++));
  if (auto t = s.column_opt_int64(c++)) o.next_check_at = from_ms(*t);
  o.attempts = s.column_int(c++);
  if (!s.is_null(c)) {
    porting::error_info e;
    e.reason = s.column_text(c);
    e.message = s.column_text(c + 1);
    e.at = from_ms(s.column_int64(c + 2));
    o.last_error = std::move(e);
  }
  c += 3;
  auto& d = o.details;
  d.carrier = s.column_text(c++);
  d.account_number = s.column_text(c++);
  d.subscriber_name = s.column_text(c++);
  d.billing_address.street1 = s.column_text(c++);
  d.billing_address.street2 = s.column_text(c++);
  d.billing_address.city = s.column_text(c++);
  d.billing_address.state = s.column_text(c++);
  d.billing_address.zip = s.column_text(c++);
  d.iccid = s.column_text(c++);
  d.classification = s.column_text(c++);
  d.port_in_date = s.column_text(c++);
  d.account_id = s.column_text(c++);
  d.subscriber_id = s.column_text(c++);
  o.secrets.account_pin = s.column_text(c++);
  o.secrets.port_out_pin = s.column_text(c++);
  o.skip_eligibility = s.column_bool(c++);
  o.in_flight = call_from(s, c++);
  o.pending = enum_from(porting::parse_pending_intent, "pending intent", s.column_text(c++));
  o.submit = enum_from(porting::parse_submit_certainty, "submit certainty", s.column_text(c++));
  o.cancel_reason = s.column_text(c++);
  o.last_seq = s.column_int64(c++);
  o.request_sent = s.column_bool(c++);
  if (auto t = s.column_opt_int64(c++)) o.ambiguous_since = from_ms(*t);
  o.attention = enum_from(porting::parse_attention_kind, "attention kind", s.column_text(c++));
  return o;
}

constexpr std::string_view event_columns =
    "SELECT id, order_id, seq, at, type, from_state, to_state, remote_status, actor, message, "
    "raw FROM order_events ";

porting::stored_event read_event(const sqlite::statement& s) {
  porting::stored_event e;
  e.id = s.column_int64(0);
  e.order_id = s.column_int64(1);
  e.seq = s.column_int64(2);
  e.at = from_ms(s.column_int64(3));
  auto type = s.column_text(4);
  auto t = porting::parse_event_type(type);
  if (!t) corrupt("event type", type);
  e.record.type = *t;
  e.record.from_state = state_from(s.column_text(5));
  e.record.to_state = state_from(s.column_text(6));
  e.record.remote_status = s.column_text(7);
  e.record.actor = s.column_text(8);
  e.record.message = s.column_text(9);
  e.record.raw = s.column_text(10);
  return e;
}

// Runs a prepared order query (already bound) and returns its first row.
std::optional<porting::order> one_order(sqlite::statement& s) {
  sqlite::reset_on_exit guard(s);
  if (!s.step()) return std::nullopt;
  return read_order(s);
}

using sqlite::fail;

// Runs a read; an SQLite failure becomes a store_error that names what was read (`what` is
// only built then, so that the common path allocates nothing for it).
template <class Read, class What>
auto reading(Read&& read, What&& what) -> decltype(read()) {
  try {
    return read();
  } catch (const sqlite::error& e) {
    fail(what(), e);
  }
}

// The order queries that both connections need. A failure names what was looked up with the
// connection's verb: the engine loads (writer: it sees the open group), the socket reads.
struct order_lookups {
  sqlite::statement by_id, by_client_ref, active, by_remote_id, latest_for_number;
  std::string_view verb;  // "load" or "read"

  order_lookups(sqlite::database& db, std::string_view how) : verb(how) {
    const auto select = select_orders();
    by_id = {db, select + "WHERE id = ?1"};
    by_client_ref = {db, select + "WHERE client_ref = ?1"};
    active = {db, select + "WHERE number = ?1 AND kind = ?2 AND " + std::string(active_condition)};
    by_remote_id = {db, select +
                            "WHERE remote_order_id = ?1 AND remote_order_id <> '' "
                            "ORDER BY id DESC LIMIT 1"};
    latest_for_number = {db, select + "WHERE number = ?1 ORDER BY id DESC LIMIT 1"};
  }

  std::optional<porting::order> get(std::int64_t id) {
    return reading([&] { return one_order(by_id.bind(1, id)); },
                   [&] { return failed("order " + std::to_string(id)); });
  }
  std::optional<porting::order> get_by_client_ref(const std::string& ref) {
    if (ref.empty()) return std::nullopt;
    return reading([&] { return one_order(by_client_ref.bind(1, ref)); },
                   [&] { return failed("an order by client_ref"); });
  }
  std::optional<porting::order> get_active(const std::string& number, porting::order_kind kind) {
    return reading([&] { return one_order(active.bind(1, number).bind(2, porting::to_string(kind))); },
                   [&] { return failed("the active order for " + number); });
  }
  std::optional<porting::order> get_by_remote_id(const std::string& remote_id) {
    if (remote_id.empty()) return std::nullopt;
    return reading([&] { return one_order(by_remote_id.bind(1, remote_id)); },
                   [&] { return failed("an order by remote order id"); });
  }
  std::optional<porting::order> get_latest_for_number(const std::string& number) {
    return reading([&] { return one_order(latest_for_number.bind(1, number)); },
                   [&] { return failed("the latest order for " + number); });
  }
  std::string failed(const std::string& what) const { return "cannot " + std::string(verb) + " " + what; }
};

// Creates the file 0600 before SQLite sees it (SQLite would use 0644 less the umask), so that
// the database is never readable by others, not even for a moment.
void create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;
    throw store_error("cannot create database " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  // Make the new name itself durable: the first acknowledged order must not vanish with it.
  auto dir = std::filesystem::path(path).parent_path();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// SQLite gives -wal and -shm the database file's mode; this tightens a database (and side
// files) that an older run, a restore or a copy left readable by others. Only once the file
// proved to be a database this portd uses: a refused file is left exactly as it was.
void tighten_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const auto file = path + suffix;
    struct stat st {};
    if (::lstat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
      ::chmod(file.c_str(), 0600);
  }
}

// PRAGMA application_id of portd's databases ("port"), so that a database another program made
// is told from one of ours: the file(1) magic database knows SQLite files by this number too.
constexpr std::int64_t portd_application_id = 0x706f7274;

// Refuses a database that is not portd's (another program's SQLite file at our path) before
// anything in it changes: ours carries portd's application_id, or — written before portd set
// one — a user_version with portd's tables; a fresh file has nothing in it at all.
void refuse_foreign(sqlite::database& db, const std::string& path) {
  const auto app_id = db.query_int("PRAGMA application_id");
  if (app_id == portd_application_id) return;
  const auto version = db.query_int("PRAGMA user_version");
  const auto objects = db.query_int("SELECT count(*) FROM sqlite_schema");
  const auto ours = db.query_int(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('orders', 'order_events', 'outbox')");
  std::string why;
  if (app_id != 0)
    why = "its application_id is " + std::to_string(app_id) + ", not portd's " + std::to_string(portd_application_id);
  else if (version == 0 && objects > 0)
    why = "it holds " + std::to_string(objects) + " tables or indexes that portd did not create";
  else if (version > 0 && ours < 3)
    why = "it has user_version " + std::to_string(version) + " but not portd's tables orders, order_events and outbox";
  if (why.empty()) return;
  store_error e("database " + path + " is not a portd database (" + why +
                "): point [store] path at portd's database, or move this file away");
  e.unusable = true;
  throw e;
}

// A downgrade needs the database as the older portd left it: before a migration changes the
// schema, the whole file is copied to <path>.pre-<from>-to-<to> (0600, next to it; an older
// copy of the same step is replaced). A fresh database (version 0) has nothing to keep. When
// the copy cannot be made (disk full), the upgrade is not attempted. Returns the copy's path,
// "" when none was needed.
std::string copy_before_migration(sqlite::database& db, const std::string& path,
                                  const std::function<void(const std::string&)>& on_long_step) {
  const auto from = db.query_int("PRAGMA user_version");
  const auto to = detail::newest_schema_version();
  if (from == 0 || from >= to) return {};
  const auto copy = path + ".pre-" + std::to_string(from) + "-to-" + std::to_string(to);
  if (on_long_step) on_long_step("copying the database to " + copy + " before its schema upgrade");
  try {
    copy_database(db, copy);
  } catch (const store_error& e) {
    store_error out(std::string("the schema upgrade was not attempted: ") + e.what());
    out.disk_full = e.disk_full;
    throw out;
  }
  return copy;
}

constexpr int open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
constexpr int read_only_flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
constexpr int busy_timeout_ms = 5000;

bool on_read_only_filesystem(const std::filesystem::path& db) {
  auto dir = db.parent_path();
  if (dir.empty()) dir = ".";
  struct statvfs st {};
  return ::statvfs(dir.c_str(), &st) == 0 && (st.f_flag & ST_RDONLY) != 0;
}

}  // namespace

struct repository::impl {
  std::filesystem::path path;
  std::string path_text;

  // Connections first: members are destroyed in reverse order, statements before their db.
  std::unique_ptr<sqlite::database> writer_db, reader_db;

  std::optional<order_lookups> writer_lookups, reader_lookups;
  sqlite::statement begin, commit, rollback, savepoint, release, rollback_to;
  sqlite::statement insert_order, insert_event, insert_outbox;
  sqlite::statement update_full, update_schedule, update_light, indexed_columns;
  sqlite::statement schedule;
  sqlite::statement history, events_all, events_of_order;
  sqlite::statement state_counts, attention_count, outbox_pending, outbox_dead,
      last_event;
  std::map<std::uint32_t, sqlite::statement> list_queries;  // by filter shape

  struct sink_entry {
    std::string name;
    std::uint32_t event_mask;  // bit per porting::event_type
  };
  std::vector<sink_entry> sinks;
  std::string not_writable;  // why the store takes no writes; "" when it does
  std::string uri;           // "file:…?immutable=1" when opened so (see open_immutable)
  std::string migration_copy;  // the copy made before this open's schema upgrade, "" if none
  bool group_open = false;
  bool last_write_disk_full = false;  // why SQLite may have rolled the group back
  // The open group ended an order, so it purged its PINs (rule 5): the WAL's older frames of
  // that row still hold them until the WAL is checkpointed and truncated.
  bool secrets_purged = false;

  // The group is open for us but SQLite has rolled it back (after an I/O error or a full
  // disk in some statement).
  store_error lost_group() const {
    store_error e("the transaction was rolled back by SQLite after an earlier failure");
    e.disk_full = last_write_disk_full;
    return e;
  }

  std::function<void(const std::string&)> on_long_step;

  impl(const std::filesystem::path& p, std::function<void(const std::string&)> long_step)
      : path(p), path_text(p.string()), on_long_step(std::move(long_step)) {
    create_private_file(path_text);
    // Open failures name the path themselves; later ones get it added here.
    if (on_read_only_filesystem(path))
      open_immutable();
    else
      writer_db = std::make_unique<sqlite::database>(path_text, open_flags | SQLITE_OPEN_CREATE);
    try {
      set_up();
    } catch (const sqlite::error& e) {
      fail("database " + path_text, e);
    }
  }

  // A database on a filesystem mounted read-only cannot be read the usual way: SQLite needs
  // to create the WAL's shared-memory file beside it. Without a WAL left to replay, nothing but
  // this file holds the data and nothing can change it, so it is opened immutable (no locks,
  // no WAL) and served read-only. With a WAL left, reading the file alone would show an older
  // state: refused, saying why.
  void open_immutable() {
    std::error_code ec;
    if (std::filesystem::file_size(path_text + "-wal", ec) > 0 && !ec) {
      store_error e("database " + path_text + " is on a read-only filesystem and its WAL (" + path_text +
                    "-wal) has changes not yet in it: mount it read-write so that portd can apply them");
      e.read_only = true;
      throw e;
    }
    uri = "file:";
    for (char c : path_text) {
      if (c == '%' || c == '?' || c == '#') {
        static constexpr char hex[] = "0123456789abcdef";
        uri += '%';
        uri += hex[static_cast<unsigned char>(c) >> 4];
        uri += hex[c & 0xf];
      } else {
        uri += c;
      }
    }
    uri += "?immutable=1";
    writer_db = std::make_unique<sqlite::database>(uri, read_only_flags);
  }

  void set_up() {
    auto& w = *writer_db;
    // The first read of the file: a file that is not a database fails here.
    w.query_int("PRAGMA schema_version");
    sqlite3_busy_timeout(w.handle(), busy_timeout_ms);
    w.exec("PRAGMA foreign_keys = ON");
    w.exec("PRAGMA synchronous = FULL");  // the migration runs in rollback-journal mode
    // Another program's database, or a newer one, is refused before we change anything in it
    // (journal mode included).
    refuse_foreign(w, path_text);
    // The OS let SQLite open the file only for reading (its mode or owner, an immutable
    // attribute, a read-only mount): reads are served, writes are refused `unavailable`.
    if (sqlite3_db_readonly(w.handle(), "main") == 1) {
      not_writable = "the database " + path_text +
                     " is read-only for portd (its mode, owner or mount): make it writable, then restart portd";
      if (w.query_int("PRAGMA user_version") < detail::newest_schema_version()) {
        store_error e("database " + path_text + " needs a schema upgrade but is read-only: make it writable");
        e.read_only = true;
        throw e;
      }
    }
    // Retention frees pages; incremental auto-vacuum gives them back to the file system. A new
    // database gets it before its first table (the only moment it can be set without a VACUUM).
    if (not_writable.empty() && w.query_int("PRAGMA user_version") == 0) w.exec("PRAGMA auto_vacuum = INCREMENTAL");
    migration_copy = copy_before_migration(w, path_text, on_long_step);
    detail::migrate(w, path_text);
    if (not_writable.empty() && w.query_int("PRAGMA application_id") != portd_application_id)
      w.exec("PRAGMA application_id = " + std::to_string(portd_application_id));
    auto mode = not_writable.empty() ? w.query_text("PRAGMA journal_mode = WAL") : "wal";  // a read-only file keeps its mode
    if (mode != "wal") throw store_error("cannot switch to WAL (journal mode is " + mode + ")");
    // In WAL mode NORMAL writes a commit to the WAL without waiting for the disk;
    // commit(durability::sync) then syncs the WAL itself, which is what FULL does at every
    // commit. Groups that only move poll schedules skip that wait (see repository::commit).
    w.exec("PRAGMA synchronous = NORMAL");
    w.exec("PRAGMA cache_size = -32768");  // 32 MiB: indexes of a million orders stay hot
    // Rule 5: a purged PIN must not linger in the file's free space. (Debian builds SQLite
    // with this on by default; other builds do not.)
    w.exec("PRAGMA secure_delete = ON");
    // After a burst, a checkpoint gives the WAL file back down to this size.
    w.exec("PRAGMA journal_size_limit = 67108864");
    // A database made before retention (auto_vacuum NONE) is rebuilt once with incremental
    // auto-vacuum: VACUUM, at start-up before anything is served, on the open that also
    // upgrades it to schema 5 (after the pre-migration copy). It takes about as long as that
    // copy; later opens find INCREMENTAL and skip it.
    if (not_writable.empty() && w.query_int("PRAGMA auto_vacuum") != 2) {
      if (on_long_step) on_long_step("rebuilding the database " + path_text + " once for incremental auto-vacuum");
      w.exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM", "cannot turn on incremental auto-vacuum");
      sqlite3_wal_checkpoint_v2(w.handle(), "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    }
    tighten_files(path_text);

    reader_db = uri.empty() ? std::make_unique<sqlite::database>(path_text, open_flags)
                            : std::make_unique<sqlite::database>(uri, read_only_flags);
    auto& r = *reader_db;
    sqlite3_busy_timeout(r.handle(), busy_timeout_ms);
    r.exec("PRAGMA query_only = ON");

    writer_lookups.emplace(w, "load");
    reader_lookups.emplace(r, "read");
    begin = {w, "BEGIN IMMEDIATE"};
    commit = {w, "COMMIT"};
    rollback = {w, "ROLLBACK"};
    savepoint = {w, "SAVEPOINT unit"};
    release = {w, "RELEASE unit"};
    rollback_to = {w, "ROLLBACK TO unit"};
    insert_order = {w, insert_order_sql()};
    update_full = {w, update_order_sql(update_scope::full)};
    update_schedule = {w, update_order_sql(update_scope::schedule)};
    update_light = {w, update_order_sql(update_scope::light)};
    indexed_columns = {w,
                       "SELECT kind, number, state, needs_attention, client_ref, group_name, "
                       "remote_order_id, next_check_at, in_flight FROM orders WHERE id = ?1"};
    insert_event = {w,
                    "INSERT INTO order_events (order_id, seq, at, type, from_state, to_state, "
                    "remote_status, actor, message, raw) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};
    insert_outbox = {w,
                     "INSERT INTO outbox (event_id, sink, order_id, state, attempts, "
                     "next_attempt_at) VALUES (?1, ?2, ?3, 'pending', 0, ?4)"};
    schedule = {w, "SELECT id, state, next_check_at, in_flight FROM orders WHERE " +
                       std::string(active_condition) + " ORDER BY id"};

    history = {r, std::string(event_columns) + "WHERE order_id = ?1 ORDER BY seq"};
    events_all = {r, std::string(event_columns) + "WHERE id > ?1 ORDER BY id LIMIT ?2"};
    events_of_order = {r, std::string(event_columns) +
                              "WHERE order_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"};
    // A scan of the (covering) state index: no per-write bookkeeping, which would make every
    // order write carry a statement journal.
    state_counts = {r, "SELECT state, count(*) FROM orders GROUP BY state"};
    attention_count = {r, "SELECT count(*) FROM orders WHERE needs_attention = 1"};
    outbox_pending = {r, "SELECT count(*) FROM outbox WHERE state = 'pending'"};
    outbox_dead = {r, "SELECT count(*) FROM outbox WHERE state = 'dead'"};
    last_event = {r, "SELECT coalesce(max(id), 0) FROM order_events"};
  }

  // An insert or update hit a unique index: the order that holds the number or client_ref.
  std::optional<conflict> conflict_of(const porting::order& o) {
    if (!o.client_ref.empty()) {
      if (auto held = writer_lookups->get_by_client_ref(o.client_ref); held && held->id != o.id)
        return conflict{"client_ref '" + o.client_ref + "' is already used by order " +
                            std::to_string(held->id),
                        held->id, true};
    }
    if (o.active()) {
      if (auto held = writer_lookups->get_active(o.number, o.kind); held && held->id != o.id)
        return conflict{"an active " + std::string(porting::to_string(o.kind)) + " order (" +
                            std::to_string(held->id) + ") already exists for " + o.number,
                        held->id, false};
    }
    return std::nullopt;
  }

  sqlite::statement& list_query(const order_filter& f, std::size_t state_count) {
    // The shape of the filter (which fields are set, how many states) picks a statement that
    // is prepared the first time that shape is seen and reused afterwards.
    std::uint32_t key = static_cast<std::uint32_t>(state_count) << 8;
    if (f.kind) key |= 1;
    if (!f.number.empty()) key |= 2;
    if (!f.group.empty()) key |= 4;
    if (f.active) key |= *f.active ? 8 : 16;
    if (f.needs_attention) key |= *f.needs_attention ? 32 : 64;
    if (auto it = list_queries.find(key); it != list_queries.end()) return it->second;

    std::string sql = select_orders() + "WHERE id > ?1";
    int p = 2;
    if (state_count) {
      sql += " AND state IN (";
      for (std::size_t i = 0; i < state_count; ++i) sql += (i ? ", ?" : "?") + std::to_string(p++);
      sql += ")";
    }
    if (f.kind) sql += " AND kind = ?" + std::to_string(p++);
    if (!f.number.empty()) sql += " AND number = ?" + std::to_string(p++);
    if (!f.group.empty()) sql += " AND group_name = ?" + std::to_string(p++) + " AND group_name <> ''";
    if (f.active) {
      sql += *f.active ? " AND " + std::string(active_condition)
                       : std::string(
                             " AND (state = 'ineligible' OR state = 'cancelled' OR "
                             "state = 'completed' OR state = 'port_out_rejected' OR state = 'closed')");
    }
    if (f.needs_attention) sql += *f.needs_attention ? " AND needs_attention = 1" : " AND needs_attention = 0";
    sql += " ORDER BY id LIMIT ?" + std::to_string(p++);
    return list_queries.emplace(key, sqlite::statement(*reader_db, sql)).first->second;
  }
};

repository::repository(const std::filesystem::path& path, std::function<void(const std::string&)> on_long_step)
    : impl_(std::make_unique<impl>(path, std::move(on_long_step))) {}

repository::~repository() {
  if (!impl_) return;
  if (impl_->group_open) {
    try {
      rollback();
    } catch (...) {  // closing rolls back anyway
    }
  }
  // Refreshes the planner's statistics where they are stale (SQLite's advice for closing),
  // sampling so that a million orders do not slow the shutdown.
  sqlite3_exec(impl_->writer_db->handle(), "PRAGMA analysis_limit = 1000; PRAGMA optimize",
               nullptr, nullptr, nullptr);
}

const std::filesystem::path& repository::path() const { return impl_->path; }
const std::string& repository::not_writable() const { return impl_->not_writable; }
const std::string& repository::migration_copy() const { return impl_->migration_copy; }

void repository::set_sinks(std::vector<sink> sinks) {
  impl_->sinks.clear();
  for (auto& s : sinks) {
    std::uint32_t mask = 0;
    if (s.events.empty()) mask = ~0u;
    for (auto t : s.events) mask |= 1u << static_cast<unsigned>(t);
    impl_->sinks.push_back({std::move(s.name), mask});
  }
}

// ---- group transaction -------------------------------------------------------------------

void repository::begin() {
  if (impl_->group_open) {
    // SQLite may have rolled the group back itself (disk full, I/O error). Going on would make
    // the next savepoint a transaction of its own and commit it alone, while the writes before
    // it are lost: the group fails as a whole instead, until commit() or rollback() ends it.
    if (impl_->writer_db->autocommit()) throw impl_->lost_group();
    return;
  }
  try {
    impl_->begin.exec();
  } catch (const sqlite::error& e) {
    fail("cannot begin a transaction", e);
  }
  impl_->group_open = true;
}

bool repository::in_transaction() const { return impl_->group_open; }

void repository::commit(durability d) {
  auto& m = *impl_;
  if (!m.group_open) return;
  m.group_open = false;
  if (m.writer_db->autocommit()) throw m.lost_group();
  try {
    m.commit.exec();
  } catch (const sqlite::error& e) {
    // A failed COMMIT (disk full, I/O error, busy) may leave the transaction open: end it so
    // that the next group starts clean.
    if (!m.writer_db->autocommit()) {
      try {
        m.rollback.exec();
      } catch (const sqlite::error&) {
      }
    }
    fail("cannot commit", e);
  }
  if (d == durability::sync) sync_wal();
  if (m.secrets_purged) truncate_wal();
}

// Rule 5 in the WAL: secure_delete zeroes a purged PIN in the database's pages, but the WAL
// keeps every earlier image of the row's page until it is overwritten, which may be never.
// A TRUNCATE checkpoint copies the newest images into the database and cuts the WAL to zero
// bytes. Only after groups that ended an order (once in an order's life, in a group that already
// pays for a synced commit). It must not stall the loop: a reader holding a snapshot makes
// it BUSY at once, and the next commit tries again. A failure here is not the group's: the
// group is committed.
void repository::truncate_wal() {
  auto& m = *impl_;
  sqlite3* db = m.writer_db->handle();
  sqlite3_busy_timeout(db, 0);
  const int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  if (rc == SQLITE_OK) m.secrets_purged = false;
}

// What synchronous=FULL does at the end of every commit in WAL mode: sync the WAL file
// (through SQLite's own file object, so that a newly created WAL also gets its directory
// synced). Everything committed before is in that file, so it is all durable afterwards.
void repository::sync_wal() {
  auto& m = *impl_;
  sqlite3_file* wal = nullptr;
  int rc = sqlite3_file_control(m.writer_db->handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
  if (rc == SQLITE_OK && wal && wal->pMethods) rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  else if (rc == SQLITE_OK) rc = SQLITE_IOERR_FSYNC;  // no WAL open: cannot vouch for the commit
  if (rc != SQLITE_OK) {
    m.last_write_disk_full = rc == SQLITE_FULL;
    store_error e("the group was committed but could not be synced to disk (SQLite error " +
                  std::to_string(rc) + ": " + sqlite3_errstr(rc) + ")");
    e.disk_full = rc == SQLITE_FULL;
    throw e;
  }
}

void repository::rollback() {
  auto& m = *impl_;
  if (!m.group_open) return;
  m.group_open = false;
  if (m.writer_db->autocommit()) return;  // SQLite already rolled it back
  try {
    m.rollback.exec();
  } catch (const sqlite::error& e) {
    fail("cannot roll back", e);
  }
}

repository::unit::unit(repository& r) : repo_(&r) {
  r.begin();
  try {
    r.impl_->savepoint.exec();
  } catch (const sqlite::error& e) {
    fail("cannot open a savepoint", e);
  }
}

repository::unit::~unit() {
  if (done_) return;
  auto& m = *repo_->impl_;
  if (m.writer_db->autocommit()) return;  // the whole transaction is gone already
  try {
    m.rollback_to.exec();
    m.release.exec();
  } catch (const sqlite::error&) {
    // Nothing sensible to do in a destructor; commit() reports a transaction in trouble.
  }
}

void repository::unit::release() {
  if (done_) return;
  done_ = true;
  try {
    repo_->impl_->release.exec();
  } catch (const sqlite::error& e) {
    fail("cannot release a savepoint", e);
  }
}

// ---- writes --------------------------------------------------------------------------------

void throw_exception_from_error(const conflict& c, const boost::source_location&) {
  throw store_error(c.message);
}

boost::system::result<std::int64_t, conflict> repository::insert_order(porting::order& o) {
  auto& m = *impl_;
  bind_order(m.insert_order, o);
  try {
    m.insert_order.exec();
  } catch (const sqlite::error& e) {
    if (e.code == SQLITE_CONSTRAINT_UNIQUE)
      if (auto c = m.conflict_of(o)) return std::move(*c);
    m.last_write_disk_full = e.disk_full;
    fail("cannot insert order for " + o.number, e);
  }
  o.id = m.writer_db->last_insert_rowid();
  return o.id;
}

void repository::update_order(const porting::order& o) {
  auto& m = *impl_;
  const auto no_such_order = [&] {
    return store_error("cannot update order " + std::to_string(o.id) + ": no such order");
  };
  try {
    // Reading the indexed columns first (the row is in cache: it is about to be written) is
    // far cheaper than rewriting eight index entries that did not change.
    auto scope = update_scope::light;
    {
      auto& q = m.indexed_columns;
      sqlite::reset_on_exit guard(q);
      q.bind(1, o.id);
      if (!q.step()) throw no_such_order();
      const bool same_identity =
          q.column_text(0) == porting::to_string(o.kind) && q.column_text(1) == o.number &&
          q.column_text(2) == porting::to_string(o.state) &&
          q.column_bool(3) == o.needs_attention() && q.column_text(4) == o.client_ref &&
          q.column_text(5) == o.group && q.column_text(6) == o.remote_order_id;
      const auto next = q.column_opt_int64(7);
      const bool same_schedule =
          next == (o.next_check_at ? std::optional(to_ms(*o.next_check_at)) : std::nullopt) &&
          (q.is_null(8) ? !o.in_flight
                        : o.in_flight && q.column_text(8) == porting::to_string(*o.in_flight));
      if (!same_identity)
        scope = update_scope::full;
      else if (!same_schedule)
        scope = update_scope::schedule;
    }
    auto& u = scope == update_scope::full       ? m.update_full
              : scope == update_scope::schedule ? m.update_schedule
                                                : m.update_light;
    bind_order(u, o);
    u.bind(order_column_count + 1, o.id);
    u.exec();
    // Entering a terminal state changes `state`, an identity column: only a full update can.
    if (scope == update_scope::full && !o.active()) m.secrets_purged = true;
  } catch (const sqlite::error& e) {
    if (e.code == SQLITE_CONSTRAINT_UNIQUE)  // decide() never makes an order collide
      if (auto c = m.conflict_of(o))
        throw store_error("cannot update order " + std::to_string(o.id) + ": " + c->message);
    m.last_write_disk_full = e.disk_full;
    fail("cannot update order " + std::to_string(o.id), e);
  }
  if (m.writer_db->changes() == 0) throw no_such_order();
}

std::vector<porting::stored_event> repository::append_events(
    porting::order& o, std::span<const porting::event_record> events, porting::time_point at) {
  auto& m = *impl_;
  std::vector<porting::stored_event> out;
  out.reserve(events.size());
  std::int64_t seq = o.last_seq;
  const std::int64_t at_ms = to_ms(at);
  try {
    for (const auto& r : events) {
      ++seq;
      m.insert_event.bind(1, o.id)
          .bind(2, seq)
          .bind(3, at_ms)
          .bind(4, porting::to_string(r.type))
          .bind(5, porting::to_string(r.from_state))
          .bind(6, porting::to_string(r.to_state))
          .bind(7, r.remote_status)
          .bind(8, r.actor)
          .bind(9, r.message)
          .bind(10, r.raw);
      m.insert_event.exec();
      const std::int64_t id = m.writer_db->last_insert_rowid();
      const std::uint32_t bit = 1u << static_cast<unsigned>(r.type);
      for (const auto& s : m.sinks) {
        if (!(s.event_mask & bit)) continue;
        m.insert_outbox.bind(1, id).bind(2, s.name).bind(3, o.id).bind(4, at_ms);
        m.insert_outbox.exec();
      }
      out.push_back({id, o.id, seq, at, r});
    }
  } catch (const sqlite::error& e) {
    m.last_write_disk_full = e.disk_full;
    fail("cannot append events of order " + std::to_string(o.id), e);
  }
  o.last_seq = seq;  // only once every event is in
  return out;
}

// ---- the engine's reads (writer connection) -----------------------------------------------

std::optional<porting::order> repository::load(std::int64_t id) {
  return impl_->writer_lookups->get(id);
}

std::optional<porting::order> repository::load_by_client_ref(const std::string& ref) {
  return impl_->writer_lookups->get_by_client_ref(ref);
}

std::optional<porting::order> repository::load_active(const std::string& number,
                                                   porting::order_kind kind) {
  return impl_->writer_lookups->get_active(number, kind);
}

std::vector<schedule_entry> repository::load_schedule() {
  auto& s = impl_->schedule;
  std::vector<schedule_entry> out;
  try {
    sqlite::reset_on_exit guard(s);
    while (s.step()) {
      schedule_entry e;
      e.id = s.column_int64(0);
      e.state = state_from(s.column_text(1));
      if (auto t = s.column_opt_int64(2)) e.next_check_at = from_ms(*t);
      e.in_flight = call_from(s, 3);
      out.push_back(e);
    }
  } catch (const sqlite::error& e) {
    fail("cannot load the schedule", e);
  }
  return out;
}

// ---- committed reads (reader connection) --------------------------------------------------

std::optional<porting::order> repository::read(std::int64_t id) {
  return impl_->reader_lookups->get(id);
}

std::optional<porting::order> repository::read_by_client_ref(const std::string& ref) {
  return impl_->reader_lookups->get_by_client_ref(ref);
}

std::optional<porting::order> repository::read_by_remote_id(const std::string& remote_order_id) {
  return impl_->reader_lookups->get_by_remote_id(remote_order_id);
}

std::optional<porting::order> repository::read_latest_for_number(const std::string& number) {
  return impl_->reader_lookups->get_latest_for_number(number);
}

std::vector<porting::order> repository::read_list(const order_filter& f) {
  std::vector<porting::order> out;
  if (f.limit <= 0) return out;
  auto states = f.states;
  std::sort(states.begin(), states.end());
  states.erase(std::unique(states.begin(), states.end()), states.end());
  try {
    auto& s = impl_->list_query(f, states.size());
    sqlite::reset_on_exit guard(s);
    int p = 1;
    s.bind(p++, f.after_id);
    for (auto st : states) s.bind(p++, porting::to_string(st));
    if (f.kind) s.bind(p++, porting::to_string(*f.kind));
    if (!f.number.empty()) s.bind(p++, f.number);
    if (!f.group.empty()) s.bind(p++, f.group);
    s.bind(p++, f.limit);
    out.reserve(static_cast<std::size_t>(std::min(f.limit, 1000)));
    while (s.step()) out.push_back(read_order(s));
  } catch (const sqlite::error& e) {
    fail("cannot list orders", e);
  }
  return out;
}

std::vector<porting::stored_event> repository::read_history(std::int64_t order_id) {
  auto& s = impl_->history;
  std::vector<porting::stored_event> out;
  try {
    sqlite::reset_on_exit guard(s);
    s.bind(1, order_id);
    while (s.step()) out.push_back(read_event(s));
  } catch (const sqlite::error& e) {
    fail("cannot read the history of order " + std::to_string(order_id), e);
  }
  return out;
}

std::vector<porting::stored_event> repository::read_events(std::int64_t after_id,
                                                        std::int64_t order_id, int limit) {
  std::vector<porting::stored_event> out;
  if (limit <= 0) return out;
  auto& s = order_id ? impl_->events_of_order : impl_->events_all;
  try {
    sqlite::reset_on_exit guard(s);
    int p = 1;
    if (order_id) s.bind(p++, order_id);
    s.bind(p++, after_id);
    s.bind(p++, limit);
    while (s.step()) out.push_back(read_event(s));
  } catch (const sqlite::error& e) {
    fail("cannot read events", e);
  }
  return out;
}

counts repository::read_counts() {
  auto& m = *impl_;
  counts out;
  try {
    std::array<std::int64_t, porting::order_state_count> n{};
    {
      sqlite::reset_on_exit guard(m.state_counts);
      while (m.state_counts.step())
        n[static_cast<std::size_t>(state_from(m.state_counts.column_text(0)))] =
            m.state_counts.column_int64(1);
    }
    for (int i = 0; i < porting::order_state_count; ++i) {
      auto st = static_cast<porting::order_state>(i);
      out.by_state.emplace_back(st, n[static_cast<std::size_t>(i)]);
      if (!porting::is_terminal(st)) out.active += n[static_cast<std::size_t>(i)];
    }
    sqlite::reset_on_exit guard(m.attention_count);
    if (m.attention_count.step()) out.needs_attention = m.attention_count.column_int64(0);
  } catch (const sqlite::error& e) {
    fail("cannot count orders", e);
  }
  return out;
}

namespace {

std::int64_t single_int(sqlite::statement& s) {
  sqlite::reset_on_exit guard(s);
  return s.step() ? s.column_int64(0) : 0;
}

}  // namespace

outbox_counts repository::read_outbox_counts() {
  return reading(
      [&] {
        return outbox_counts{single_int(impl_->outbox_pending), single_int(impl_->outbox_dead)};
      },
      [] { return std::string("cannot count the outbox"); });
}

std::int64_t repository::last_event_id() {
  return reading([&] { return single_int(impl_->last_event); },
                 [] { return std::string("cannot read the last event id"); });
}

std::int64_t repository::size_bytes() {
  // What the files take on disk (the WAL included): the figure that matters for a full disk.
  std::int64_t bytes = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(impl_->path_text + suffix, ec);
    if (!ec) bytes += static_cast<std::int64_t>(n);
  }
  return bytes;
}

std::optional<std::string> repository::read_setting(const std::string& key) {
  try {
    sqlite::statement st(*impl_->reader_db, "SELECT value FROM daemon_state WHERE key = ?1");
    st.bind(1, std::string_view(key));
    if (st.step()) return st.column_text(0);
    return std::nullopt;
  } catch (const sqlite::error& e) {
    fail("cannot read daemon_state." + key, e);
  }
}

void repository::write_setting(const std::string& key, const std::string& value) {
  unit u(*this);
  try {
    sqlite::statement st(*impl_->writer_db,
                         "INSERT INTO daemon_state (key, value) VALUES (?1, ?2) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    st.bind(1, std::string_view(key));
    st.bind(2, std::string_view(value));
    st.exec();
  } catch (const sqlite::error& e) {
    fail("cannot write daemon_state." + key, e);
  }
  u.release();
}

sqlite::database& repository::writer_connection() { return *impl_->writer_db; }
sqlite::database& repository::reader_connection() { return *impl_->reader_db; }

}  // namespace portd::store
