// The repository's behaviour: orders round-trip, history, outbox, uniqueness, isolation, lists.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;
using porting::event_type;
using porting::order_kind;
using porting::order_state;

BOOST_AUTO_TEST_SUITE(store_repository)

BOOST_AUTO_TEST_CASE(full_order_round_trips_through_insert_update_load_and_read) {
  temp_dir dir;
  repository repo(dir.db());
  auto o = full_order();
  repo.begin();
  auto id = repo.insert_order(o).value();
  BOOST_TEST(id > 0);
  BOOST_TEST(o.id == id);
  auto loaded = repo.load(id);
  BOOST_REQUIRE(loaded);
  BOOST_TEST((*loaded == o));
  repo.commit();

  auto read = repo.read(id);
  BOOST_REQUIRE(read);
  BOOST_TEST((*read == o));
  BOOST_TEST(read->secrets.account_pin == "s3cret-pin");
  BOOST_TEST((repo.read_by_client_ref(o.client_ref)->id == id));
  BOOST_TEST((repo.read_by_remote_id("JNUOID-6c05aa")->id == id));
  BOOST_TEST((repo.read_latest_for_number(o.number)->id == id));
  BOOST_TEST((repo.load_by_client_ref(o.client_ref)->id == id));
  BOOST_TEST((repo.load_active(o.number, order_kind::port_in)->id == id));
  BOOST_TEST(!repo.load_active(o.number, order_kind::port_out));

  // Every optional cleared, every flag flipped, secrets purged.
  o.state = order_state::completed;
  o.attention = porting::attention_kind::none;
  o.attention_reason.clear();
  o.client_ref.clear();
  o.next_check_at.reset();
  o.last_error.reset();
  o.in_flight.reset();
  o.secrets = {};
  o.skip_eligibility = false;
  o.pending = porting::pending_intent::none;
  o.submit = porting::submit_certainty::known;
  o.ambiguous_since.reset();
  o.details.billing_address.street2.clear();
  o.updated_at = at_ms(1'764'000'111'111);
  o.last_seq = 7;
  repo.begin();
  repo.update_order(o);
  repo.commit();
  auto after = repo.read(id);
  BOOST_REQUIRE(after);
  BOOST_TEST((*after == o));
  BOOST_TEST((*repo.load(id) == o));
  BOOST_TEST(!repo.read_by_client_ref("crm-+18015551234"));
}

BOOST_AUTO_TEST_CASE(every_index_follows_updates_whatever_changed) {
  temp_dir dir;
  repository repo(dir.db());
  auto o = simple_order("+18015550030", order_state::submitted);
  repo.insert_order(o);
  auto check = [&](const char* what) {
    BOOST_TEST_CONTEXT(what) {
      BOOST_TEST((*repo.load(o.id) == o));
      BOOST_TEST((*repo.read(o.id) == o));
    }
  };
  auto schedule_of = [&]() {
    auto s = repo.load_schedule();
    BOOST_REQUIRE(s.size() == 1u);
    return s[0];
  };

  o.details.carrier = "AT&T";  // no indexed column
  o.updated_at = at_ms(1'764'000'000'100);
  repo.update_order(o);
  check("details only");

  o.next_check_at = at_ms(5000);  // the schedule's columns
  repo.update_order(o);
  check("next_check_at");
  BOOST_TEST((schedule_of().next_check_at == std::optional(at_ms(5000))));
  o.in_flight = porting::call_kind::status;
  repo.update_order(o);
  BOOST_TEST((schedule_of().in_flight == std::optional(porting::call_kind::status)));
  o.in_flight.reset();
  o.next_check_at.reset();
  repo.update_order(o);
  BOOST_TEST(!schedule_of().in_flight.has_value());
  BOOST_TEST(!schedule_of().next_check_at.has_value());

  o.remote_order_id = "JNUOID-1";  // identity columns, one at a time
  repo.update_order(o);
  BOOST_TEST((repo.read_by_remote_id("JNUOID-1")->id == o.id));
  o.attention = porting::attention_kind::stale;
  repo.update_order(o);
  order_filter f;
  f.needs_attention = true;
  BOOST_TEST(repo.read_list(f).size() == 1u);
  o.group = "batch-9";
  repo.update_order(o);
  f = {};
  f.group = "batch-9";
  BOOST_TEST(repo.read_list(f).size() == 1u);
  o.client_ref = "crm-30";
  repo.update_order(o);
  BOOST_TEST((repo.read_by_client_ref("crm-30")->id == o.id));
  o.state = order_state::scheduled;
  repo.update_order(o);
  BOOST_TEST(schedule_of().state == order_state::scheduled);
  f = {};
  f.states = {order_state::scheduled};
  BOOST_TEST(repo.read_list(f).size() == 1u);
  check("identity");

  o.state = order_state::completed;
  repo.update_order(o);
  BOOST_TEST(repo.load_schedule().empty());
  BOOST_TEST(!repo.load_active(o.number, order_kind::port_in).has_value());
  check("completed");

  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("SELECT count(*) FROM pragma_integrity_check "
                         "WHERE integrity_check <> 'ok'") == 0);
}

