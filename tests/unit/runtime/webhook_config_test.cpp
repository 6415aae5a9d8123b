// The notification keys of the configuration: [[webhook]] with its delivery settings and
// rotated secrets, [[command]], and the mistakes refused with the key's name.
#include "common/temp_dir.hpp"

#include <portd/runtime/config.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace portd;
using namespace std::chrono_literals;

namespace {

// Standard Webhooks secrets: "whsec_" + base64 of 24 bytes and more.
const std::string new_secret = "whsec_bmV3LXNlY3JldC1mb3ItcG9ydGQtdGVzdHMtMDE=";  // "new-secret-for-portd-tests-01"
const std::string old_secret = "whsec_b2xkLXNlY3JldC1mb3ItcG9ydGQtdGVzdHMtMDE=";  // "old-secret-for-portd-tests-01"

// CREDENTIALS_DIRECTORY for one test, as systemd's LoadCredential= sets it.
struct credentials_dir {
  explicit credentials_dir(const std::filesystem::path& d) {
    std::filesystem::create_directories(d);
    ::setenv("CREDENTIALS_DIRECTORY", d.c_str(), 1);
  }
  ~credentials_dir() { ::unsetenv("CREDENTIALS_DIRECTORY"); }
};

struct config_dir {
  test::temp_dir tmp;
  std::filesystem::path dir = tmp.path();
  config_dir() {
    write("telegent-secret", "s\n");
    write("hook-secret", new_secret + "\n" + old_secret + "\n");
  }
  void write(const std::string& name, const std::string& text) { test::write_file(tmp.file(name), text); }
  runtime::config load(const std::string& extra) {
    write("portd.toml", "[telegent]\naccount_key = \"k\"\naccount_secret_file = \"telegent-secret\"\n" + extra);
    return runtime::load_config(dir / "portd.toml");
  }
  std::string error(const std::string& extra) {
    try {
      load(extra);
    } catch (const runtime::config_error& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(util_webhook_config, config_dir)

BOOST_AUTO_TEST_CASE(webhook_with_every_key) {
  auto c = load(
      "[[webhook]]\nurl = \"https://crm.example.com/hooks\"\nsecret_file = \"hook-secret\"\n"
      "events = [\"order.state_changed\"]\ntimeout = \"3s\"\nretry_base = \"1s\"\nretry_cap = \"10m\"\n"
      "max_age = \"1d\"\nconcurrency = 2\n"
      "[[webhook]]\nurl = \"http://127.0.0.1:8080/h\"\nsecret_file = \"hook-secret\"\n");
  BOOST_REQUIRE(c.webhooks.size() == 2u);
  const auto& w = c.webhooks[0];
  BOOST_TEST(w.secrets.size() == 2u);  // rotation: both lines sign
  BOOST_TEST(w.secret == new_secret);
  BOOST_TEST(w.secrets[1] == old_secret);
  BOOST_TEST(w.events.size() == 1u);
  BOOST_TEST(w.timeout.count() == 3000);
  BOOST_TEST(w.retry_base.count() == 1000);
  BOOST_TEST(w.retry_cap.count() == 600000);
  BOOST_TEST(w.max_age.count() == 86400000);
  BOOST_TEST(w.concurrency == 2);
  BOOST_TEST(w.name == "webhook:0");
  const auto& d = c.webhooks[1];  // defaults
  BOOST_TEST(d.name == "webhook:1");
  BOOST_TEST(d.timeout.count() == 10000);
  BOOST_TEST(d.retry_base.count() == 5000);
  BOOST_TEST(d.retry_cap.count() == 3600000);
  BOOST_TEST(d.max_age.count() == 72 * 3600000ll);
  BOOST_TEST(d.concurrency == 4);
}

BOOST_AUTO_TEST_CASE(command_sink) {
  auto c = load("[[command]]\nprogram = [\"hook.sh\", \"--queue\", \"ports\"]\ntimeout = \"5s\"\n"
                "[[command]]\nprogram = \"/usr/local/bin/other\"\n");
  BOOST_REQUIRE(c.commands.size() == 2u);
  BOOST_TEST(c.commands[0].argv.size() == 3u);
  BOOST_TEST(c.commands[0].argv[0] == (dir / "hook.sh").string());  // relative to the file
  BOOST_TEST(c.commands[0].timeout.count() == 5000);
  BOOST_TEST(c.commands[1].argv[0] == "/usr/local/bin/other");
}

BOOST_AUTO_TEST_CASE(sinks_may_be_named) {
  auto c = load("[[webhook]]\nname = \"crm\"\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\n"
                "[[command]]\nname = \"audit\"\nprogram = \"/bin/true\"\n");
  BOOST_TEST(c.webhooks[0].name == "crm");
  BOOST_TEST(c.commands[0].name == "audit");
  BOOST_TEST(error("[[webhook]]\nname = \"x\"\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\n"
                   "[[command]]\nname = \"x\"\nprogram = \"/bin/true\"\n")
                 .find("command.name") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mistakes_are_named) {
  BOOST_TEST(error("[[webhook]]\nurl = \"http://crm.example.com/h\"\nsecret_file = \"hook-secret\"\n")
                 .find("webhook[0].url") != std::string::npos);
  BOOST_TEST(error("[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\nevents = [\"order.nope\"]\n")
                 .find("webhook[0].events") != std::string::npos);
  BOOST_TEST(error("[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\nretry_cap = \"1s\"\n")
                 .find("webhook[0].retry_cap") != std::string::npos);
  BOOST_TEST(error("[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\nconcurrency = 0\n")
                 .find("webhook[0].concurrency") != std::string::npos);
  BOOST_TEST(error("[[webhook]]\nurl = \"https://x/h\"\n").find("webhook[0].secret_file") != std::string::npos);
  BOOST_TEST(error("[[command]]\nevents = []\n").find("command[0].program") != std::string::npos);
  BOOST_TEST(error("[[command]]\nprogram = \"x\"\ncolour = 1\n").find("command[0].colour") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_secret_must_be_one_standard_webhooks_libraries_take) {
  // What the libraries do with the text after "whsec_": base64-decode it. A raw string, a key
  // under 24 bytes, unpadded or URL-safe base64 would sign with a key no verifier derives.
  const std::string hook = "[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"bad-secret\"\n";
  const std::vector<std::pair<std::string, std::string>> bad{
      {"raw-secret-used-as-it-is", "not a Standard Webhooks secret"},
      {"whsec_bmV3LXNlY3JldC1mb3ItcG9ydGQtdGVzdHMtMDE", "not standard padded base64"},  // unpadded
      {"whsec_c2hvcnQtc2VjcmV0LTE2Ynl0ZQ==", "decodes to 19 bytes"},                   // too short
      {"whsec_bmV3LXNlY3JldC1mb3ItcG9ydGQtdGVzdHMtMD_=", "not standard padded base64"},  // URL-safe
      {"whsec_" + std::string(88, 'A'), "decodes to 66 bytes"},                 // over 64
      {"whsec_", "not standard padded base64"},
  };
  for (const auto& [secret, why] : bad) {
    write("bad-secret", new_secret + "\n" + secret + "\n");  // the second line is the bad one
    const auto e = error(hook);
    BOOST_TEST(e.find("webhook[0].secret_file") != std::string::npos, e);
    BOOST_TEST(e.find((dir / "bad-secret").string() + " line 2") != std::string::npos, e);
    BOOST_TEST(e.find(why) != std::string::npos, e);
    if (secret.size() > 6) BOOST_TEST(e.find(secret.substr(6)) == std::string::npos, e);  // never printed
  }
  // The spec's own 24-byte example and a 64-byte key are fine.
  write("bad-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\nwhsec_" + std::string(86, 'A') + "==\n");
  BOOST_TEST(load(hook).webhooks[0].secrets.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_named_sink_takes_the_credential_of_its_name) {
  credentials_dir creds(dir / "creds");
  write("creds/webhook-secret-crm", new_secret + "\n");
  write("creds/webhook-secret-audit", old_secret + "\n");
  write("creds/webhook-secret-0", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
  const std::string crm = "[[webhook]]\nname = \"crm\"\nurl = \"https://crm.example.com/h\"\n";
  const std::string audit = "[[webhook]]\nname = \"audit\"\nurl = \"https://audit.example.com/h\"\n";
  // Reordering the blocks never swaps the secrets: each follows its name, not its position.
  for (const auto& text : {crm + audit, audit + crm}) {
    const auto c = load(text);
    BOOST_REQUIRE(c.webhooks.size() == 2u);
    for (const auto& w : c.webhooks) {
      BOOST_TEST(w.secret == (w.name == "crm" ? new_secret : old_secret), w.name);
      BOOST_TEST(w.url.find(w.name) != std::string::npos);
    }
    BOOST_TEST(c.warnings.empty() == false);  // body not set; nothing about credentials
    for (const auto& m : c.warnings) BOOST_TEST(m.find("credential") == std::string::npos, m);
  }
  // An unnamed sink still takes webhook-secret-N by position.
  BOOST_TEST(load("[[webhook]]\nurl = \"https://x/h\"\n").webhooks[0].secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  // A named sink without a credential of its name falls back to the positional one, with a
  // warning that says what to rename.
  const auto c = load("[[webhook]]\nname = \"billing\"\nurl = \"https://x/h\"\nbody = \"standard\"\n");
  BOOST_TEST(c.webhooks[0].secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  BOOST_REQUIRE(c.warnings.size() == 1u);
  BOOST_TEST(c.warnings[0].find("webhook-secret-0") != std::string::npos, c.warnings[0]);
  BOOST_TEST(c.warnings[0].find("rename it to webhook-secret-billing") != std::string::npos, c.warnings[0]);
  // No credential at all: the message names the credential that would do.
  std::filesystem::remove(dir / "creds/webhook-secret-0");
  const auto e = error("[[webhook]]\nname = \"billing\"\nurl = \"https://x/h\"\n");
  BOOST_TEST(e.find("webhook[0].secret_file") != std::string::npos, e);
  BOOST_TEST(e.find("webhook-secret-billing") != std::string::npos, e);
  // A bad secret in a credential names the credential and its file.
  write("creds/webhook-secret-crm", "raw-secret\n");
  const auto bad = error(crm);
  BOOST_TEST(bad.find("credential webhook-secret-crm") != std::string::npos, bad);
  BOOST_TEST(bad.find((dir / "creds/webhook-secret-crm").string() + " line 1") != std::string::npos, bad);
  BOOST_TEST(bad.find("raw-secret") == std::string::npos, bad);
}

BOOST_AUTO_TEST_CASE(body_shape_is_chosen_per_sink_and_said_when_left_to_the_default) {
  const std::string hook = "[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\n";
  auto c = load(hook);
  BOOST_TEST(c.webhooks[0].body == "standard");
  BOOST_REQUIRE(c.warnings.size() == 1u);  // a receiver of the earlier body is told how to keep it
  BOOST_TEST(c.warnings[0].find("body = \"portd-v1\"") != std::string::npos, c.warnings[0]);
  c = load(hook + "body = \"portd-v1\"\n[[command]]\nprogram = \"/bin/true\"\nbody = \"portd-v1\"\n");
  BOOST_TEST(c.webhooks[0].body == "portd-v1");
  BOOST_TEST(c.commands[0].body == "portd-v1");
  BOOST_TEST(c.warnings.empty());
  c = load("[[command]]\nprogram = \"/bin/true\"\n");
  BOOST_TEST(c.commands[0].body == "standard");
  BOOST_TEST(c.warnings.size() == 1u);
  BOOST_TEST(error(hook + "body = \"v2\"\n").find("webhook[0].body") != std::string::npos);
  BOOST_TEST(error("[[command]]\nprogram = \"/bin/true\"\nbody = 1\n").find("command[0].body") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(https_proxy_and_no_proxy_choose_the_way_out_per_destination) {
  struct env_var {
    const char* name;
    env_var(const char* n, const char* v) : name(n) { ::setenv(n, v, 1); }
    ~env_var() { ::unsetenv(name); }
  };
  const env_var proxy("HTTPS_PROXY", "http://proxy.corp.example:3128");
  const env_var no_proxy("NO_PROXY", "localhost,.internal.example");
  const std::string hooks =
      "[[webhook]]\nname = \"crm\"\nurl = \"https://crm.example.com/h\"\nsecret_file = \"hook-secret\"\nbody = \"standard\"\n"
      "[[webhook]]\nname = \"inside\"\nurl = \"https://hooks.internal.example/h\"\nsecret_file = \"hook-secret\"\nbody = \"standard\"\n"
      "[[webhook]]\nname = \"local\"\nurl = \"http://127.0.0.1:8080/h\"\nsecret_file = \"hook-secret\"\nbody = \"standard\"\n";
  auto c = load(hooks);
  BOOST_REQUIRE(c.telegent.proxy);  // api.telegent.com is not in NO_PROXY
  BOOST_TEST(c.telegent.proxy->display == "http://proxy.corp.example:3128");
  BOOST_TEST(c.webhooks[0].proxy.has_value());
  BOOST_TEST(!c.webhooks[1].proxy.has_value());  // NO_PROXY: .internal.example
  BOOST_TEST(!c.webhooks[2].proxy.has_value());  // plain http is never proxied
  // A sink's proxy key wins over the environment: "" goes direct, a URL is used as given.
  c = load("proxy = \"\"\n" + hooks);  // lands in the fixture's [telegent]
  BOOST_TEST(!c.telegent.proxy.has_value());
  // Proxy credentials come from the credential file, as Proxy-Authorization; never a URL.
  credentials_dir creds(dir / "creds");
  write("creds/proxy-credentials", "svc-portd:pr0xy-pass\n");
  c = load(hooks);
  BOOST_TEST(c.telegent.proxy->authorization == "Basic c3ZjLXBvcnRkOnByMHh5LXBhc3M=");
  const env_var bad("https_proxy", "http://svc:pr0xy-pass@proxy.corp.example:3128");  // the lower-case one is read first
  const auto e = error(hooks);
  BOOST_TEST(e.find("HTTPS_PROXY (environment)") != std::string::npos, e);
  BOOST_TEST(e.find("proxy-credentials") != std::string::npos, e);
  BOOST_TEST(e.find("pr0xy-pass") == std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(a_proxy_key_is_checked_like_the_environment) {
  BOOST_TEST(error("[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\nproxy = \"socks5://p:1080\"\n")
                 .find("webhook[0].proxy") != std::string::npos);
  BOOST_TEST(error("[[webhook]]\nurl = \"http://127.0.0.1/h\"\nsecret_file = \"hook-secret\"\nproxy = \"http://p:3128\"\n")
                 .find("https:// destinations only") != std::string::npos);
  auto c = load("[[webhook]]\nurl = \"https://x/h\"\nsecret_file = \"hook-secret\"\nproxy = \"http://p:3128\"\n");
  BOOST_TEST(c.webhooks[0].proxy->display == "http://p:3128");
}

BOOST_AUTO_TEST_SUITE_END()
