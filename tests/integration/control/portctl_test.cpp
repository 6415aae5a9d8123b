// portctl as a user runs it (a subprocess) against control::server with a fake backend: exit
// codes, --json, human output, secrets kept off argv and out of output, every method reachable.
// The server's io_context runs on a second thread here only because portctl blocks.
#include "../../unit/control/fake_backend.hpp"

#include <common/process.hpp>
#include <portd/control/server.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <sys/wait.h>

namespace asio = boost::asio;
namespace json = boost::json;
using namespace portd;
using namespace portd::control;

namespace {

std::string portctl_bin() {
  const char* b = std::getenv("PORTCTL_BIN");
  return b ? b : "";
}

std::string slurp(const std::filesystem::path& p) { return test::read_file(p); }

struct result {
  int code = -1;
  std::string out, err;
};

struct fixture {
  asio::io_context ctx;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(ctx);
  test::fake_backend backend;
  test::temp_dir tmp;
  std::filesystem::path dir = tmp.path();
  std::unique_ptr<server> srv;
  std::thread io;

  fixture() {
    auto& o = backend.add_order("+18015551234");  // order 1, event 1
    o.client_ref = "crm-1";
    o.group = "acme";
    o.state = porting::order_state::rejected;
    o.attention = porting::attention_kind::operator_state;
    o.attention_reason = "losing carrier rejected: 6B account number mismatch";
    backend.emit(1, porting::event_type::state_changed, "6B: account number does not match", "telegent");
    server_options opts;
    opts.socket_path = dir / "portd.sock";
    srv = std::make_unique<server>(ctx.get_executor(), backend, opts);
    srv->listen();
    srv->start();
    io = std::thread([this] { ctx.run(); });
  }
  ~fixture() {
    asio::post(ctx, [this] {
      srv->stop();
      guard.reset();
    });
    io.join();
  }

  // Runs `f` on the server's thread and waits for its value.
  template <class F>
  auto on_io(F f) {
    std::promise<decltype(f())> p;
    auto fut = p.get_future();
    asio::post(ctx, [&] { p.set_value(f()); });
    return fut.get();
  }

  result portctl(const std::string& args, const std::string& stdin_text = "") {
    result r;
    auto out = dir / "out", err = dir / "err", in = dir / "in";
    std::ofstream(in) << stdin_text;
    std::string cmd = portctl_bin() + " --socket " + (dir / "portd.sock").string() + " " + args +
                      " <" + in.string() + " >" + out.string() + " 2>" + err.string();
    int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  // `portctl ARGS | CONSUMER` in bash with pipefail: the status is portctl's unless the
  // consumer failed. The consumer's output in `out`, portctl's stderr in `err`.
  result portctl_piped(const std::string& args, const std::string& consumer) {
    result r;
    auto out = dir / "out", err = dir / "err";
    std::string line = "set -o pipefail; " + portctl_bin() + " --socket " + (dir / "portd.sock").string() + " " +
                       args + " 2>" + err.string() + " | " + consumer + " >" + out.string();
    std::string cmd = "bash -c '" + line + "'";
    int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  // `n` more orders (ids 2…n+1), each in state submitted with no attention.
  void add_orders(int n) {
    on_io([&] {
      for (int i = 0; i < n; ++i) {
        auto& o = backend.add_order("+1801666" + std::to_string(1000 + i));
        o.state = porting::order_state::submitted;
        o.client_ref = "bulk-" + std::to_string(i);
      }
      return 0;
    });
  }
};

std::vector<std::string> lines_of(const std::string& text, const char* end = "\n") {
  std::vector<std::string> out;
  std::size_t at = 0;
  const std::size_t n = std::string_view(end).size();
  for (auto e = text.find(end); e != std::string::npos; at = e + n, e = text.find(end, at))
    out.push_back(text.substr(at, e - at));
  if (at < text.size()) out.push_back(text.substr(at));
  return out;
}

bool have_portctl() {
  if (portctl_bin().empty() || !std::filesystem::exists(portctl_bin())) {
    BOOST_TEST_MESSAGE("PORTCTL_BIN not set: portctl tests skipped (run through ctest)");
    return false;
  }
  return true;
}

const std::string address =
    " --street1 '1 Main St' --city Lehi --state UT --zip 84043";

}  // namespace

BOOST_AUTO_TEST_SUITE(portctl_cli)

BOOST_FIXTURE_TEST_CASE(status_json_and_human, fixture) {
  if (!have_portctl()) return;
  auto r = portctl("--json status");
  BOOST_TEST(r.code == 0);
  BOOST_TEST(json::parse(r.out).at("version") == json::value("test"));
  r = portctl("status");
  BOOST_TEST(r.code == 0);
  BOOST_TEST(r.out.find("portd test") != std::string::npos);
  BOOST_TEST(r.out.find("\x1b[") == std::string::npos);  // no colour off a TTY
}

BOOST_FIXTURE_TEST_CASE(exit_codes, fixture) {
  if (!have_portctl()) return;
  auto r = portctl("show 99");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err == "portctl: no such order (not_found)\n");
  r = portctl("list --bogus");
  BOOST_TEST(r.code == 2);
  r = portctl("show");
  BOOST_TEST(r.code == 2);
  r = portctl("cancel 1");
  BOOST_TEST(r.code == 0);
  r = portctl("cancel 1");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err.find("(invalid_state, state cancelled)") != std::string::npos);
  int st = std::system((portctl_bin() + " --socket " + (dir / "none.sock").string() +
                        " status 2>/dev/null").c_str());
  BOOST_TEST(WEXITSTATUS(st) == 3);
}

