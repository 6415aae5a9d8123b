// wire/jsonrpc: every way a line can fail to be a request, error objects, result and
// notification lines.
#include <portd/wire/jsonrpc.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace portd;
using namespace portd::wire;

namespace {

bad_request bad(std::string_view line) {
  auto r = parse_request(line);
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<bad_request>(r), "accepted: " << line);
  return std::get<bad_request>(r);
}
request good(std::string_view line) {
  auto r = parse_request(line);
  BOOST_REQUIRE_MESSAGE(std::holds_alternative<request>(r), "refused: " << line);
  return std::get<request>(r);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(jsonrpc)

BOOST_AUTO_TEST_CASE(parse_errors) {
  auto e = bad("{not json");
  BOOST_TEST(e.error.code == code::parse_error);
  BOOST_TEST(e.error.reason == "parse_error");
  BOOST_TEST(e.id.is_null());
  BOOST_TEST(bad("").error.code == code::parse_error);
  BOOST_TEST(bad("{\"jsonrpc\":\"2.0\"} trailing").error.code == code::parse_error);
  BOOST_TEST(bad("\xff\xfe").error.code == code::parse_error);
}

BOOST_AUTO_TEST_CASE(invalid_requests) {
  for (std::string_view line :
       {R"(42)", R"("x")", R"(null)", R"([{"jsonrpc":"2.0","id":1,"method":"order.get"}])",
        R"([])", R"({"id":1,"method":"order.get"})", R"({"jsonrpc":"1.0","id":1,"method":"m"})",
        R"({"jsonrpc":2.0,"id":1,"method":"m"})", R"({"jsonrpc":"2.0","id":{},"method":"m"})",
        R"({"jsonrpc":"2.0","id":[1],"method":"m"})", R"({"jsonrpc":"2.0","id":true,"method":"m"})",
        R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","id":1,"method":""})",
        R"({"jsonrpc":"2.0","id":1,"method":7})",
        R"({"jsonrpc":"2.0","id":1,"method":"m","extra":1})"}) {
    BOOST_TEST_CONTEXT(line) {
      auto e = bad(line);
      BOOST_TEST(e.error.code == code::invalid_request);
      BOOST_TEST(e.error.reason == "invalid_request");
      BOOST_TEST(!e.notification);
    }
  }
  // The id is echoed when it was readable.
  BOOST_TEST(bad(R"({"jsonrpc":"1.0","id":"a","method":"m"})").id == json::value("a"));
}

// Issue 16: 1e400 parses as infinity; echoing it would write `Infinity`, which is not JSON.
BOOST_AUTO_TEST_CASE(a_non_finite_id_is_refused_and_not_echoed) {
  for (std::string_view line : {R"({"jsonrpc":"2.0","id":1e400,"method":"daemon.status"})",
                                R"({"jsonrpc":"2.0","id":-1e400,"method":"daemon.status"})"}) {
    BOOST_TEST_CONTEXT(line) {
      auto e = bad(line);
      BOOST_TEST(e.error.code == code::invalid_request);
      BOOST_TEST(e.id.is_null());
      const std::string reply = render_error(e.id, e.error);
      BOOST_TEST(reply.find("Infinity") == std::string::npos, reply);
      BOOST_TEST(reply.find(R"("id":null)") != std::string::npos, reply);
    }
  }
  BOOST_TEST(good(R"({"jsonrpc":"2.0","id":1.5e300,"method":"daemon.status"})").id == json::value(1.5e300));
}

BOOST_AUTO_TEST_CASE(params_must_be_an_object) {
  auto e = bad(R"({"jsonrpc":"2.0","id":3,"method":"order.get","params":[1]})");
  BOOST_TEST(e.error.code == code::invalid_params);
  BOOST_TEST(e.error.data.at("field") == json::value("params"));
  BOOST_TEST(e.id == json::value(3));
}

BOOST_AUTO_TEST_CASE(requests_and_notifications) {
  auto r = good(R"({"jsonrpc":"2.0","id":"x-1","method":"order.get","params":{"id":4}})");
  BOOST_TEST(r.method == "order.get");
  BOOST_TEST(!r.notification);
  BOOST_TEST(r.id == json::value("x-1"));
  BOOST_TEST(r.params.at("id") == json::value(4));
  auto n = good(R"({"jsonrpc":"2.0","method":"order.note","params":{"id":1,"text":"hi"}})");
  BOOST_TEST(n.notification);
  auto np = good(R"({"jsonrpc":"2.0","id":null,"method":"daemon.status"})");
  BOOST_TEST(!np.notification);
  BOOST_TEST(np.params.empty());
  BOOST_TEST(good("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}\r").method == "m");
}

BOOST_AUTO_TEST_CASE(error_object_shape) {
  rpc_error e = invalid_params("billing_address.zip", "billing_address.zip must be a ZIP code");
  auto line = render_error(json::value(7), e);
  BOOST_TEST(line.back() == '\n');
  auto v = json::parse(line).as_object();
  BOOST_TEST(v.at("jsonrpc") == json::value("2.0"));
  BOOST_TEST(v.at("id") == json::value(7));
  auto& err = v.at("error").as_object();
  BOOST_TEST(err.at("code") == json::value(-32602));
  BOOST_TEST(err.at("message").is_string());
  BOOST_TEST(err.at("data").at("reason") == json::value("invalid_params"));
  BOOST_TEST(err.at("data").at("field") == json::value("billing_address.zip"));
}

BOOST_AUTO_TEST_CASE(a_submission_reply_is_one_json_rpc_line_with_the_order) {
  const auto line = render_result_text(json::value("req-1"), R"({"order":{"id":1},"created":true})");
  BOOST_TEST(line.back() == '\n');
  BOOST_TEST(line.find('\n') == line.size() - 1);
  const auto v = json::parse(line);
  BOOST_TEST(v.at("jsonrpc") == json::value("2.0"));
  BOOST_TEST(v.at("id") == json::value("req-1"));
  BOOST_TEST(v.at("result").at("order").at("id") == json::value(1));
  BOOST_TEST(line == render_result(json::value("req-1"), json::parse(R"({"order":{"id":1},"created":true})")));
  // Every kind of id a request may carry comes back as render_result writes it.
  for (const char* id : {"7", "-9223372036854775808", "18446744073709551615", "1.5", "null", R"("a\"b")"}) {
    const json::value parsed = json::parse(id);
    BOOST_TEST(render_result_text(parsed, "{}") == render_result(parsed, json::object{}), id);
  }
}

BOOST_AUTO_TEST_CASE(an_event_notification_carries_the_event) {
  porting::stored_event e;
  e.id = 2;
  e.order_id = 1;
  e.seq = 2;
  e.record.type = porting::event_type::state_changed;
  auto n = json::parse(render_event_notification(e)).as_object();
  BOOST_TEST(n.at("method") == json::value("event"));
  BOOST_TEST(!n.contains("id"));
  BOOST_TEST(n.at("params").at("id") == json::value(2));
}

BOOST_AUTO_TEST_SUITE_END()
