// Orders by state and needing attention, as daemon.status and the metrics show them: kept by
// the engine from committed changes (no scan of the orders table per scrape), and equal to a
// fresh GROUP BY after intake, cancels, closes, a note and a group that failed to commit.
#include "engine_rig.hpp"

#include <portd/store/sqlite.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace asio = boost::asio;
using namespace portd;
using namespace portd::engine::test;
using porting::order_state;

namespace {

const service::caller operator_caller{1000, 1000, 1, service::role::operator_};

// Starts one engine command; its reply lands in *out.
template <class T>
void spawn(rig& r, asio::awaitable<service::result<T>> a, std::optional<service::result<T>>* out) {
  auto into = [](asio::awaitable<service::result<T>> call, std::optional<service::result<T>>* reply) -> asio::awaitable<void> {
    reply->emplace(co_await std::move(call));
  };
  asio::co_spawn(r.ioc, into(std::move(a), out), asio::detached);
}

// Runs one engine command to its reply (the loop turns until it comes; nothing waits for time).
template <class T>
service::result<T> run(rig& r, asio::awaitable<service::result<T>> a) {
  std::optional<service::result<T>> out;
  spawn(r, std::move(a), &out);
  for (int i = 0; i < 100000 && !out; ++i) r.ioc.poll_one();
  BOOST_TEST_REQUIRE(out.has_value(), "the command never answered");
  return std::move(*out);
}

// `n` orders in `state`, written before the engine starts (nothing due for an hour).
std::vector<std::int64_t> insert_orders(store::repository& repo, int n, order_state state, const std::string& prefix) {
  std::vector<std::int64_t> ids;
  repo.begin();
  const auto now = porting::now_ms();
  for (int i = 0; i < n; ++i) {
    porting::order o;
    o.kind = porting::order_kind::port_in;
    o.number = prefix + std::to_string(1000 + i);
    o.state = state;
    o.created_at = o.updated_at = o.state_since = now;
    o.details.carrier = "Verizon";
    if (state == order_state::submitted) {
      o.remote_order_id = "ORD-" + o.number;
      o.next_check_at = now + porting::milliseconds(3600000);
    }
    if (state == order_state::submit_unknown) {
      o.attention = porting::attention_kind::operator_state;
      o.attention_reason = "the submission's answer was lost";
    }
    ids.push_back(repo.insert_order(o).value());
  }
  repo.commit();
  return ids;
}

// daemon.status's orders (by state, active, needing attention) against SELECT … GROUP BY now.
void check_against_group_by(rig& r) {
  const auto shown = r.eng->status().orders;
  const auto fresh = r.repo.read_counts();
  std::int64_t active = 0;
  for (const auto& [state, n] : fresh.by_state) {
    const auto held = shown.by_state[static_cast<std::size_t>(state)];
    BOOST_TEST(held == n, porting::to_string(state));
    if (!porting::is_terminal(state)) active += held;
  }
  BOOST_TEST(active == fresh.active);
  BOOST_TEST(shown.needs_attention == fresh.needs_attention);
}

std::int64_t shown(rig& r, order_state s) {
  return r.eng->status().orders.by_state[static_cast<std::size_t>(s)];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(counts)

BOOST_AUTO_TEST_CASE(counts_by_state_match_a_fresh_group_by_after_a_mixed_run_with_a_failed_commit) {
  rig r;
  const auto waiting = insert_orders(r.repo, 6, order_state::submitted, "+1801555");
  const auto unknown = insert_orders(r.repo, 4, order_state::submit_unknown, "+1801556");
  insert_orders(r.repo, 3, order_state::completed, "+1801557");
  r.start(4, {});
  check_against_group_by(r);

  for (int i = 0; i < 5; ++i) {  // intake: each goes to submitting, its submission hangs
    service::port_in_request req;
    req.number = "+1801558" + std::to_string(1000 + i);
    req.details.carrier = "Verizon";
    req.details.account_number = "12345";
    req.details.subscriber_name = "Test Subscriber";
    req.account_pin = "1234";
    req.skip_eligibility = true;
    auto s = run(r, r.eng->submit_port_in(req, operator_caller));
    if (!s.has_value()) BOOST_FAIL(s.error().message);
  }
  for (int i = 0; i < 2; ++i)  // cancels of submitted orders: the cancel call hangs
    BOOST_TEST_REQUIRE(run(r, r.eng->cancel(waiting[i], "customer withdrew", operator_caller)).has_value());
  BOOST_TEST_REQUIRE(run(r, r.eng->close(unknown[0], "handled by phone", operator_caller)).has_value());
  BOOST_TEST_REQUIRE(run(r, r.eng->note(waiting[3], "called the carrier", operator_caller)).has_value());
  check_against_group_by(r);
  const auto closed_before = shown(r, order_state::closed);
  const auto cancelling_before = shown(r, order_state::cancelling);
  BOOST_TEST(closed_before == 1);

  // A deferred foreign key the trigger breaks: the COMMIT of the group that closes this order
  // fails and SQLite rolls the whole group back — the other order's cancel in it too.
  r.repo.writer_connection().exec(
      "CREATE TABLE trap_parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE trap_child (parent INTEGER REFERENCES trap_parent(id) DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER trap AFTER UPDATE ON orders WHEN NEW.id = " + std::to_string(unknown[1]) +
      " AND NEW.state = 'closed' BEGIN INSERT INTO trap_child VALUES (42); END;");
  std::optional<service::result<porting::order>> closed, cancelled;
  spawn(r, r.eng->close(unknown[1], "handled by phone", operator_caller), &closed);
  spawn(r, r.eng->cancel(waiting[2], "customer withdrew", operator_caller), &cancelled);
  for (int i = 0; i < 100000 && !(closed && cancelled); ++i) r.ioc.poll_one();
  BOOST_TEST_REQUIRE((closed && cancelled));
  BOOST_TEST(!closed->has_value(), "the close was acknowledged though its group was rolled back");
  BOOST_TEST(!cancelled->has_value(), "the cancel was acknowledged though its group was rolled back");
  BOOST_TEST(r.eng->metrics().commit_failures == 1u);
  BOOST_TEST(shown(r, order_state::closed) == closed_before);
  BOOST_TEST(shown(r, order_state::cancelling) == cancelling_before);
  check_against_group_by(r);

  r.repo.writer_connection().exec("DROP TRIGGER trap");  // the store works again
  BOOST_TEST_REQUIRE(run(r, r.eng->close(unknown[1], "handled by phone", operator_caller)).has_value());
  BOOST_TEST(shown(r, order_state::closed) == closed_before + 1);
  check_against_group_by(r);
  const auto transitions = r.eng->metrics().transitions;
  BOOST_TEST(transitions.at({order_state::submit_unknown, order_state::closed}) == 2u);
  BOOST_TEST(transitions.at({order_state::received, order_state::submitting}) == 5u);
}

// A scrape reads the engine's tally, not the table: an order written behind the engine's back
// (never done in portd; here only to tell the two apart) is not seen, where a GROUP BY sees it.
BOOST_AUTO_TEST_CASE(a_scrape_and_daemon_status_do_not_scan_the_orders_table) {
  rig r;
  insert_orders(r.repo, 3, order_state::submitted, "+1801555");
  r.start(4, {});
  insert_orders(r.repo, 2, order_state::completed, "+1801559");
  BOOST_TEST(r.repo.read_counts().by_state[static_cast<std::size_t>(order_state::completed)].second == 2);
  BOOST_TEST(shown(r, order_state::completed) == 0);
  BOOST_TEST(shown(r, order_state::submitted) == 3);
  BOOST_TEST(r.eng->metrics().orders.by_state[static_cast<std::size_t>(order_state::completed)] == 0);
}

BOOST_AUTO_TEST_SUITE_END()