// An outcome check: with Debian's SQLite (secure_delete on by default) it cannot tell whether
// the repository asks for secure_delete itself.
BOOST_AUTO_TEST_CASE(purged_secrets_do_not_linger_in_the_file) {
  temp_dir dir;
  const std::string pin = "PIN-XYZZY-8675309";
  {
    repository repo(dir.db());
    std::vector<porting::order> orders;
    for (int i = 0; i < 3; ++i) {
      orders.push_back(full_order("+1801555004" + std::to_string(i)));
      orders.back().secrets.account_pin = pin + std::to_string(i);
      repo.insert_order(orders.back());
    }
    for (auto& o : orders) {  // purged one by one, each in its own transaction
      o.state = order_state::completed;
      o.secrets = {};
      o.next_check_at.reset();
      repo.update_order(o);
    }
  }  // the last connection checkpoints the WAL into the file
  std::string bytes;
  for (const char* suffix : {"", "-wal"}) {
    std::ifstream f(dir.db().string() + suffix, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(f), {});
  }
  BOOST_TEST(!bytes.empty());
  BOOST_TEST(bytes.find(pin) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_orders_read_as_nothing) {
  temp_dir dir;
  repository repo(dir.db());
  BOOST_TEST(!repo.load(42));
  BOOST_TEST(!repo.read(42));
  BOOST_TEST(!repo.read_by_client_ref(""));
  BOOST_TEST(!repo.read_by_remote_id(""));
  BOOST_TEST(!repo.read_latest_for_number("+18015550000"));
  auto ghost = simple_order("+18015550000");
  ghost.id = 42;
  BOOST_CHECK_THROW(repo.update_order(ghost), store_error);
  // foreign_keys=ON: history of an order that does not exist is refused.
  BOOST_CHECK_THROW(
      repo.append_events(ghost, std::vector{record(event_type::created, ghost.state, ghost.state)},
                         at_ms(1)),
      store_error);
  BOOST_TEST(ghost.last_seq == 0);
}

BOOST_AUTO_TEST_CASE(events_get_gap_free_seq_per_order_and_growing_global_ids) {
  temp_dir dir;
  repository repo(dir.db());
  auto a = simple_order("+18015550001");
  auto b = simple_order("+18015550002");
  repo.begin();
  repo.insert_order(a);
  repo.insert_order(b);
  std::vector<porting::event_record> first = {
      record(event_type::created, order_state::received, order_state::received, "created"),
      record(event_type::state_changed, order_state::received, order_state::checking_eligibility),
  };
  auto ea = repo.append_events(a, first, at_ms(1000));
  auto eb = repo.append_events(b, std::span(first).first(1), at_ms(1001));
  std::vector<porting::event_record> second = {
      record(event_type::state_changed, order_state::checking_eligibility, order_state::submitting)};
  auto ea2 = repo.append_events(a, second, at_ms(1002));
  repo.update_order(a);
  repo.update_order(b);
  repo.commit();

  BOOST_TEST(a.last_seq == 3);
  BOOST_TEST(b.last_seq == 1);
  BOOST_REQUIRE(ea.size() == 2u);
  BOOST_TEST(ea[0].seq == 1);
  BOOST_TEST(ea[1].seq == 2);
  BOOST_TEST(eb[0].seq == 1);
  BOOST_TEST(ea2[0].seq == 3);
  BOOST_TEST(ea[0].id < ea[1].id);
  BOOST_TEST(ea[1].id < eb[0].id);
  BOOST_TEST(eb[0].id < ea2[0].id);
  BOOST_TEST((ea2[0].at == at_ms(1002)));
  BOOST_TEST(ea[0].order_id == a.id);

  auto history = repo.read_history(a.id);
  BOOST_REQUIRE(history.size() == 3u);
  for (std::size_t i = 0; i < history.size(); ++i) BOOST_TEST(history[i].seq == std::int64_t(i) + 1);
  BOOST_TEST((history[0].record == first[0]));
  BOOST_TEST((history[2].record == second[0]));
  BOOST_TEST((history[2].at == at_ms(1002)));
  BOOST_TEST(repo.read(a.id)->last_seq == 3);

  auto all = repo.read_events(0, 0, 100);
  BOOST_REQUIRE(all.size() == 4u);
  BOOST_TEST(std::is_sorted(all.begin(), all.end(),
                            [](auto& x, auto& y) { return x.id < y.id; }));
  auto page = repo.read_events(all[0].id, 0, 2);
  BOOST_REQUIRE(page.size() == 2u);
  BOOST_TEST(page[0].id == all[1].id);
  auto of_a = repo.read_events(ea[0].id, a.id, 10);
  BOOST_REQUIRE(of_a.size() == 2u);
  BOOST_TEST(of_a[0].seq == 2);
  BOOST_TEST(of_a[1].seq == 3);
  BOOST_TEST(repo.read_events(0, 0, 0).empty());
}

BOOST_AUTO_TEST_CASE(ids_keep_growing_after_a_rolled_back_group_and_a_reopen) {
  temp_dir dir;
  std::int64_t last = 0;
  {
    repository repo(dir.db());
    auto o = simple_order("+18015550003");
    repo.begin();
    repo.insert_order(o);
    auto e = repo.append_events(o, std::vector{record(event_type::created, order_state::received,
                                                      order_state::received)},
                                at_ms(1));
    repo.update_order(o);
    repo.commit();
    last = e[0].id;
  }
  repository repo(dir.db());
  auto o = *repo.load(1);
  repo.begin();
  auto e = repo.append_events(o, std::vector{record(event_type::note_added, o.state, o.state)}, at_ms(2));
  repo.update_order(o);
  repo.commit();
  BOOST_TEST(e[0].id > last);
  BOOST_TEST(e[0].seq == 2);
}

BOOST_AUTO_TEST_CASE(outbox_gets_one_row_per_matching_sink) {
  temp_dir dir;
  repository repo(dir.db());
  repo.set_sinks({{"webhook:0", {}}, {"webhook:1", {event_type::state_changed}},
                  {"command:0", {event_type::needs_attention}}});
  auto o = simple_order("+18015550004");
  repo.begin();
  repo.insert_order(o);
  auto ev = repo.append_events(
      o,
      std::vector{record(event_type::created, order_state::received, order_state::received),
                  record(event_type::state_changed, order_state::received, order_state::submitting),
                  record(event_type::state_changed, order_state::submitting, order_state::submitted)},
      at_ms(5000));
  repo.update_order(o);
  repo.commit();

  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("SELECT count(*) FROM outbox") == 5);
  BOOST_TEST(raw.integer("SELECT count(*) FROM outbox WHERE sink = 'webhook:0'") == 3);
  BOOST_TEST(raw.integer("SELECT count(*) FROM outbox WHERE sink = 'webhook:1'") == 2);
  BOOST_TEST(raw.integer("SELECT count(*) FROM outbox WHERE sink = 'command:0'") == 0);
  BOOST_TEST(raw.integer("SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts = 0 "
                         "AND next_attempt_at = 5000 AND order_id = " +
                         std::to_string(o.id)) == 5);
  BOOST_TEST(raw.integer("SELECT min(event_id) FROM outbox WHERE sink = 'webhook:1'") == ev[1].id);
  BOOST_TEST(repo.read_outbox_counts().pending == 5);
  BOOST_TEST(repo.read_outbox_counts().dead == 0);

  repo.set_sinks({});
  repo.begin();
  repo.append_events(o, std::vector{record(event_type::note_added, o.state, o.state)}, at_ms(6000));
  repo.update_order(o);
  repo.commit();
  BOOST_TEST(raw.integer("SELECT count(*) FROM outbox") == 5);
}