BOOST_FIXTURE_TEST_CASE(submit_portin_reads_the_pin_from_a_file_and_never_shows_it, fixture) {
  if (!have_portctl()) return;
  std::ofstream(dir / "pin") << "Zq81xPin\n";
  auto r = portctl("--json submit-portin --number 8015550001 --carrier Verizon --account-number 99998888"
                   " --account-pin-file " + (dir / "pin").string() + address +
                   " --client-ref crm-2 --group acme --port-in-date 2026-12-03");
  BOOST_TEST(r.code == 0, r.err);
  auto j = json::parse(r.out);
  BOOST_TEST(j.at("created") == json::value(true));
  BOOST_TEST(j.at("order").at("number") == json::value("+18015550001"));
  BOOST_TEST(j.at("order").at("details").at("account_number") == json::value("****8888"));
  BOOST_TEST(r.out.find("Zq81xPin") == std::string::npos);
  auto pin = on_io([&] { return backend.orders.rbegin()->second.secrets.account_pin; });
  BOOST_TEST(pin == "Zq81xPin");

  // From stdin, and human output.
  r = portctl("submit-portin --number +18015550002 --carrier Verizon --account-number 1 "
              "--account-pin-stdin" + address, "4455\n");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find("created") == 0u);
  BOOST_TEST(r.out.find("4455") == std::string::npos);

  // No PIN given: usage error before anything is sent.
  r = portctl("submit-portin --number +18015550003 --carrier V --account-number 1" + address);
  BOOST_TEST(r.code == 2);
}

BOOST_FIXTURE_TEST_CASE(invalid_field_is_named, fixture) {
  if (!have_portctl()) return;
  auto r = portctl("submit-portin --number +18015550009 --carrier V --account-number 1 "
                   "--account-pin-stdin --street1 a --city b --state UT --zip 8404", "1234\n");
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err.find("(invalid_params, field billing_address.zip)") != std::string::npos, r.err);
}

