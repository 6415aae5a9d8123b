// Which proxy a destination uses: the proxy URL's rules (http:// only, no credentials in it)
// and NO_PROXY matching as curl and most tools read it.
#include <portd/http/proxy.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::http;

BOOST_AUTO_TEST_SUITE(http_proxy)

BOOST_AUTO_TEST_CASE(a_proxy_is_http_host_port_with_credentials_from_elsewhere) {
  auto p = parse_proxy("http://proxy.corp.example:3128");
  BOOST_REQUIRE(p.proxy);
  BOOST_TEST(p.proxy->host == "proxy.corp.example");
  BOOST_TEST(p.proxy->port == "3128");
  BOOST_TEST(p.proxy->display == "http://proxy.corp.example:3128");
  BOOST_TEST(p.proxy->authorization.empty());
  BOOST_TEST(parse_proxy("http://[::1]:8080/").proxy->host == "::1");
  BOOST_TEST(parse_proxy("http://p").proxy->port == "80");
  // Credentials become a Basic Proxy-Authorization, never part of what is displayed.
  p = parse_proxy("http://p:3128", "user:pa ss");
  BOOST_TEST(p.proxy->authorization == "Basic dXNlcjpwYSBzcw==");
  BOOST_TEST(p.proxy->display.find("pa ss") == std::string::npos);

  const auto with_password = parse_proxy("http://user:Hunter2@proxy:3128");
  BOOST_TEST(!with_password.proxy);
  BOOST_TEST(with_password.problem.find("proxy-credentials") != std::string::npos, with_password.problem);
  BOOST_TEST(with_password.problem.find("Hunter2") == std::string::npos, with_password.problem);
  BOOST_TEST(parse_proxy("https://proxy:3128").problem.find("https:// proxy") != std::string::npos);
  BOOST_TEST(!parse_proxy("socks5://proxy:1080").proxy);
  BOOST_TEST(!parse_proxy("http://proxy:3128/path").proxy);
  BOOST_TEST(!parse_proxy("proxy:3128").proxy);
}

BOOST_AUTO_TEST_CASE(no_proxy_matches_names_their_subdomains_and_addresses) {
  const std::string list = "localhost, .internal.example,crm.example.com:443 10.1.2.3,[::1]";
  BOOST_TEST(no_proxy_matches(list, "localhost"));
  BOOST_TEST(no_proxy_matches(list, "hooks.internal.example"));
  BOOST_TEST(no_proxy_matches(list, "internal.example"));
  BOOST_TEST(no_proxy_matches(list, "crm.example.com"));
  BOOST_TEST(no_proxy_matches(list, "a.crm.example.com"));
  BOOST_TEST(no_proxy_matches(list, "CRM.Example.com"));
  BOOST_TEST(no_proxy_matches(list, "10.1.2.3"));
  BOOST_TEST(no_proxy_matches(list, "::1"));
  BOOST_TEST(!no_proxy_matches(list, "api.telegent.com"));
  BOOST_TEST(!no_proxy_matches(list, "evilcrm.example.com"));  // a suffix, not a subdomain
  BOOST_TEST(!no_proxy_matches(list, "10.1.2.30"));
  BOOST_TEST(!no_proxy_matches(list, "example.com"));
  BOOST_TEST(no_proxy_matches("*", "anything.example"));
  BOOST_TEST(!no_proxy_matches("", "anything.example"));
}

BOOST_AUTO_TEST_SUITE_END()
