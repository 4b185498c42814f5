// The rules of the Raft paper's section 5 ("In Search of an Understandable Consensus Algorithm",
// Ongaro and Ousterhout), one test per rule, each naming its section (after etcd's
// raft_paper_test.go). Most tests drive one node by hand-crafted messages; Figures 7 and 8 run
// on the in-test network.
#include <doctest/doctest.h>

#include <set>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

namespace {

void step_ok(peer& p, message m) { REQUIRE(p.raft->step(std::move(m)).ok()); }

message append_from(node_id from, node_id to, std::uint64_t term, std::uint64_t index,
                    std::uint64_t log_term, std::vector<storage::log_entry> entries = {},
                    std::uint64_t commit = 0) {
  message m = make_message(message_type::append, from, to, term);
  m.index = index;
  m.log_term = log_term;
  m.entries = std::move(entries);
  m.commit = commit;
  return m;
}

message ack_from(node_id from, node_id to, std::uint64_t term, std::uint64_t index) {
  message m = make_message(message_type::append_response, from, to, term);
  m.index = index;
  return m;
}

}  // namespace

TEST_CASE("paper 5.1: a node that sees a higher term adopts it and becomes a follower") {
  for (role start : {role::follower, role::candidate, role::leader}) {
    CAPTURE(to_string(start));
    peer p = make_peer(1, {1, 2, 3});
    if (start == role::candidate) p.raft->campaign();
    if (start == role::leader) elect(p);
    flush(p);
    REQUIRE(p.raft->info().role == start);
    step_ok(p, append_from(2, 1, 5, 0, 0));
    CHECK(p.raft->info().term == 5);
    CHECK(p.raft->info().role == role::follower);
    CHECK(p.raft->info().leader == 2);
  }
}

TEST_CASE("paper 5.1: a request with a stale term is rejected and its sender steps down") {
  peer p = make_peer(1, {1, 2, 3}, {}, {}, storage::hard_state{2, 0, 0});
  step_ok(p, append_from(2, 1, 1, 0, 0, log_with_terms({1})));
  auto out = flush(p);
  CHECK(p.raft->info().last_index == 0);  // the stale entries were not taken
  REQUIRE(of_type(out, message_type::append_response).size() == 1);
  CHECK(of_type(out, message_type::append_response)[0].term == 2);

  message vote = make_message(message_type::vote, 3, 1, 1);
  step_ok(p, vote);
  out = flush(p);
  REQUIRE(of_type(out, message_type::vote_response).size() == 1);
  CHECK(of_type(out, message_type::vote_response)[0].reject);
  CHECK(of_type(out, message_type::vote_response)[0].term == 2);
  CHECK(p.raft->info().vote == 0);

  // On a network: a deposed leader learns the new term from the replies to its heartbeats.
  network net(3);
  net.campaign(1);
  net.isolate(1);
  net.campaign(2);
  REQUIRE(net.info(2).role == role::leader);
  REQUIRE(net.info(1).role == role::leader);  // it has not heard yet
  net.heal();
  net.tick(1);
  CHECK(net.info(1).role == role::follower);
  CHECK(net.info(1).term == net.info(2).term);
}

TEST_CASE("paper 5.2: a node starts as a follower with no leader") {
  peer p = make_peer(1, {1, 2, 3});
  node_info info = p.raft->info();
  CHECK(info.role == role::follower);
  CHECK(info.term == 0);
  CHECK(info.leader == 0);
}

TEST_CASE("paper 5.2: the leader sends heartbeats to every follower each heartbeat interval") {
  peer p = make_peer(1, {1, 2, 3}, [](config& c) { c.heartbeat_interval_ticks = 2; });
  elect(p);
  flush(p);
  p.raft->tick();
  CHECK(of_type(flush(p), message_type::heartbeat).empty());
  p.raft->tick();
  auto beats = of_type(flush(p), message_type::heartbeat);
  REQUIRE(beats.size() == 2);
  std::set<node_id> to;
  for (const auto& m : beats) {
    to.insert(m.to);
    CHECK(m.term == 1);
    CHECK(m.commit == 0);  // never beyond what the follower is known to store
  }
  CHECK(to == std::set<node_id>{2, 3});
}

