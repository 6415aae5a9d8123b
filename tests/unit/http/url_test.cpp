// parse_http_url, parse_origin, is_loopback_host and redact_url: the one reading of an outgoing
// URL that the configuration check, Telegent's client and the webhook sender share.
#include <portd/http/url.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::http;

BOOST_AUTO_TEST_SUITE(http_url)

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

BOOST_AUTO_TEST_CASE(an_origin_is_scheme_host_and_port_only) {
  auto o = parse_origin("https://api.telegent.com").url;
  BOOST_REQUIRE(o.has_value());
  BOOST_TEST(o->tls);
  BOOST_TEST(o->host == "api.telegent.com");
  BOOST_TEST(o->port == "443");
  BOOST_TEST(o->display == "https://api.telegent.com");
  o = parse_origin("http://127.0.0.1:8080/").url;
  BOOST_REQUIRE(o.has_value());
  BOOST_TEST(!o->tls);
  BOOST_TEST(o->port == "8080");
  BOOST_TEST(o->display == "http://127.0.0.1:8080");
  BOOST_TEST(o->host_header == "127.0.0.1:8080");
  o = parse_origin("https://[::1]:9443").url;
  BOOST_REQUIRE(o.has_value());
  BOOST_TEST(o->host == "::1");
  BOOST_TEST(o->display == "https://[::1]:9443");
  for (const char* bad : {"ftp://x", "https://", "https://host/path", "https://host/?q", "https://host:99999",
                          "https://host:abc", "api.telegent.com", "https://u:p@host"}) {
    BOOST_TEST_CONTEXT(bad) {
      const auto p = parse_origin(bad);
      BOOST_TEST(!p.url.has_value());
      BOOST_TEST(!p.problem.empty());
    }
  }
  BOOST_TEST(parse_origin("https://host/x").problem == "must be scheme://host[:port] only, without a path or query");
}

BOOST_AUTO_TEST_SUITE_END()
