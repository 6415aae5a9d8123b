// The poller's memory across restarts: how long orders stayed in each state, read back from
// the history (order_events) at start, so that a restart loses nothing the planner learned.
#pragma once
#include <portd/poll/dwell.hpp>
#include <portd/store/repository.hpp>

#include <cstdint>
#include <functional>
#include <vector>

namespace portd::store {

// Every stay that Telegent ended (a change of state, or of remote status within a state, by the
// `telegent` actor out of a polled state, timed from the change that began it), oldest first, among the latest `window` events (a
// bound on the work at start: ids are the primary key). Carrier from the order. Reads on the
// reader connection (committed data). Throws store_error.
std::vector<poll::dwell_sample> load_dwell_samples(repository& repo, std::int64_t window = 200'000);

// Calls `fn` with each polled order (submitted, carrier approval, scheduled, rejected) and what
// the planner needs of it: id, state, state_since, next_check_at, carrier and port dates;
// nothing else is filled in. Ascending id, one at a time (a large book is never held whole),
// on the reader connection. Returns how many. Throws store_error.
std::size_t for_each_polled_order(repository& repo, const std::function<void(const porting::order&)>& fn);

}  // namespace portd::store