TEST_CASE("paper 5.2: a follower or candidate that hears no leader starts an election") {
  for (role start : {role::follower, role::candidate}) {
    CAPTURE(to_string(start));
    peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 1}), storage::hard_state{1, 0, 0});
    if (start == role::candidate) p.raft->campaign();
    flush(p);
    std::uint64_t term = p.raft->info().term;
    // The timeout is below 2T, and the next one at least T later: exactly one election.
    std::vector<message> out;
    for (std::uint64_t i = 0; i + 1 < 2 * p.cfg.election_timeout_ticks; ++i) {
      p.raft->tick();
      for (auto& m : flush(p)) out.push_back(m);
    }
    node_info info = p.raft->info();
    CHECK(info.role == role::candidate);
    CHECK(info.term == term + 1);
    CHECK(info.vote == 1);
    auto votes = of_type(out, message_type::vote);
    REQUIRE(votes.size() == 2);
    for (const auto& m : votes) {
      CHECK(m.term == term + 1);
      CHECK(m.index == 2);  // the candidate's last entry, for the voters' up-to-date check
      CHECK(m.log_term == 1);
    }
  }
}

TEST_CASE("paper 5.2: an election is won by a majority and lost by a majority of rejections") {
  struct row {
    std::vector<node_id> voters;
    std::vector<node_id> grants;
    std::vector<node_id> rejects;
    role expected;
  };
  std::vector<row> rows = {
      {{1}, {}, {}, role::leader},
      {{1, 2, 3}, {2, 3}, {}, role::leader},
      {{1, 2, 3}, {2}, {}, role::leader},
      {{1, 2, 3, 4, 5}, {2, 3, 4, 5}, {}, role::leader},
      {{1, 2, 3, 4, 5}, {2, 3, 4}, {}, role::leader},
      {{1, 2, 3, 4, 5}, {2, 3}, {}, role::leader},
      {{1, 2, 3}, {}, {}, role::candidate},
      {{1, 2, 3, 4, 5}, {2}, {}, role::candidate},
      {{1, 2, 3, 4, 5}, {2}, {3}, role::candidate},
      {{1, 2, 3}, {}, {2, 3}, role::follower},
      {{1, 2, 3, 4, 5}, {}, {2, 3, 4}, role::follower},
  };
  for (const auto& r : rows) {
    peer p = make_peer(1, r.voters);
    p.raft->campaign();
    flush(p);
    for (node_id v : r.grants) step_ok(p, make_message(message_type::vote_response, v, 1, 1));
    for (node_id v : r.rejects) {
      message m = make_message(message_type::vote_response, v, 1, 1);
      m.reject = true;
      step_ok(p, m);
    }
    flush(p);
    CHECK(p.raft->info().role == r.expected);
    CHECK(p.raft->info().term == 1);
  }
}

TEST_CASE("paper 5.2: a follower votes for at most one candidate per term, first come first served") {
  struct row {
    node_id voted;
    node_id candidate;
    bool reject;
  };
  for (const row& r : std::vector<row>{{0, 2, false}, {0, 3, false}, {2, 2, false},
                                       {3, 3, false}, {2, 3, true}, {3, 2, true}}) {
    peer p = make_peer(1, {1, 2, 3}, {}, {}, storage::hard_state{1, r.voted, 0});
    step_ok(p, make_message(message_type::vote, r.candidate, 1, 1));
    auto out = of_type(flush(p), message_type::vote_response);
    REQUIRE(out.size() == 1);
    CHECK(out[0].reject == r.reject);
    CHECK(p.raft->info().vote == (r.reject ? r.voted : r.candidate));
  }
}

TEST_CASE("paper 5.2: a candidate that hears from a leader of its term or later falls back") {
  for (std::uint64_t leader_term : {1, 2}) {
    peer p = make_peer(1, {1, 2, 3});
    p.raft->campaign();
    flush(p);
    REQUIRE(p.raft->info().role == role::candidate);
    step_ok(p, append_from(2, 1, leader_term, 0, 0));
    CHECK(p.raft->info().role == role::follower);
    CHECK(p.raft->info().term == leader_term);
    CHECK(p.raft->info().leader == 2);
  }
}

TEST_CASE("paper 5.2: election timeouts are randomized in T to 2T") {
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    peer p = make_peer(1, {1, 2, 3}, [&](config& c) { c.random_seed = seed; });
    // As a follower, then again as a candidate (the timer restarts each election).
    for (role expected_after : {role::candidate, role::candidate}) {
      std::uint64_t term = p.raft->info().term;
      std::uint64_t ticks = 0;
      while (p.raft->info().term == term) {
        p.raft->tick();
        flush(p);
        ++ticks;
        REQUIRE(ticks < 2 * p.cfg.election_timeout_ticks);
      }
      CHECK(ticks >= p.cfg.election_timeout_ticks);
      CHECK(p.raft->info().role == expected_after);
      seen.insert(ticks);
    }
  }
  CHECK(seen.size() == 10);  // every value in [10, 20) occurs
}