BOOST_FIXTURE_TEST_CASE(show_prints_order_and_timeline, fixture) {
  if (!have_portctl()) return;
  for (std::string how : {"show 1", "show --number +18015551234", "show --client-ref crm-1"}) {
    auto r = portctl(how);
    BOOST_TEST(r.code == 0, how << ": " << r.err);
    BOOST_TEST(r.out.find("order 1") != std::string::npos);
    BOOST_TEST(r.out.find("NEEDS ATTENTION") != std::string::npos);
    BOOST_TEST(r.out.find("****2222") != std::string::npos);
    BOOST_TEST(r.out.find("6B: account number does not match") != std::string::npos);
    BOOST_TEST(r.out.find("by telegent") != std::string::npos);
    std::istringstream lines(r.out);
    for (std::string l; std::getline(lines, l);) BOOST_TEST(l.size() <= 80u, l);
  }
  on_io([&] {
    backend.add_order("+123456789012345").state = porting::order_state::checking_eligibility;
    backend.orders.rbegin()->second.client_ref = "a-rather-long-client-reference";
    return 0;
  });
  auto list = portctl("list");
  BOOST_TEST(list.out.find("checking_eligibility") != std::string::npos);
  BOOST_TEST(list.out.find("+123456789012345") != std::string::npos);
  std::istringstream list_lines(list.out);
  for (std::string l; std::getline(list_lines, l);) BOOST_TEST(l.size() <= 80u, l);
  auto r = portctl("--json show 1");
  auto j = json::parse(r.out);
  BOOST_TEST(j.at("events").as_array().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(every_method_is_reachable, fixture) {
  if (!have_portctl()) return;
  std::ofstream(dir / "pin") << "1234\n";
  struct step {
    std::string args;
    std::string expect;  // in stdout
  };
  std::vector<step> steps{
      {"submit-portout --number +18015557777 --pin-file " + (dir / "pin").string(), "port_out"},
      {"list", "+18015551234"},
      {"list --state rejected --needs-attention --json", "\"orders\""},
      {"history 1", "telegent"},
      {"update 1 --zip 84043-1234", "order 1"},
      {"resolve 1 --remote-order-id JNUOID-42", "JNUOID-42"},
      {"retry 1", "order 1"},
      {"poll 1", "order 1"},
      {"note 1 'called the customer'", "called the customer"},
      {"events --after 0", "order 1"},
      {"group acme", "group acme"},
      {"metrics", "portd_build_info{version=\"test\"} 1"},
      {"attention", "portctl update 1"},
      {"--json attention", "\"orders\""},
      {"cancel 1 --reason 'customer asked'", "cancelled"},
  };
  for (auto& s : steps) {
    auto r = portctl(s.args);
    BOOST_TEST(r.code == 0, s.args << ": " << r.err);
    BOOST_TEST(r.out.find(s.expect) != std::string::npos, s.args << ": " << r.out);
  }
  BOOST_TEST(on_io([&] { return backend.orders.at(1).details.billing_address.zip; }) ==
             "84043-1234");
  BOOST_TEST(on_io([&] { return backend.orders.at(1).details.billing_address.city; }) == "Lehi");
}

// A command's reply says what was queued: the order as the command left it still reads
// "rejected, NEEDS ATTENTION", which alone looks as if the correction did not take.
BOOST_FIXTURE_TEST_CASE(a_command_says_what_portd_does_next, fixture) {
  if (!have_portctl()) return;
  on_io([&] { backend.orders.at(1).in_flight = porting::call_kind::update; return 0; });
  auto r = portctl("update 1 --zip 84043-1234");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find("next: correction queued; Telegent is told next\n") == 0u, r.out);
  BOOST_TEST(r.out.find("NEEDS ATTENTION") != std::string::npos);
  r = portctl("--json update 1 --zip 84043");
  BOOST_TEST(json::parse(r.out).at("next") == json::value("correction queued; Telegent is told next"));
  on_io([&] { backend.orders.at(1).in_flight = porting::call_kind::status; return 0; });
  r = portctl("poll 1");
  BOOST_TEST(r.out.find("next: status check queued; Telegent is asked next\n") == 0u, r.out);
}

BOOST_FIXTURE_TEST_CASE(import_is_idempotent_across_an_interruption, fixture) {
  if (!have_portctl()) return;
  const std::string header =
      "client_ref,number,carrier,account_number,account_pin,street1,street2,city,state,zip\n";
  std::string rows, first_half;
  for (int i = 0; i < 300; ++i) {
    if (i == 150) first_half = rows;
    rows += "imp-" + std::to_string(i) + ",+1801666" + std::to_string(1000 + i) +
            ",Verizon,1111" + std::to_string(1000 + i) + ",1234,\"1 Main St, Apt 2\",,Lehi,UT,84043\n";
  }
  rows += "imp-bad,+18016669999,Verizon,1,1234,1 Main St,,Lehi,UT,8404\n";
  // The first run is cut half-way (as if interrupted); the second has every row.
  std::ofstream(dir / "half.csv") << header << first_half;
  std::ofstream(dir / "all.csv") << header << rows;
  auto r = portctl("import --window 16 " + (dir / "half.csv").string());
  BOOST_TEST(r.code == 0, r.err);
  auto half = on_io([&] { return backend.orders.size(); }) - 1;
  BOOST_TEST(half == 150u);
  r = portctl("--json import --group acme " + (dir / "all.csv").string());
  BOOST_TEST(r.code == 1);  // one row rejected
  auto j = json::parse(r.out);
  BOOST_TEST(j.at("rows") == json::value(301));
  BOOST_TEST(j.at("created").as_int64() == 300 - static_cast<std::int64_t>(half));
  BOOST_TEST(j.at("already_present").as_int64() == static_cast<std::int64_t>(half));
  BOOST_TEST(j.at("rejected").at(0).at("field") == json::value("billing_address.zip"));
  BOOST_TEST(j.at("rejected").at(0).at("row") == json::value(302));
  BOOST_TEST(on_io([&] { return backend.orders.size(); }) == 301u);
  BOOST_TEST(on_io([&] { return backend.orders.at(2).details.billing_address.street1; }) ==
             "1 Main St, Apt 2");
  r = portctl("import " + (dir / "all.csv").string());
  BOOST_TEST(r.out.find("301 rows: 0 created, 300 already present, 1 rejected") == 0u, r.out);
  BOOST_TEST(r.out.find("row 302 (imp-bad)") != std::string::npos);
  std::ofstream(dir / "bad.csv") << "client_ref,numbr\n";
  BOOST_TEST(portctl("import " + (dir / "bad.csv").string()).code == 2);
}

BOOST_FIXTURE_TEST_CASE(watch_streams_until_the_daemon_closes, fixture) {
  if (!have_portctl()) return;
  std::string cmd = portctl_bin() + " --socket " + (dir / "portd.sock").string() +
                    " --json watch --after 0 2>" + (dir / "watch.err").string();
  FILE* p = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(p);
  char buf[8192];
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 2 && std::fgets(buf, sizeof buf, p); ++i)
    ids.push_back(json::parse(buf).at("id").as_int64());
  on_io([&] { backend.emit(1, porting::event_type::note_added, "live"); return 0; });
  if (std::fgets(buf, sizeof buf, p)) ids.push_back(json::parse(buf).at("id").as_int64());
  on_io([&] { srv->stop(); return 0; });
  while (std::fgets(buf, sizeof buf, p)) {
  }
  int st = ::pclose(p);
  BOOST_TEST(ids == (std::vector<std::int64_t>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(WEXITSTATUS(st) == 3);
  BOOST_TEST(slurp(dir / "watch.err").find("resume with: portctl watch --after 3") != std::string::npos);
}


// `watch --order N` tells the order's story from its start, then follows it live (the README's
// walkthrough); an order that does not exist is refused instead of waited for in silence; and
// Ctrl-C says where to resume.
BOOST_FIXTURE_TEST_CASE(watch_an_order_replays_its_history_then_follows_and_says_where_to_resume, fixture) {
  if (!have_portctl()) return;
  {
    const std::string unknown_err = (dir / "unknown.err").string();
    portd::test::process unknown({portctl_bin(), "--socket", (dir / "portd.sock").string(), "watch", "--order", "999"},
                                 {}, unknown_err);
    BOOST_TEST(unknown.wait(std::chrono::seconds(10)).value_or(-1) == 1, "watch --order 999 did not give up");
    BOOST_TEST(slurp(unknown_err).find("no order 999") != std::string::npos, slurp(unknown_err));
  }

  on_io([&] {
    backend.add_order("+18015559999");  // another order's events are not shown
    backend.emit(1, porting::event_type::note_added, "called the customer", "operator:uid=0");
    return 0;
  });
  const std::string err = (dir / "watch.err").string();
  portd::test::process w({portctl_bin(), "--socket", (dir / "portd.sock").string(), "--json", "watch", "--order", "1"},
                         {}, err);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i)  // created, state_changed, the note; not order 2's event 3
    if (auto l = w.read_line(std::chrono::seconds(30))) ids.push_back(json::parse(*l).at("id").as_int64());
  const auto live = on_io([&] { return backend.emit(1, porting::event_type::note_added, "live").id; });
  if (auto l = w.read_line(std::chrono::seconds(30))) ids.push_back(json::parse(*l).at("id").as_int64());
  BOOST_TEST(ids == (std::vector<std::int64_t>{1, 2, 4, live}), boost::test_tools::per_element());

  w.signal(SIGINT);
  BOOST_TEST(w.wait(std::chrono::seconds(30)).value_or(-1) == 130);
  const std::string said = slurp(err);
  BOOST_TEST(said.find("resume with: portctl watch --after " + std::to_string(live) + " --order 1") != std::string::npos,
             said);
}

// list --all asks for every page and prints each as it comes, in each output format, with one
// heading; the JSON is one document.
BOOST_FIXTURE_TEST_CASE(list_all_prints_every_page_once, fixture) {
  if (!have_portctl()) return;
  add_orders(24);  // 25 orders: three pages of 10
  auto r = portctl("list --all --limit 10 -o csv");
  BOOST_TEST(r.code == 0, r.err);
  auto rows = lines_of(r.out, "\r\n");
  BOOST_REQUIRE(rows.size() == 26u);
  BOOST_TEST(rows[0].starts_with("id,number,kind,state,needs_attention,"));
  BOOST_TEST(rows[1].starts_with("1,+18015551234,port_in,rejected,true,"));
  BOOST_TEST(rows[25].starts_with("25,+18016661023,port_in,submitted,false,"));
  BOOST_TEST(on_io([&] { return backend.list_calls; }) == 3);

  r = portctl("list --all --limit 10 --json");
  BOOST_TEST(r.code == 0, r.err);
  auto orders = json::parse(r.out).at("orders").as_array();
  BOOST_REQUIRE(orders.size() == 25u);
  BOOST_TEST(orders[24].at("id") == json::value(25));

  r = portctl("list --all --limit 10");
  BOOST_TEST(r.code == 0, r.err);
  auto lines = lines_of(r.out);
  BOOST_TEST(lines.size() == 26u);
  BOOST_TEST(lines[0].starts_with("ID "));
  BOOST_TEST(r.out.find("more:") == std::string::npos);

  // One page without --all says how to get more, on stderr under CSV (stdout stays CSV).
  r = portctl("list --limit 10 -o csv");
  BOOST_TEST(lines_of(r.out, "\r\n").size() == 11u);
  BOOST_TEST(r.err == "more: add --after-id 10 (or --all)\n");
}

// A reader that stops early (| head) ends list --all quietly: exit 0, nothing on stderr, no
// more pages asked for. Before, SIGPIPE killed portctl (status 141 under pipefail).
BOOST_FIXTURE_TEST_CASE(list_all_stops_cleanly_when_the_reader_goes_away, fixture) {
  if (!have_portctl()) return;
  add_orders(3999);  // 40 pages of 100: far more than a pipe holds
  auto r = portctl_piped("list --all --limit 100 -o csv", "head -n 3");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.err.empty(), r.err);
  BOOST_TEST(lines_of(r.out).size() == 3u);
  BOOST_TEST(on_io([&] { return backend.list_calls; }) < 40);
}

