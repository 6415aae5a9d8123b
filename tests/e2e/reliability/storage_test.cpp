// The store under stress (issue 8): the database on a filesystem that fills up while orders
// are moving, and database files portd must refuse to start on. The promises under test: an
// acknowledged order is never lost, a refused one leaves no trace, the daemon keeps answering
// reads while it cannot write, recovers by itself when space comes back, and never touches a
// file it does not understand.
#include <common/stack.hpp>
#include <common/webhook_receiver.hpp>

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace json = boost::json;
using portd::test::process;
using portd::test::read_file;
using portd::test::stack;
using portd::test::stack_options;
using portd::test::temp_dir;
using portd::test::webhook_receiver;

namespace {

// ---- a small filesystem of our own --------------------------------------------------------

// Enters a private mount namespace of the test process (once; the children it starts, portd
// among them, inherit it), so that the mounts below stay ours. Needs root or CAP_SYS_ADMIN:
// without them the test fails, saying so.
void enter_private_mounts(const char* for_what) {
  static const std::string entered = [] {
    if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    // Our mounts must not propagate back to the host's namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return std::string("making / private: ") + std::strerror(errno);
    return std::string();
  }();
  if (!entered.empty()) BOOST_FAIL("cannot " << for_what << " (this test needs root or CAP_SYS_ADMIN): " << entered);
}

// A tmpfs of `bytes` mounted on a fresh directory, in the private mount namespace.
class small_filesystem {
 public:
  explicit small_filesystem(std::size_t bytes) {
    enter_private_mounts("give portd a small filesystem");
    const std::string options = "size=" + std::to_string(bytes) + ",mode=0700";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0)
      BOOST_FAIL("cannot mount a " << bytes << "-byte tmpfs on " << dir_.path() << ": " << std::strerror(errno));
  }
  ~small_filesystem() { ::umount2(dir_.path().c_str(), MNT_DETACH); }
  small_filesystem(const small_filesystem&) = delete;
  small_filesystem& operator=(const small_filesystem&) = delete;

  std::string file(const std::string& name) const { return dir_.file(name); }

  std::uint64_t free_bytes() const {
    struct statvfs st {};
    ::statvfs(dir_.path().c_str(), &st);
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
  }