TEST_CASE("paper 5.2: a narrower randomization (election_jitter_ticks) keeps timeouts in T to T + J") {
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    CAPTURE(seed);
    peer p = make_peer(1, {1, 2, 3}, [&](config& c) {
      c.random_seed = seed;
      c.election_jitter_ticks = 4;
    });
    std::uint64_t ticks = 0;
    while (p.raft->info().role == role::follower) {
      p.raft->tick();
      flush(p);
      ++ticks;
      REQUIRE(ticks < p.cfg.election_timeout_ticks + 4);
    }
    CHECK(ticks >= p.cfg.election_timeout_ticks);
    seen.insert(ticks);
  }
  CHECK(seen.size() == 4);  // every value in [10, 14) occurs
}

TEST_CASE("paper 5.2: randomized timeouts rarely let two followers campaign at once") {
  int conflicts = 0;
  const int runs = 200;
  for (int run = 0; run < runs; ++run) {
    CAPTURE(run);
    std::vector<peer> peers;
    for (node_id id = 1; id <= 5; ++id) {
      peers.push_back(make_peer(id, {1, 2, 3, 4, 5},
                                [&](config& c) { c.random_seed = static_cast<std::uint64_t>(run); }));
    }
    int campaigning = 0;
    while (campaigning == 0) {
      for (auto& p : peers) {
        p.raft->tick();
        if (p.raft->info().role == role::candidate) ++campaigning;
      }
    }
    if (campaigning > 1) ++conflicts;
  }
  // Ten possible timeouts for five nodes: the first timeout is shared about a quarter of the time.
  CHECK(conflicts <= runs * 3 / 10);
}

TEST_CASE("paper 5.3: the leader appends a proposal and sends it to its followers") {
  peer p = make_peer(1, {1, 2, 3});
  elect(p);
  acknowledge_all(p);  // followers replicate the leader's empty entry; commit 1
  REQUIRE(p.raft->info().commit == 1);
  auto index = p.raft->propose("some data");
  REQUIRE(index.ok());
  CHECK(*index == 2);
  auto appends = of_type(flush(p), message_type::append);
  REQUIRE(appends.size() == 2);
  for (const auto& m : appends) {
    CHECK(m.index == 1);
    CHECK(m.log_term == 1);
    CHECK(m.commit == 1);
    REQUIRE(m.entries.size() == 1);
    CHECK(m.entries[0] == storage::log_entry{1, 2, 0, "some data"});
  }
  CHECK(p.raft->info().commit == 1);  // not before a majority stored it
  CHECK(p.storage->last_index() == 2);
}

TEST_CASE("paper 5.3: the leader commits an entry a majority stored and tells the followers") {
  peer p = make_peer(1, {1, 2, 3});
  elect(p);
  acknowledge_all(p);
  REQUIRE(p.raft->propose("some data").ok());
  flush(p);
  step_ok(p, ack_from(2, 1, 1, 2));
  auto out = flush(p);
  CHECK(p.raft->info().commit == 2);
  CHECK(p.state == std::vector<std::string>{"some data"});
  // The new commit index travels with the next appends.
  bool told = false;
  for (const auto& m : of_type(out, message_type::append)) told |= m.commit == 2;
  CHECK(told);
}

TEST_CASE("paper 5.3: an entry commits once a majority including the leader stored it") {
  struct row {
    std::vector<node_id> voters;
    std::vector<node_id> acks;
    bool committed;
  };
  std::vector<row> rows = {
      {{1}, {}, true},
      {{1, 2, 3}, {}, false},
      {{1, 2, 3}, {2}, true},
      {{1, 2, 3}, {2, 3}, true},
      {{1, 2, 3, 4, 5}, {}, false},
      {{1, 2, 3, 4, 5}, {2}, false},
      {{1, 2, 3, 4, 5}, {2, 3}, true},
      {{1, 2, 3, 4, 5}, {2, 3, 4, 5}, true},
  };
  for (const auto& r : rows) {
    peer p = make_peer(1, r.voters);
    elect(p);
    acknowledge_all(p);
    REQUIRE(p.raft->propose("x").ok());
    flush(p);  // the leader persisted its own copy
    for (node_id v : r.acks) step_ok(p, ack_from(v, 1, 1, 2));
    flush(p);
    CHECK((p.raft->info().commit == 2) == r.committed);
  }
}