BOOST_AUTO_TEST_CASE(one_active_order_per_number_and_kind) {
  temp_dir dir;
  repository repo(dir.db());
  auto first = simple_order("+18015550005");
  repo.begin();
  repo.insert_order(first);
  auto second = simple_order("+18015550005");
  auto refused = repo.insert_order(second);
  BOOST_TEST_REQUIRE(!refused, "a second active port-in was accepted");
  BOOST_TEST(refused.error().existing_id == first.id);
  BOOST_TEST(!refused.error().client_ref);
  BOOST_TEST(contains(refused.error().message, "+18015550005"));
  // The group survives the refused insert, and a port-out of the same number is another kind.
  auto out = simple_order("+18015550005", order_state::received, order_kind::port_out);
  repo.insert_order(out);
  repo.commit();
  BOOST_TEST(repo.read(first.id).has_value());
  BOOST_TEST(repo.read(out.id).has_value());

  // A terminal order frees the number.
  first.state = order_state::completed;
  repo.begin();
  repo.update_order(first);
  auto third = simple_order("+18015550005");
  repo.insert_order(third);
  repo.commit();
  BOOST_TEST(third.id > first.id);
  BOOST_TEST((repo.read_latest_for_number("+18015550005")->id == third.id));
  BOOST_TEST((repo.load_active("+18015550005", order_kind::port_in)->id == third.id));
}

