// The control socket: an AF_UNIX stream listener speaking PROTOCOL.md. Every connection is
// authorised by SO_PEERCRED, reads lines, dispatches each request as soon as it arrives
// (pipelining), and writes replies strictly in request order; events.watch turns the
// connection into an event stream. Runs on one io_context thread, no strands.
#pragma once
#include <portd/control/access.hpp>
#include <portd/control/errors.hpp>
#include <portd/control/vocabulary.hpp>
#include <portd/control/dispatch.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>

namespace portd::control {

struct server_options {
  std::filesystem::path socket_path = "/run/portd/portd.sock";  // for listen()
  access_rules access;
  protocol_options protocol;
  std::size_t max_connections = 256;  // more are answered `unavailable` and closed
  // Of max_connections, slots only operators may take (at most half): readers and peers with
  // no role cannot lock an operator out.
  std::size_t operator_reserve = 16;
  std::size_t max_line_bytes = 1024 * 1024;
  std::size_t max_pending_requests = 1024;    // unanswered requests per connection
  std::size_t max_write_buffer = 8u << 20;    // queued reply bytes per connection
  std::size_t max_watch_queue = 10000;        // queued event notifications per watcher
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);  // no request, no reply
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);  // peer not reading
  // Overrides role_for(access, …) when set (tests, or a daemon with its own rules).
  std::function<role(const peer_credentials&)> classify;
};

class server {
 public:
  // `b` must outlive the server and every connection's in-flight requests.
  server(boost::asio::any_io_executor ex, service::order_service& b, server_options opts);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds opts.socket_path (mode 0660). A stale socket file is removed first; throws
  // std::runtime_error if another process answers on it or the path is not a socket, and
  // std::system_error when bind/listen fail.
  void listen();
  // Takes over an already-listening AF_UNIX socket (systemd socket activation, LISTEN_FDS).
  // Throws std::system_error if `fd` is unusable.
  void adopt(int fd);
  // Starts accepting (after listen() or adopt()).
  void start();
  // The start of a stop that answers every request it read: stops accepting and taking
  // lines; lines read but not run are answered `unavailable` ("portd is stopping; the request
  // was not run"), requests already running keep their own answer, watchers get watch.ended
  // (reason "stopping"), and each connection closes once its replies are written.
  void drain();
  // After drain(): waits until every connection has closed, at most `limit`, then stop().
  boost::asio::awaitable<void> drained(std::chrono::milliseconds limit);
  // Stops accepting and closes every connection; in-flight service calls finish unanswered.
  // Removes the socket file if listen() created it. Idempotent.
  void stop();

  // New [control] operators/readers (SIGHUP): connections accepted from now on get their role
  // from them; those already open keep theirs.
  void set_access(access_rules);

  std::size_t connection_count() const;
  const server_options& options() const;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::control
