// An end-to-end test stack: the real telegent-sim and portd binaries on loopback in a temp
// directory, a JSON-RPC client for the control socket, and HTTP access to the sim's /_sim/.
#pragma once
#include "process.hpp"

#include <portd/wire/client.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace portd::test {

// A JSON-RPC 2.0 connection to the control socket for tests that look at the protocol itself:
// wire::client's connection and framing, with whole response objects (error members included)
// and a read that gives up quietly.
class rpc_connection {
 public:
  explicit rpc_connection(const std::string& socket_path) : client_(socket_path) {}

  void send_line(const std::string& line) { client_.send_line(line); }
  // The next line, or nullopt on EOF/timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Sends a request and returns the whole response object.
  boost::json::object call(const std::string& method, boost::json::object params = {});

 private:
  wire::client client_;
  std::int64_t next_id_ = 1;
};

// HTTP/1.1 request on loopback; returns {status, body}.
std::pair<int, std::string> http_request(const std::string& base_url, const std::string& method,
                                         const std::string& target, const std::string& body = {});

struct stack_options {
  double time_scale = 86400;        // one sim day per real second
  std::string poll = "300ms";       // every poll cadence
  bool poll_every_key = true;       // false: only the per-state cadences (not first_after_submit, near_port_date)
  std::string poll_extra;           // more lines for portd's [poll] table (spare_share = 1)
  double requests_per_minute = 0;   // portd's budget (0 = off); the sim's is `sim_rpm`
  int burst = 5;
  double sim_rpm = 0;               // the sim's rate limit (0 = off)
  std::string sim_config_extra;     // appended to the sim's TOML
  std::string portd_config_extra;   // appended to portd's TOML
  std::string control_extra;        // lines for portd's [control] table (idle_timeout = "1s")
  std::string dialect = "lifecycle";
  std::string request_timeout = "5s";
  int max_connections = 4;  // telegent.max_connections
  // [store] path: relative to the stack's directory, or absolute (e.g. on a small filesystem).
  std::string store_path = "portd.db";
};

class stack {
 public:
  explicit stack(stack_options opts = {});
  // Stops portd and telegent-sim with SIGTERM if they still run; an exit status other than 0
  // (under ASan: a leak found at exit) fails the test.
  ~stack();

  // Starts portd and returns once it said READY=1 (through a NOTIFY_SOCKET of ours).
  void start_portd();
  void kill_portd(int sig = 9);
  // SIGTERM and wait; returns the exit status.
  int stop_portd();
  pid_t portd_pid() const;

  boost::json::object call(const std::string& method, boost::json::object params = {});
  // The result of a call that must succeed (fails the test otherwise).
  boost::json::object result(const std::string& method, boost::json::object params = {});
  // Submits a port-in (params: port_in_params()) that must be accepted; returns the order's id.
  std::int64_t submit_port_in(boost::json::object params);
  // Waits, woken by portd's events (event_pacer), until `done()` holds; fails the test after
  // `timeout` with `what` and portd's log.
  void wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout, const std::string& what);
  // Waits (via events.watch, not by sleeping) until order `id` is in `state`; returns the
  // order. Fails the test after `timeout`.
  boost::json::object wait_for_state(std::int64_t id, const std::string& state,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Every event portd has committed, oldest first (events.list, paged).
  std::vector<boost::json::object> all_events();
  boost::json::object sim_stats();
  void sim_post(const std::string& target, const std::string& body);

  // Runs portctl with `args` (socket prepended); returns {exit status, stdout}.
  std::pair<int, std::string> portctl(const std::vector<std::string>& args, const std::string& stdin_text = {});

  const temp_dir& dir() const { return dir_; }
  const std::string& socket_path() const { return socket_; }
  const std::string& config_path() const { return config_; }
  // The database portd uses ([store] path), as an absolute path.
  std::string db_path() const;
  const std::string& sim_url() const { return sim_url_; }
  std::string portd_log() const { return read_file(dir_.file("portd.log")); }

 private:
  stack_options opts_;
  temp_dir dir_;
  std::unique_ptr<process> sim_, portd_;
  std::string sim_url_, socket_, config_;
  int notify_fd_ = -1;
};

// Paces a test that polls for a condition: wait() returns at portd's next committed event, or
// after `most` when nothing happens, so the test neither sleeps for a fixed time nor spins. It
// is an events.watch connection of its own; a watch portd closed (a watcher that fell behind)
// is reopened.
class event_pacer {
 public:
  // Opens the watch and waits for portd to confirm it (events from then on wake wait()).
  explicit event_pacer(const stack& s);
  // True when an event came within `most`, false when `most` passed without one.
  bool wait(std::chrono::milliseconds most);

 private:
  void open();
  std::string socket_;
  std::unique_ptr<rpc_connection> watch_;
};

// The params of a valid portin.submit for `number` (carrier Verizon, PIN 4321, a Lehi address),
// with a subscriber name when one is given.
boost::json::object port_in_params(const std::string& number, const std::string& subscriber_name = {});

}  // namespace portd::test
