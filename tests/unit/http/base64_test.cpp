// The one base64 codec (proxy credentials, webhook signatures and secrets): RFC 4648 vectors,
// and decoding that takes standard padded base64 only.
#include <portd/http/base64.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::http;

BOOST_AUTO_TEST_SUITE(http_base64)

BOOST_AUTO_TEST_CASE(rfc_4648_vectors_both_ways) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, coded] : vectors) {
    BOOST_TEST_CONTEXT(plain) {
      BOOST_TEST(base64_encode(plain) == coded);
      const auto back = base64_decode(coded);
      BOOST_REQUIRE(back);
      BOOST_TEST(*back == plain);
    }
  }
  BOOST_TEST(base64_encode("u:p") == "dTpw");  // a proxy's Basic credentials
  BOOST_TEST(base64_encode(std::string("\xff\x00\xfe", 3)) == "/wD+");
}

BOOST_AUTO_TEST_CASE(only_standard_padded_base64_decodes) {
  for (const char* bad : {"abc", "Zg=", "Zg", "Z===", "=Zg=", "Zg==Zg==", "Zm9v YmFy", "Zm9-", "Zm9_", "Zm9\n"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!base64_decode(bad)); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