BOOST_AUTO_TEST_CASE(a_client_ref_is_taken_once_even_by_finished_orders) {
  temp_dir dir;
  repository repo(dir.db());
  auto first = simple_order("+18015550006", order_state::cancelled);
  first.client_ref = "crm-1";
  repo.insert_order(first);  // outside a group: committed on its own
  auto second = simple_order("+18015550007");
  second.client_ref = "crm-1";
  auto refused = repo.insert_order(second);
  BOOST_TEST_REQUIRE(!refused, "a reused client_ref was accepted");
  BOOST_TEST(refused.error().existing_id == first.id);
  BOOST_TEST(refused.error().client_ref);
  BOOST_TEST(contains(refused.error().message, "crm-1"));
  // Orders without a client_ref never collide.
  auto a = simple_order("+18015550008");
  auto b = simple_order("+18015550009");
  repo.insert_order(a);
  repo.insert_order(b);
  BOOST_TEST(b.id > a.id);
}

BOOST_AUTO_TEST_CASE(reader_sees_only_committed_groups) {
  temp_dir dir;
  repository repo(dir.db());
  auto o = simple_order("+18015550010");
  repo.begin();
  BOOST_TEST(repo.in_transaction());
  repo.insert_order(o);
  repo.append_events(o, std::vector{record(event_type::created, o.state, o.state)}, at_ms(1));
  repo.update_order(o);
  BOOST_TEST(repo.load(o.id).has_value());
  BOOST_TEST(!repo.read(o.id).has_value());
  BOOST_TEST(repo.read_history(o.id).empty());
  BOOST_TEST(repo.last_event_id() == 0);
  BOOST_TEST(repo.read_list({}).empty());
  BOOST_TEST(repo.read_counts().active == 0);
  repo.commit();
  BOOST_TEST(!repo.in_transaction());
  BOOST_TEST(repo.read(o.id).has_value());
  BOOST_TEST(repo.read_history(o.id).size() == 1u);
  BOOST_TEST(repo.last_event_id() == repo.read_history(o.id)[0].id);
  BOOST_TEST(repo.read_counts().active == 1);

  // A rolled-back group leaves nothing behind.
  auto gone = simple_order("+18015550011");
  repo.begin();
  repo.insert_order(gone);
  repo.rollback();
  BOOST_TEST(!repo.load(gone.id).has_value());
  BOOST_TEST(!repo.read(gone.id).has_value());
}

