// The HTTP/1.1 (optionally TLS) front of the simulator: Beast, C++20 coroutines, one
// executor, keep-alive. It only moves bytes; every decision is the simulator's.
//
// In-process use (e.g. portd's integration tests):
//   boost::asio::io_context ioc{1};
//   telegent_sim::simulator sim{telegent_sim::sim_config{}, telegent_sim::real_now()};
//   telegent_sim::server srv{ioc.get_executor(), sim};   // binds 127.0.0.1:0 at once
//   srv.start();
//   auto port = srv.port();                               // or srv.url()
//   ... run the client on ioc ...; sim.stats(telegent_sim::real_now());
//   srv.stop();                                           // closes listener and connections
#pragma once

#include <telegent_sim/simulator.hpp>
#include <telegent_sim/time.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace telegent_sim {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port, read it back with server::port()
  // Both set: serve HTTPS with this PEM certificate (chain) and private key.
  std::optional<std::filesystem::path> tls_cert;
  std::optional<std::filesystem::path> tls_key;
  // The time passed to the simulator with each request; tests may inject their own.
  std::function<real_time()> now = real_now;
  // Called once per answered (or hung, or reset) request, e.g. for an access log.
  std::function<void(const sim_request&, const sim_response&)> on_request;
  std::chrono::seconds idle_timeout{120};   // a keep-alive connection idle this long is closed
  std::chrono::seconds write_timeout{30};
};

// Parses "host:port" (host an IPv4 address, "[v6]" or "localhost"); nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view s);

class server {
 public:
  // Binds and listens at once; throws boost::system::system_error when it cannot, and
  // std::runtime_error when the TLS files cannot be loaded. `sim` must outlive the server's
  // connections (stop() and run the executor, or destroy the io_context, first).
  server(boost::asio::any_io_executor ex, simulator& sim, server_options options = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Starts accepting connections on the executor.
  void start();
  // Closes the listener and every open connection (including hanging ones); idempotent.
  void stop();

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  std::uint16_t port() const;
  bool tls() const noexcept;
  // "http://127.0.0.1:PORT" or "https://…".
  std::string url() const;

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace telegent_sim
