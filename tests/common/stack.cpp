// The end-to-end stack: real binaries on loopback.
#include "stack.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace portd::test {
namespace json = boost::json;
namespace http = boost::beast::http;

// ---- rpc_connection ------------------------------------------------------------------------

std::optional<std::string> rpc_connection::read_line(std::chrono::milliseconds timeout) {
  try {
    return client_.read_line(timeout);
  } catch (const wire::timeout_error&) {
    return std::nullopt;
  }
}

json::object rpc_connection::call(const std::string& method, json::object params) {
  const auto id = next_id_++;
  json::object req{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  send_line(json::serialize(req));
  for (;;) {
    auto line = read_line();
    if (!line) throw std::runtime_error("no reply to " + method);
    auto v = json::parse(*line).as_object();
    if (v.contains("id") && v["id"] == json::value(id)) return v;
  }
}

// ---- http ----------------------------------------------------------------------------------

std::pair<int, std::string> http_request(const std::string& base_url, const std::string& method,
                                         const std::string& target, const std::string& body) {
  // base_url: http://host:port
  const auto hostport = base_url.substr(base_url.find("//") + 2);
  const auto colon = hostport.rfind(':');
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver res(ioc);
  boost::beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(res.resolve(hostport.substr(0, colon), hostport.substr(colon + 1)));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, hostport);
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> resp;
  http::read(stream, buf, resp);
  return {resp.result_int(), resp.body()};
}

// ---- stack ---------------------------------------------------------------------------------

stack::stack(stack_options opts) : opts_(std::move(opts)) {
  std::string sim_cfg = "time_scale = " + std::to_string(opts_.time_scale) + "\n" + "dialect = \"" +
                        opts_.dialect + "\"\nrequests_per_minute = " + std::to_string(static_cast<int>(opts_.sim_rpm)) +
                        "\n" + opts_.sim_config_extra + "\n";
  write_file(dir_.file("sim.toml"), sim_cfg);
  sim_ = std::make_unique<process>(
      std::vector<std::string>{binary("TELEGENT_SIM_BIN"), "--listen", "127.0.0.1:0", "--config",
                               dir_.file("sim.toml"), "--seed", "7"},
      std::map<std::string, std::string>{}, dir_.file("sim.log"));
  auto line = sim_->read_line(std::chrono::seconds(30));
  if (!line || line->find("listening on ") != 0) throw std::runtime_error("telegent-sim did not start: " + read_file(dir_.file("sim.log")));
  sim_url_ = line->substr(std::strlen("listening on "));
  socket_ = dir_.file("portd.sock");
  write_file(dir_.file("telegent-secret"), "sim-secret\n", 0600);
  config_ = dir_.file("portd.toml");
  std::string c;
  c += "[telegent]\nbase_url = \"" + sim_url_ + "\"\naccount_key = \"DID-sim\"\n";
  c += "account_secret_file = \"telegent-secret\"\nallow_insecure_http = true\n";
  c += "requests_per_minute = " + std::to_string(opts_.requests_per_minute) + "\nburst = " + std::to_string(opts_.burst) + "\n";
  c += "request_timeout = \"" + opts_.request_timeout + "\"\n";
  c += "max_connections = " + std::to_string(opts_.max_connections) + "\n";
  c += "[store]\npath = \"" + opts_.store_path + "\"\n[control]\nsocket = \"portd.sock\"\n" + opts_.control_extra + "\n";
  c += "[poll]\nsubmitted = \"" + opts_.poll + "\"\ncarrier_approval = \"" + opts_.poll + "\"\nscheduled = \"" +
       opts_.poll + "\"\nrejected = \"" + opts_.poll + "\"\n";
  if (opts_.poll_every_key)
    c += "first_after_submit = \"" + opts_.poll + "\"\nnear_port_date = \"" + opts_.poll + "\"\n";
  c += opts_.poll_extra + "\n";
  c += "[retry]\nbase = \"100ms\"\ncap = \"1s\"\n";
  c += "[log]\nlevel = \"debug\"\n";
  c += opts_.portd_config_extra;
  write_file(config_, c);
}

namespace {

// Stops a binary still running at the end of a test as its service manager would (SIGTERM) and
// requires exit status 0. Under ASan this is where LeakSanitizer looks: a leak, or any other
// error at exit, fails the test that caused it instead of going unseen under a SIGKILL.
void stop_cleanly(process& p, const char* name, const std::string& log_file) {
  if (!p.running()) return;
  p.signal(SIGTERM);
  const auto status = p.wait(std::chrono::seconds(30));
  if (status == 0) return;
  std::string log = read_file(log_file);
  if (log.size() > 8000) log = "…" + log.substr(log.size() - 8000);
  BOOST_ERROR(name << (status ? " exited with status " + std::to_string(*status) : std::string(" did not exit"))
                   << " on SIGTERM at the end of the test; its log ends:\n" << log);
}

}  // namespace

stack::~stack() {
  if (portd_) stop_cleanly(*portd_, "portd", dir_.file("portd.log"));
  if (sim_) stop_cleanly(*sim_, "telegent-sim", dir_.file("sim.log"));
  if (notify_fd_ >= 0) ::close(notify_fd_);
}

std::string stack::db_path() const {
  return opts_.store_path.starts_with('/') ? opts_.store_path : dir_.file(opts_.store_path);
}

