// control/dispatch: the role table, and whole lines through the dispatcher to a fake backend
// (an io_context only drives the coroutines; no sockets).
#include "fake_backend.hpp"

#include <common/log_capture.hpp>

#include <portd/control/access.hpp>
#include <portd/control/dispatch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <set>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace portd;
using namespace portd::control;

namespace {

struct fixture {
  test::fake_backend backend;
  dispatcher d{backend, {}};
  caller op{1000, 1000, 1, role::operator_};
  caller reader{1001, 1001, 2, role::reader};
  caller nobody{1002, 1002, 3, role::none};

  handled run(std::string line, const caller& who) {
    asio::io_context ctx;
    std::optional<handled> out;
    asio::co_spawn(ctx, d.handle(std::move(line), who),
                   [&](std::exception_ptr e, handled h) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(h);
                   });
    ctx.run();
    BOOST_REQUIRE(out);
    return std::move(*out);
  }
  json::object call(std::string method, std::string params, const caller& who) {
    auto h = run(R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}",
                 who);
    BOOST_REQUIRE(h.reply);
    return json::parse(*h.reply).as_object();
  }
  static int code_of(const json::object& reply) {
    if (!reply.contains("error")) return 0;
    return static_cast<int>(reply.at("error").at("code").as_int64());
  }
};

const char* portin =
    R"({"number":"+18015551234","carrier":"Verizon","account_number":"11112222","account_pin":"SeCrEt99",
        "billing_address":{"street1":"1 Main St","city":"Lehi","state":"UT","zip":"84043"}})";

}  // namespace

BOOST_AUTO_TEST_SUITE(dispatch)

BOOST_AUTO_TEST_CASE(role_table) {
  std::set<std::string_view> readers{"order.get", "order.list", "order.history", "events.list",
                                     "events.watch", "group.summary", "daemon.status",
                                     "daemon.metrics", "outbox.list"};
  BOOST_TEST(method_table().size() == 20u);  // PROTOCOL.md's 16 + outbox.list/redeliver + order.close + daemon.backup
  for (auto& m : method_table()) {
    BOOST_TEST_CONTEXT(m.name) {
      BOOST_TEST((m.needed == role::reader) == (readers.count(m.name) > 0));
      BOOST_TEST(allowed(m.needed, role::operator_));
      BOOST_TEST(allowed(m.needed, role::reader) == (m.needed == role::reader));
      BOOST_TEST(!allowed(m.needed, role::none));
    }
  }
  BOOST_TEST(find_method("order.cancel")->needed == role::operator_);
  BOOST_TEST(find_method("order.close")->needed == role::operator_);
  BOOST_TEST(find_method("daemon.backup")->needed == role::operator_);  // it writes a file as portd
  BOOST_TEST(!find_method("order.delete"));
}

BOOST_AUTO_TEST_CASE(access_rules_to_roles) {
  access_rules a{{2000}, {3000}, {2001}, {3001}};
  std::vector<std::uint32_t> none{5000};
  BOOST_TEST(role_for(a, 0, none, 999) == role::operator_);       // root
  BOOST_TEST(role_for(a, 999, none, 999) == role::operator_);     // the daemon's own user
  BOOST_TEST(role_for(a, 2000, none, 999) == role::operator_);
  BOOST_TEST(role_for(a, 2001, none, 999) == role::reader);
  std::vector<std::uint32_t> op_group{5000, 3000};
  std::vector<std::uint32_t> reader_group{3001};
  BOOST_TEST(role_for(a, 4000, op_group, 999) == role::operator_);
  BOOST_TEST(role_for(a, 4000, reader_group, 999) == role::reader);
  BOOST_TEST(role_for(a, 4000, none, 999) == role::none);
}

BOOST_FIXTURE_TEST_CASE(forbidden_by_role, fixture) {
  auto r = call("order.cancel", R"({"id":1})", reader);
  BOOST_TEST(code_of(r) == code::forbidden);
  BOOST_TEST(r.at("error").at("data").at("reason") == json::value("forbidden"));
  BOOST_TEST(code_of(call("daemon.status", "{}", nobody)) == code::forbidden);
  // Role is checked before params: a nobody learns nothing about validation.
  BOOST_TEST(code_of(call("portin.submit", "{}", nobody)) == code::forbidden);
  BOOST_TEST(code_of(call("daemon.status", "{}", reader)) == 0);
  BOOST_TEST(backend.completed.empty());
}

