// Token answers in either casing, their expiry, and when to refresh.
#include <portd/telegent/token.hpp>
#include <portd/telegent/response.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::telegent;
using portd::porting::call_kind;
using portd::porting::call_outcome;
using portd::porting::time_point;
using namespace std::chrono_literals;

namespace {
// 05/02/2026 06:26:13 PM UTC: ten minutes before the sample expiry.
const time_point now = time_point{std::chrono::sys_days{std::chrono::year{2026} / 5 / 2}.time_since_epoch()} +
                       18h + 26min + 13s;

std::variant<access_token, portd::porting::api_result> read(int status, std::string body) {
  return read_token_answer(call_kind::submit_port_in, http_answer{status, std::move(body), {}}, now);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(token_handling)

BOOST_AUTO_TEST_CASE(token_keys_in_either_casing) {
  for (const char* body :
       {R"({"token":"eyJ.a","successful":true,"tokenExpiry":"05/02/2026 06:36:13 PM"})",
        R"({"Token":"eyJ.a","Successful":true,"TokenExpiry":"05/02/2026 06:36:13 PM"})"}) {
    BOOST_TEST_CONTEXT(body) {
      auto v = read(200, body);
      BOOST_REQUIRE(std::holds_alternative<access_token>(v));
      const auto& t = std::get<access_token>(v);
      BOOST_TEST(t.value == "eyJ.a");
      BOOST_TEST((t.expires_at == now + 10min));
      BOOST_TEST((t.issued_at == now));
    }
  }
}

BOOST_AUTO_TEST_CASE(refused_or_unusable_token_answers) {
  auto v = read(200, R"({"successful":false,"message":"Invalid account credentials"})");
  BOOST_REQUIRE(std::holds_alternative<portd::porting::api_result>(v));
  auto r = std::get<portd::porting::api_result>(v);
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "unauthorized");
  BOOST_TEST(r.message.find("Invalid account credentials") != std::string::npos);
  BOOST_TEST((r.call == call_kind::submit_port_in));

  r = std::get<portd::porting::api_result>(
      read(401, R"({"Errors":{"Auth":["Invalid account credentials provided"]}})"));
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "unauthorized");

  r = std::get<portd::porting::api_result>(read(200, R"({"successful":true})"));
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "bad_response");

  r = std::get<portd::porting::api_result>(read(503, ""));
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(!r.maybe_processed);  // the call that needed the token never left
}

BOOST_AUTO_TEST_CASE(unreadable_expiry_falls_back_to_a_short_lifetime) {
  auto v = read(200, R"({"token":"t","tokenExpiry":"whenever"})");
  BOOST_REQUIRE(std::holds_alternative<access_token>(v));
  BOOST_TEST((std::get<access_token>(v).expires_at == now + fallback_token_lifetime));
}

BOOST_AUTO_TEST_CASE(refresh_when_less_than_a_minute_or_a_tenth_is_left) {
  // 60-minute token: 10% = 6 min is the larger margin.
  access_token hour{"t", now, now + 60min};
  BOOST_TEST(!needs_refresh(hour, now));
  BOOST_TEST(!needs_refresh(hour, now + 53min));
  BOOST_TEST(!needs_refresh(hour, now + 54min));
  BOOST_TEST(needs_refresh(hour, now + 54min + 1ms));
  BOOST_TEST(!expired(hour, now + 59min));
  BOOST_TEST(expired(hour, now + 60min));
  // 5-minute token: 60 s is the larger margin.
  access_token five{"t", now, now + 5min};
  BOOST_TEST(!needs_refresh(five, now + 4min));
  BOOST_TEST(needs_refresh(five, now + 4min + 1ms));
  // Already past.
  BOOST_TEST(needs_refresh(five, now + 10min));
}

BOOST_AUTO_TEST_SUITE_END()