// CSV quotes per RFC 4180 and keeps carrier text as it is; the table writes control
// characters out.
BOOST_FIXTURE_TEST_CASE(csv_quotes_fields_and_leaves_carrier_text_raw, fixture) {
  if (!have_portctl()) return;
  on_io([&] {
    auto& o = backend.orders.at(1);
    o.client_ref = "crm-1, \"north\"";
    o.remote_message = "line one\nline two \x1b[31mred";
    return 0;
  });
  auto r = portctl("list -o csv");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.find(",\"line one\nline two \x1b[31mred\",\"crm-1, \"\"north\"\"\",acme,") !=
             std::string::npos, r.out);

  r = portctl("show 1");
  BOOST_TEST(r.out.find("\x1b[31m") == std::string::npos, r.out);

  r = portctl("events --order 1 -o csv");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.starts_with("id,at,order_id,type,from_state,to_state,remote_status,actor,message\r\n"), r.out);
  BOOST_TEST(r.out.find("order.state_changed") != std::string::npos, r.out);
  r = portctl("group acme -o csv");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(r.out.starts_with("group,state,orders\r\n"), r.out);
  BOOST_TEST(r.out.find("\r\nacme,") != std::string::npos, r.out);
  r = portctl("attention -o csv");
  BOOST_TEST(r.out.find(",next\r\n") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("portctl update 1") != std::string::npos, r.out);
  // Commands with no CSV form say so (usage, exit 2).
  r = portctl("status -o csv");
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.find("-o csv is for list, attention, events and group") != std::string::npos, r.err);
}