  // Writes a filler file until the filesystem refuses another byte; returns its size.
  std::uint64_t fill() {
    const int fd = ::open(file("filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    BOOST_TEST_REQUIRE(fd >= 0, "open filler: " << std::strerror(errno));
    std::uint64_t written = 0;
    const std::string chunk(1 << 20, 'f');
    for (std::size_t size : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{1}}) {
      for (;;) {
        const ssize_t n = ::write(fd, chunk.data(), size);
        if (n <= 0) {
          BOOST_TEST_REQUIRE(errno == ENOSPC, "filler: " << std::strerror(errno));
          break;
        }
        written += static_cast<std::uint64_t>(n);
      }
    }
    ::close(fd);
    return written;
  }
  void unfill() { BOOST_TEST_REQUIRE(::unlink(file("filler").c_str()) == 0); }
  // Remounts it read-only (no file on it may be open for writing).
  void remount_read_only() {
    if (::mount(nullptr, dir_.path().c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      BOOST_FAIL("remounting " << dir_.path() << " read-only: " << std::strerror(errno));
  }

 private:
  temp_dir dir_;
};

// One file made read-only by a read-only bind mount of itself, in the private mount
// namespace: what `chmod 0400` does to a portd running as its own user, which a test running
// as root cannot get from a file mode (root writes whatever the mode). The directory stays
// writable, as it would be.
class read_only_file {
 public:
  explicit read_only_file(std::string path) : path_(std::move(path)) {
    enter_private_mounts("make a file read-only");
    if (::mount(path_.c_str(), path_.c_str(), nullptr, MS_BIND, nullptr) != 0)
      BOOST_FAIL("bind-mounting " << path_ << ": " << std::strerror(errno));
    if (::mount(nullptr, path_.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      const int err = errno;
      ::umount2(path_.c_str(), MNT_DETACH);
      BOOST_FAIL("making " << path_ << " read-only: " << std::strerror(err));
    }
  }
  ~read_only_file() { ::umount2(path_.c_str(), MNT_DETACH); }
  read_only_file(const read_only_file&) = delete;
  read_only_file& operator=(const read_only_file&) = delete;

 private:
  std::string path_;
};

// ---- orders and their expected ends --------------------------------------------------------

json::object port_in(const std::string& number) { return portd::test::port_in_params(number, "Jane Doe"); }

// An order portd acknowledged, and where the simulator's fates (SIMULATOR.md, by last digit)
// take it.
struct acked {
  std::int64_t id = 0;
  std::string number;
  std::string kind;
  std::string expected;  // terminal state
};

// Port-ins ending in 0/9 complete, 4 is ineligible, 5 is rejected once (fixed by an operator's
// update, then completes), 7 is cancelled by the carrier; port-outs complete.
std::string fate(const std::string& kind, const std::string& number) {
  if (kind == "port_out") return "completed";
  switch (number.back()) {
    case '4': return "ineligible";
    case '7': return "cancelled";
    default: return "completed";
  }
}

acked submit(stack& s, const std::string& kind, const std::string& number) {
  auto r = kind == "port_in" ? s.result("portin.submit", port_in(number))
                             : s.result("portout.submit", {{"number", number}, {"pin", "5678"}});
  BOOST_TEST(r["created"].as_bool());
  return {r["order"].as_object()["id"].as_int64(), number, kind, fate(kind, number)};
}

json::object order_of(stack& s, std::int64_t id) { return s.result("order.get", {{"id", id}})["order"].as_object(); }

// The sim's clock jumps forward: every carrier step due by then has happened.
void advance_sim(stack& s, int seconds) {
  s.sim_post("/_sim/time", R"({"advance_seconds":)" + std::to_string(seconds) + "}");
}

// Drives every order to its expected end: waits (by events) for each, fixing the rejected-once
// port-ins (last digit 5) with an update as an operator would, and moving the sim's clock on.
void finish(stack& s, const std::vector<acked>& orders) {
  for (const auto& a : orders) {
    if (a.kind == "port_in" && a.number.back() == '5') {
      auto o = order_of(s, a.id);
      if (o["state"] != "completed") {
        advance_sim(s, 3 * 86400);
        s.wait_for_state(a.id, "rejected");
        s.result("order.update", {{"id", a.id}, {"account_number", "998877665544"}});
        // Telegent has the correction (its script restarts from now) before the clock moves.
        s.wait_for_state(a.id, "submitted");
      }
    }
  }
  advance_sim(s, 3 * 86400);
  for (const auto& a : orders) {
    auto o = s.wait_for_state(a.id, a.expected);
    BOOST_TEST(o["number"] == a.number.c_str());
  }
}

// A sample from daemon.metrics (Prometheus text), e.g. "portd_commit_failures_total".
double metric(stack& s, const std::string& name) {
  const std::string text(s.result("daemon.metrics")["text"].as_string());
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  BOOST_FAIL("no metric " << name << " in:\n" << text);
  return 0;
}

// ---- the database file, read with SQLite itself ---------------------------------------------

struct db_file {
  sqlite3* db = nullptr;
  explicit db_file(const std::string& path, int flags = SQLITE_OPEN_READONLY) {
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK)
      BOOST_FAIL("cannot open " << path << ": " << (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  ~db_file() { sqlite3_close_v2(db); }
  db_file(const db_file&) = delete;
  db_file& operator=(const db_file&) = delete;
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string what = err ? err : "?";
      sqlite3_free(err);
      BOOST_FAIL(sql << ": " << what);
    }
  }
  // Every row's first column, as text.
  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      BOOST_FAIL(sql << ": " << sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      auto* t = sqlite3_column_text(st, 0);
      out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(st);
    BOOST_TEST_REQUIRE(rc == SQLITE_DONE, sql << ": " << sqlite3_errmsg(db));
    return out;
  }
};

// ---- a database portd must not start on ----------------------------------------------------

// What is on disk for a database: its bytes, mode, and which side files (-wal, -shm) exist.
struct file_state {
  std::string bytes;
  unsigned mode = 0;
  std::vector<std::string> side_files;
  bool operator==(const file_state&) const = default;
};

file_state state_of(const std::string& path) {
  file_state f;
  f.bytes = read_file(path);
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat(path.c_str(), &st) == 0);
  f.mode = st.st_mode & 07777;
  for (const char* suffix : {"-wal", "-shm", "-journal"})
    if (::access((path + suffix).c_str(), F_OK) == 0) f.side_files.push_back(suffix);
  return f;
}

// A real database as portd leaves it (WAL mode, one order in it), at s.db_path().
void make_real_database(stack& s) {
  s.start_portd();
  submit(s, "port_in", "+18015550100");
  BOOST_TEST_REQUIRE(s.stop_portd() == 0);
}

struct refusal {
  int status = -1;
  std::string message;  // portd's stderr
  double seconds = 0;
};

// Starts portd on the stack's configuration and waits for it to give up; fails the test if it
// is still running after 30 s (it would be serving from a file it does not understand).
refusal start_on_bad_database(stack& s, const std::string& name) {
  const std::string err = s.dir().file(name + ".stderr");
  const auto t0 = std::chrono::steady_clock::now();
  process p({portd::test::binary("PORTD_BIN"), "--config", s.config_path()}, {}, err);
  const auto st = p.wait(std::chrono::seconds(30));
  refusal r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST_REQUIRE(st.has_value(), name << ": portd is still running after 30 s:\n" << read_file(err));
  r.status = *st;
  r.message = read_file(err);
  BOOST_TEST_MESSAGE(name << ": exit status " << r.status << " after " << r.seconds << " s: " << r.message);
  return r;
}

// portd refused its database at start: quickly, with a failure status, a message naming the
// file and the trouble (one of `trouble`), and the file exactly as it was. Returns the refusal.
refusal check_refused(stack& s, const std::string& name, const std::vector<std::string>& trouble) {
  const std::string path = s.db_path();
  const file_state before = state_of(path);
  const refusal r = start_on_bad_database(s, name);
  BOOST_TEST(r.status == 65, name << ": not EX_DATAERR, so systemd would restart it every 5 s");
  BOOST_TEST(r.seconds < 10, name << ": took " << r.seconds << " s to give up");
  BOOST_TEST(r.message.find(path) != std::string::npos, name << ": the message does not name " << path);
  bool named = false;
  for (const auto& t : trouble) named = named || r.message.find(t) != std::string::npos;
  BOOST_TEST(named, name << ": the message does not say what is wrong");
  const file_state after = state_of(path);
  BOOST_TEST(after.bytes == before.bytes, name << ": portd changed the file (" << before.bytes.size() << " -> "
                                               << after.bytes.size() << " bytes)");
  BOOST_TEST(after.mode == before.mode);
  BOOST_TEST(after.side_files == before.side_files, boost::test_tools::per_element());
  return r;
}

// The CRM's view: every committed event reached the webhook (at least once, signed), and no
// webhook told of anything that is not a committed event (a change rolled back on the full
// disk, announced anyway, would show here as an unknown id or a different event under it).
void check_webhooks(stack& s, webhook_receiver& receiver) {
  const auto events = s.all_events();
  std::map<std::string, json::object> by_id;
  for (auto& e : events) by_id["evt_" + std::to_string(e.at("id").as_int64())] = e;
  const bool all_there = receiver.wait_for(
      [&](const std::vector<portd::test::received_webhook>& got) {
        std::set<std::string> ok;
        for (auto& d : got)
          if (d.answered / 100 == 2) ok.insert(d.id);
        for (auto& [id, e] : by_id)
          if (!ok.contains(id)) return false;
        return true;
      },
      std::chrono::seconds(60));
  BOOST_TEST(all_there, "not every committed event reached the webhook");
  std::size_t duplicates = 0;
  std::set<std::string> seen;
  const auto got = receiver.deliveries();
  for (auto& d : got) {
    BOOST_TEST(d.signature_ok);
    auto it = by_id.find(d.id);
    BOOST_TEST_REQUIRE((it != by_id.end()), "a webhook for an event portd does not have: " << d.body);
    BOOST_TEST(*d.payload.if_contains("event") == json::value(it->second), "webhook " << d.id << " tells another story");
    duplicates += !seen.insert(d.id).second;
  }
  BOOST_TEST_MESSAGE(events.size() << " events, " << got.size() << " deliveries (" << duplicates << " repeated)");
}

// Fills the filesystem under a running portd, then submits port-ins until one is refused.
// SQLite may still have room in pages it holds, so the first few may be accepted: those are
// acknowledged orders like any other and go to `accepted`. Returns the refusal's error object.
json::object fill_until_refused(stack& s, small_filesystem& fs, std::vector<acked>& accepted) {
  const auto filled = fs.fill();
  BOOST_TEST_MESSAGE("filler: " << (filled >> 10) << " KiB; free now: " << fs.free_bytes() << " bytes");
  BOOST_TEST_REQUIRE(fs.free_bytes() == 0u);
  const std::size_t already = accepted.size();
  for (int i = 0; i < 200; ++i) {
    char number[32];
    std::snprintf(number, sizeof number, "+1801557%04d", i * 10);  // ends in 0: completes
    auto r = s.call("portin.submit", port_in(number));
    if (!r.contains("result")) {
      BOOST_TEST_MESSAGE(accepted.size() - already << " submissions accepted after the filler, then: "
                                                 << json::serialize(r));
      return r.at("error").as_object();
    }
    accepted.push_back({r["result"].as_object()["order"].as_object()["id"].as_int64(), number, "port_in", "completed"});
  }
  BOOST_FAIL("the store took 200 orders on a full disk");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reliability)

// The disk fills up under moving orders. Submissions and commands are refused `unavailable`
// and leave no trace; reads keep answering with everything acknowledged; what the carrier did
// meanwhile is picked up once space is back, without a restart or an operator; every order ends
// where its fate says; the webhook got every committed event and nothing else; the database is
// intact, also after a restart.
BOOST_AUTO_TEST_CASE(a_full_disk_refuses_new_orders_loses_none_and_recovers_when_space_returns) {
  small_filesystem fs(16u << 20);
  const std::string secret = "whsec_c3RvcmFnZS10ZXN0LXdlYmhvb2stc2VjcmV0LTA=";  // base64("storage-test-webhook-secret-0")
  webhook_receiver receiver(secret);
  stack_options opt;
  opt.time_scale = 1;  // the carrier moves only when the test moves the sim's clock
  opt.store_path = fs.file("portd.db");
  opt.portd_config_extra = "\n[[webhook]]\nurl = \"" + receiver.url() +
                           "\"\nsecret_file = \"webhook-secret\"\nretry_base = \"100ms\"\nretry_cap = \"400ms\"\n";
  stack s(opt);
  portd::test::write_file(s.dir().file("webhook-secret"), secret + "\n", 0600);
  s.start_portd();

  // Orders accepted and under way at Telegent.
  std::vector<acked> before;
  for (const char* n : {"+18015550100", "+18015550104", "+18015550105", "+18015550107", "+18015550109"})
    before.push_back(submit(s, "port_in", n));
  before.push_back(submit(s, "port_out", "+17746996220"));
  for (const auto& a : before) s.wait_for_state(a.id, a.expected == "ineligible" ? "ineligible" : "submitted");
  advance_sim(s, 3000);  // port-ins "Submitted", port-outs "Port Out Processing"
  for (const auto& a : before)
    if (a.kind == "port_out") s.wait_for_state(a.id, "carrier_approval");

  // The disk fills up.
  std::vector<acked> during;
  const json::object refusal = fill_until_refused(s, fs, during);
  BOOST_TEST(refusal.at("data").at("reason") == "unavailable");
  BOOST_TEST(refusal.at("code").as_int64() == -32005);
  const std::string message(refusal.at("message").as_string());
  BOOST_TEST(message.find("not accepted") != std::string::npos, message);

  // Refused, consistently, and each refusal leaves no order behind.
  std::vector<std::string> refused;
  for (int i = 0; i < 5; ++i) {
    const std::string number = "+180155580" + std::to_string(i) + "0";
    auto r = s.call("portin.submit", port_in(number));
    BOOST_TEST_REQUIRE(r.contains("error"), "accepted on a full disk: " << json::serialize(r));
    BOOST_TEST(r["error"].as_object()["data"].as_object()["reason"] == "unavailable");
    refused.push_back(number);
  }

  // The carrier moves on meanwhile. portd keeps answering reads with everything acknowledged,
  // as last committed; an operator's command is refused, not half done.
  advance_sim(s, 3 * 86400);
  std::vector<acked> all = before;
  all.insert(all.end(), during.begin(), during.end());
  auto cancel = s.call("order.cancel", {{"id", before.front().id}, {"reason", "disk full test"}});
  BOOST_TEST_REQUIRE(cancel.contains("error"), "cancelled on a full disk: " << json::serialize(cancel));
  BOOST_TEST(cancel["error"].as_object()["data"].as_object()["reason"] == "unavailable");
  auto listed = s.result("order.list", {{"limit", 1000}})["orders"].as_array();
  BOOST_TEST_REQUIRE(listed.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto& o = listed[i].as_object();
    BOOST_TEST(o["id"].as_int64() == all[i].id);
    BOOST_TEST(o["number"] == all[i].number.c_str());
    BOOST_TEST(o["state"] != "cancelling");
  }
  for (const auto& a : all) BOOST_TEST(order_of(s, a.id)["number"] == a.number.c_str());
  for (const auto& n : refused) {
    auto r = s.call("order.get", {{"number", n}});
    BOOST_TEST(r.contains("error"), "a refused submission left an order: " << json::serialize(r));
  }
  BOOST_TEST(s.result("daemon.status").contains("orders"));

  // Space comes back: no restart, no operator.
  fs.unfill();
  std::vector<acked> after;
  after.push_back(submit(s, "port_in", "+18015550300"));
  after.push_back(submit(s, "port_in", "+18015550304"));
  after.push_back(submit(s, "port_in", "+18015550305"));
  after.push_back(submit(s, "port_in", "+18015550307"));
  after.push_back(submit(s, "port_out", "+17746996230"));
  // A number refused earlier can be submitted now.
  after.push_back(submit(s, "port_in", refused.front()));
  all.insert(all.end(), after.begin(), after.end());
  finish(s, all);
  check_webhooks(s, receiver);

  BOOST_TEST(s.stop_portd() == 0);
  {
    db_file db(s.db_path());
    BOOST_TEST(db.column("PRAGMA integrity_check") == std::vector<std::string>{"ok"}, boost::test_tools::per_element());
    BOOST_TEST(db.column("SELECT count(*) FROM orders").front() == std::to_string(all.size()));
    for (const auto& n : refused)
      BOOST_TEST(db.column("SELECT count(*) FROM orders WHERE number = '" + n + "'").front() ==
                 (n == refused.front() ? "1" : "0"));
  }
  // A restart finds every order where it ended.
  s.start_portd();
  for (const auto& a : all) BOOST_TEST(order_of(s, a.id)["state"] == a.expected.c_str(), a.number);
  BOOST_TEST(s.stop_portd() == 0);
}

// The disk stays full for a while: portd keeps serving reads and retries the store now and
// then, not in a loop (an SRE would see a CPU pegged and the journal flooded by "commit
// failed"). Then space returns and it takes orders again.
BOOST_AUTO_TEST_CASE(a_disk_that_stays_full_is_retried_calmly_not_in_a_loop) {
  small_filesystem fs(16u << 20);
  stack_options opt;
  opt.store_path = fs.file("portd.db");
  opt.time_scale = 1;  // orders stay in "submitted": polled every 300 ms
  stack s(opt);
  s.start_portd();
  std::vector<acked> all;
  for (const char* n : {"+18015550100", "+18015550101", "+18015550102", "+18015550103", "+18015550109"})
    all.push_back(submit(s, "port_in", n));
  for (const auto& a : all) s.wait_for_state(a.id, "submitted");
  const json::object refusal = fill_until_refused(s, fs, all);
  BOOST_TEST(refusal.at("data").at("reason") == "unavailable");

  const pid_t portd = s.portd_pid();
  const double cpu_before = portd::test::cpu_seconds(portd);
  const double failures_before = metric(s, "portd_commit_failures_total");
  const auto since = std::chrono::steady_clock::now();
  portd::test::event_pacer pace(s);
  int reads = 0;
  while (std::chrono::steady_clock::now() - since < std::chrono::seconds(2)) {
    auto listed = s.result("order.list", {{"limit", 1000}})["orders"].as_array();
    BOOST_TEST_REQUIRE(listed.size() == all.size());
    ++reads;
    // Nothing commits, so no event comes: this paces the reads, one per 100 ms at most.
    BOOST_TEST_REQUIRE(!pace.wait(std::chrono::milliseconds(100)), "an event was committed on a full disk");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  const double cpu = portd::test::cpu_seconds(portd) - cpu_before;
  const double failures = metric(s, "portd_commit_failures_total") - failures_before;
  BOOST_TEST_MESSAGE("on a full disk for " << seconds << " s: " << reads << " complete order lists read, " << failures
                                           << " failed group commits, " << cpu << " s of portd CPU");
  // Five orders due every 300 ms: a few failed commits a second is a retry; hundreds is a loop.
  BOOST_TEST(failures / seconds < 20, failures << " failed group commits in " << seconds << " s");
  BOOST_TEST(cpu / seconds < 0.25, "portd used " << cpu << " s of CPU in " << seconds << " s");

  fs.unfill();
  all.push_back(submit(s, "port_in", "+18015550300"));
  for (const auto& a : all) BOOST_TEST(order_of(s, a.id)["number"] == a.number.c_str());
}

// A file that is not a database at all (a restore gone wrong, the wrong path): refused at
// start, and left alone for whoever will look at it.
BOOST_AUTO_TEST_CASE(garbage_where_the_database_should_be_is_refused_and_left_untouched) {
  stack s;
  std::mt19937 rng(8);
  std::string garbage(64 * 1024, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  portd::test::write_file(s.db_path(), garbage, 0600);
  check_refused(s, "garbage", {"not a database"});
}

// A database whose header was cut short, and one cut in half (a copy interrupted, a disk that
// lost its tail): refused at start, untouched.
BOOST_AUTO_TEST_CASE(a_truncated_database_is_refused_and_left_untouched) {
  stack s;
  make_real_database(s);
  const std::string whole = read_file(s.db_path());
  BOOST_TEST_REQUIRE(whole.starts_with(std::string("SQLite format 3\0", 16)));
  portd::test::write_file(s.db_path(), whole.substr(0, 60), 0600);  // the 100-byte header, cut
  check_refused(s, "truncated header", {"malformed", "not a database"});
  portd::test::write_file(s.db_path(), whole.substr(0, whole.size() / 2), 0600);
  check_refused(s, "cut in half", {"malformed", "not a database"});
}

// A database written by a newer portd (a rollback after an upgrade): refused before anything
// in it changes, saying which version it has and which this portd knows.
BOOST_AUTO_TEST_CASE(a_database_newer_than_this_portd_is_refused_and_left_untouched) {
  stack s;
  make_real_database(s);
  {
    db_file db(s.db_path(), SQLITE_OPEN_READWRITE);
    db.exec("PRAGMA user_version = 9999");
  }
  const refusal r = check_refused(s, "newer schema", {"schema version 9999"});
  BOOST_TEST(r.message.find("newer than this portd") != std::string::npos, r.message);
  // The refusal is about the file, not a fluke: the database still says 9999 and holds its order.
  db_file db(s.db_path());
  BOOST_TEST(db.column("PRAGMA user_version").front() == "9999");
  BOOST_TEST(db.column("SELECT number FROM orders").front() == "+18015550100");
}


// The log tells only what was kept (issue 16): while the disk is full, a poll that finds the
// order completed at Telegent is rolled back with its group, so the log must not say it
// completed; once space returns the completion is committed and logged, once.
BOOST_AUTO_TEST_CASE(the_log_records_a_transition_only_once_it_is_committed) {
  small_filesystem fs(16u << 20);
  stack_options opt;
  opt.store_path = fs.file("portd.db");
  opt.time_scale = 1;  // the carrier moves only when the test moves the sim's clock
  stack s(opt);
  s.start_portd();
  std::vector<acked> all{submit(s, "port_in", "+18015550100")};
  s.wait_for_state(all.front().id, "submitted");
  fill_until_refused(s, fs, all);
  for (const auto& a : all) s.wait_for_state(a.id, "submitted");

  // Every order completes at Telegent; portd's polls see it and fail to commit it, again and
  // again (paced by a watch that never sees an event, as nothing commits).
  const double failures_before = metric(s, "portd_commit_failures_total");
  advance_sim(s, 3 * 86400);
  portd::test::event_pacer pace(s);
  for (int i = 0; i < 300 && metric(s, "portd_commit_failures_total") < failures_before + 3; ++i)
    BOOST_TEST_REQUIRE(!pace.wait(std::chrono::milliseconds(100)), "an event was committed on a full disk");
  BOOST_TEST_REQUIRE(metric(s, "portd_commit_failures_total") >= failures_before + 3);
  for (const auto& a : all) BOOST_TEST(order_of(s, a.id)["state"] == "submitted");
  auto completions = [&](const acked& a) {
    const std::string needle = "order " + std::to_string(a.id) + " [completed] order.state_changed";
    const std::string log = s.portd_log();
    std::size_t n = 0;
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  };
  for (const auto& a : all) BOOST_TEST(completions(a) == 0u, "order " << a.id << ": a rolled-back completion was logged");

  fs.unfill();
  for (const auto& a : all) {
    s.wait_for_state(a.id, "completed");
    BOOST_TEST(completions(a) == 1u, "order " << a.id);
  }
}

// The store's whole filesystem is mounted read-only (remounted after errors, a snapshot, a
// read-only volume): SQLite cannot make the WAL's shared-memory file, so a plain open fails.
// After a clean stop nothing but the database file holds the data: portd serves it read-only,
// and refuses writes `unavailable`, as for a read-only file.
BOOST_AUTO_TEST_CASE(a_database_on_a_read_only_mount_serves_reads_and_refuses_writes_unavailable) {
  small_filesystem fs(8u << 20);
  stack_options opt;
  opt.store_path = fs.file("portd.db");
  stack s(opt);
  make_real_database(s);
  fs.remount_read_only();
  s.start_portd();

  const auto status = s.result("daemon.status");
  BOOST_TEST(status.at("db").at("writable") == false);
  BOOST_TEST(order_of(s, 1)["number"] == "+18015550100");
  BOOST_TEST(s.result("order.list")["orders"].as_array().size() == 1u);
  auto r = s.call("portin.submit", port_in("+18015550110"));
  BOOST_TEST_REQUIRE(r.contains("error"), "accepted on a read-only mount: " << json::serialize(r));
  BOOST_TEST(r.at("error").at("code").as_int64() == -32005, json::serialize(r));
  BOOST_TEST(s.stop_portd() == 0);
}

// Another program's SQLite database at portd's path (a wrong path in the config, a file
// restored to the wrong place): a valid database, but not portd's. Refused at start as
// EX_DATAERR, so systemd does not restart it in a loop, and left exactly as it was — whether
// it has no user_version, one of its own, or another application_id.
BOOST_AUTO_TEST_CASE(another_programs_sqlite_database_is_refused_and_left_untouched) {
  stack s;
  {
    db_file db(s.db_path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts (name) VALUES ('Ada')");
  }
  BOOST_TEST_REQUIRE(::chmod(s.db_path().c_str(), 0600) == 0);
  check_refused(s, "foreign", {"not a portd database"});
  {
    db_file db(s.db_path(), SQLITE_OPEN_READWRITE);
    db.exec("PRAGMA user_version = 2");  // as if it were a portd database of schema 2
  }
  check_refused(s, "foreign with a user_version", {"not a portd database"});
  {
    db_file db(s.db_path(), SQLITE_OPEN_READWRITE);
    db.exec("PRAGMA application_id = 1196444237");  // an MBTiles file, say
  }
  check_refused(s, "foreign with an application_id", {"not a portd database"});
  db_file db(s.db_path());
  BOOST_TEST(db.column("SELECT name FROM contacts") == std::vector<std::string>{"Ada"}, boost::test_tools::per_element());
}

// The database file turns read-only (a restore as another user, chmod 0400, an immutable
// attribute): portd still starts and answers reads, but says so — in daemon.status and
// portctl status — and refuses writes `unavailable`, saying the store is not writable, rather
// than as an internal error.
BOOST_AUTO_TEST_CASE(a_read_only_database_serves_reads_says_so_and_refuses_writes_unavailable) {
  stack s;
  make_real_database(s);
  read_only_file ro(s.db_path());
  s.start_portd();

  const auto status = s.result("daemon.status");
  const auto& db = status.at("db").as_object();
  BOOST_TEST(db.at("writable") == false);
  const std::string problem(db.at("problem").as_string());
  BOOST_TEST(problem.find("read-only") != std::string::npos, problem);
  const auto [rc, shown] = s.portctl({"status"});
  BOOST_TEST(rc == 0);
  BOOST_TEST(shown.find("NOT WRITABLE") != std::string::npos, shown);

  BOOST_TEST(order_of(s, 1)["number"] == "+18015550100");  // reads are served
  auto r = s.call("portin.submit", port_in("+18015550110"));
  BOOST_TEST_REQUIRE(r.contains("error"), "accepted on a read-only store: " << json::serialize(r));
  const auto& err = r.at("error").as_object();
  BOOST_TEST(err.at("code").as_int64() == -32005);
  BOOST_TEST(err.at("data").at("reason") == "unavailable");
  const std::string message(err.at("message").as_string());
  BOOST_TEST(message.find("not writable") != std::string::npos, message);
  auto cancel = s.call("order.cancel", {{"id", 1}});
  BOOST_TEST_REQUIRE(cancel.contains("error"));
  BOOST_TEST(cancel.at("error").at("code").as_int64() == -32005, json::serialize(cancel));
  BOOST_TEST(s.stop_portd() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