TEST_CASE("paper 5.3: committing an entry of the leader's term commits all preceding entries") {
  for (const auto& previous : std::vector<std::vector<std::uint64_t>>{{}, {2}, {1, 1}, {1, 2}}) {
    peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms(previous), storage::hard_state{2, 0, 0});
    elect(p);
    std::uint64_t li = previous.size() + 1;  // the new leader's empty entry
    flush(p);
    step_ok(p, ack_from(2, 1, 3, li));
    flush(p);
    CHECK(p.raft->info().commit == li);
    CHECK(p.applied_index == li);
    CHECK(p.state.size() == previous.size());
  }
}

TEST_CASE("paper 5.3: a follower applies entries up to the leader's commit index") {
  peer p = make_peer(1, {1, 2, 3});
  step_ok(p, append_from(2, 1, 1, 0, 0, log_with_terms({1, 1}), 1));
  flush(p);
  CHECK(p.raft->info().commit == 1);
  CHECK(p.state == std::vector<std::string>{"i1t1"});
  step_ok(p, append_from(2, 1, 1, 2, 1, {}, 2));
  flush(p);
  CHECK(p.state == std::vector<std::string>{"i1t1", "i2t1"});
}

TEST_CASE("paper 5.3: a follower rejects an append whose previous entry does not match") {
  struct row {
    std::uint64_t log_term, index;
    std::uint64_t want_index;
    bool reject;
    std::uint64_t want_hint;
  };
  // The follower stores terms [1, 2] and has committed index 1.
  std::vector<row> rows = {
      {0, 0, 1, false, 0},  // below its commit: it answers with its commit index
      {1, 1, 1, false, 0},
      {2, 2, 2, false, 0},
      {1, 2, 2, true, 1},  // term mismatch at 2: the logs may agree at 1
      {2, 3, 3, true, 2},  // beyond its log: it has up to 2
  };
  for (const auto& r : rows) {
    peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 2}), storage::hard_state{2, 0, 1});
    step_ok(p, append_from(2, 1, 2, r.index, r.log_term, {}, 1));
    auto out = of_type(flush(p), message_type::append_response);
    REQUIRE(out.size() == 1);
    CHECK(out[0].index == r.want_index);
    CHECK(out[0].reject == r.reject);
    CHECK(out[0].reject_hint == r.want_hint);
  }
}

TEST_CASE("paper 5.3: a follower deletes a conflicting suffix and appends the new entries") {
  struct row {
    std::uint64_t index, log_term;
    std::vector<storage::log_entry> entries;
    std::vector<std::uint64_t> want_terms;
  };
  std::vector<row> rows = {
      {2, 2, log_with_terms({3}, 3), {1, 2, 3}},
      {1, 1, log_with_terms({3, 4}, 2), {1, 3, 4}},
      {0, 0, log_with_terms({1}, 1), {1, 2}},  // already there: nothing changes
      {0, 0, log_with_terms({3}, 1), {3}},
  };
  for (auto& r : rows) {
    peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 2}), storage::hard_state{2, 0, 0});
    step_ok(p, append_from(2, 1, 4, r.index, r.log_term, r.entries));
    flush(p);
    CHECK(terms_of(p.storage->entries(1, p.storage->last_index() + 1, 1 << 20).value()) ==
          r.want_terms);
  }
}

TEST_CASE("paper 5.3 Figure 7: the leader repairs every kind of divergent follower log a to f") {
  const std::vector<std::uint64_t> leader_log = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
  const std::vector<std::vector<std::uint64_t>> followers = {
      {1, 1, 1, 4, 4, 5, 5, 6, 6},              // a: missing one entry
      {1, 1, 1, 4},                             // b: missing many
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},        // c: one extra uncommitted entry
      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},     // d: extra entries of a later term
      {1, 1, 1, 4, 4, 4, 4},                    // e: missing and extra
      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},        // f: a whole divergent history
  };
  for (std::size_t c = 0; c < followers.size(); ++c) {
    CAPTURE(c);
    network net(3);
    net.load(1, log_with_terms(leader_log), storage::hard_state{8, 0, 0});
    net.load(2, log_with_terms(followers[c]), storage::hard_state{7, 0, 0});
    net.load(3, log_with_terms(leader_log), storage::hard_state{7, 0, 0});
    net.campaign(1);
    REQUIRE(net.info(1).role == role::leader);
    REQUIRE(net.propose(1, "new").ok());
    auto want = net.stored_log(1);
    CHECK(terms_of(net.stored_log(2)) == terms_of(want));
    CHECK(net.stored_log(2) == want);
    CHECK(net.info(2).commit == net.info(1).commit);
  }
}