BOOST_AUTO_TEST_CASE(a_unit_that_is_not_released_is_undone_and_the_group_goes_on) {
  temp_dir dir;
  repository repo(dir.db());
  auto kept = simple_order("+18015550012");
  auto undone = simple_order("+18015550013");
  auto after = simple_order("+18015550014");
  {
    repository::unit u(repo);  // opens the group itself
    repo.insert_order(kept);
    repo.append_events(kept, std::vector{record(event_type::created, kept.state, kept.state)}, at_ms(1));
    repo.update_order(kept);
    u.release();
  }
  BOOST_TEST(repo.in_transaction());
  {
    repository::unit u(repo);
    repo.insert_order(undone);
    repo.append_events(undone, std::vector{record(event_type::created, undone.state, undone.state)},
                       at_ms(2));
    auto dup = simple_order("+18015550012");
    BOOST_TEST(!repo.insert_order(dup));  // refused: the unit is never released, so it unwinds
  }
  {
    repository::unit u(repo);
    repo.insert_order(after);
    u.release();
  }
  repo.commit();
  BOOST_TEST(repo.read(kept.id).has_value());
  BOOST_TEST(repo.read_history(kept.id).size() == 1u);
  // (undone's id was never committed: the next insert may take it.)
  BOOST_TEST(!repo.read_latest_for_number(undone.number).has_value());
  BOOST_TEST((repo.read_latest_for_number(after.number)->id == after.id));
  BOOST_TEST(repo.read_events(0, 0, 100).size() == 1u);
}

BOOST_AUTO_TEST_CASE(schedule_holds_every_active_order_in_id_order) {
  temp_dir dir;
  repository repo(dir.db());
  repo.begin();
  auto a = simple_order("+18015550020", order_state::submitted);
  a.next_check_at = at_ms(99);
  a.in_flight = porting::call_kind::status;
  auto done = simple_order("+18015550021", order_state::completed);
  auto b = simple_order("+18015550022", order_state::submitting);
  b.in_flight = porting::call_kind::submit_port_in;
  auto c = simple_order("+18015550023", order_state::ineligible);
  for (auto* o : {&a, &done, &b, &c}) repo.insert_order(*o);
  auto s = repo.load_schedule();  // the engine's view includes the open group
  repo.commit();
  BOOST_REQUIRE(s.size() == 2u);
  BOOST_TEST(s[0].id == a.id);
  BOOST_TEST(s[0].state == order_state::submitted);
  BOOST_TEST((s[0].next_check_at == std::optional(at_ms(99))));
  BOOST_TEST((s[0].in_flight == std::optional(porting::call_kind::status)));
  BOOST_TEST(s[1].id == b.id);
  BOOST_TEST(!s[1].next_check_at.has_value());
  BOOST_TEST((s[1].in_flight == std::optional(porting::call_kind::submit_port_in)));
}

