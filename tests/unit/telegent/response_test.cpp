// Telegent answers of every variant (telegent-api.md §8–9) classified into api_results.
#include <portd/telegent/response.hpp>
#include <portd/telegent/tolerant_json.hpp>

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

using namespace portd::telegent;
using portd::porting::call_kind;
using portd::porting::call_outcome;
using portd::porting::time_point;
using namespace std::chrono_literals;

namespace {
const time_point now{std::chrono::sys_days{std::chrono::year{2026} / 11 / 26}.time_since_epoch()};

portd::porting::api_result answer(call_kind k, int status, std::string body, std::string retry = {}) {
  return classify_answer(k, http_answer{status, std::move(body), std::move(retry)}, now);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(response_mapping)

BOOST_AUTO_TEST_CASE(eligibility_answers) {
  auto r = answer(call_kind::eligibility, 200,
                  R"({"PhoneNumber":"+13136398786","Eligible":true,"CurrentCarrier":"Verizon",)"
                  R"("NumberType":"mobile","Message":"Number is eligible for port-in"})");
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.eligible.value_or(false));
  BOOST_TEST(r.status_message == "Number is eligible for port-in");
  BOOST_TEST(r.raw.find("Verizon") != std::string::npos);

  r = answer(call_kind::eligibility, 200, R"({"phoneNumber":13136398786,"eligible":false})");
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(!r.eligible.value_or(true));

  r = answer(call_kind::eligibility, 200, R"({"eligible":"False"})");
  BOOST_TEST(!r.eligible.value_or(true));

  r = answer(call_kind::eligibility, 200, R"({"PhoneNumber":"+13136398786"})");
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "bad_response");
}

BOOST_AUTO_TEST_CASE(submit_answers_in_both_casings) {
  for (const char* body :
       {R"({"OrderId":"JNUOID-6c05aB","OrderDate":"2025-05-14T18:00:00.0000000+00:00","Status":"Pending","PhoneNumber":"+15555551234","ICCID":"8901"})",
        R"({"orderId":"JNUOID-6c05aB","orderDate":"2025-05-14T18:00:00Z","status":"Pending","phoneNumber":"15555551234","iccid":"8901"})"}) {
    BOOST_TEST_CONTEXT(body) {
      auto r = answer(call_kind::submit_port_in, 200, body);
      BOOST_TEST(r.outcome == call_outcome::ok);
      BOOST_TEST(r.remote_order_id == "JNUOID-6c05aB");  // case kept
      BOOST_TEST(r.remote_status == "Pending");
      BOOST_TEST(r.raw == body);
      auto f = parse_fields(body);
      BOOST_REQUIRE(f.has_value());
      BOOST_TEST(f->phone_number == "+15555551234");
      BOOST_TEST(f->iccid == "8901");
    }
  }
}

BOOST_AUTO_TEST_CASE(a_submit_200_without_order_id_may_have_created_an_order) {
  auto r = answer(call_kind::submit_port_in, 200, R"({"Status":"Pending"})");
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "bad_response");
  BOOST_TEST(r.maybe_processed);
  r = answer(call_kind::submit_port_out, 200, R"({"OrderId":"JNUOID-trunc)");
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.maybe_processed);
  r = answer(call_kind::submit_port_in, 200, "");
  BOOST_TEST(r.outcome == call_outcome::transient);
}

BOOST_AUTO_TEST_CASE(port_out_update_and_cancel_answers) {
  auto r = answer(call_kind::submit_port_out, 200,
                  R"({"OrderId":"JNOID-77","OrderDate":"5/2/2026","Status":"Pending","PhoneNumber":17746996223})");
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.remote_order_id == "JNOID-77");
  BOOST_TEST(parse_fields(r.raw)->phone_number == "+17746996223");

  r = answer(call_kind::update, 200,
             R"({"OrderId":"JNUOID-1","Status":"Updated","Message":"Port-in order updated successfully"})");
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.remote_status == "Updated");
  BOOST_TEST(r.status_message == "Port-in order updated successfully");

  r = answer(call_kind::cancel, 200, R"({"orderId":"JNUOID-1","status":"Cancelled"})");
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.remote_status == "Cancelled");
}

BOOST_AUTO_TEST_CASE(order_status_answers) {
  auto r = answer(call_kind::status, 200,
                  R"({"OrderDate":"2025-12-08T00:12:08.89","OrderId":"JNUOID-x","OrderStatus":"Completed",)"
                  R"("OrderType":"portin","PhoneNumbersOrdered":[{"Number":"+15555551234"}]})");
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.remote_status == "Completed");
  BOOST_TEST(r.remote_order_id == "JNUOID-x");
  BOOST_TEST(parse_fields(r.raw)->phone_number == "+15555551234");
  BOOST_TEST(parse_fields(r.raw)->order_type == "portin");

  r = answer(call_kind::status, 200,
             R"({"orderStatus":"Rejected","orderStatusMessage":"1P-Other: name mismatch","portInDate":"05/02/2026"})");
  BOOST_TEST(r.remote_status == "Rejected");
  BOOST_TEST(r.status_message == "1P-Other: name mismatch");
  BOOST_TEST(r.port_date == "2026-05-02");

  r = answer(call_kind::status, 200, R"({"Status":"InProgress","PhoneNumbersOrdered":[{"number":15555551234}]})");
  BOOST_TEST(r.remote_status == "InProgress");
  BOOST_TEST(parse_fields(r.raw)->phone_number == "+15555551234");

  r = answer(call_kind::status, 200, R"({"OrderId":"JNUOID-x"})");
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "bad_response");
}

