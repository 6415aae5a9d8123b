// Peer-credential authorization with real processes: portctl run as `nobody` against the real
// daemon. Needs root (to switch to nobody with setpriv); skipped otherwise.
#include <common/stack.hpp>
#include <common/systemd_harness.hpp>

#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace json = boost::json;
namespace utf = boost::unit_test;
using namespace portd::test;

namespace {

struct can_switch_to_nobody {
  boost::test_tools::assertion_result operator()(utf::test_unit_id) const {
    boost::test_tools::assertion_result r{static_cast<bool>(::geteuid() == 0 && ::getpwnam("nobody") != nullptr && ::access("/usr/bin/setpriv", X_OK) == 0)};
    if (!r) r.message() << "needs root, a user nobody and /usr/bin/setpriv";
    return r;
  }
};

// portd with `control_extra` in [control], its socket handed over (as portd.socket does) with
// mode 0666 in a directory others may traverse, so that only portd's own check stands
// between nobody and the daemon.
struct daemon_for_roles {
  temp_dir dir;
  std::string socket = dir.file("portd.sock");
  std::string log = dir.file("portd.log");
  std::unique_ptr<process> portd;

  explicit daemon_for_roles(const std::string& control_extra, unsigned socket_mode = 0666) {
    ::chmod(dir.path().c_str(), 0711);
    write_file(dir.file("telegent-secret"), "sim-secret\n", 0600);
    write_file(dir.file("portd.toml"),
               "[telegent]\nbase_url = \"http://127.0.0.1:9\"\nallow_insecure_http = true\n"
               "account_key = \"DID-test\"\naccount_secret_file = \"telegent-secret\"\n"
               "[store]\npath = \"portd.db\"\n[control]\nsocket = \"portd.sock\"\n" + control_extra + "\n");
    write_file(dir.file("pin.txt"), "4321\n", 0644);
    notify_socket notify(dir.file("notify.sock"));
    const int lfd = listening_socket(socket, socket_mode);
    portd = start_socket_activated(lfd, {binary("PORTD_BIN"), "--config", dir.file("portd.toml")},
                                   {{"NOTIFY_SOCKET", notify.path()}}, log);
    ::close(lfd);
    if (!notify.wait_for("READY=1", *portd)) throw std::runtime_error("portd did not start:\n" + read_file(log));
  }
  ~daemon_for_roles() {
    portd->signal(SIGTERM);
    portd->wait(std::chrono::seconds(30));
  }

  // Runs portctl as nobody:nogroup with no supplementary groups; {exit status, stdout, stderr}.
  std::tuple<int, std::string, std::string> portctl_as_nobody(std::vector<std::string> args) const {
    std::vector<std::string> argv{"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                  binary("PORTCTL_BIN"), "--socket", socket};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string err = dir.file("portctl.stderr");
    write_file(err, "", 0600);
    process p(argv, {}, err);
    std::string out;
    while (auto l = p.read_line(std::chrono::seconds(60))) out += *l + "\n";
    const auto st = p.wait(std::chrono::seconds(60));
    return {st.value_or(-1), out, read_file(err)};
  }

  std::vector<std::string> submit_args() const {
    return {"submit-portin", "--number", "+18015550190", "--carrier", "Verizon", "--account-number", "123456782222",
            "--account-pin-file", dir.file("pin.txt"), "--street1", "1 Main St", "--city", "Lehi", "--state", "UT",
            "--zip", "84043"};
  }
};

std::uint32_t nobody_uid() { return ::getpwnam("nobody")->pw_uid; }

}  // namespace

BOOST_AUTO_TEST_SUITE(systemd_roles, *utf::precondition(can_switch_to_nobody()))

BOOST_AUTO_TEST_CASE(a_reader_may_list_but_not_submit) {
  daemon_for_roles d("readers = { uids = [" + std::to_string(nobody_uid()) + "] }");
  auto [rc, out, err] = d.portctl_as_nobody(d.submit_args());
  BOOST_TEST(rc == 1, "stdout: " << out << "stderr: " << err);
  BOOST_TEST(err.find("(forbidden") != std::string::npos, err);
  BOOST_TEST(err.find("role reader") != std::string::npos, err);
  // It says which role is needed and where it is granted.
  BOOST_TEST(err.find("needs the operator role") != std::string::npos, err);
  BOOST_TEST(err.find("[control] operators") != std::string::npos, err);

  auto [lrc, lout, lerr] = d.portctl_as_nobody({"list"});
  BOOST_TEST(lrc == 0, "stdout: " << lout << "stderr: " << lerr);
  auto [src, sout, serr] = d.portctl_as_nobody({"--json", "status"});
  BOOST_TEST(src == 0, serr);
  // The refused submission left nothing behind.
  rpc_connection root(d.socket);
  auto orders = root.call("order.list")["result"].as_object()["orders"].as_array();
  BOOST_TEST(orders.empty());
}

BOOST_AUTO_TEST_CASE(anyone_not_configured_is_refused_everything) {
  daemon_for_roles d("");
  auto [rc, out, err] = d.portctl_as_nobody(d.submit_args());
  BOOST_TEST(rc == 1, err);
  BOOST_TEST(err.find("(forbidden") != std::string::npos, err);
  auto [lrc, lout, lerr] = d.portctl_as_nobody({"list"});
  BOOST_TEST(lrc == 1, lout << lerr);
  BOOST_TEST(lerr.find("(forbidden") != std::string::npos, lerr);
  BOOST_TEST(lerr.find("needs the reader role") != std::string::npos, lerr);
  BOOST_TEST(lerr.find("[control] readers") != std::string::npos, lerr);
}

// The socket's own permissions keep the user out (not in its group): portctl says so and who
// may get in, not "is portd running?" (it is). Exit status 3, as for any failure to connect.
BOOST_AUTO_TEST_CASE(permission_denied_on_the_socket_names_the_group_that_grants_access) {
  daemon_for_roles d("", 0660);  // root:root, as portd.socket makes it root:portd-clients
  auto [rc, out, err] = d.portctl_as_nobody({"status"});
  BOOST_TEST(rc == 3, err);
  BOOST_TEST(err.find("Permission denied") != std::string::npos, err);
  BOOST_TEST(err.find("is portd running") == std::string::npos, err);
  BOOST_TEST(err.find("membership in its group root") != std::string::npos, err);
  BOOST_TEST(err.find("[control] readers and operators") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(an_operator_by_uid_may_submit) {
  daemon_for_roles d("operators = { uids = [" + std::to_string(nobody_uid()) + "] }");
  auto [rc, out, err] = d.portctl_as_nobody(d.submit_args());
  BOOST_TEST(rc == 0, "stdout: " << out << "stderr: " << err);
  rpc_connection root(d.socket);
  auto orders = root.call("order.list")["result"].as_object()["orders"].as_array();
  BOOST_TEST(orders.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
