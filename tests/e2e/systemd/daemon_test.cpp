// portd's systemd side, with the real binary and no systemd: the test plays the service
// manager (notify socket, socket activation, signals) and checks what systemd relies on.
#include <common/stack.hpp>
#include <common/systemd_harness.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace json = boost::json;
using namespace portd::test;

namespace {

// A portd that needs no Telegent: nothing is called until an order arrives.
struct daemon_files {
  temp_dir dir;
  std::string config = dir.file("portd.toml");
  std::string socket = dir.file("portd.sock");
  std::string log = dir.file("portd.log");

  explicit daemon_files(const std::string& extra = {}, const std::string& level = "info") {
    write_file(dir.file("telegent-secret"), "TopSecretCanary-7a1f\n", 0600);
    write(extra, level);
  }
  void write(const std::string& extra, const std::string& level, const std::string& poll = "15m") const {
    write_file(config, "[telegent]\nbase_url = \"http://127.0.0.1:9\"\nallow_insecure_http = true\n"
                       "account_key = \"DID-test\"\naccount_secret_file = \"telegent-secret\"\n"
                       "[store]\npath = \"portd.db\"\n[control]\nsocket = \"portd.sock\"\n" +
                           extra + "\n[poll]\nsubmitted = \"" + poll + "\"\n[log]\nlevel = \"" + level + "\"\n",
               0644);
  }
  std::string logged() const { return read_file(log); }
};

std::unique_ptr<process> start_portd(const daemon_files& f, notify_socket& notify,
                                     std::map<std::string, std::string> env = {}) {
  env["NOTIFY_SOCKET"] = notify.path();
  return std::make_unique<process>(std::vector<std::string>{binary("PORTD_BIN"), "--config", f.config}, env, f.log);
}

bool socket_file_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(systemd_daemon)

BOOST_AUTO_TEST_CASE(ready_is_sent_only_once_the_control_socket_answers) {
  daemon_files f;
  notify_socket notify(f.dir.file("notify.sock"));
  auto portd = start_portd(f, notify);
  auto ready = notify.wait_for("READY=1", *portd);
  BOOST_TEST_REQUIRE(ready.has_value(), "no READY=1; log:\n" << f.logged());
  // At the moment READY arrives (nothing in between), a client is served.
  rpc_connection c(f.socket);
  auto status = c.call("daemon.status");
  BOOST_TEST(status.contains("result"), json::serialize(status));
  // READY carries the one-line status `systemctl status` shows.
  BOOST_TEST(ready->find("STATUS=") != std::string::npos, *ready);
  BOOST_TEST(ready->find("orders scheduled") != std::string::npos, *ready);
  // Nothing claimed readiness before.
  for (std::size_t i = 0; i + 1 < notify.received().size(); ++i)
    BOOST_TEST(notify.received()[i].find("READY=1") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(sigterm_says_stopping_exits_zero_and_removes_its_own_socket) {
  daemon_files f;
  notify_socket notify(f.dir.file("notify.sock"));
  auto portd = start_portd(f, notify);
  BOOST_TEST_REQUIRE(notify.wait_for("READY=1", *portd).has_value(), f.logged());
  portd->signal(SIGTERM);
  BOOST_TEST(notify.wait_for("STOPPING=1", *portd, std::chrono::seconds(30)).has_value());
  BOOST_TEST(portd->wait(std::chrono::seconds(30)).value_or(-1) == 0, f.logged());
  BOOST_TEST(!socket_file_exists(f.socket));
}

BOOST_AUTO_TEST_CASE(watchdog_is_pinged_from_the_loop_with_a_status_line) {
  daemon_files f;
  notify_socket notify(f.dir.file("notify.sock"));
  auto portd = start_portd(f, notify, {{"WATCHDOG_USEC", "600000"}});
  BOOST_TEST_REQUIRE(notify.wait_for("READY=1", *portd).has_value(), f.logged());
  auto ping = notify.wait_for("WATCHDOG=1", *portd, std::chrono::seconds(10));
  BOOST_TEST_REQUIRE(ping.has_value());
  BOOST_TEST(ping->find("STATUS=") != std::string::npos);
  // A second ping: it is a loop, not a one-off.
  BOOST_TEST(notify.wait_for("WATCHDOG=1", *portd, std::chrono::seconds(10)).has_value());
}

BOOST_AUTO_TEST_CASE(socket_handed_over_by_systemd_is_used_and_left_in_place) {
  daemon_files f;  // its own socket would be portd.sock: it must not appear
  notify_socket notify(f.dir.file("notify.sock"));
  const std::string activated = f.dir.file("activated.sock");
  const int lfd = listening_socket(activated, 0660);
  auto portd = start_socket_activated(lfd, {binary("PORTD_BIN"), "--config", f.config},
                                      {{"NOTIFY_SOCKET", notify.path()}}, f.log);
  ::close(lfd);  // the service holds it now, as with systemd
  BOOST_TEST_REQUIRE(notify.wait_for("READY=1", *portd).has_value(), "no READY; log:\n" << f.logged());
  rpc_connection c(activated);
  BOOST_TEST(c.call("daemon.status").contains("result"));
  BOOST_TEST(!socket_file_exists(f.socket));
  BOOST_TEST(f.logged().find("handed over by systemd") != std::string::npos);
  portd->signal(SIGTERM);
  BOOST_TEST(portd->wait(std::chrono::seconds(30)).value_or(-1) == 0, f.logged());
  // systemd owns the socket file (RemoveOnStop=), so a restart finds it where it was.
  BOOST_TEST(socket_file_exists(activated));
}

BOOST_AUTO_TEST_CASE(sighup_reloads_the_log_level_and_names_what_needs_a_restart) {
  daemon_files f;
  notify_socket notify(f.dir.file("notify.sock"));
  auto portd = start_portd(f, notify);
  BOOST_TEST_REQUIRE(notify.wait_for("READY=1", *portd).has_value(), f.logged());

  f.write("", "debug", "20m");
  portd->signal(SIGHUP);
  BOOST_TEST_REQUIRE(notify.wait_for("RELOADING=1", *portd, std::chrono::seconds(30)).has_value());
  BOOST_TEST_REQUIRE(notify.wait_for("READY=1", *portd, std::chrono::seconds(30)).has_value());
  auto log = f.logged();
  BOOST_TEST(log.find("log level info -> debug") != std::string::npos, log);
  BOOST_TEST(log.find("changes to [poll] take effect only after a restart") != std::string::npos, log);

  // A file that no longer validates changes nothing and the daemon keeps serving.
  write_file(f.config, "[telegent]\nburst = \"many\"\n", 0644);
  portd->signal(SIGHUP);
  BOOST_TEST_REQUIRE(notify.wait_for("READY=1", *portd, std::chrono::seconds(30)).has_value());
  log = f.logged();
  BOOST_TEST(log.find("not reloaded, the running configuration stays") != std::string::npos, log);
  BOOST_TEST(log.find("telegent.burst") != std::string::npos, log);
  rpc_connection c(f.socket);
  BOOST_TEST(c.call("daemon.status").contains("result"));
  BOOST_TEST(log.find("TopSecretCanary") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(secret_file_readable_by_others_stops_the_start_naming_the_key) {
  daemon_files f;
  ::chmod(f.dir.file("telegent-secret").c_str(), 0644);
  notify_socket notify(f.dir.file("notify.sock"));
  auto portd = start_portd(f, notify);
  BOOST_TEST(portd->wait(std::chrono::seconds(30)).value_or(-1) == 78);  // EX_CONFIG
  const auto log = f.logged();
  BOOST_TEST(log.find("telegent.account_secret_file") != std::string::npos, log);
  BOOST_TEST(log.find("readable by group or others") != std::string::npos, log);
  BOOST_TEST(log.find("TopSecretCanary") == std::string::npos);
  BOOST_TEST(notify.received().empty());  // never claimed readiness
}

BOOST_AUTO_TEST_CASE(credential_from_systemd_is_checked_the_same_way) {
  // LoadCredential= hands secrets over in $CREDENTIALS_DIRECTORY; no secret file in the config.
  temp_dir creds;
  daemon_files f;
  const std::string no_file = "[orders]\nrequire_owner = false\n";
  write_file(f.config, "[telegent]\nbase_url = \"http://127.0.0.1:9\"\nallow_insecure_http = true\n"
                       "account_key = \"DID-test\"\n[store]\npath = \"portd.db\"\n"
                       "[control]\nsocket = \"portd.sock\"\n" + no_file, 0644);
  write_file(creds.file("telegent-secret"), "CredCanary-93b2\n", 0644);
  {
    notify_socket notify(f.dir.file("notify.sock"));
    auto portd = start_portd(f, notify, {{"CREDENTIALS_DIRECTORY", creds.path()}});
    BOOST_TEST(portd->wait(std::chrono::seconds(30)).value_or(-1) == 78);
    BOOST_TEST(f.logged().find("credential telegent-secret") != std::string::npos, f.logged());
  }
  ::chmod(creds.file("telegent-secret").c_str(), 0400);
  notify_socket notify(f.dir.file("notify.sock"));
  auto portd = start_portd(f, notify, {{"CREDENTIALS_DIRECTORY", creds.path()}});
  BOOST_TEST(notify.wait_for("READY=1", *portd).has_value(), f.logged());
  BOOST_TEST(f.logged().find("CredCanary") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
