// server: accept loop and one coroutine per connection, driving simulator::handle.
#include <telegent_sim/server.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <map>
#include <stdexcept>

namespace telegent_sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

struct server::state {
  asio::any_io_executor ex;
  simulator* sim;
  server_options options;
  tcp::acceptor acceptor;
  tcp::endpoint bound;  // kept: the acceptor forgets it once closed
  std::optional<asio::ssl::context> ssl;
  std::map<std::uint64_t, std::function<void()>> closers;  // open connections
  std::optional<asio::steady_timer> probe;                 // loop_probe's, while it runs
  std::uint64_t next_id = 0;
  bool stopped = false;

  state(asio::any_io_executor e, simulator& s, server_options o)
      : ex(e), sim(&s), options(std::move(o)), acceptor(e) {}
};

std::optional<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
  std::string host(s.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  for (char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + unsigned(c - '0');
    if (port > 65535) return std::nullopt;
  }
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

namespace {

// Serves requests on one connection until the peer goes away, a fault closes it, or the
// server stops.
template <class Stream>
asio::awaitable<void> serve(std::shared_ptr<server::state> st, Stream& stream, asio::steady_timer& delay_timer) {
  beast::flat_buffer buffer;
  auto& tcp_layer = beast::get_lowest_layer(stream);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    tcp_layer.expires_after(st->options.idle_timeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (hec || st->stopped) co_return;
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      // curl sends this for bodies over 1 KiB and would otherwise wait a second for it.
      http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
      auto [cec, cn] = co_await http::async_write(stream, go_on, use_tuple);
      if (cec) co_return;
    }
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec || st->stopped) co_return;
    auto& req = parser.get();
    const sim_request sreq{std::string(req.method_string()), std::string(req.target()),
                           std::string(req[http::field::authorization]), std::move(req.body())};
    sim_response out = st->sim->handle(sreq, st->options.now());
    while (out.action == transport_action::delay) {
      delay_timer.expires_after(out.delay);
      auto [tec] = co_await delay_timer.async_wait(use_tuple);
      if (tec || st->stopped) co_return;
      out = st->sim->handle(sreq, st->options.now(), handling_pass::after_delay);
    }
    if (st->options.on_request) st->options.on_request(sreq, out);
    if (out.action == transport_action::hang) {
      // Never answer; hold the connection until the peer closes it or the server stops.
      tcp_layer.expires_never();
      char sink[512];
      for (;;) {
        auto [rec, k] = co_await tcp_layer.socket().async_read_some(asio::buffer(sink), use_tuple);
        if (rec) co_return;
      }
    }
    if (out.action == transport_action::reset) {
      boost::system::error_code ignored;
      tcp_layer.socket().set_option(tcp::socket::linger(true, 0), ignored);
      tcp_layer.socket().close(ignored);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(out.status), req.version()};
    res.set(http::field::server, "telegent-sim");
    res.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) res.set(name, value);
    res.body() = std::move(out.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    tcp_layer.expires_after(st->options.write_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) {
      boost::system::error_code ignored;
      tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

asio::awaitable<void> run_session(std::shared_ptr<server::state> st, tcp::socket socket) {
  asio::steady_timer delay_timer(socket.get_executor());
  const std::uint64_t id = st->next_id++;
  struct unregister {
    server::state* st;
    std::uint64_t id;
    ~unregister() { st->closers.erase(id); }
  } guard{st.get(), id};

  if (st->ssl) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *st->ssl);
    st->closers[id] = [&] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(stream).socket().close(ignored);
      delay_timer.cancel();
    };
    beast::get_lowest_layer(stream).expires_after(st->options.write_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) co_return;
    co_await serve(st, stream, delay_timer);
  } else {
    beast::tcp_stream stream(std::move(socket));
    st->closers[id] = [&] {
      boost::system::error_code ignored;
      stream.socket().close(ignored);
      delay_timer.cancel();
    };
    co_await serve(st, stream, delay_timer);
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<server::state> st) {
  for (;;) {
    auto [ec, socket] = co_await st->acceptor.async_accept(use_tuple);
    if (st->stopped || !st->acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. too many open files: keep serving the connections we have
    asio::co_spawn(st->ex, run_session(st, std::move(socket)), asio::detached);
  }
}

// Ticks every few milliseconds and tells the simulator how late each tick came: a loop that
// was not running (a busy machine) shows as a late tick, and a 429 the bucket gives then is
// logged with it (simulator::loop_tick).
asio::awaitable<void> loop_probe(std::shared_ptr<server::state> st) {
  constexpr auto period = std::chrono::milliseconds{5};
  auto& timer = st->probe.emplace(st->ex);  // stop() cancels it
  auto due = std::chrono::steady_clock::now() + period;
  while (!st->stopped) {
    timer.expires_at(due);
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec || st->stopped) co_return;
    const auto late = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - due);
    due = std::chrono::steady_clock::now() + period;
    st->sim->loop_tick(st->options.now() + period, late);
  }
}

}  // namespace

server::server(asio::any_io_executor ex, simulator& sim, server_options options)
    : state_(std::make_shared<state>(ex, sim, std::move(options))) {
  auto& st = *state_;
  if (st.options.tls_cert || st.options.tls_key) {
    if (!st.options.tls_cert || !st.options.tls_key)
      throw std::runtime_error("TLS needs both a certificate and a key");
    st.ssl.emplace(asio::ssl::context::tls_server);
    st.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    st.ssl->use_certificate_chain_file(st.options.tls_cert->string(), ec);
    if (ec) throw std::runtime_error("cannot load TLS certificate " + st.options.tls_cert->string() + ": " + ec.message());
    st.ssl->use_private_key_file(st.options.tls_key->string(), asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load TLS key " + st.options.tls_key->string() + ": " + ec.message());
  }
  const tcp::endpoint ep{asio::ip::make_address(st.options.host), st.options.port};
  st.acceptor.open(ep.protocol());
  st.acceptor.set_option(tcp::acceptor::reuse_address(true));
  st.acceptor.bind(ep);
  st.acceptor.listen(asio::socket_base::max_listen_connections);
  st.bound = st.acceptor.local_endpoint();
}

server::~server() { stop(); }

void server::start() {
  asio::co_spawn(state_->ex, accept_loop(state_), asio::detached);
  if (state_->sim->config().rate_limit.requests_per_minute > 0) asio::co_spawn(state_->ex, loop_probe(state_), asio::detached);
}

void server::stop() {
  auto& st = *state_;
  if (st.stopped) return;
  st.stopped = true;
  boost::system::error_code ignored;
  st.acceptor.close(ignored);
  if (st.probe) st.probe->cancel();
  const auto closers = st.closers;  // closing schedules the sessions' exit; they unregister later
  for (const auto& [id, close] : closers) close();
}

tcp::endpoint server::local_endpoint() const { return state_->bound; }
std::uint16_t server::port() const { return local_endpoint().port(); }
bool server::tls() const noexcept { return state_->ssl.has_value(); }

std::string server::url() const {
  const auto ep = local_endpoint();
  const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return std::string(tls() ? "https" : "http") + "://" + host + ":" + std::to_string(ep.port());
}

}  // namespace telegent_sim
