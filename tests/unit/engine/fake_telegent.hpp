// A scripted Telegent for engine tests: no sockets, no budget, no clock. Every request that
// leaves is recorded; `script` answers it at once, or (nullopt) leaves it hanging until the
// test answers it — a call that is out for as long as the test wants.
#pragma once
#include <portd/telegent/api.hpp>
#include <portd/telegent/client.hpp>
#include <portd/telegent/status.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <vector>

namespace portd::engine::test {

namespace asio = boost::asio;

class fake_telegent final : public telegent::api {
 public:
  struct request {
    std::int64_t order_id = 0;
    porting::call_kind kind{};
    telegent::priority prio{};
  };

  explicit fake_telegent(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  // How Telegent answers; nullopt: the request hangs until answer() (or close()).
  std::function<std::optional<porting::api_result>(const porting::order&, porting::call_kind)> script =
      [](const porting::order& o, porting::call_kind k) { return std::optional(ok(o, k, "Submitted")); };
  std::vector<request> requests;  // every request that left, in order (a withheld one did not)

  std::size_t hanging() const { return hanging_.size(); }
  // Answers the oldest hanging request.
  void answer(porting::api_result r) {
    auto& h = *hanging_.front();
    h.result = std::move(r);
    h.wake.cancel();
    hanging_.pop_front();
  }

  // An ok answer to `k` that reports `status`.
  static porting::api_result ok(const porting::order& o, porting::call_kind k, std::string status) {
    porting::api_result r;
    r.call = k;
    r.outcome = porting::call_outcome::ok;
    r.http_status = 200;
    r.remote_order_id = o.remote_order_id.empty() ? "ORD-" + std::to_string(o.id) : o.remote_order_id;
    r.remote_status = std::move(status);
    r.meaning = telegent::interpret_status(r.remote_status, o.kind);
    r.eligible = true;
    return r;
  }
  // No answer after the request left: it may have been acted on.
  static porting::api_result lost(porting::call_kind k) {
    porting::api_result r;
    r.call = k;
    r.outcome = porting::call_outcome::transient;
    r.maybe_processed = true;
    r.reason = "timeout";
    r.message = "no answer";
    return r;
  }

  asio::awaitable<porting::api_result> call(const porting::order& o, porting::call_kind kind,
                                         telegent::priority prio) override {
    if (closed_) co_return shutdown(kind);
    requests.push_back({o.id, kind, prio});
    if (auto r = script(o, kind)) co_return *r;
    auto h = std::make_shared<hang>(ex_);
    hanging_.push_back(h);
    while (!h->result) co_await h->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return *h->result;
  }

  asio::awaitable<prepared> prepare(const porting::order& o, porting::call_kind kind, telegent::priority prio) override {
    prepared p;
    if (closed_) p.ended = shutdown(kind);
    else p.ready = std::make_unique<ready>(*this, o, kind, prio);
    co_return p;
  }

  const telegent::client_stats& stats() const override { return stats_; }
  void close() override {
    closed_ = true;
    for (auto& h : hanging_) {
      h->result = shutdown(h->result ? h->result->call : porting::call_kind::status);
      h->wake.cancel();
    }
    hanging_.clear();
  }

 private:
  struct hang {
    explicit hang(asio::any_io_executor ex) : wake(ex) { wake.expires_at(asio::steady_timer::time_point::max()); }
    asio::steady_timer wake;
    std::optional<porting::api_result> result;
  };
  struct ready final : telegent::ready_request {
    ready(fake_telegent& f, const porting::order& o, porting::call_kind k, telegent::priority p)
        : fake(f), order(o), kind(k), prio(p) {}
    asio::awaitable<porting::api_result> send() override { co_return co_await fake.call(order, kind, prio); }
    asio::awaitable<porting::api_result> withhold() override {
      auto r = shutdown(kind);
      r.reason = "not_sent";
      co_return r;
    }
    fake_telegent& fake;
    porting::order order;
    porting::call_kind kind;
    telegent::priority prio;
  };
  static porting::api_result shutdown(porting::call_kind k) {
    porting::api_result r;
    r.call = k;
    r.outcome = porting::call_outcome::transient;
    r.reason = "shutdown";
    return r;
  }

  asio::any_io_executor ex_;
  std::list<std::shared_ptr<hang>> hanging_;
  telegent::client_stats stats_;
  bool closed_ = false;
};

}  // namespace portd::engine::test
