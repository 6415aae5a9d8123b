// The notification keys of the configuration: [[webhook]] with its delivery settings and
// rotated secrets, [[command]], and the mistakes refused with the key's name.
#include <portd/util/config.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace portd;
using namespace std::chrono_literals;

namespace {

struct config_dir {
  std::filesystem::path dir;
  config_dir() {
    std::string tmpl = "/tmp/portd-notify-config-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl.data()));
    dir = tmpl;
    write("telegent-secret", "s\n");
    write("hook-secret", "whsec_bmV3LXNlY3JldA==\nold-secret\n");
  }
  ~config_dir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    ::chmod((dir / name).c_str(), 0600);
  }
  util::config load(const std::string& extra) {
    write("portd.toml", "[telegent]\naccount_key = \"k\"\naccount_secret_file = \"telegent-secret\"\n" + extra);
    return util::load_config(dir / "portd.toml");
  }
  std::string error(const std::string& extra) {
    try {
      load(extra);
    } catch (const util::config_error& e) {
      return e.what();
    }
    return "";
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(notify_config, config_dir)

BOOST_AUTO_TEST_CASE(webhook_with_every_key) {
  auto c = load(
      "[[webhook]]\nurl = \"https://crm.example.com/hooks\"\nsecret_file = \"hook-secret\"\n"
      "events = [\"order.state_changed\"]\ntimeout = \"3s\"\nretry_base = \"1s\"\nretry_cap = \"10m\"\n"
      "max_age = \"1d\"\nconcurrency = 2\n"
      "[[webhook]]\nurl = \"http://127.0.0.1:8080/h\"\nsecret_file = \"hook-secret\"\n");
  BOOST_REQUIRE(c.webhooks.size() == 2u);
  const auto& w = c.webhooks[0];
  BOOST_TEST(w.secrets.size() == 2u);  // rotation: both lines sign
  BOOST_TEST(w.secret == "whsec_bmV3LXNlY3JldA==");
  BOOST_TEST(w.secrets[1] == "old-secret");
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

BOOST_AUTO_TEST_SUITE_END()
