// End-to-end tests: the real telegent-sim binary (TELEGENT_SIM_BIN) on port 0, driven over
// HTTP as a user would: a port-in to Completed, a 429 with Retry-After, TLS, signals, config.
#include <common/process.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;
using portd::test::process;
using portd::test::temp_dir;

namespace {

struct reply {
  unsigned status = 0;
  std::string body;
  std::string retry_after;
  json::object json() const { return json::parse(body).as_object(); }
};

// A blocking HTTP/1.1 client on one keep-alive connection to "http://127.0.0.1:PORT".
class client {
 public:
  explicit client(const std::string& url) : socket_(ioc_) {
    const auto colon = url.rfind(':');
    const auto port = static_cast<unsigned short>(std::stoi(url.substr(colon + 1)));
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};  // a hung sim fails the test instead of blocking it
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  reply request(http::verb method, const std::string& target, const std::string& body = {}, const std::string& token = {}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return {res.result_int(), res.body(), std::string(res[http::field::retry_after])};
  }

  std::string token(const std::string& path) {
    const auto r = request(http::verb::post, "/v1.0/oauth2/tokens",
                           R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"https://api.telegent.com)" +
                               path + R"("})");
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    return std::string(r.json().at("token").as_string());
  }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::string sim_bin() {
  const char* p = std::getenv("TELEGENT_SIM_BIN");
  BOOST_REQUIRE_MESSAGE(p != nullptr, "TELEGENT_SIM_BIN is not set (run through ctest)");
  return p;
}

// Starts the binary with `args` and returns the URL from its first stdout line.
std::string start(process& p) {
  const auto line = p.read_line(20s);
  BOOST_REQUIRE_MESSAGE(line.has_value(), "telegent-sim printed no address line");
  const std::string prefix = "listening on ";
  BOOST_REQUIRE(line->starts_with(prefix));
  return line->substr(prefix.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sim_binary)

BOOST_AUTO_TEST_CASE(port_in_through_eligibility_submit_and_polling_to_completed) {
  temp_dir dir;
  portd::test::write_file(dir.file("sim.toml"), "requests_per_minute = 600\nburst = 50\n");
  process sim({sim_bin(), "--listen", "127.0.0.1:0", "--seed", "11", "--time-scale", "3600", "--config",
               dir.file("sim.toml")},
              {}, dir.file("sim.log"));
  const std::string url = start(sim);
  BOOST_TEST(url.starts_with("http://127.0.0.1:"));
  client c(url);

  const auto el = c.request(http::verb::post, "/v1.0/numbers/portin/eligibility",
                            R"({"PhoneNumber":"+13136398781","TargetClassification":"mvno"})",
                            c.token("/v1.0/numbers/portin/eligibility"));
  BOOST_REQUIRE_EQUAL(el.status, 200u);
  BOOST_TEST(el.json().at("Eligible").as_bool());

  const auto sub = c.request(
      http::verb::post, "/v1.0/numbers/portin",
      R"({"PortInNumber":"+13136398781","CurrentCarrierName":"Verizon","CurrentAccountNumber":"42","CurrentAccountPassword":"1234",)"
      R"("CurrentBillingAddress":{"Street1":"1 Main St","City":"Detroit","State":"MI","Zip":"48201"},"TargetPortinClassification":"mvno"})",
      c.token("/v1.0/numbers/portin"));
  BOOST_REQUIRE_EQUAL(sub.status, 200u);
  const std::string id(sub.json().at("OrderId").as_string());
  BOOST_TEST(sub.json().at("Status").as_string() == "Pending");

  // Poll; between polls, move the sim clock half a day (no sleeping).
  const auto order_token = c.token("/v1.0/numbers/order");
  std::vector<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const auto o = c.request(http::verb::get, "/v1.0/numbers/order?OrderId=" + id, "", order_token);
    BOOST_REQUIRE_EQUAL(o.status, 200u);
    const std::string status(o.json().at("OrderStatus").as_string());
    if (seen.empty() || seen.back() != status) seen.push_back(status);
    if (status == "Completed") break;
    BOOST_REQUIRE_EQUAL(c.request(http::verb::post, "/_sim/time", R"({"advance_seconds":43200})").status, 200u);
  }
  BOOST_REQUIRE(!seen.empty());
  BOOST_TEST(seen.front() == "Pending");
  BOOST_TEST(seen.back() == "Completed");

  const auto stats = c.request(http::verb::get, "/_sim/stats").json();
  BOOST_TEST(stats.at("orders_created_per_number").at("+13136398781").as_int64() == 1);
  BOOST_TEST(stats.at("violations").as_int64() == 0);
  BOOST_TEST(stats.at("detection_latency_ms").at("count").as_int64() >= 1);

  sim.signal(SIGTERM);
  BOOST_TEST(sim.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(exceeding_the_limit_gets_429_with_retry_after) {
  temp_dir dir;
  // Default limits (50/min, burst 10); no grace, so that the immediate retry below counts.
  portd::test::write_file(dir.file("sim.toml"), "violation_grace_ms = 0\n");
  process sim({sim_bin(), "--listen", "127.0.0.1:0", "--seed", "12", "--config", dir.file("sim.toml")}, {},
              dir.file("sim.log"));
  client c(start(sim));
  const auto tok = c.token("/v1.0/numbers/order");
  reply r;
  int sent = 1;
  while (r.status != 429 && sent < 20) {
    r = c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-00000000000000000000000000000000", "", tok);
    ++sent;
  }
  BOOST_TEST(r.status == 429u);
  BOOST_TEST(sent == 11);  // the default burst is 10, token calls included
  BOOST_TEST(!r.retry_after.empty());
  BOOST_TEST(std::atoi(r.retry_after.c_str()) >= 1);
  // Not waiting as told is a violation, and still a 429.
  const auto again = c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok);
  BOOST_TEST(again.status == 429u);
  const auto stats = c.request(http::verb::get, "/_sim/stats").json();
  BOOST_TEST(stats.at("violations").as_int64() == 1);
  BOOST_TEST(stats.at("rate_limited").as_int64() == 2);
  sim.signal(SIGINT);
  BOOST_TEST(sim.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(tls_address_line_and_clean_exit) {
  temp_dir dir;
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                          "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
                          dir.file("key.pem") + " -out " + dir.file("cert.pem") + " >/dev/null 2>&1";
  BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
  process sim({sim_bin(), "--listen", "127.0.0.1:0", "--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem")},
              {}, dir.file("sim.log"));
  BOOST_TEST(start(sim).starts_with("https://127.0.0.1:"));
  sim.signal(SIGTERM);
  BOOST_TEST(sim.wait(10s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_config_is_refused_with_a_message) {
  temp_dir dir;
  portd::test::write_file(dir.file("bad.toml"), "requests_per_minut = 5\n");
  process sim({sim_bin(), "--listen", "127.0.0.1:0", "--config", dir.file("bad.toml")}, {}, dir.file("sim.log"));
  BOOST_TEST(!sim.read_line(10s).has_value());
  BOOST_TEST(sim.wait(10s).value_or(0) != 0);
  BOOST_TEST(portd::test::read_file(dir.file("sim.log")).find("requests_per_minut") != std::string::npos);
}

// What the freshness benchmark relies on: two simulators with one seed and spread dwell times
// play every number the same way, whatever order the numbers were submitted in, and a carrier's
// own profile applies to its port-ins.
BOOST_AUTO_TEST_CASE(one_seed_plays_spread_dwell_times_alike_on_two_simulators) {
  temp_dir dir;
  portd::test::write_file(dir.file("sim.toml"),
                          "seed = 5\ntime_scale = 0.001\nrequests_per_minute = 0\n"
                          "[delays]\nsubmitted = 600\ndistribution = \"lognormal\"\nspread = 0.5\n"
                          "[carriers.\"AT&T\"]\nsubmitted = 60\nspread = 0\n");
  std::vector<std::string> numbers;
  for (int i = 0; i < 20; ++i) numbers.push_back("+1313639" + std::to_string(1000 + i * 10));  // last digit 0
  auto carrier_of = [&](std::size_t i) { return i % 4 == 0 ? std::string("AT&T") : std::string("Verizon"); };

  process a({sim_bin(), "--listen", "127.0.0.1:0", "--config", dir.file("sim.toml")}, {}, dir.file("a.log"));
  process b({sim_bin(), "--listen", "127.0.0.1:0", "--config", dir.file("sim.toml")}, {}, dir.file("b.log"));
  client ca(start(a)), cb(start(b));
  auto submit = [&](client& c, std::size_t i, const std::string& token) {
    const auto r = c.request(http::verb::post, "/v1.0/numbers/portin",
                             R"({"PortInNumber":")" + numbers[i] + R"(","CurrentCarrierName":")" + carrier_of(i) +
                                 R"(","CurrentAccountNumber":"42","CurrentAccountPassword":"1234",)"
                                 R"("CurrentBillingAddress":{"Street1":"1 Main St","City":"Detroit","State":"MI","Zip":"48201"}})",
                             token);
    BOOST_REQUIRE_EQUAL(r.status, 200u);
  };
  const std::string ta = ca.token("/v1.0/numbers/portin"), tb = cb.token("/v1.0/numbers/portin");
  for (std::size_t i = 0; i < numbers.size(); ++i) submit(ca, i, ta);
  for (std::size_t i = numbers.size(); i-- > 0;) submit(cb, i, tb);  // the other way round

  auto statuses = [](client& c) {
    std::map<std::string, std::string> out;
    const json::object list = c.request(http::verb::get, "/_sim/orders").json();
    for (const auto& o : list.at("orders").as_array())
      out[std::string(o.at("number").as_string())] = std::string(o.at("status").as_string());
    return out;
  };
  std::set<std::size_t> pending_counts;
  for (int minute = 1; minute <= 40; ++minute) {
    for (client* c : {&ca, &cb})
      BOOST_REQUIRE_EQUAL(c->request(http::verb::post, "/_sim/time", R"({"advance_seconds":60})").status, 200u);
    const auto sa = statuses(ca), sb = statuses(cb);
    BOOST_TEST_REQUIRE((sa == sb), "the simulators differ after " << minute << " sim minutes");
    std::size_t pending = 0;
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      if (sa.at(numbers[i]) == "Pending") ++pending;
      if (minute == 1) BOOST_TEST(sa.at(numbers[i]) == (carrier_of(i) == "AT&T" ? "Submitted" : "Pending"));
    }
    pending_counts.insert(pending);
  }
  BOOST_TEST(pending_counts.size() > 5u);  // Verizon's orders left Pending at many different times
  BOOST_TEST(*pending_counts.begin() == 0u);  // and all of them within 40 minutes
}

BOOST_AUTO_TEST_SUITE_END()