BOOST_AUTO_TEST_CASE(numbers_as_e164_digits_or_json_numbers) {
  using json_access::to_e164;
  BOOST_TEST(to_e164(boost::json::value("+15555551234")).value_or("") == "+15555551234");
  BOOST_TEST(to_e164(boost::json::value("15555551234")).value_or("") == "+15555551234");
  BOOST_TEST(to_e164(boost::json::value("5555551234")).value_or("") == "+15555551234");
  BOOST_TEST(to_e164(boost::json::value(15555551234LL)).value_or("") == "+15555551234");
  BOOST_TEST(to_e164(boost::json::value(15555551234.0)).value_or("") == "+15555551234");
  BOOST_TEST(to_e164(boost::json::value("+1 (555) 555-1234")).value_or("") == "+15555551234");
  BOOST_TEST(!to_e164(boost::json::value("call me")).has_value());
  BOOST_TEST(!to_e164(boost::json::value(true)).has_value());
}

BOOST_AUTO_TEST_CASE(refusals_and_their_reasons) {
  const std::pair<int, const char*> table[] = {{400, "bad_request"},      {403, "forbidden"},
                                               {404, "not_found"},        {405, "method_not_allowed"},
                                               {409, "duplicate_order"},  {422, "business_rule"}};
  for (const auto& [status, reason] : table) {
    BOOST_TEST_CONTEXT(status) {
      auto r = answer(call_kind::submit_port_in, status, "{}");
      BOOST_TEST(r.outcome == call_outcome::refused);
      BOOST_TEST(r.reason == reason);
      BOOST_TEST(r.http_status == status);
      BOOST_TEST(!r.maybe_processed);
    }
  }
}

// A 409 is Telegent's duplicate guard only on a submission; a cancel it refuses (the order is
// final) is named for that, and an update in conflict with the order's state likewise.
BOOST_AUTO_TEST_CASE(a_409_is_named_for_the_call_it_answers) {
  BOOST_TEST(answer(call_kind::submit_port_out, 409, "{}").reason == "duplicate_order");
  const auto cancel = answer(call_kind::cancel, 409, R"({"title":"Order is final"})");
  BOOST_TEST(cancel.outcome == call_outcome::refused);
  BOOST_TEST(cancel.reason == "cancel_refused");
  BOOST_TEST(answer(call_kind::update, 409, "{}").reason == "conflict");
}

