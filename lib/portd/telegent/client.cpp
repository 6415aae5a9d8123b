// The Telegent client: builds the request for a call, takes a budget slot, attaches the
// endpoint's token (fetched once however many calls wait for it), sends it over the shared
// HTTP client (http/client.hpp: TLS always verified, a deadline per phase) and classifies the
// answer. Secrets are scrubbed from every result before it leaves.
#include <portd/telegent/client.hpp>
#include <portd/http/client.hpp>
#include <portd/telegent/request.hpp>
#include <portd/telegent/response.hpp>
#include <portd/telegent/status.hpp>
#include <portd/telegent/token.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/system_error.hpp>

#include <portd/runtime/text.hpp>

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <variant>

namespace portd::telegent {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Added to every pause a 429 asks for; see send().
constexpr porting::milliseconds pause_margin{50};

porting::time_point wall_now() {
  return std::chrono::time_point_cast<porting::milliseconds>(porting::clock::now());
}

http::client_config http_config_of(const client_config& cfg) {
  auto where = http::parse_origin(cfg.base_url).url;
  if (!where) throw std::invalid_argument("telegent base_url is not scheme://host[:port]");
  if (!where->tls && !cfg.allow_insecure_http) {
    throw std::invalid_argument("telegent base_url is http:// but allow_insecure_http is off");
  }
  http::client_config c;
  c.origin = *where;
  c.ca_file = cfg.ca_file;
  c.phase_timeout = cfg.request_timeout;
  c.max_connections = cfg.max_connections;
  c.max_response_bytes = cfg.max_response_bytes;
  c.proxy = cfg.proxy;
  return c;
}

// Either an answer or the failure that prevented one.
struct exchange_result {
  std::optional<http_answer> answer;
  transport_failure failure;
  bool withheld = false;  // the write gate said no: nothing was sent
};

// Telegent's failure phases: a proxy's tunnel is part of connecting.
failure_phase phase_of(http::phase p) {
  switch (p) {
    case http::phase::resolve: return failure_phase::resolve;
    case http::phase::connect:
    case http::phase::tunnel: return failure_phase::connect;
    case http::phase::tls: return failure_phase::tls;
    case http::phase::write: return failure_phase::write;
    case http::phase::read: return failure_phase::read;
    case http::phase::local: return failure_phase::local;
  }
  return failure_phase::local;
}

using write_gate = std::function<asio::awaitable<bool>()>;

// One request in Telegent's shape (JSON, `bearer` as its Authorization when non-empty) and its
// answer or failure in the terms response.hpp classifies. `resend_if_stale`, `may_send` and
// `before_write` are http::exchange_options' (a `may_send` refusal ends the exchange with
// failure `try_again`, nothing sent). Never throws for network failures.
asio::awaitable<exchange_result> exchange(http::client& net, http_method method, std::string_view target,
                                          std::string_view body, std::string_view bearer, bool resend_if_stale,
                                          std::function<bool()> may_send, write_gate before_write) {
  namespace bh = boost::beast::http;
  http::request req{method == http_method::get ? bh::verb::get : bh::verb::post, std::string(target), 11};
  req.set(bh::field::accept, "application/json");
  if (!bearer.empty()) req.set(bh::field::authorization, "Bearer " + std::string(bearer));
  if (method == http_method::post) {
    req.set(bh::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  // A named local: GCC 12 destroys a temporary that lives across a co_await twice.
  http::exchange_options opts{resend_if_stale, std::move(may_send), std::move(before_write)};
  auto r = co_await net.exchange(std::move(req), std::move(opts));
  exchange_result out;
  out.withheld = r.withheld;
  if (r.answer) {
    http_answer a;
    a.status = static_cast<int>(r.answer->result_int());
    a.retry_after = std::string((*r.answer)[bh::field::retry_after]);
    a.body = std::move(r.answer->body());
    out.answer = std::move(a);
  } else {
    out.failure = {phase_of(r.failed.phase), r.failed.ec,        r.failed.sent,
                   r.failed.timed_out,       r.failed.too_large, std::move(r.failed.detail)};
  }
  co_return out;
}

// A call that ended in portd, before its request left.
porting::api_result not_sent(porting::call_kind kind, std::string reason, std::string message) {
  porting::api_result r;
  r.call = kind;
  r.outcome = porting::call_outcome::transient;
  r.reason = std::move(reason);
  r.message = std::move(message);
  r.maybe_processed = false;
  return r;
}

porting::api_result shutdown_result(porting::call_kind kind) {
  return not_sent(kind, "shutdown", "the client is shutting down");
}

porting::api_result unsent_result(porting::call_kind kind) {
  return not_sent(kind, "not_sent", "the request was not sent: portd could not record that it was leaving");
}

// What a failed token request says about the set-up, in an operator's words; "" when it says
// nothing (a 429, a shutdown).
std::string credentials_problem(const porting::api_result& r) {
  if (r.reason == "rate_limited" || r.reason == "shutdown" || r.reason == "not_sent") return "";
  if (r.http_status == 401 || r.http_status == 403)
    return "credentials refused (" + std::to_string(r.http_status) + ")";
  if (r.reason == "unauthorized" || r.reason == "forbidden") return "credentials refused";
  if (r.reason == "tls_failed") return "TLS failed";
  if (r.reason == "connect_failed" || r.reason == "resolve_failed" || r.reason == "timeout" ||
      r.reason == "connection_reset")
    return "unreachable";
  return "token request failed";
}

}  // namespace

// Awaited once a call has its budget, its token and a connection, right before its request is
// written (and again before a re-sent one); false: do not send.

// Where a prepared call waits at its write for its caller's word (see client::prepare). One
// thread: a side sets the state, then wakes the other, which checks the state before waiting.
struct send_point {
  explicit send_point(asio::any_io_executor ex) : to_caller(ex), to_call(ex) {
    to_caller.expires_at(asio::steady_timer::time_point::max());
    to_call.expires_at(asio::steady_timer::time_point::max());
  }
  enum class word : std::uint8_t { none, send, withhold };
  bool at_write = false;  // the call has reached its write and waits for the word
  word said = word::none;
  std::optional<porting::api_result> result;  // the call has ended
  asio::steady_timer to_caller, to_call;   // never expire: cancel() wakes the waiter

  void tell(word w) {
    said = w;
    to_call.cancel();
  }
  asio::awaitable<porting::api_result> outcome() {
    while (!result) co_await to_caller.async_wait(use_tuple);
    co_return *result;
  }
};

class ready_call final : public ready_request {
 public:
  explicit ready_call(std::shared_ptr<send_point> p) : point_(std::move(p)) {}
  ~ready_call() override {
    if (point_->said == send_point::word::none) point_->tell(send_point::word::withhold);
  }
  asio::awaitable<porting::api_result> send() override {
    point_->tell(send_point::word::send);
    co_return co_await point_->outcome();
  }
  asio::awaitable<porting::api_result> withhold() override {
    point_->tell(send_point::word::withhold);
    co_return co_await point_->outcome();
  }

 private:
  std::shared_ptr<send_point> point_;
};

struct client::impl {
  impl(asio::any_io_executor ex_, client_config cfg_, budget& b)
      : ex(ex_), net(ex_, http_config_of(cfg_)), cfg(std::move(cfg_)), bud(b), wire(ex_, b.config()) {
    origin_text = *http::parse_origin(cfg.base_url).url;
  }

  struct token_slot {
    explicit token_slot(asio::any_io_executor e) : cv(e) {
      cv.expires_at(asio::steady_timer::time_point::max());
    }
    std::optional<access_token> token;
    bool fetching = false;
    std::uint64_t generation = 0;             // bumped when a fetch ends
    std::optional<porting::api_result> failure;  // how the last fetch failed, for its waiters
    asio::steady_timer cv;                    // never expires: cancel() wakes the waiters
  };

  asio::any_io_executor ex;
  http::client net;
  client_config cfg;
  budget& bud;
  // The budget grants a request its turn; the request may then wait for a connection (all in
  // use while Telegent is slow) and leave later, beside requests granted after it. So that
  // what reaches Telegent keeps to the rate and burst whatever the wait, each request also
  // takes a token of this bucket, at the write (bench freshness, 3,000 submissions at 150 a
  // real second over 4 connections: 1-3 429s a run without it).
  budget wire;
  http::http_url origin_text;
  client_stats stats;
  rate_limit_tracker rate_limits;
  bool closed = false;
  std::map<std::string, std::unique_ptr<token_slot>> tokens;  // by ApiEndpoint

  // One HTTP exchange, counted in the stats; a 429 pauses the whole budget.
  asio::awaitable<exchange_result> send(const request_spec& spec, std::string_view bearer,
                                        priority prio, const write_gate& gate = {}) {
    // A 429 may have come back after this request took its budget (while it waited for a
    // token or a connection): never send inside the window Telegent announced. Waiting in the
    // budget (not on a timer of our own) keeps close() able to end the wait.
    auto may_send = [this] {
      const auto until = bud.paused_until();
      return !until || *until <= wall_now();
    };
    exchange_result ex_result;
    auto started = std::chrono::steady_clock::now();
    for (;;) {
      if (!may_send() && !co_await take_budget(prio)) {
        exchange_result aborted;
        aborted.failure = {failure_phase::local, asio::error::operation_aborted, false};
        co_return aborted;
      }
      ++stats.in_flight;
      started = std::chrono::steady_clock::now();
      ex_result = co_await exchange(net, spec.method, spec.target, spec.body, bearer, spec.resend_if_stale,
                                    may_send, [this, &gate] { return at_write(gate); });
      if (!ex_result.answer && ex_result.failure.ec == asio::error::try_again) {
        --stats.in_flight;
        continue;  // a 429 arrived while it waited for a connection: wait for its end
      }
      break;
    }
    if (ex_result.withheld) {
      --stats.in_flight;
      co_return ex_result;
    }
    ++stats.requests_total;
    --stats.in_flight;
    const std::string status_class =
        ex_result.answer ? std::to_string(ex_result.answer->status / 100) + "xx" : std::string("transport");
    stats.latency[{spec.path, status_class}].observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (!ex_result.answer) {
      ++stats.by_status["transport"];
      co_return ex_result;
    }
    const auto& a = *ex_result.answer;
    ++stats.by_status[std::to_string(a.status)];
    const auto now = wall_now();
    // The window Telegent announced started when it sent the 429, a little before we read it,
    // and our clock is read at millisecond precision (rounded down): without a margin the
    // pause could end a fraction of a millisecond before Telegent's, and the request waiting
    // for that moment would land inside the window.
    if (const auto wait = rate_limits.on_answer(a, now)) bud.pause_until(now + *wait + pause_margin);
    co_return ex_result;
  }

  // Awaited on the connection right before the write: the caller's gate (a submission's mark
  // is written there), then a token of the wire's bucket. False: do not send.
  asio::awaitable<bool> at_write(const write_gate& gate) {
    if (gate && !co_await gate()) co_return false;
    try {
      co_await wire.acquire(priority::guarded);
    } catch (const boost::system::system_error&) {
      co_return false;
    }
    co_return !closed;
  }

  // Waits for the budget; false when it was closed (shutdown).
  asio::awaitable<bool> take_budget(priority prio) {
    try {
      // A 429 that arrived between the grant and now must still hold this request back.
      do {
        co_await bud.acquire(prio);
      } while (bud.paused_until() && !closed);
    } catch (const boost::system::system_error&) {
      co_return false;
    }
    co_return !closed;
  }

  asio::awaitable<std::variant<access_token, porting::api_result>> fetch_token(
      const std::string& endpoint, porting::call_kind kind, priority prio) {
    const auto spec = build_token_request(cfg.account_key, cfg.account_secret, endpoint);
    if (!co_await take_budget(prio)) co_return shutdown_result(kind);
    auto res = co_await send(spec, {}, prio);
    std::variant<access_token, porting::api_result> out;
    if (!res.answer) {
      auto r = classify_failure(kind, res.failure);
      r.maybe_processed = false;  // the call itself never left
      out = std::move(r);
    } else {
      out = read_token_answer(kind, *res.answer, wall_now());
    }
    if (auto* r = std::get_if<porting::api_result>(&out)) {
      r->message = "token request: " + r->message;
      redact(*r, spec.secrets);
    }
    co_return out;
  }

  // The token for `endpoint`, or the failure that prevented one.
  asio::awaitable<std::variant<std::string, porting::api_result>> get_token(
      const std::string& endpoint, porting::call_kind kind, priority prio) {
    auto& slot_ptr = tokens[endpoint];
    if (!slot_ptr) slot_ptr = std::make_unique<token_slot>(ex);
    token_slot& slot = *slot_ptr;
    for (;;) {
      if (closed) co_return shutdown_result(kind);
      const auto now = wall_now();
      if (slot.token && !needs_refresh(*slot.token, now)) co_return slot.token->value;
      if (slot.fetching) {
        // A refresh is out: a token that has not yet expired is still good meanwhile.
        if (slot.token && !expired(*slot.token, now)) co_return slot.token->value;
        const auto generation = slot.generation;
        co_await slot.cv.async_wait(use_tuple);
        if (slot.generation != generation) {
          // The fetch we waited for ended: share its outcome, even a token already inside its
          // refresh margin, so that waiters never queue one token request each.
          if (slot.failure) {
            auto r = *slot.failure;
            r.call = kind;
            co_return r;
          }
          if (slot.token && !expired(*slot.token, wall_now())) co_return slot.token->value;
        }
        continue;
      }
      slot.fetching = true;
      auto fetched = co_await fetch_token(endpoint, kind, prio);
      slot.fetching = false;
      ++slot.generation;
      slot.cv.cancel();
      note_token_outcome(fetched);
      if (auto* t = std::get_if<access_token>(&fetched)) {
        slot.token = *t;
        slot.failure.reset();
        co_return t->value;
      }
      if (slot.token && !expired(*slot.token, wall_now())) {
        // An early refresh failed: the current token still works until it expires.
        slot.failure.reset();
        co_return slot.token->value;
      }
      slot.token.reset();
      slot.failure = std::get<porting::api_result>(fetched);
      co_return std::get<porting::api_result>(std::move(fetched));
    }
  }

  // Keeps what a token request said about the credentials for daemon.status, and logs a change:
  // a new problem as an error (once, not once per waiting call), its end as info.
  void note_token_outcome(const std::variant<access_token, porting::api_result>& fetched) {
    auto& c = stats.credentials;
    if (std::holds_alternative<access_token>(fetched)) {
      if (!c.problem.empty()) spdlog::info("telegent: credentials accepted again at {}", origin_text.display);
      c.verified = true;
      c.problem.clear();
      c.detail.clear();
      c.at = wall_now();
      return;
    }
    const auto& r = std::get<porting::api_result>(fetched);
    std::string problem = credentials_problem(r);
    if (problem.empty()) return;
    if (problem != c.problem)
      spdlog::error("telegent: {} at {} (account {}): {}", problem, origin_text.display, cfg.account_key,
                    runtime::escape_controls(r.message));  // the detail quotes Telegent
    c.problem = std::move(problem);
    c.detail = r.message;
    c.at = wall_now();
  }

  asio::awaitable<porting::api_result> probe() {
    const std::string endpoint = origin_text.display + std::string(paths::order);
    auto tok = co_await get_token(endpoint, porting::call_kind::status, priority::command);
    if (auto* failure = std::get_if<porting::api_result>(&tok)) co_return std::move(*failure);
    porting::api_result ok;
    ok.call = porting::call_kind::status;
    ok.outcome = porting::call_outcome::ok;
    co_return ok;
  }

  void drop_token(const std::string& endpoint, const std::string& value) {
    auto it = tokens.find(endpoint);
    if (it != tokens.end() && it->second->token && it->second->token->value == value) {
      it->second->token.reset();
    }
  }

  // One call with its token; a 401 drops the token and tries once more with a fresh one.
  asio::awaitable<porting::api_result> perform(porting::call_kind kind, const request_spec& spec,
                                            priority prio, const write_gate& gate) {
    const std::string endpoint = origin_text.display + spec.path;
    for (int auth_try = 0;; ++auth_try) {
      auto tok = co_await get_token(endpoint, kind, prio);
      if (auto* failure = std::get_if<porting::api_result>(&tok)) co_return std::move(*failure);
      const auto& token = std::get<std::string>(tok);
      if (!co_await take_budget(prio)) co_return shutdown_result(kind);
      auto res = co_await send(spec, token, prio, gate);
      if (res.withheld) co_return closed ? shutdown_result(kind) : unsent_result(kind);
      if (!res.answer) co_return classify_failure(kind, res.failure);
      if (res.answer->status == 401 && auth_try == 0) {
        drop_token(endpoint, token);
        continue;
      }
      co_return classify_answer(kind, *res.answer, wall_now());
    }
  }

  // `gate` by value: it lives in this (lazily started) coroutine's frame.
  asio::awaitable<porting::api_result> call(const porting::order& o, porting::call_kind kind,
                                         priority prio, write_gate gate) {
    date_style dates = date_style::iso;
    for (int date_try = 0;; ++date_try) {
      const auto spec = build_request(o, kind, cfg.eligibility_classification, dates);
      if (!spec.problem.empty()) {
        porting::api_result r;
        r.call = kind;
        r.outcome = porting::call_outcome::refused;
        r.reason = "invalid_request";
        r.message = spec.problem;
        co_return r;
      }
      if (closed) co_return shutdown_result(kind);
      auto r = co_await perform(kind, spec, prio, gate);
      // A 400 naming $.PortInDate: the other date form this API has been seen to want.
      if (date_try == 0 && spec.has_port_in_date && r.http_status == 400 &&
          parse_problem(r.raw).names_field("$.PortInDate")) {
        dates = date_style::us;
        continue;
      }
      redact(r, spec.secrets);
      redact(r, {cfg.account_secret});
      if (!r.remote_status.empty()) r.meaning = interpret_status(r.remote_status, o.kind);
      co_return r;
    }
  }

  // A prepared call's task: the call, with a gate that stops at the write until its caller
  // says; the order is the task's own copy.
  static asio::awaitable<void> run_prepared(impl& self, porting::order o, porting::call_kind kind, priority prio,
                                            std::shared_ptr<send_point> point) {
    write_gate gate = [point]() -> asio::awaitable<bool> {
      if (point->said == send_point::word::none) {
        point->at_write = true;
        point->to_caller.cancel();
        while (point->said == send_point::word::none) co_await point->to_call.async_wait(use_tuple);
      }
      co_return point->said == send_point::word::send;  // again for a re-sent request: as before
    };
    point->result = co_await self.call(o, kind, prio, gate);
    point->to_caller.cancel();
  }

  asio::awaitable<api::prepared> prepare(const porting::order& o, porting::call_kind kind, priority prio) {
    auto point = std::make_shared<send_point>(ex);
    asio::co_spawn(ex, run_prepared(*this, o, kind, prio, point), asio::detached);
    while (!point->at_write && !point->result) co_await point->to_caller.async_wait(use_tuple);
    api::prepared p;
    if (point->result) p.ended = *point->result;
    else p.ready = std::make_unique<ready_call>(std::move(point));
    co_return p;
  }

  void shutdown() {
    closed = true;
    wire.close();
    net.close();
    for (auto& [endpoint, slot] : tokens) slot->cv.cancel();
  }
};

client::client(asio::any_io_executor ex, client_config cfg, budget& b)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(cfg), b)) {}

client::~client() {
  if (impl_) impl_->shutdown();
}

asio::awaitable<porting::api_result> client::call(const porting::order& o, porting::call_kind kind, priority prio) {
  return impl_->call(o, kind, prio, {});
}

asio::awaitable<api::prepared> client::prepare(const porting::order& o, porting::call_kind kind, priority prio) {
  return impl_->prepare(o, kind, prio);
}

asio::awaitable<porting::api_result> client::probe() { return impl_->probe(); }

const client_stats& client::stats() const { return impl_->stats; }

void client::close() { impl_->shutdown(); }

}  // namespace portd::telegent
