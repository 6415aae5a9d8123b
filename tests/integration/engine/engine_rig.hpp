// The engine in-process for integration tests: a real store, client and budget, and a
// Telegent that accepts connections and never answers (the peer hangs; nothing waits for time).
#pragma once
#include <common/process.hpp>
#include <portd/engine/engine.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

namespace portd::engine::test {

namespace asio = boost::asio;

struct hanging_telegent {
  asio::io_context& ioc;
  asio::ip::tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()); }
};

// An engine on a store in a temp dir, talking to a hanging Telegent, budget off.
struct rig {
  portd::test::temp_dir dir;
  asio::io_context ioc{1};
  hanging_telegent api{ioc};
  store::repository repo{dir.file("portd.db")};
  telegent::budget budget{ioc.get_executor(), {0, 5}};
  std::optional<telegent::client> client;
  std::optional<portd::engine::engine> eng;

  void start(int max_connections, engine_options eo) {
    telegent::client_config cc;
    cc.base_url = api.url();
    cc.account_key = "DID-test";
    cc.account_secret = "not-a-real-secret";
    cc.allow_insecure_http = true;
    cc.request_timeout = std::chrono::hours(1);
    cc.max_connections = max_connections;
    client.emplace(ioc.get_executor(), cc, budget);
    eng.emplace(ioc, repo, *client, budget, porting::policy{}, eo);
    eng->start();
    // Only handlers that are ready run; a timer armed in the past is ready at every turn.
    for (int i = 0; i < 2000; ++i) ioc.poll_one();
  }
  ~rig() {
    if (client) client->close();
    budget.close();
  }
};

// `n` port-ins already at Telegent (submitted), each due for a poll now.
inline void insert_due_orders(store::repository& repo, int n) {
  repo.begin();
  const auto now = porting::now_ms();
  for (int i = 0; i < n; ++i) {
    porting::order o;
    o.kind = porting::order_kind::port_in;
    o.number = "+1801555" + std::to_string(1000 + i);
    o.state = porting::order_state::submitted;
    o.remote_order_id = "ORD-" + std::to_string(i);
    o.created_at = o.updated_at = o.state_since = now - porting::milliseconds(60000);
    o.next_check_at = now - porting::milliseconds(1000);
    o.details.carrier = "Verizon";
    repo.insert_order(o);
  }
  repo.commit();
}


}  // namespace portd::engine::test