TEST_CASE("paper 5.4.1: a vote goes only to a candidate whose log is at least as up to date") {
  struct row {
    std::vector<std::uint64_t> voter_log;
    std::uint64_t log_term, index;
    bool reject;
  };
  std::vector<row> rows = {
      {{1}, 1, 1, false},     // same last term, same length
      {{1}, 1, 2, false},     // same last term, longer
      {{1, 1}, 1, 1, true},   // same last term, shorter
      {{1}, 2, 1, false},     // later last term
      {{1}, 2, 2, false},
      {{1, 1}, 2, 1, false},  // later last term wins over length
      {{2}, 1, 1, true},      // earlier last term
      {{2}, 1, 2, true},
      {{2, 1}, 1, 1, true},
  };
  for (const auto& r : rows) {
    peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms(r.voter_log));
    message m = make_message(message_type::vote, 2, 1, 3);
    m.log_term = r.log_term;
    m.index = r.index;
    step_ok(p, m);
    auto out = of_type(flush(p), message_type::vote_response);
    REQUIRE(out.size() == 1);
    CHECK(out[0].reject == r.reject);
  }
}

TEST_CASE("paper 5.4.2: the leader commits by counting replicas only entries of its own term") {
  struct row {
    std::uint64_t acked;
    std::uint64_t want_commit;
  };
  for (const row& r : std::vector<row>{{1, 0}, {2, 0}, {3, 3}}) {
    peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 2}), storage::hard_state{2, 0, 0});
    elect(p);  // term 3, empty entry at index 3
    flush(p);
    step_ok(p, ack_from(2, 1, 3, r.acked));
    flush(p);
    CHECK(p.raft->info().commit == r.want_commit);
  }
}

TEST_CASE("paper 5.4.2 Figure 8: an entry of an earlier term on a majority is not committed") {
  network net(5, [](config& c) { c.max_message_bytes = 1; });  // one entry per append
  // Figure 8 (b): S1 led term 2 and stored index 2 on S2 only; S5 led term 3 and stored index
  // 2 of its own; S3 and S4 voted for S5.
  net.load(1, log_with_terms({1, 2}), storage::hard_state{3, 0, 1});
  net.load(2, log_with_terms({1, 2}), storage::hard_state{3, 0, 1});
  net.load(3, log_with_terms({1}), storage::hard_state{3, 5, 1});
  net.load(4, log_with_terms({1}), storage::hard_state{3, 5, 1});
  net.load(5, log_with_terms({1, 3}), storage::hard_state{3, 5, 1});
  // (c): S5 is down; S1 wins term 4 and replicates index 2 (term 2) to a majority, but not yet
  // its own term-4 entry.
  net.crash(5);
  net.filter = [](message& m) {
    if (m.type == message_type::append && !m.entries.empty() && m.entries.back().index >= 3) {
      m.entries.clear();  // the term-4 entry is lost on the way; index 2 gets through
    }
    return true;
  };
  net.campaign(1);
  REQUIRE(net.info(1).role == role::leader);
  REQUIRE(net.info(1).term == 4);
  CHECK(net.stored_log(1).size() == 3);  // the leader's own term-4 entry
  for (node_id id : {1, 2, 3, 4}) {
    CHECK(net.stored_log(id)[1].term == 2);
    CHECK(net.info(id).commit == 1);  // on a majority, yet not committed
  }
  for (node_id id : {2, 3, 4}) CHECK(net.stored_log(id).size() == 2);
  // (d): S1 crashes; S5 comes back and wins, and overwrites index 2 with its term-3 entry. Had
  // S1 committed index 2, this would have lost a committed entry.
  net.crash(1);
  net.filter = nullptr;
  net.restart(5);
  for (int i = 0; i < 3 && net.info(5).role != role::leader; ++i) net.campaign(5);
  REQUIRE(net.info(5).role == role::leader);
  REQUIRE(net.propose(5, "after").ok());
  for (node_id id : {2, 3, 4, 5}) {
    CHECK(net.stored_log(id)[1].term == 3);
    CHECK(net.get(id).state == std::vector<std::string>{"i1t1", "i2t3", "after"});
  }
}
