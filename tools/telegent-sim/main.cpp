// telegent-sim: the Telegent API on loopback. Parses the command line, loads the config and
// runs the server until SIGTERM/SIGINT.
#include <telegent_sim/config.hpp>
#include <telegent_sim/server.hpp>
#include <telegent_sim/simulator.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdint>
#include <iostream>

int main(int argc, char** argv) {
  namespace ts = telegent_sim;
  CLI::App app{"telegent-sim: the Telegent port API on loopback, with a carrier that takes its time"};
  app.set_version_flag("--version", std::string("telegent-sim ") + PORTD_VERSION);
  std::string listen = "127.0.0.1:0";
  std::string config_path, dialect, tls_cert, tls_key;
  std::uint64_t seed = 0;
  double time_scale = 0;
  bool log_requests = false;
  app.add_option("--listen", listen, "address:port to listen on (port 0: any free port)")->capture_default_str();
  app.add_option("--config", config_path, "TOML config file (see README.md)")->check(CLI::ExistingFile);
  auto* seed_opt = app.add_option("--seed", seed, "seed for order ids, tokens and faults (overrides the config)");
  auto* scale_opt = app.add_option("--time-scale", time_scale, "sim seconds per real second (overrides the config)")
                        ->check(CLI::PositiveNumber);
  auto* dialect_opt = app.add_option("--dialect", dialect, "status dialect (overrides the config)")
                          ->check(CLI::IsMember({"lifecycle", "kb"}));
  auto* cert_opt = app.add_option("--tls-cert", tls_cert, "PEM certificate: serve HTTPS")->check(CLI::ExistingFile);
  auto* key_opt = app.add_option("--tls-key", tls_key, "PEM private key for --tls-cert")->check(CLI::ExistingFile);
  app.add_flag("--log-requests", log_requests, "log each request and its outcome to stderr");
  cert_opt->needs(key_opt);
  key_opt->needs(cert_opt);
  CLI11_PARSE(app, argc, argv);

  try {
    ts::sim_config config = config_path.empty() ? ts::sim_config{} : ts::load_config(config_path);
    if (*seed_opt) config.seed = seed;
    if (*scale_opt) config.time_scale = time_scale;
    if (*dialect_opt) config.carrier_dialect = *ts::dialect_from(dialect);

    const auto where = ts::parse_listen(listen);
    if (!where) {
      std::cerr << "telegent-sim: --listen must be address:port, e.g. 127.0.0.1:0\n";
      return 2;
    }
    ts::server_options options;
    options.host = where->first;
    options.port = where->second;
    if (*cert_opt) {
      options.tls_cert = tls_cert;
      options.tls_key = tls_key;
    }

    if (log_requests) {
      options.on_request = [](const ts::sim_request& req, const ts::sim_response& res) {
        std::cerr << req.method << ' ' << req.target << " -> ";
        if (res.action == ts::transport_action::respond) {
          std::cerr << res.status << '\n';
        } else {
          std::cerr << res.action << '\n';
        }
      };
    }

    boost::asio::io_context ioc{1};
    ts::simulator sim{std::move(config), ts::real_now()};
    ts::server srv{ioc.get_executor(), sim, std::move(options)};
    // Handlers first: a signal sent as soon as the address line is read must stop us cleanly.
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) srv.stop();
    });
    srv.start();
    std::cout << "listening on " << srv.url() << std::endl;  // the first line; tests read it
    ioc.run();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "telegent-sim: " << e.what() << '\n';
    return 1;
  }
}
