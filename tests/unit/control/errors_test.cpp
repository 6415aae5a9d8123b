// control/errors: every portd::errc has its JSON-RPC code and reason, and that pair is a row of
// PROTOCOL.md's error table; a service error keeps its field, other order and state.
#include <portd/control/errors.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

using namespace portd;
using namespace portd::control;

namespace {

// PROTOCOL.md "Errors": code -> reason, from the table rows "| -32001 | not_found | …".
std::map<int, std::string> documented_codes() {
  const char* root = std::getenv("PORTD_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(root, "PORTD_SOURCE_DIR is not set");
  std::ifstream in(std::string(root) + "/docs/PROTOCOL.md");
  BOOST_REQUIRE(in);
  std::map<int, std::string> codes;
  const std::regex row(R"(^\|\s*(-32\d{3})\s*\|\s*([a-z_]+)\s*\|)");
  std::smatch m;
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, m, row)) codes[std::stoi(m[1])] = m[2];
  return codes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(every_errc_maps_to_a_documented_code_and_reason) {
  const auto documented = documented_codes();
  BOOST_TEST_REQUIRE(documented.size() >= 10u);
  for (int i = 1; i <= errc_count; ++i) {
    const auto e = static_cast<errc>(i);
    const auto it = documented.find(rpc_code(e));
    BOOST_TEST_REQUIRE((it != documented.end()), e << " maps to " << rpc_code(e) << ", not in PROTOCOL.md");
    BOOST_TEST(it->second == rpc_reason(e), e);
  }
  // The domain codes each have their own errc (the rest are the codec's own: parse, request).
  for (int code : {code::not_found, code::conflict, code::forbidden, code::invalid_state, code::unavailable,
                   code::invalid_params, code::internal_error, code::method_not_found}) {
    bool mapped = false;
    for (int i = 1; i <= errc_count; ++i) mapped = mapped || rpc_code(static_cast<errc>(i)) == code;
    BOOST_TEST(mapped, code);
  }
}

BOOST_AUTO_TEST_CASE(errc_is_an_error_code_of_its_own_category) {
  const boost::system::error_code ec = errc::invalid_state;
  BOOST_TEST(ec.category().name() == std::string("portd"));
  BOOST_TEST(ec.message() == "invalid_state");
  BOOST_TEST((ec == errc::invalid_state));
  BOOST_TEST((ec != errc::conflict));
}

BOOST_AUTO_TEST_CASE(a_service_error_keeps_what_the_reply_shows) {
  auto r = to_rpc_error({.code = errc::conflict,
                         .message = "client_ref \"a\" was used for order 7 with different content",
                         .field = "client_ref",
                         .order_id = 7});
  BOOST_TEST(r.code == code::conflict);
  BOOST_TEST(r.reason == "conflict");
  BOOST_TEST(r.data.at("field") == boost::json::value("client_ref"));
  BOOST_TEST(r.data.at("order_id") == boost::json::value(7));
  BOOST_TEST(!r.data.contains("state"));

  r = to_rpc_error({.code = errc::invalid_state, .message = "finished", .state = porting::order_state::completed});
  BOOST_TEST(r.code == code::invalid_state);
  BOOST_TEST(r.data.at("state") == boost::json::value("completed"));

  r = to_rpc_error({.code = errc::conflict, .message = "a backup is already running", .reason = "backup_running"});
  BOOST_TEST(r.reason == "backup_running");  // a finer reason than the code's wins
  BOOST_TEST(r.data.empty());

  r = to_rpc_error({.code = errc::not_supported, .message = "this daemon has no outbox"});
  BOOST_TEST(r.code == code::method_not_found);
  BOOST_TEST(r.reason == "method_not_found");
}

BOOST_AUTO_TEST_SUITE_END()
