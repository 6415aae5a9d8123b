// load_config for `portd --check-config`: secrets left to systemd credentials outside the
// service, and Standard Webhooks secrets that must decode (issue 19).
#include "common/temp_dir.hpp"

#include <portd/runtime/config.hpp>
#include <portd/runtime/webhook_secret.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>

using namespace portd::runtime;

namespace {

// A directory with portd.toml = `toml` and the files `files` (name → content, mode 0600).
struct config_dir {
  portd::test::temp_dir tmp;
  std::filesystem::path dir = tmp.path();
  config_dir(const std::string& toml, std::initializer_list<std::pair<const char*, const char*>> files = {}) {
    for (const auto& [name, content] : files) portd::test::write_file(tmp.file(name), content);
    portd::test::write_file(tmp.file("portd.toml"), toml);
  }
  std::filesystem::path file() const { return dir / "portd.toml"; }
};

std::string error_of(const std::filesystem::path& file, bool checking) {
  try {
    load_config(file, checking);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

// Sets or unsets $CREDENTIALS_DIRECTORY for one scope.
struct credentials_env {
  explicit credentials_env(const char* dir) {
    if (dir) ::setenv("CREDENTIALS_DIRECTORY", dir, 1);
    else ::unsetenv("CREDENTIALS_DIRECTORY");
  }
  ~credentials_env() { ::unsetenv("CREDENTIALS_DIRECTORY"); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(util_config_check)

BOOST_AUTO_TEST_CASE(whsec_secrets_are_whsec_and_base64) {
  const auto is_whsec_secret = [](std::string_view s) { return decode_webhook_secret(s).key.has_value(); };
  BOOST_TEST(is_whsec_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));  // 24 bytes, the spec's minimum
  BOOST_TEST(!is_whsec_secret("whsec_" + std::string(31, 'A') + "="));     // 23 bytes
  BOOST_TEST(!is_whsec_secret("whsec_AA=="));  // 1 byte
  BOOST_TEST(!is_whsec_secret("whsec_AAA="));  // 2 bytes
  BOOST_TEST(!is_whsec_secret("whsec_"));
  BOOST_TEST(!is_whsec_secret("whsec_===="));
  BOOST_TEST(!is_whsec_secret("whsec_A==="));
  BOOST_TEST(!is_whsec_secret("whsec_AA=A"));
  BOOST_TEST(!is_whsec_secret("whsec_ABC"));
  BOOST_TEST(!is_whsec_secret("whsec_AB*D"));
  BOOST_TEST(!is_whsec_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
}

BOOST_AUTO_TEST_CASE(a_secret_left_to_a_credential_is_noted_by_a_check_outside_the_service) {
  const config_dir d("[telegent]\naccount_key = \"DID-x\"\n"
                     "[[webhook]]\nurl = \"https://crm.example.com/h\"\n");
  credentials_env outside(nullptr);
  const auto c = load_config(d.file(), true);
  BOOST_TEST_REQUIRE(c.unchecked.size() == 2u);
  BOOST_TEST(c.unchecked[0].find("\"telegent-secret\"") != std::string::npos, c.unchecked[0]);
  BOOST_TEST(c.unchecked[1].find("\"webhook-secret-0\"") != std::string::npos, c.unchecked[1]);
  // A run needs the secret; so does a check inside the service, where credentials are visible.
  BOOST_TEST(error_of(d.file(), false).starts_with("telegent.account_secret_file: missing"));
  credentials_env inside(d.dir.c_str());
  BOOST_TEST(error_of(d.file(), true).starts_with("telegent.account_secret_file: missing"));
}

BOOST_AUTO_TEST_CASE(a_whsec_secret_that_does_not_decode_is_a_configuration_error) {
  const std::string telegent = "[telegent]\naccount_key = \"DID-x\"\naccount_secret_file = \"s\"\n";
  const config_dir bad(telegent + "[[webhook]]\nurl = \"https://crm.example.com/h\"\nsecret_file = \"h\"\n",
                       {{"s", "x\n"}, {"h", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\nwhsec_Sw0rd*Fish\n"}});
  const auto e = error_of(bad.file(), true);
  BOOST_TEST(e.starts_with("webhook[0].secret_file: "), e);
  BOOST_TEST(e.find(" line 2 ") != std::string::npos, e);
  BOOST_TEST(e.find("Sw0rd") == std::string::npos, e);
  const config_dir raw(telegent + "[[webhook]]\nurl = \"https://crm.example.com/h\"\nsecret_file = \"h\"\n",
                       {{"s", "x\n"}, {"h", "a-raw-shared-key\n"}});
  // Not whsec_: no Standard Webhooks verifier derives the key portd would sign with.
  BOOST_TEST(error_of(raw.file(), true).find("not a Standard Webhooks secret") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
