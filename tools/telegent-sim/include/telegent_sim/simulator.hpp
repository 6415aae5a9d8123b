// The whole simulated Telegent as one object with a request -> response function: routing,
// auth, the rate limit, validation, the carrier, faults, stats and the /_sim control plane.
// No sockets and no clock: the server (or a test) passes each request and `now`.
#pragma once

#include <telegent_sim/carrier.hpp>
#include <telegent_sim/config.hpp>
#include <telegent_sim/faults.hpp>
#include <telegent_sim/rate_limiter.hpp>
#include <telegent_sim/stats.hpp>
#include <telegent_sim/time.hpp>
#include <telegent_sim/tokens.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string_view>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace telegent_sim {

struct sim_request {
  std::string method;         // "GET", "POST", …
  std::string target;         // path with query, e.g. "/v1.0/numbers/order?OrderId=JNUOID-…"
  std::string authorization;  // the Authorization header, may be empty
  std::string body;
};

enum class transport_action {
  respond,  // send status/headers/body
  delay,    // wait `delay`, then call handle() again with handling_pass::after_delay
  hang,     // never answer; keep the connection open until the peer closes it
  reset,    // close the connection without answering (RST)
};

struct sim_response {
  transport_action action = transport_action::respond;
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string body;
  std::chrono::milliseconds delay{0};
};

enum class handling_pass { first, after_delay };

std::string_view to_string(transport_action a) noexcept;
std::string_view to_string(handling_pass p) noexcept;
std::ostream& operator<<(std::ostream& os, transport_action a);
std::ostream& operator<<(std::ostream& os, handling_pass p);

struct api_route;  // one of the seven Telegent endpoints (simulator.cpp)

class simulator {
 public:
  simulator(sim_config config, real_time now);
  simulator(const simulator&) = delete;
  simulator& operator=(const simulator&) = delete;

  // Answers one HTTP request as Telegent (or the /_sim control plane) would at `now`.
  sim_response handle(const sim_request& req, real_time now, handling_pass pass = handling_pass::first);

  stats_snapshot stats(real_time now);
  boost::json::value stats_json(real_time now) { return to_json(stats(now)); }

  // Back to the state right after start: orders, limiter, stats, faults (the configured
  // profile) and clock are reset; issued tokens stay valid.
  void reset(real_time now);

  const sim_config& config() const noexcept { return config_; }
  sim_clock& clock() noexcept { return clock_; }
  carrier& orders() noexcept { return carrier_; }
  fault_injector& faults() noexcept { return faults_; }
  rate_limiter& limiter() noexcept { return limiter_; }
  token_authority& tokens() noexcept { return tokens_; }

  // The server's loop probe ticked at `now`, `late` after it was due, and will tick again at
  // `next`. A bucket's 429 records how long the loop had been away (the later of the last
  // tick's lateness and how overdue the next one is), so that a refusal caused by the simulator's own stall — requests that arrived spaced
  // out, queued while it was not running, and met a bucket that had stopped filling at its
  // burst — can be told from a client that sent too fast.
  void loop_tick(real_time next, std::chrono::microseconds late);

 private:
  sim_response api(const api_route& r, const sim_request& req, std::string_view path, std::string_view query,
                   real_time now, handling_pass pass);
  sim_response control(const sim_request& req, std::string_view path, real_time now);

  sim_response on_tokens(const boost::json::object& body, real_time now);
  sim_response on_eligibility(const boost::json::object& body);
  sim_response on_portin(const std::string& account, const boost::json::object& body, real_time now);
  sim_response on_update(const std::string& account, const boost::json::object& body, real_time now);
  sim_response on_cancel(const std::string& account, const boost::json::object& body, real_time now);
  sim_response on_order(const std::string& account, std::string_view query, real_time now,
                        std::string& observed_order);
  sim_response on_portout(const std::string& account, const boost::json::object& body, real_time now);

  // Problem details in the configured casing; `errors` maps "$.Field" to a message.
  sim_response problem(unsigned status, std::string_view title, std::string_view detail,
                       const std::vector<std::pair<std::string, std::string>>& errors = {},
                       const boost::json::object* extra = nullptr);
  sim_response too_many_requests(std::chrono::seconds wait, real_time now);
  std::string new_order_id();

  sim_config config_;
  sim_clock clock_;
  token_authority tokens_;
  rate_limiter limiter_;
  carrier carrier_;
  fault_injector faults_;
  std::mt19937_64 rng_;
  sim_counters counters_;
  std::optional<real_time> next_tick_;
  std::chrono::microseconds last_tick_late_{0};
  std::chrono::microseconds stall_at(real_time now) const;
};

}  // namespace telegent_sim
