// Retention ([retention] in the configuration): what portd stops keeping once it is old.
// Delivered outbox rows are deleted; the raw Telegent bodies (order_events.raw) of orders that
// finished long ago are emptied while the events themselves stay (an order's history is its
// audit trail, and event ids must never be reused or leave gaps a watcher could trip on).
// Every call does one bounded batch in the repository's open transaction: the caller begins
// one of its own and commits it, a short transaction per batch. No repository::unit: nothing
// else is in that transaction to protect, and a savepoint would journal every page it touches.
#pragma once
#include <portd/porting/types.hpp>
#include <portd/store/repository.hpp>

#include <cstdint>
#include <memory>

namespace portd::store {

class retention {
 public:
  // Prepares its statements on the repository's writer connection. Throws store_error.
  explicit retention(repository& repo);
  ~retention();

  struct step {
    std::int64_t changed = 0;  // rows deleted or emptied
    bool more = false;         // another batch may find more
  };
  // Deletes up to `limit` outbox rows delivered before `before`, oldest first. Throws store_error.
  step prune_delivered_outbox(porting::time_point before, int limit);
  // Reads up to `limit` events after a cursor kept in daemon_state, in id order, up to the
  // first one at or after `before`; for each that ended its order (a transition to a terminal
  // state) empties the raw bodies of that order's events. The cursor moves past what was read,
  // so every event is read once over the database's life. Throws store_error.
  step prune_raw_bodies(porting::time_point before, int limit);
  // Gives up to `pages` free pages back to the file system (PRAGMA incremental_vacuum; a no-op
  // unless auto_vacuum is INCREMENTAL). Returns how many were freed. Throws store_error.
  std::int64_t release_free_pages(int pages);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::store