namespace {

std::vector<std::int64_t> ids(const std::vector<porting::order>& v) {
  std::vector<std::int64_t> out;
  for (auto& o : v) out.push_back(o.id);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(read_list_honours_every_filter_and_pages_by_id) {
  temp_dir dir;
  repository repo(dir.db());
  struct spec {
    const char* number;
    order_state state;
    order_kind kind;
    const char* group;
    bool attention;
  };
  const spec specs[] = {
      {"+18015550101", order_state::received, order_kind::port_in, "g1", false},        // 1
      {"+18015550102", order_state::rejected, order_kind::port_in, "g1", true},         // 2
      {"+18015550103", order_state::completed, order_kind::port_in, "g2", false},       // 3
      {"+18015550101", order_state::submitted, order_kind::port_out, "", false},        // 4
      {"+18015550105", order_state::failed, order_kind::port_out, "g2", true},          // 5
      {"+18015550101", order_state::cancelled, order_kind::port_in, "g1", false},       // 6
      {"+18015550107", order_state::scheduled, order_kind::port_in, "", false},         // 7
  };
  repo.begin();
  for (auto& s : specs) {
    auto o = simple_order(s.number, s.state, s.kind);
    o.group = s.group;
    o.attention = s.attention ? porting::attention_kind::operator_state : porting::attention_kind::none;
    repo.insert_order(o);
  }
  repo.commit();
  using v = std::vector<std::int64_t>;
  auto list = [&](order_filter f) { return ids(repo.read_list(f)); };

  BOOST_TEST(list({}) == (v{1, 2, 3, 4, 5, 6, 7}), boost::test_tools::per_element());
  order_filter f;
  f.states = {order_state::rejected, order_state::failed, order_state::rejected};
  BOOST_TEST(list(f) == (v{2, 5}), boost::test_tools::per_element());
  f = {};
  f.kind = order_kind::port_out;
  BOOST_TEST(list(f) == (v{4, 5}), boost::test_tools::per_element());
  f = {};
  f.number = "+18015550101";
  BOOST_TEST(list(f) == (v{1, 4, 6}), boost::test_tools::per_element());
  f = {};
  f.group = "g1";
  BOOST_TEST(list(f) == (v{1, 2, 6}), boost::test_tools::per_element());
  f = {};
  f.active = true;
  BOOST_TEST(list(f) == (v{1, 2, 4, 5, 7}), boost::test_tools::per_element());
  f.active = false;
  BOOST_TEST(list(f) == (v{3, 6}), boost::test_tools::per_element());
  f = {};
  f.needs_attention = true;
  BOOST_TEST(list(f) == (v{2, 5}), boost::test_tools::per_element());
  f.needs_attention = false;
  BOOST_TEST(list(f) == (v{1, 3, 4, 6, 7}), boost::test_tools::per_element());
  // Combined: a port-in of number 101 that is still active.
  f = {};
  f.number = "+18015550101";
  f.kind = order_kind::port_in;
  f.active = true;
  BOOST_TEST(list(f) == (v{1}), boost::test_tools::per_element());
  // Paging.
  f = {};
  f.limit = 3;
  BOOST_TEST(list(f) == (v{1, 2, 3}), boost::test_tools::per_element());
  f.after_id = 3;
  BOOST_TEST(list(f) == (v{4, 5, 6}), boost::test_tools::per_element());
  f.after_id = 6;
  BOOST_TEST(list(f) == (v{7}), boost::test_tools::per_element());
  f.after_id = 7;
  BOOST_TEST(list(f).empty());
  f = {};
  f.group = "g2";
  f.limit = 1;
  f.after_id = 3;
  BOOST_TEST(list(f) == (v{5}), boost::test_tools::per_element());
  // The same shape again, with other values, reuses its statement and still answers right.
  f.group = "g1";
  f.after_id = 1;
  BOOST_TEST(list(f) == (v{2}), boost::test_tools::per_element());
  f.limit = 0;
  BOOST_TEST(list(f).empty());
}

BOOST_AUTO_TEST_CASE(counts_by_state_active_and_attention) {
  temp_dir dir;
  repository repo(dir.db());
  repo.begin();
  auto a = simple_order("+18015550201", order_state::received);
  auto b = simple_order("+18015550202", order_state::rejected);
  b.attention = porting::attention_kind::operator_state;
  auto c = simple_order("+18015550203", order_state::completed);
  for (auto* o : {&a, &b, &c}) repo.insert_order(*o);
  a.state = order_state::submitted;  // moves between states
  repo.update_order(a);
  repo.commit();
  auto n = repo.read_counts();
  BOOST_TEST(n.by_state.size() == std::size_t(porting::order_state_count));
  auto count_of = [&](order_state s) {
    for (auto& [st, k] : n.by_state)
      if (st == s) return k;
    return std::int64_t(-1);
  };
  BOOST_TEST(count_of(order_state::received) == 0);
  BOOST_TEST(count_of(order_state::submitted) == 1);
  BOOST_TEST(count_of(order_state::rejected) == 1);
  BOOST_TEST(count_of(order_state::completed) == 1);
  BOOST_TEST(n.active == 2);
  BOOST_TEST(n.needs_attention == 1);
  BOOST_TEST(repo.size_bytes() > 0);
}

// One unit that rewrites a thousand orders journals megabytes of pages: the journal spills
// from memory to a file, and the unit commits (it used to fail as "database or disk is full").
BOOST_AUTO_TEST_CASE(a_unit_that_touches_many_pages_commits) {
  temp_dir dir;
  repository repo(dir.db());
  std::vector<std::int64_t> ids;
  repo.begin();
  for (int i = 0; i < 1000; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "+1801557%04d", i);
    auto o = full_order(number);
    ids.push_back(repo.insert_order(o).value());
  }
  repo.commit();
  {
    repository::unit u(repo);
    for (auto id : ids) {
      auto o = repo.load(id);
      o->attention_reason = std::string(300, 'r');
      repo.update_order(*o);
    }
    u.release();
  }
  BOOST_CHECK_NO_THROW(repo.commit());
  BOOST_TEST(repo.read(ids.back())->attention_reason.size() == 300u);
}

BOOST_AUTO_TEST_SUITE_END()