// For cron and monitoring: exit 4 while something needs a human, 0 when nothing does.
BOOST_FIXTURE_TEST_CASE(attention_exit_code_says_whether_a_human_is_needed, fixture) {
  if (!have_portctl()) return;
  auto r = portctl("attention --exit-code");
  BOOST_TEST(r.code == 4, r.err);
  BOOST_TEST(r.out.find("order 1") != std::string::npos);
  BOOST_TEST(portctl("attention").code == 0);  // without the flag: as before
  on_io([&] {
    backend.orders.at(1).attention = porting::attention_kind::none;
    return 0;
  });
  r = portctl("attention --exit-code --json");
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(json::parse(r.out).at("orders").as_array().empty());
}

// Under --json (or -o json) every error is one JSON object on stderr, with the usual exit code.
BOOST_FIXTURE_TEST_CASE(errors_under_json_are_json, fixture) {
  if (!have_portctl()) return;
  auto r = portctl("--json show 99");
  BOOST_TEST(r.code == 1);
  auto e = json::parse(r.err).at("error");
  BOOST_TEST(e.at("code") == json::value(code::not_found));
  BOOST_TEST(e.at("message") == json::value("no such order"));
  BOOST_TEST(e.at("data").at("reason") == json::value("not_found"));

  r = portctl("cancel 1 -o json --reason x");
  BOOST_TEST(r.code == 0, r.err);
  r = portctl("cancel 1 -o json");
  BOOST_TEST(r.code == 1);
  e = json::parse(r.err).at("error");
  BOOST_TEST(e.at("data").at("reason") == json::value("invalid_state"));
  BOOST_TEST(e.at("data").at("state") == json::value("cancelled"));

  r = portctl("--json list --bogus");
  BOOST_TEST(r.code == 2);
  BOOST_TEST(json::parse(r.err).at("error").at("code") == json::value(2));
  BOOST_TEST(json::parse(r.err).at("error").at("data").at("reason") == json::value("usage"));
  for (const char* args : {"list --bogus --output=json", "list -ojson --bogus", "list --bogus -o json"}) {
    r = portctl(args);
    BOOST_TEST(r.code == 2);
    BOOST_TEST(json::parse(r.err).at("error").at("data").at("reason") == json::value("usage"), args);
  }
  r = portctl("list --bogus -o table");
  BOOST_TEST(r.code == 2);
  BOOST_TEST(r.err.rfind("portctl: ", 0) == 0u, r.err);  // for people

  const std::string err = (dir / "unreachable.err").string();
  const int st = std::system((portctl_bin() + " --json --socket " + (dir / "none.sock").string() +
                              " status 2>" + err).c_str());
  BOOST_TEST(WEXITSTATUS(st) == 3);
  e = json::parse(slurp(err)).at("error");
  BOOST_TEST(e.at("code") == json::value(3));
  BOOST_TEST(e.at("data").at("reason") == json::value("cannot_connect"));
}

// Excel's "CSV UTF-8" starts the file with a byte order mark: the first column is still known.
BOOST_FIXTURE_TEST_CASE(import_accepts_a_utf8_byte_order_mark, fixture) {
  if (!have_portctl()) return;
  std::ofstream(dir / "excel.csv")
      << "\xEF\xBB\xBF" "client_ref,number,carrier,account_number,account_pin,street1,city,state,zip\r\n"
         "bom-1,+18016667000,Verizon,11117000,1234,1 Main St,Lehi,UT,84043\r\n";
  auto r = portctl("--json import " + (dir / "excel.csv").string());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(json::parse(r.out).at("created") == json::value(1));
  BOOST_TEST(on_io([&] { return backend.orders.at(2).client_ref; }) == "bom-1");
}

BOOST_AUTO_TEST_SUITE_END()
