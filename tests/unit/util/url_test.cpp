// parse_http_url, is_loopback_host and redact_url: the one reading of an outgoing URL that the
// configuration check and the webhook sender share (issue 16, item 6), and the configuration
// errors built on it.
#include "common/temp_dir.hpp"

#include <portd/util/config.hpp>
#include <portd/util/url.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

using namespace portd::util;

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

BOOST_AUTO_TEST_SUITE(util_url)

BOOST_AUTO_TEST_CASE(an_https_url_splits_into_what_the_sender_needs) {
  const auto p = parse_http_url("https://crm.example.com/hooks/portd?token=abc");
  BOOST_REQUIRE(p.url);
  BOOST_TEST(p.url->tls);
  BOOST_TEST(p.url->host == "crm.example.com");
  BOOST_TEST(p.url->port == "443");
  BOOST_TEST(p.url->target == "/hooks/portd?token=abc");
  BOOST_TEST(p.url->host_header == "crm.example.com");
  BOOST_TEST(p.url->display == "https://crm.example.com");  // no path or token in logs

  const auto v6 = parse_http_url("http://[::1]:9");
  BOOST_REQUIRE(v6.url);
  BOOST_TEST(!v6.url->tls);
  BOOST_TEST(v6.url->host == "::1");
  BOOST_TEST(v6.url->port == "9");
  BOOST_TEST(v6.url->target == "/");
  BOOST_TEST(v6.url->host_header == "[::1]:9");
  const auto q = parse_http_url("https://h.example?x=1");
  BOOST_REQUIRE(q.url);
  BOOST_TEST(q.url->target == "/?x=1");
}

BOOST_AUTO_TEST_CASE(user_info_fragments_other_schemes_and_bad_ports_are_refused_with_a_reason) {
  const auto creds = parse_http_url("https://user:Hunter2@crm.example.com/x");
  BOOST_TEST(!creds.url);
  BOOST_TEST(creds.problem.find("secret file") != std::string::npos, creds.problem);
  BOOST_TEST(creds.problem.find("Hunter2") == std::string::npos);
  BOOST_TEST(!parse_http_url("https://user@crm.example.com/x").url);
  BOOST_TEST(!parse_http_url("https://:pw@crm.example.com/x").url);
  BOOST_TEST(!parse_http_url("https://host/x#frag").url);
  BOOST_TEST(!parse_http_url("ftp://host/x").url);
  BOOST_TEST(!parse_http_url("https://host:99999/x").url);
  BOOST_TEST(!parse_http_url("https://host:0/x").url);
  BOOST_TEST(!parse_http_url("https:///x").url);
  BOOST_TEST(!parse_http_url("https://ho st/x").url);
  BOOST_TEST(!parse_http_url("crm.example.com/x").url);
  BOOST_TEST(!parse_http_url("").url);
  for (const char* bad : {"https://ho st/x", "ftp://host/x", "https://host:99999/x"})
    BOOST_TEST(!parse_http_url(bad).problem.empty(), bad);
}

BOOST_AUTO_TEST_CASE(loopback_is_decided_by_the_parsed_host) {
  BOOST_TEST(is_loopback_host("127.0.0.1"));
  BOOST_TEST(is_loopback_host("127.10.20.30"));
  BOOST_TEST(is_loopback_host("::1"));
  BOOST_TEST(is_loopback_host("localhost"));
  BOOST_TEST(is_loopback_host("LocalHost"));
  BOOST_TEST(!is_loopback_host("127.evil.example"));
  BOOST_TEST(!is_loopback_host("localhost.evil.example"));
  BOOST_TEST(!is_loopback_host("10.0.0.1"));
  BOOST_TEST(!is_loopback_host("::"));
  BOOST_TEST(!is_loopback_host("crm.example.com"));
  BOOST_TEST(!is_loopback_host(""));
  // What the sender would connect to, as parsed from the URL.
  BOOST_TEST(!is_loopback_host(parse_http_url("http://127.evil.example/h").url->host));
  BOOST_TEST(is_loopback_host(parse_http_url("http://[::1]:8080/h").url->host));
}

BOOST_AUTO_TEST_CASE(a_redacted_url_keeps_neither_password_nor_path) {
  BOOST_TEST(redact_url("https://crm:Hunter2@crm.example.com/hooks?token=t") == "https://***@crm.example.com/…");
  BOOST_TEST(redact_url("https://a@b@crm.example.com") == "https://***@crm.example.com");
  BOOST_TEST(redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080");
  BOOST_TEST(redact_url("crm.example.com:Hunter2") == "(not a URL)");
}

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
