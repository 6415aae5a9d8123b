// A blocking client of the control socket, for portctl, scripts and tests: connect, call a
// method, or follow an events.watch stream. Not for use on the daemon's io_context thread.
#pragma once
#include <portd/wire/jsonrpc.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace portd::wire {

// Nothing answers at the socket path (no file, refused, permission denied).
struct connect_error : std::runtime_error {
  explicit connect_error(const std::string& what, int err = 0) : std::runtime_error(what), error(err) {}
  int error;  // errno of the failed connect (EACCES: not allowed in), 0 when it failed before
};
// The connection broke or the daemon sent something that is not JSON-RPC.
struct transport_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The daemon did not accept the connection, take the request or answer within the timeout.
struct timeout_error : transport_error {
  using transport_error::transport_error;
};

// A server-to-client notification: {"jsonrpc":"2.0","method":…,"params":…}.
struct notification {
  std::string method;  // "event", or "watch.ended" before the server closes a watch
  boost::json::value params;
};

// The socket path portctl uses: $PORTD_SOCKET, else /run/portd/portd.sock.
std::string default_socket_path();

// An rpc_error from a JSON-RPC error object (code, message, data.reason, the rest of data).
rpc_error error_from_json(const boost::json::value& error);

class client {
 public:
  // Connects to `path`. Throws connect_error, or timeout_error when the daemon does not accept
  // within `timeout` (0: wait for ever). The timeout also bounds sending each request and
  // waiting for each reply (call(), watch()'s first reply), not an events.watch stream.
  explicit client(const std::string& path, std::chrono::milliseconds timeout = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends a request, waits for its response: the result, or the error the daemon answered.
  // Throws transport_error (timeout_error past the timeout).
  outcome<boost::json::value> call(std::string_view method, boost::json::object params = {});

  // events.watch: the "after" of the {"watching":true} reply, or the daemon's error. Then
  // next_notification() yields the stream. Throws transport_error.
  outcome<std::int64_t> watch(std::optional<std::int64_t> after, std::int64_t order_id = 0);
  // The next notification; nullopt when the daemon closed the stream. Throws transport_error.
  std::optional<notification> next_notification();

  // Raw framing: one line out ('\n' appended), one line in (without '\n'; nullopt at EOF).
  void send_line(std::string_view line);
  std::optional<std::string> read_line();
  // One line in within `timeout` (not the connection's); throws timeout_error past it.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

 private:
  using deadline = std::optional<std::chrono::steady_clock::time_point>;
  std::optional<std::string> read_line(deadline);
  std::string timed_out() const;

  int fd_ = -1;
  std::chrono::milliseconds timeout_{};
  std::int64_t next_id_ = 1;
  std::string buffer_;
};

}  // namespace portd::wire
