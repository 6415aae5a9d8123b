// A scripted Telegent for engine tests: no sockets, no budget, no clock. Every request that
// leaves is recorded; `script` answers it at once, or (nullopt) leaves it hanging until the
// test answers it — a call that is out for as long as the test wants.
#pragma once
#include <portd/telegent/api.hpp>
#include <portd/telegent/client.hpp>

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
    core::call_kind kind{};
    telegent::priority prio{};
  };

  explicit fake_telegent(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  // How Telegent answers; nullopt: the request hangs until answer() (or close()).
  std::function<std::optional<core::api_result>(const core::order&, core::call_kind)> script =
      [](const core::order& o, core::call_kind k) { return std::optional(ok(o, k, "Submitted")); };
  std::vector<request> requests;  // every request that left, in order (a withheld one did not)

  std::size_t hanging() const { return hanging_.size(); }
  // Answers the oldest hanging request.
  void answer(core::api_result r) {
    auto& h = *hanging_.front();
    h.result = std::move(r);
    h.wake.cancel();
    hanging_.pop_front();
  }

  // An ok answer to `k` that reports `status`.
  static core::api_result ok(const core::order& o, core::call_kind k, std::string status) {
    core::api_result r;
    r.call = k;
    r.outcome = core::call_outcome::ok;
    r.http_status = 200;
    r.remote_order_id = o.remote_order_id.empty() ? "ORD-" + std::to_string(o.id) : o.remote_order_id;
    r.remote_status = std::move(status);
    r.eligible = true;
    return r;
  }
  // No answer after the request left: it may have been acted on.
  static core::api_result lost(core::call_kind k) {
    core::api_result r;
    r.call = k;
    r.outcome = core::call_outcome::transient;
    r.maybe_processed = true;
    r.reason = "timeout";
    r.message = "no answer";
    return r;
  }

  asio::awaitable<core::api_result> call(const core::order& o, core::call_kind kind,
                                         telegent::priority prio) override {
    if (closed_) co_return shutdown(kind);
    requests.push_back({o.id, kind, prio});
    if (auto r = script(o, kind)) co_return *r;
    auto h = std::make_shared<hang>(ex_);
    hanging_.push_back(h);
    while (!h->result) co_await h->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return *h->result;
  }

  asio::awaitable<prepared> prepare(const core::order& o, core::call_kind kind, telegent::priority prio) override {
    prepared p;
    if (closed_) p.ended = shutdown(kind);
    else p.ready = std::make_unique<ready>(*this, o, kind, prio);
    co_return p;
  }

  const telegent::client_stats& stats() const override { return stats_; }
  void close() override {
    closed_ = true;
    for (auto& h : hanging_) {
      h->result = shutdown(h->result ? h->result->call : core::call_kind::status);
      h->wake.cancel();
    }
    hanging_.clear();
  }

 private:
  struct hang {
    explicit hang(asio::any_io_executor ex) : wake(ex) { wake.expires_at(asio::steady_timer::time_point::max()); }
    asio::steady_timer wake;
    std::optional<core::api_result> result;
  };
  struct ready final : telegent::ready_request {
    ready(fake_telegent& f, const core::order& o, core::call_kind k, telegent::priority p)
        : fake(f), order(o), kind(k), prio(p) {}
    asio::awaitable<core::api_result> send() override { co_return co_await fake.call(order, kind, prio); }
    asio::awaitable<core::api_result> withhold() override {
      auto r = shutdown(kind);
      r.reason = "not_sent";
      co_return r;
    }
    fake_telegent& fake;
    core::order order;
    core::call_kind kind;
    telegent::priority prio;
  };
  static core::api_result shutdown(core::call_kind k) {
    core::api_result r;
    r.call = k;
    r.outcome = core::call_outcome::transient;
    r.reason = "shutdown";
    return r;
  }

  asio::any_io_executor ex_;
  std::list<std::shared_ptr<hang>> hanging_;
  telegent::client_stats stats_;
  bool closed_ = false;
};

}  // namespace portd::engine::test