BOOST_FIXTURE_TEST_CASE(unknown_method, fixture) {
  auto r = call("order.delete", "{}", op);
  BOOST_TEST(code_of(r) == code::method_not_found);
  BOOST_TEST(r.at("error").at("data").at("reason") == json::value("method_not_found"));
}

BOOST_FIXTURE_TEST_CASE(submit_and_get, fixture) {
  auto r = call("portin.submit", portin, op);
  BOOST_REQUIRE(code_of(r) == 0);
  auto& res = r.at("result").as_object();
  BOOST_TEST(res.at("created") == json::value(true));
  BOOST_TEST(res.at("order").at("details").at("account_number") == json::value("****2222"));
  BOOST_TEST(json::serialize(r).find("SeCrEt99") == std::string::npos);
  auto id = res.at("order").at("id").as_int64();
  auto g = call("order.get", R"({"number":"8015551234"})", reader);
  BOOST_TEST(g.at("result").at("order").at("id").as_int64() == id);
  auto c = call("portin.submit", portin, op);
  BOOST_TEST(code_of(c) == code::conflict);
  BOOST_TEST(c.at("error").at("data").at("order_id") == json::value(id));
  BOOST_TEST(code_of(call("order.get", R"({"id":99})", reader)) == code::not_found);
}

BOOST_FIXTURE_TEST_CASE(invalid_params_name_the_field, fixture) {
  auto r = call("portin.submit",
                R"({"number":"+18015551234","carrier":"V","account_number":"1","account_pin":"1234",
                    "billing_address":{"street1":"a","city":"b","state":"UT","zip":"8404"}})",
                op);
  BOOST_TEST(code_of(r) == code::invalid_params);
  BOOST_TEST(r.at("error").at("data").at("field") == json::value("billing_address.zip"));
  BOOST_TEST(backend.orders.empty());
}

BOOST_FIXTURE_TEST_CASE(lists_history_events, fixture) {
  backend.add_order("+18015551234");
  backend.add_order("+18015551235");
  auto l = call("order.list", R"({"limit":1})", reader);
  BOOST_TEST(l.at("result").at("orders").as_array().size() == 1u);
  BOOST_TEST(l.at("result").at("next_after_id") == json::value(1));
  l = call("order.list", R"({"after_id":1})", reader);
  BOOST_TEST(l.at("result").at("next_after_id").is_null());
  l = call("order.list", "{}", reader);  // a page of several orders, and an empty one
  BOOST_TEST(l.at("result").at("orders").as_array().size() == 2u);
  BOOST_TEST(l.at("result").at("orders").at(1).at("number") == json::value("+18015551235"));
  l = call("order.list", R"({"after_id":2})", reader);
  BOOST_TEST(l.at("result").at("orders").as_array().empty());
  auto h = call("order.history", R"({"id":1})", reader);
  BOOST_TEST(h.at("result").at("events").as_array().size() == 1u);
  auto n = call("order.note", R"({"id":1,"text":"called the customer"})", op);
  BOOST_TEST(n.at("result").at("event").at("type") == json::value("order.note_added"));
  BOOST_TEST(n.at("result").at("event").at("actor") == json::value("operator:uid=1000"));
  auto e = call("events.list", R"({"after":1})", reader);
  BOOST_TEST(e.at("result").at("events").as_array().size() == 2u);
  BOOST_TEST(e.at("result").at("next_after").is_null());
  auto m = call("daemon.metrics", "{}", reader);
  BOOST_TEST(m.at("result").at("text").is_string());
  auto g = call("group.summary", R"({"group":"acme"})", reader);
  BOOST_TEST(g.at("result").at("completed_at_last").is_null());
}

