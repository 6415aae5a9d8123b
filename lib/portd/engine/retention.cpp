// [retention]: delivered outbox rows and finished orders' raw bodies pruned on a timer, one
// short transaction per batch outside the group, then free pages given back.
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace portd::engine {

namespace asio = boost::asio;
using namespace detail;

asio::awaitable<void> engine::retention_loop() {
  auto wait = std::min<porting::milliseconds>(opts_.retention.interval, std::chrono::minutes(1));
  while (!stopping_) {  // stop() cancels the timer; a pass that ends after it must not re-arm it
    retention_timer_->expires_after(wait);
    boost::system::error_code ec;
    co_await retention_timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || stopping_) co_return;
    wait = opts_.retention.interval;
    try {
      co_await prune();
    } catch (const std::exception& e) {  // a store failure (disk full): the next pass tries again
      spdlog::warn("retention: {}; trying again in {} s", e.what(),
                   std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    }
  }
}

// One pass: batches until nothing older is left, each committed (and the loop free to serve
// everything else) before the next; then the freed pages go back to the file system.
asio::awaitable<void> engine::prune() {
  if (!retention_) retention_ = std::make_unique<store::retention>(repo_);
  const auto& keep = opts_.retention;
  const auto now = now_();
  std::int64_t outbox_rows = 0, raw_bodies = 0, pages = 0;
  // One batch in a transaction of its own, begun once the group has committed and committed
  // before anything else runs on the loop: it never rides in (or rolls back) anyone's writes,
  // and needs no savepoint journal (see retention.hpp). Relaxed: a batch lost to a power cut is
  // simply done again. True when another batch may find more.
  auto batch = [&](auto&& work) -> asio::awaitable<bool> {
    while (!stopping_ && group_.open())
      if (!co_await group_.committed()) co_return false;
    if (stopping_) co_return false;
    repo_.begin();
    store::retention::step st;
    try {
      st = work();
      repo_.commit(store::repository::durability::relaxed);
    } catch (...) {
      try {
        repo_.rollback();
      } catch (...) {  // SQLite rolled it back already
      }
      throw;
    }
    // Let everything that waited meanwhile run before the next batch.
    co_await asio::post(ioc_, asio::use_awaitable);
    co_return st.more;
  };
  if (keep.delivered_outbox.count() > 0)
    while (co_await batch([&] {
      auto st = retention_->prune_delivered_outbox(now - keep.delivered_outbox, keep.batch);
      outbox_rows += st.changed;
      return st;
    })) {
    }
  if (keep.raw_bodies.count() > 0)
    while (co_await batch([&] {
      auto st = retention_->prune_raw_bodies(now - keep.raw_bodies, keep.batch);
      raw_bodies += st.changed;
      return st;
    })) {
    }
  while (co_await batch([&] {
    const auto n = retention_->release_free_pages(keep.batch * 4);
    pages += n;
    return store::retention::step{n, n > 0};
  })) {
  }
  if (outbox_rows || raw_bodies || pages)
    spdlog::info("retention: {} delivered outbox rows deleted, raw bodies of {} events emptied, {} free pages given back",
                 outbox_rows, raw_bodies, pages);
}

}  // namespace portd::engine