void stack::start_portd() {
  const std::string notify = dir_.file("notify.sock");
  ::unlink(notify.c_str());
  if (notify_fd_ >= 0) ::close(notify_fd_);
  notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, notify.c_str(), sizeof a.sun_path - 1);
  if (::bind(notify_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind notify socket");
  portd_ = std::make_unique<process>(std::vector<std::string>{binary("PORTD_BIN"), "--config", config_},
                                     std::map<std::string, std::string>{{"NOTIFY_SOCKET", notify}},
                                     dir_.file("portd.log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !portd_->running())
      throw std::runtime_error("portd did not become ready:\n" + portd_log());
    pollfd p{notify_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 200))) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(notify_fd_, buf, sizeof buf - 1, 0);
    if (n > 0 && std::string(buf, static_cast<std::size_t>(n)).find("READY=1") != std::string::npos) return;
  }
}

void stack::kill_portd(int sig) {
  portd_->signal(sig);
  portd_->wait(std::chrono::seconds(30));
}

int stack::stop_portd() {
  portd_->signal(SIGTERM);
  auto st = portd_->wait(std::chrono::seconds(30));
  return st.value_or(-1);
}

pid_t stack::portd_pid() const { return portd_ ? portd_->pid() : -1; }

json::object stack::call(const std::string& method, json::object params) {
  rpc_connection c(socket_);
  return c.call(method, std::move(params));
}

json::object stack::result(const std::string& method, json::object params) {
  auto r = call(method, std::move(params));
  if (!r.contains("result")) BOOST_FAIL(method << " failed: " << json::serialize(r));
  return r["result"].as_object();
}

json::object stack::wait_for_state(std::int64_t id, const std::string& state, std::chrono::milliseconds timeout) {
  rpc_connection c(socket_);
  // Subscribe first, then read the order: a change in between arrives as an event.
  c.send_line(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "events.watch"},
                                           {"params", {{"order_id", id}}}}));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto current = [&] { return result("order.get", {{"id", id}})["order"].as_object(); };
  auto o = current();
  while (o["state"].as_string() != state.c_str()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      BOOST_FAIL("order " << id << " did not reach " << state << "; it is " << json::serialize(o)
                          << "\nportd log:\n" << portd_log());
    auto line = c.read_line(left);
    if (!line) continue;
    o = current();
  }
  return o;
}

std::vector<json::object> stack::all_events() {
  std::vector<json::object> out;
  std::int64_t after = 0;
  for (;;) {
    auto r = result("events.list", {{"after", after}, {"limit", 1000}});
    for (auto& e : r["events"].as_array()) out.push_back(e.as_object());
    if (r["next_after"].is_null()) break;
    after = r["next_after"].as_int64();
  }
  return out;
}

json::object stack::sim_stats() {
  auto [st, body] = http_request(sim_url_, "GET", "/_sim/stats");
  if (st != 200) throw std::runtime_error("sim stats: " + std::to_string(st));
  return json::parse(body).as_object();
}

void stack::sim_post(const std::string& target, const std::string& body) {
  auto [st, b] = http_request(sim_url_, "POST", target, body);
  if (st != 200) throw std::runtime_error("sim " + target + ": " + std::to_string(st) + " " + b);
}

std::pair<int, std::string> stack::portctl(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<std::string> argv{binary("PORTCTL_BIN"), "--socket", socket_};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string in_file;
  if (!stdin_text.empty()) {
    in_file = dir_.file("portctl.stdin");
    write_file(in_file, stdin_text);
  }
  // Run through /bin/sh only for the stdin redirection; arguments are passed quoted.
  std::string cmd;
  for (auto& a : argv) {
    cmd += "'";
    for (char ch : a) cmd += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    cmd += "' ";
  }
  if (!in_file.empty()) cmd += "< '" + in_file + "'";
  else cmd += "< /dev/null";
  process p({"/bin/sh", "-c", cmd}, {}, dir_.file("portctl.stderr"));
  std::string out;
  while (auto l = p.read_line(std::chrono::seconds(60))) out += *l + "\n";
  auto st = p.wait(std::chrono::seconds(60));
  return {st.value_or(-1), out};
}

std::int64_t stack::submit_port_in(json::object params) {
  return result("portin.submit", std::move(params))["order"].as_object()["id"].as_int64();
}

void stack::wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                       const std::string& what) {
  event_pacer pacer(*this);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) BOOST_FAIL("timed out waiting for " << what << "\n" << portd_log());
    pacer.wait(std::chrono::milliseconds(200));
  }
}

// ---- event_pacer ---------------------------------------------------------------------------

event_pacer::event_pacer(const stack& s) : socket_(s.socket_path()) {
  open();
  BOOST_TEST_REQUIRE(watch_->read_line().value_or("").find("\"watching\":true") != std::string::npos);
}

void event_pacer::open() {
  watch_ = std::make_unique<rpc_connection>(socket_);
  watch_->send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{}})");
}

bool event_pacer::wait(std::chrono::milliseconds most) {
  const auto t0 = std::chrono::steady_clock::now();
  if (watch_->read_line(most)) return true;
  // Nothing within `most` is a quiet stream; nothing much sooner is a watch portd closed.
  if (std::chrono::steady_clock::now() - t0 < most / 2) open();
  return false;
}

boost::json::object port_in_params(const std::string& number, const std::string& subscriber_name) {
  boost::json::object p{{"number", number},
                        {"carrier", "Verizon"},
                        {"account_number", "123456782222"},
                        {"account_pin", "4321"},
                        {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}}};
  if (!subscriber_name.empty()) p["subscriber_name"] = subscriber_name;
  return p;
}

}  // namespace portd::test