BOOST_FIXTURE_TEST_CASE(invalid_state_passes_through, fixture) {
  backend.add_order("+18015551234").state = porting::order_state::completed;
  auto r = call("order.cancel", R"({"id":1})", op);
  BOOST_TEST(code_of(r) == code::invalid_state);
  BOOST_TEST(r.at("error").at("data").at("state") == json::value("completed"));
}

BOOST_FIXTURE_TEST_CASE(backend_exception_is_internal_error, fixture) {
  test::log_capture log;
  backend.throw_everywhere = true;
  auto r = call("order.get", R"({"id":1})", reader);
  BOOST_TEST(code_of(r) == code::internal_error);
  // Infrastructure detail (paths, SQLite's words) stays in the log.
  BOOST_TEST(json::serialize(r).find("/var/lib") == std::string::npos);
  BOOST_TEST(log.contains("error control: order.get from uid 1001 failed: disk I/O error at /var/lib/portd/portd.db"),
             log.text());
  // A submission that fails so is logged too, without the PIN it carried.
  BOOST_TEST(code_of(call("portin.submit", portin, op)) == code::internal_error);
  BOOST_TEST(log.count("control: portin.submit from uid 1000 failed") == 1u, log.text());
  BOOST_TEST(!log.contains("SeCrEt99"), log.text());
}

BOOST_FIXTURE_TEST_CASE(notifications_get_no_reply, fixture) {
  backend.add_order("+18015551234");
  auto h = run(R"({"jsonrpc":"2.0","method":"order.note","params":{"id":1,"text":"x"}})", op);
  BOOST_TEST(!h.reply);
  BOOST_TEST(backend.events.size() == 2u);  // executed all the same
  BOOST_TEST(!run(R"({"jsonrpc":"2.0","method":"no.such"})", op).reply);
  // A malformed line has no usable id: it is answered with id null.
  auto bad = run("not json", op);
  BOOST_REQUIRE(bad.reply);
  BOOST_TEST(json::parse(*bad.reply).at("id").is_null());
}

BOOST_FIXTURE_TEST_CASE(watch_is_left_to_the_server, fixture) {
  auto h = run(R"({"jsonrpc":"2.0","id":5,"method":"events.watch","params":{"after":3}})", reader);
  BOOST_TEST(!h.reply);
  BOOST_REQUIRE(h.watch);
  BOOST_TEST(*h.watch->after == 3);
  auto f = run(R"({"jsonrpc":"2.0","id":5,"method":"events.watch","params":{"after":"x"}})", reader);
  BOOST_REQUIRE(f.reply);
  BOOST_TEST(json::parse(*f.reply).at("error").at("data").at("field") == json::value("after"));
  BOOST_TEST(code_of(json::parse(*run(R"({"jsonrpc":"2.0","id":5,"method":"events.watch"})", nobody)
                                      .reply)
                         .as_object()) == code::forbidden);
}

// One check for every method, events.watch included: the groups that would grant the role are
// named, whether the request runs here or is streamed by the server.
BOOST_AUTO_TEST_CASE(a_refusal_names_the_groups_that_grant_the_role) {
  test::fake_backend backend;
  access_rules rules;
  rules.operator_groups = {"portd-operators"};
  rules.reader_groups = {"portd-readers"};
  dispatcher d{backend, {}, &rules};
  const caller reader{1001, 1001, 2, role::reader}, nobody{1002, 1002, 3, role::none};
  const auto cancel = parse_request(R"({"jsonrpc":"2.0","id":1,"method":"order.cancel","params":{"id":1}})");
  auto r = d.admit(std::get<request>(cancel), reader);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().code == code::forbidden);
  BOOST_TEST(json::serialize(r.error().data.at("groups")) == R"(["portd-operators"])");
  const auto watch = parse_request(R"({"jsonrpc":"2.0","id":2,"method":"events.watch","params":{"after":1}})");
  r = d.admit(std::get<request>(watch), nobody);
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(json::serialize(r.error().data.at("groups")) == R"(["portd-readers","portd-operators"])");
  r = d.admit(std::get<request>(watch), reader);
  BOOST_REQUIRE(r.ok());
  BOOST_REQUIRE(r.value().watch);
  BOOST_TEST(*r.value().watch->after == 1);
}

BOOST_AUTO_TEST_SUITE_END()
