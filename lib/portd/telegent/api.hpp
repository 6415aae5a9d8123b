// What the engine needs of Telegent, and nothing more: a call, and a submission in two phases
// so that the engine records "this request may have left" (synced) after the request is ready
// to be written and before it is, without Telegent's client calling back into the engine.
// telegent::client implements it; tests/unit/engine scripts a fake.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>
#include <portd/telegent/budget.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace portd::telegent {

struct client_stats;

// A request that has its budget, its token and a connection, and has not been written.
// Destroying it unsent withholds it.
class ready_request {
 public:
  virtual ~ready_request() = default;
  // Writes the request and returns the call's classified result (a re-sent request, after a
  // 401 or on a stale connection, is part of it). Never throws for network or API failures.
  virtual boost::asio::awaitable<porting::api_result> send() = 0;
  // Does not write it: a transient result that says nothing left.
  virtual boost::asio::awaitable<porting::api_result> withhold() = 0;
};

class api {
 public:
  virtual ~api() = default;

  // Performs `kind` for the order `o` (its number, remote_order_id, details and secrets),
  // waiting for the budget at `prio`. Never throws for network or API failures: they come
  // back classified in the result. `o` must outlive the call.
  virtual boost::asio::awaitable<porting::api_result> call(const porting::order& o, porting::call_kind kind,
                                                        priority prio) = 0;

  // The first phase of a call whose leaving must be recorded (a submission): waits for the
  // budget, the token and a connection. Either `ready` (then the caller records and sends or
  // withholds it) or `ended`: the call's result, nothing having left. `o` is copied.
  struct prepared {
    std::unique_ptr<ready_request> ready;
    porting::api_result ended;
  };
  virtual boost::asio::awaitable<prepared> prepare(const porting::order& o, porting::call_kind kind, priority prio) = 0;

  virtual const client_stats& stats() const = 0;
  // Cancels in-flight requests and closes connections (shutdown).
  virtual void close() = 0;
};

}  // namespace portd::telegent
