// The orders database: orders, their append-only history, and the notification outbox.
// Writes go through one writer connection inside a group transaction (many loop-turn writes,
// one fsync); reads for the control socket go through a second connection that only ever
// sees committed data. Synchronous by design: no co_await while a transaction is open.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>
#include <portd/service/queries.hpp>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace portd::store {

namespace sqlite {
class database;
}

// Infrastructure failure (disk full, corrupt or newer database, I/O error). The message names
// what failed and SQLite's own words.
struct store_error : std::runtime_error {
  using std::runtime_error::runtime_error;
  bool disk_full = false;
  // The file is not a database this portd can use (not SQLite, damaged, a newer schema):
  // trying again will not help, a person must restore or upgrade.
  bool unusable = false;
  // SQLite refused a write because the database is read-only (its file mode, owner or mount).
  bool read_only = false;
};

// A uniqueness rule refused an insert: an active order for the number and kind exists, or the
// client_ref is taken. An expected outcome of intake, so a value, not an exception.
struct conflict {
  std::string message;
  std::int64_t existing_id = 0;  // the order that holds the number or the client_ref
  bool client_ref = false;       // the client_ref is taken (else the number and kind)
};
// result<…, conflict>::value() on a conflict: the caller did not look, so a store_error.
[[noreturn]] void throw_exception_from_error(const conflict&, const boost::source_location&);

using service::order_filter;  // the service vocabulary (service/queries.hpp)

// What the scheduler needs of an active order at start-up (compact: no details).
struct schedule_entry {
  std::int64_t id = 0;
  porting::order_state state{};
  std::optional<porting::time_point> next_check_at;
  std::optional<porting::call_kind> in_flight;
};

struct counts {
  std::vector<std::pair<porting::order_state, std::int64_t>> by_state;
  std::int64_t active = 0;
  std::int64_t needs_attention = 0;
};

struct outbox_counts {
  std::int64_t pending = 0;
  std::int64_t dead = 0;
};

// A notification sink: every event whose type passes `events` (empty = all) gets an outbox row.
struct sink {
  std::string name;  // e.g. "webhook:0"
  std::vector<porting::event_type> events;
};

class repository {
 public:
  // Opens or creates the database (file mode 0600), sets WAL (commits synced by commit()),
  // foreign_keys=ON, and applies the embedded migrations in one transaction, after copying an
  // older database whole (migration_copy()).
  // Throws store_error, e.g. when the file is not a database, is another program's SQLite
  // database, or its schema is newer than this binary knows (all `unusable`). A database the
  // OS lets portd only read opens for reads (see not_writable()) unless it needs an upgrade.
  // `on_long_step` is told, in words, before a step that takes as long as copying the whole
  // database (the copy before a schema upgrade, the one-time VACUUM): portd extends systemd's
  // start timeout with it.
  explicit repository(const std::filesystem::path& path,
                      std::function<void(const std::string&)> on_long_step = {});
  ~repository();
  repository(const repository&) = delete;
  repository& operator=(const repository&) = delete;

  const std::filesystem::path& path() const;
  // "" when the store takes writes; otherwise why it does not (probed when it opened: a
  // connection opened read-only stays so until portd restarts).
  const std::string& not_writable() const;
  // The copy of the database made before this open upgraded its schema
  // (<path>.pre-<from>-to-<to>, 0600); "" when no upgrade ran.
  const std::string& migration_copy() const;
  void set_sinks(std::vector<sink> sinks);

  // ---- group transaction (writer connection) ----
  // BEGIN IMMEDIATE unless one is open. Throws store_error when the open group was lost
  // (SQLite rolled it back after an I/O error): commit() or rollback() ends it first.
  void begin();
  bool in_transaction() const;
  // COMMIT the group. On failure rolls the whole group back and throws store_error.
  // `sync` returns once the group is on disk (it survives power loss: acknowledgements,
  // events, intents). `relaxed` returns once it is in the WAL: it survives a crash of portd
  // but a power loss may take it back — for groups that only move poll schedules, which a
  // restart redoes anyway. A later synced commit makes every earlier one durable too.
  // A group that ended an order also checkpoints and truncates the WAL, so that the PINs it
  // purged leave the files at once (not only at a stop).
  enum class durability { sync, relaxed };
  void commit(durability d = durability::sync);
  void rollback();

  // A savepoint inside the group: undone on destruction unless release()d, so that one
  // command's failure leaves the others of the group intact. Calls begin() itself.
  class unit {
   public:
    explicit unit(repository& r);
    ~unit();
    void release();
    unit(const unit&) = delete;
    unit& operator=(const unit&) = delete;
   private:
    repository* repo_;
    bool done_ = false;
  };

  // Inserts the order and sets o.id, or returns the conflict (an active order for the number
  // and kind, or the client_ref taken) and writes nothing.
  boost::system::result<std::int64_t, conflict> insert_order(porting::order& o);
  void update_order(const porting::order& o);
  // Appends events with seq o.last_seq+1…, stamps `at`, advances o.last_seq (the caller then
  // writes o with update_order), and adds one outbox row per matching sink. Returns them
  // with their ids.
  std::vector<porting::stored_event> append_events(porting::order& o,
                                                std::span<const porting::event_record> events,
                                                porting::time_point at);

  // ---- reads that see the open group (writer connection): the engine's view ----
  std::optional<porting::order> load(std::int64_t id);
  std::optional<porting::order> load_by_client_ref(const std::string& ref);
  std::optional<porting::order> load_active(const std::string& number, porting::order_kind kind);
  // Every non-terminal order, ascending id, for the scheduler at start-up.
  std::vector<schedule_entry> load_schedule();

  // ---- committed reads (reader connection): the control socket's view ----
  std::optional<porting::order> read(std::int64_t id);
  std::optional<porting::order> read_by_client_ref(const std::string& ref);
  std::optional<porting::order> read_by_remote_id(const std::string& remote_order_id);
  std::optional<porting::order> read_latest_for_number(const std::string& number);
  std::vector<porting::order> read_list(const order_filter& f);
  std::vector<porting::stored_event> read_history(std::int64_t order_id);
  std::vector<porting::stored_event> read_events(std::int64_t after_id, std::int64_t order_id,
                                              int limit);  // order_id 0 = all
  counts read_counts();
  outbox_counts read_outbox_counts();  // deliveries waiting, and given up on
  // The id of the newest committed event (0 if none): where live event delivery starts.
  std::int64_t last_event_id();
  // A small named fact about the daemon (table daemon_state): read committed, written in the
  // open group like any other write.
  std::optional<std::string> read_setting(const std::string& key);
  void write_setting(const std::string& key, const std::string& value);
  std::int64_t size_bytes();

  // The two connections, for store classes that keep their own statements (store::outbox).
  // Writes belong in the writer's group transaction; the reader sees committed data only.
  sqlite::database& writer_connection();
  sqlite::database& reader_connection();

 private:
  void sync_wal();
  void truncate_wal();
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::store