BOOST_AUTO_TEST_CASE(transient_statuses_and_maybe_processed) {
  for (int status : {408, 500, 502, 503, 504}) {
    BOOST_TEST_CONTEXT(status) {
      auto r = answer(call_kind::submit_port_in, status, "");
      BOOST_TEST(r.outcome == call_outcome::transient);
      BOOST_TEST(r.maybe_processed);
    }
  }
  auto r = answer(call_kind::submit_port_in, 429, "");
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "rate_limited");
  BOOST_TEST(!r.maybe_processed);
  BOOST_TEST(!r.retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(problem_details_in_both_casings_name_the_field) {
  const char* pascal =
      R"({"Type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","Title":"One or more validation errors occurred.",)"
      R"("Status":400,"Errors":{"$.PortInDate":["The PortInDate field is invalid."]},"TraceId":"00-abc"})";
  const char* camel =
      R"({"type":"x","title":"One or more validation errors occurred.","status":400,)"
      R"("errors":{"$.PortInDate":["The PortInDate field is invalid."]},"traceId":"00-abc"})";
  for (const char* body : {pascal, camel}) {
    BOOST_TEST_CONTEXT(body) {
      const auto p = parse_problem(body);
      BOOST_TEST(p.names_field("$.PortInDate"));
      BOOST_TEST(p.names_field("portindate"));
      BOOST_TEST(!p.names_field("$.ICCID"));
      BOOST_TEST(p.trace_id == "00-abc");
      auto r = answer(call_kind::submit_port_in, 400, body);
      BOOST_TEST(r.message.find("One or more validation errors occurred.") != std::string::npos);
      BOOST_TEST(r.message.find("$.PortInDate: The PortInDate field is invalid.") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(carrier_codes_and_plain_text_reach_the_message) {
  auto r = answer(call_kind::update, 404,
                  R"({"title":"Not Found","detail":"No Port-In request found","code":"GENS-0041"})");
  BOOST_TEST(r.reason == "not_found");
  BOOST_TEST(r.message.find("GENS-0041") != std::string::npos);
  BOOST_TEST(r.message.find("No Port-In request found") != std::string::npos);

  r = answer(call_kind::update, 422, R"({"Errors":{"1P-Other":["Name does not match the account"]}})");
  BOOST_TEST(r.message.find("1P-Other: Name does not match the account") != std::string::npos);

  r = answer(call_kind::update, 422, "6B - transfer PIN invalid");
  BOOST_TEST(r.reason == "business_rule");
  BOOST_TEST(r.message.find("6B - transfer PIN invalid") != std::string::npos);

  r = answer(call_kind::cancel, 404, R"("GENS-0041 No Port-In request found")");
  BOOST_TEST(r.message.find("GENS-0041 No Port-In request found") != std::string::npos);
  // GENS-0041 means "no such order" whatever the HTTP status: one reason, as for a 404.
  r = answer(call_kind::cancel, 400, R"({"Code": "GENS-0041", "Message": "No Port-In request found"})");
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "not_found");

  r = answer(call_kind::submit_port_in, 401,
             R"({"Errors":{"Auth":["Invalid account credentials provided"]}})");
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "unauthorized");
  BOOST_TEST(r.message.find("Invalid account credentials provided") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(retry_after_header_seconds_http_date_or_body) {
  auto r = answer(call_kind::status, 429, "", "120");
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{120s}));

  r = answer(call_kind::status, 429, "", "Thu, 26 Nov 2026 00:01:30 GMT");
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{90s}));

  r = answer(call_kind::status, 429, "", "Wed, 25 Nov 2026 00:00:00 GMT");  // already past
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{0}));

  r = answer(call_kind::status, 429, R"({"RetryAfter":"60"})");
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{60s}));

  r = answer(call_kind::status, 429, R"({"retryAfter":7})");
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{7s}));

  r = answer(call_kind::status, 429, R"({"RetryAfter":"60"})", "5");  // the header wins
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{5s}));

  r = answer(call_kind::status, 429, R"({"title":"Too Many Requests"})", "soon");
  BOOST_TEST(!r.retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(backoff_without_a_stated_wait) {
  BOOST_TEST((rate_limit_backoff(1) == std::chrono::milliseconds{1s}));
  BOOST_TEST((rate_limit_backoff(2) == std::chrono::milliseconds{2s}));
  BOOST_TEST((rate_limit_backoff(5) == std::chrono::milliseconds{16s}));
  BOOST_TEST((rate_limit_backoff(6) == std::chrono::milliseconds{30s}));
  BOOST_TEST((rate_limit_backoff(60) == std::chrono::milliseconds{30s}));
}

BOOST_AUTO_TEST_CASE(consecutive_429s_back_off_until_another_answer) {
  rate_limit_tracker t;
  const http_answer bare{429, "", ""};
  BOOST_TEST((t.on_answer(bare, now) == std::chrono::milliseconds{1s}));
  BOOST_TEST((t.on_answer(bare, now) == std::chrono::milliseconds{2s}));
  BOOST_TEST((t.on_answer(http_answer{429, "", "10"}, now) == std::chrono::milliseconds{10s}));
  BOOST_TEST((t.on_answer(bare, now) == std::chrono::milliseconds{8s}));  // the fourth in a row
  BOOST_TEST(t.consecutive() == 4);
  BOOST_TEST(!t.on_answer(http_answer{200, "{}", ""}, now).has_value());
  BOOST_TEST(t.consecutive() == 0);
  BOOST_TEST((t.on_answer(bare, now) == std::chrono::milliseconds{1s}));
  BOOST_TEST(!t.on_answer(http_answer{503, "", "120"}, now).has_value());  // only 429 pauses
}

BOOST_AUTO_TEST_CASE(transport_failures_say_whether_the_request_left) {
  auto r = classify_failure(call_kind::submit_port_in,
                            {failure_phase::connect, boost::asio::error::connection_refused, false});
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(!r.maybe_processed);
  BOOST_TEST(r.reason == "connect_failed");
  BOOST_TEST(r.http_status == 0);

  r = classify_failure(call_kind::submit_port_in,
                       {failure_phase::read, boost::asio::error::connection_reset, true});
  BOOST_TEST(r.maybe_processed);
  BOOST_TEST(r.reason == "connection_reset");

  transport_failure timeout{failure_phase::read, {}, true, true};
  r = classify_failure(call_kind::submit_port_in, timeout);
  BOOST_TEST(r.reason == "timeout");
  BOOST_TEST(r.maybe_processed);

  transport_failure tls{failure_phase::tls, boost::asio::error::connection_reset, false};
  BOOST_TEST(!classify_failure(call_kind::status, tls).maybe_processed);
}

BOOST_AUTO_TEST_CASE(echoed_secrets_are_scrubbed) {
  auto r = answer(call_kind::submit_port_in, 400,
                  R"({"Errors":{"$.CurrentAccountPassword":["'s3cr\"et' is not a valid PIN"]}})");
  redact(r, {"s3cr\"et"});
  BOOST_TEST(r.message.find("s3cr") == std::string::npos);
  BOOST_TEST(r.raw.find("s3cr") == std::string::npos);
  BOOST_TEST(r.message.find("***") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
