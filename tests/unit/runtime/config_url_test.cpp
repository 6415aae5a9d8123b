// The configuration check reads outgoing URLs as the senders do (http/url.hpp): the same
// parser, the same loopback rule for plain http, errors that name the key and never the
// URL's user-info.
#include "common/temp_dir.hpp"

#include <portd/runtime/config.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace portd::runtime;

namespace {

// The configuration error for `toml` (a Telegent section with its secret file is added), or
// "" when it loads.
std::string config_error_for(const std::string& toml, const std::string& telegent = {}) {
  const portd::test::temp_dir tmp;
  const std::filesystem::path dir(tmp.path());
  for (const char* name : {"secret", "hook-secret"})
    portd::test::write_file(tmp.file(name), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");  // a Standard Webhooks secret
  portd::test::write_file(tmp.file("portd.toml"),
                          (telegent.empty() ? "[telegent]\naccount_key = \"DID-x\"\naccount_secret_file = \"secret\"\n" : telegent) +
                              toml);
  std::string error;
  try {
    load_config(dir / "portd.toml");
  } catch (const config_error& e) {
    error = e.what();
  }
  return error;
}

std::string hook(const std::string& url) { return "[[webhook]]\nurl = \"" + url + "\"\nsecret_file = \"hook-secret\"\n"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(util_config_url)

BOOST_AUTO_TEST_CASE(the_configuration_refuses_what_the_sender_would_and_names_the_key) {
  const auto creds = config_error_for(hook("https://crm:Hunter2@crm.example.com/hooks"));
  BOOST_TEST(creds.starts_with("webhook[0].url: "), creds);
  BOOST_TEST(creds.find("Hunter2") == std::string::npos, creds);
  const auto evil = config_error_for(hook("http://127.evil.example/hooks"));
  BOOST_TEST(evil.starts_with("webhook[0].url: "), evil);
  BOOST_TEST(evil.find("plain http") != std::string::npos, evil);
  BOOST_TEST(config_error_for(hook("http://127.0.0.1:8080/h")).empty());
  BOOST_TEST(config_error_for(hook("http://localhost/h")).empty());
  BOOST_TEST(config_error_for(hook("https://crm.example.com/h?token=t")).empty());
  BOOST_TEST(config_error_for(hook("")).starts_with("webhook[0].url: missing"));

  const auto base = [](const std::string& url, bool insecure = false) {
    return config_error_for("", "[telegent]\nbase_url = \"" + url + "\"\naccount_key = \"DID-x\"\n"
                                "account_secret_file = \"secret\"\n" +
                                    (insecure ? "allow_insecure_http = true\n" : ""));
  };
  const auto base_creds = base("https://DID-x:Hunter2@api.telegent.example");
  BOOST_TEST(base_creds.starts_with("telegent.base_url: "), base_creds);
  BOOST_TEST(base_creds.find("Hunter2") == std::string::npos, base_creds);
  BOOST_TEST(base("https://api.telegent.example/v1").starts_with("telegent.base_url: "));
  BOOST_TEST(base("http://127.0.0.1:9000").starts_with("telegent.base_url: "));  // http needs the switch
  BOOST_TEST(base("http://127.0.0.1:9000", true).empty());
  BOOST_TEST(base("https://api.telegent.example/").empty());
}

BOOST_AUTO_TEST_SUITE_END()
