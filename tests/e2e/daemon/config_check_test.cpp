// `portd --check-config` and a start read URLs as the sender does (issue 16, item 6): a URL
// with credentials in it, or plain http to a host that only looks local, is a configuration
// error — exit 78 (EX_CONFIG, which systemd does not restart) from the check and from a start
// alike, with a message that names the key and never the password.
#include <common/process.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

using portd::test::process;
using portd::test::read_file;
using portd::test::temp_dir;
using portd::test::write_file;

namespace {

struct run_result {
  int status = -1;
  std::string err;  // stderr
};

// Runs portd on `config` (with a Telegent secret and a webhook secret beside it), with
// --check-config or as a start.
run_result run_portd(const std::string& config, bool check, const std::string& hook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") {
  temp_dir d;
  write_file(d.file("telegent-secret"), "sim-secret\n", 0600);
  write_file(d.file("hook-secret"), hook_secret + "\n", 0600);
  write_file(d.file("portd.toml"), "[store]\npath = \"portd.db\"\n[control]\nsocket = \"portd.sock\"\n" + config);
  std::vector<std::string> argv{portd::test::binary("PORTD_BIN"), "--config", d.file("portd.toml")};
  if (check) argv.emplace_back("--check-config");
  process p(argv, {}, d.file("err"));
  run_result r;
  r.status = p.wait(std::chrono::seconds(30)).value_or(-1);
  r.err = read_file(d.file("err"));
  return r;
}

const std::string telegent =
    "[telegent]\nbase_url = \"https://api.telegent.example\"\naccount_key = \"DID-x\"\n"
    "account_secret_file = \"telegent-secret\"\n";

std::string webhook(const std::string& url) {
  return "[[webhook]]\nurl = \"" + url + "\"\nsecret_file = \"hook-secret\"\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_config_check)

BOOST_AUTO_TEST_CASE(a_webhook_url_with_a_password_is_refused_78_without_printing_it) {
  const std::string config = telegent + webhook("https://crm:Hunter2Secret@crm.example.com/hooks/portd");
  for (bool check : {true, false}) {
    const auto r = run_portd(config, check);
    BOOST_TEST_MESSAGE((check ? "--check-config" : "start") << ": " << r.status << ": " << r.err);
    BOOST_TEST(r.status == 78, (check ? "--check-config" : "start"));
    BOOST_TEST(r.err.find("webhook[0].url") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("secret file") != std::string::npos, r.err);  // where credentials go
    BOOST_TEST(r.err.find("Hunter2Secret") == std::string::npos, r.err);
  }
}

BOOST_AUTO_TEST_CASE(a_telegent_base_url_with_credentials_is_refused_78_without_printing_them) {
  const std::string config =
      "[telegent]\nbase_url = \"https://DID-x:Hunter2Secret@api.telegent.example\"\naccount_key = \"DID-x\"\n"
      "account_secret_file = \"telegent-secret\"\n";
  for (bool check : {true, false}) {
    const auto r = run_portd(config, check);
    BOOST_TEST(r.status == 78, (check ? "--check-config" : "start"));
    BOOST_TEST(r.err.find("telegent.base_url") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("Hunter2Secret") == std::string::npos, r.err);
  }
}

// Loopback is decided by the parsed host: a name that starts with "127." is a name.
BOOST_AUTO_TEST_CASE(plain_http_to_a_host_that_only_looks_local_is_refused_78) {
  for (const char* url : {"http://127.evil.example/hooks", "http://localhost.evil.example/h", "http://10.0.0.1/h"}) {
    for (bool check : {true, false}) {
      const auto r = run_portd(telegent + webhook(url), check);
      BOOST_TEST(r.status == 78, url << (check ? " --check-config" : " start"));
      BOOST_TEST(r.err.find("webhook[0].url") != std::string::npos, r.err);
      BOOST_TEST(r.err.find("plain http") != std::string::npos, r.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(plain_http_to_this_host_and_https_anywhere_pass_the_check) {
  for (const char* url : {"http://127.0.0.1:8080/h", "http://[::1]:9/x", "http://localhost/h", "http://127.1.2.3/h",
                          "https://crm.example.com/hooks/portd?token=abc"}) {
    const auto r = run_portd(telegent + webhook(url), true);
    BOOST_TEST(r.status == 0, url << ": " << r.err);
  }
}

// A Standard Webhooks secret ("whsec_" and base64) that does not decode passed the check and
// then stopped the start with exit 1; the check catches it, and neither prints it.
BOOST_AUTO_TEST_CASE(a_whsec_secret_that_is_not_base64_is_refused_78_without_printing_it) {
  for (bool check : {true, false}) {
    const auto r = run_portd(telegent + webhook("https://crm.example.com/h"), check, "whsec_Not*Base64!");
    BOOST_TEST(r.status == 78, (check ? "--check-config" : "start"));
    BOOST_TEST(r.err.find("webhook[0].secret_file") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("base64") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("Not*Base64") == std::string::npos, r.err);
  }
  // Rotation: every line is a secret, each is checked.
  BOOST_TEST(run_portd(telegent + webhook("https://crm.example.com/h"), true,
                       "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\nwhsec_old!").status == 78);
  BOOST_TEST(run_portd(telegent + webhook("https://crm.example.com/h"), true, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                 .status == 0);
}

// The README's set-up: the Telegent secret reaches the service as the systemd credential
// "telegent-secret", and an operator runs the check by hand, outside the service (no
// $CREDENTIALS_DIRECTORY). The example configuration then passes; the check says what it could
// not see. A start outside the service still refuses to run without the secret.
BOOST_AUTO_TEST_CASE(the_example_configuration_passes_the_check_outside_the_service) {
  const char* source = std::getenv("PORTD_SOURCE_DIR");
  BOOST_TEST_REQUIRE(source != nullptr, "PORTD_SOURCE_DIR is not set (run the tests through ctest)");
  const std::string example = std::string(source) + "/systemd/portd.toml.example";
  temp_dir d;
  process p({portd::test::binary("PORTD_BIN"), "--config", example, "--check-config"}, {}, d.file("err"));
  std::string out;
  while (auto line = p.read_line(std::chrono::seconds(30))) out += *line + "\n";
  BOOST_TEST(p.wait(std::chrono::seconds(30)).value_or(-1) == 0, out << read_file(d.file("err")));
  BOOST_TEST(out.find("credential \"telegent-secret\"") != std::string::npos, out);
  BOOST_TEST(out.find("configuration ok") != std::string::npos, out);

  // Everything else is still checked: a bad value next to the missing secret is refused.
  std::string bad = read_file(example);
  const auto at = bad.find("burst = 5");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  bad.replace(at, 9, "burst = 0");
  write_file(d.file("bad.toml"), bad);
  process q({portd::test::binary("PORTD_BIN"), "--config", d.file("bad.toml"), "--check-config"}, {}, d.file("err2"));
  BOOST_TEST(q.wait(std::chrono::seconds(30)).value_or(-1) == 78);
  BOOST_TEST(read_file(d.file("err2")).find("telegent.burst") != std::string::npos, read_file(d.file("err2")));

  process start({portd::test::binary("PORTD_BIN"), "--config", example}, {}, d.file("err3"));
  BOOST_TEST(start.wait(std::chrono::seconds(30)).value_or(-1) == 78);
  BOOST_TEST(read_file(d.file("err3")).find("telegent.account_secret_file") != std::string::npos, read_file(d.file("err3")));
}

// Issue 18: [poll] time_zone names an IANA zone the system knows; a typo stops the check and
// the start alike (78), naming the key and the value.
BOOST_AUTO_TEST_CASE(an_unknown_time_zone_is_refused_78) {
  for (bool check : {true, false}) {
    const auto r = run_portd(telegent + "[poll]\ntime_zone = \"Mars/Olympus_Mons\"\n", check);
    BOOST_TEST(r.status == 78, (check ? "--check-config" : "start"));
    BOOST_TEST(r.err.find("poll.time_zone") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("Mars/Olympus_Mons") != std::string::npos, r.err);
  }
  BOOST_TEST(run_portd(telegent + "[poll]\ntime_zone = \"America/New_York\"\n", true).status == 0);
}

BOOST_AUTO_TEST_SUITE_END()
