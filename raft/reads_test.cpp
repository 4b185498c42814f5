// Linearizable reads (thesis §6.4): read-index confirmed by a heartbeat round, forwarded from
// followers, held back on a new leader until it commits in its term, bounded; and leader leases,
// their expiry, and their revocation by a leader transfer.
#include <doctest/doctest.h>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

namespace {

void lease_mode(config& c) {
  c.check_quorum = true;
  c.reads = read_mode::lease;
  c.max_clock_drift_ticks = 2;  // lease of 8 ticks
}

// Elects a leader in lease mode (nodes refuse votes for an election timeout after start).
node_id elect_by_ticks(network& net) {
  net.tick_all(40);
  node_id leader = net.leader();
  REQUIRE(leader != 0);
  return leader;
}

std::size_t heartbeats_in(const std::vector<message>& trace) {
  std::size_t n = 0;
  for (const auto& m : trace) n += m.type == message_type::heartbeat ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("read index: the leader answers after a quorum confirms it with a heartbeat round") {
  network net(3);
  net.campaign(1);
  REQUIRE(net.propose(1, "a").ok());
  std::uint64_t commit = net.info(1).commit;
  net.isolate(2);
  net.isolate(3);
  REQUIRE(net.at(1).read_index("r1").ok());
  net.stabilize();
  CHECK(net.get(1).read_states.empty());  // no quorum heard the round: no answer
  net.heal();
  net.tick(1);  // the next heartbeat carries the pending round
  REQUIRE(net.get(1).read_states.size() == 1);
  CHECK(net.get(1).read_states[0].index == commit);
  CHECK(net.get(1).read_states[0].context == "r1");
}

TEST_CASE("read index: a follower's request is confirmed by the leader and answered there") {
  network net(3);
  net.campaign(1);
  REQUIRE(net.propose(1, "a").ok());
  REQUIRE(net.at(2).read_index("f1").ok());
  net.stabilize();
  REQUIRE(net.get(2).read_states.size() == 1);
  CHECK(net.get(2).read_states[0].index == net.info(1).commit);
  CHECK(net.get(2).read_states[0].context == "f1");
  CHECK(net.get(1).read_states.empty());
}

TEST_CASE("read index: a node that knows no leader refuses with not_leader") {
  network net(3);
  auto s = net.at(2).read_index("x");
  REQUIRE_FALSE(s.ok());
  CHECK(s.err().code() == errc::not_leader);
}

TEST_CASE("read index: a new leader serves no read until it commits an entry of its term") {
  peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 1}), storage::hard_state{1, 0, 2});
  elect(p);
  REQUIRE(p.raft->read_index("early").ok());
  flush(p);
  CHECK(p.read_states.empty());
  // Its empty entry commits: the deferred request starts its heartbeat round.
  auto out = acknowledge_all(p);
  CHECK(p.read_states.empty());
  auto beats = of_type(out, message_type::heartbeat);
  REQUIRE(beats.size() == 2);
  message ack = make_message(message_type::heartbeat_response, 2, 1, p.raft->info().term);
  ack.read_round = beats[0].read_round;
  REQUIRE(p.raft->step(ack).ok());
  flush(p);
  REQUIRE(p.read_states.size() == 1);
  CHECK(p.read_states[0].index == 3);  // covers the previous leader's entries
  CHECK(p.read_states[0].context == "early");
}

TEST_CASE("read index: an acknowledgement of an older round does not confirm a newer request") {
  peer p = make_peer(1, {1, 2, 3});
  elect(p);
  acknowledge_all(p);
  REQUIRE(p.raft->read_index("first").ok());
  auto first = of_type(flush(p), message_type::heartbeat);
  REQUIRE(p.raft->read_index("second").ok());
  flush(p);
  message ack = make_message(message_type::heartbeat_response, 2, 1, p.raft->info().term);
  ack.read_round = first[0].read_round;
  REQUIRE(p.raft->step(ack).ok());
  flush(p);
  REQUIRE(p.read_states.size() == 1);
  CHECK(p.read_states[0].context == "first");
}

TEST_CASE("read index: requests beyond max_pending_reads fail with limit_exceeded") {
  network net(3, [](config& c) { c.max_pending_reads = 2; });
  net.campaign(1);
  net.isolate(1);
  REQUIRE(net.at(1).read_index("a").ok());
  REQUIRE(net.at(1).read_index("b").ok());
  auto s = net.at(1).read_index("c");
  REQUIRE_FALSE(s.ok());
  CHECK(s.err().code() == errc::limit_exceeded);
}

TEST_CASE("lease read: the leader answers at once while its lease holds") {
  network net(3, lease_mode);
  node_id leader = elect_by_ticks(net);
  REQUIRE(net.propose(leader, "a").ok());
  net.tick(leader);  // a heartbeat round acknowledged by a quorum starts the lease
  REQUIRE(net.at(leader).raw().lease_valid());
  net.trace.clear();
  REQUIRE(net.at(leader).read_index("fast").ok());
  net.stabilize();
  REQUIRE(net.get(leader).read_states.size() == 1);
  CHECK(net.get(leader).read_states[0].index == net.info(leader).commit);
  CHECK(heartbeats_in(net.trace) == 0);  // no round trip
}

TEST_CASE("lease read (thesis 6.4.1): the read index a lease serves at once is the commit index") {
  network net(3, lease_mode);
  node_id leader = elect_by_ticks(net);
  REQUIRE(net.propose(leader, "a").ok());
  net.tick(leader);
  REQUIRE(net.at(leader).raw().lease_valid());
  auto index = net.at(leader).raw().lease_read_index();
  REQUIRE(index.has_value());
  CHECK(*index == net.info(leader).commit);
  node_id follower = leader == 1 ? 2 : 1;
  CHECK_FALSE(net.at(follower).raw().lease_read_index().has_value());  // leaders only
  net.isolate(leader);
  net.tick(leader, 8);  // the lease has run out: a read needs a confirmed round again
  REQUIRE(net.info(leader).role == role::leader);
  CHECK_FALSE(net.at(leader).raw().lease_read_index().has_value());
}

TEST_CASE("lease read: the lease expires when no quorum acknowledged a recent heartbeat") {
  network net(3, lease_mode);
  node_id leader = elect_by_ticks(net);
  net.tick(leader);
  net.isolate(leader);
  // Lease = election timeout (10) - drift (2) = 8 ticks after the last acknowledged heartbeat.
  net.tick(leader, 7);
  CHECK(net.at(leader).raw().lease_valid());
  net.tick(leader);
  CHECK_FALSE(net.at(leader).raw().lease_valid());
  REQUIRE(net.info(leader).role == role::leader);
  REQUIRE(net.at(leader).read_index("late").ok());
  net.stabilize();
  CHECK(net.get(leader).read_states.empty());  // falls back to a round no quorum answers
}

TEST_CASE("lease read: a leader that started a transfer no longer trusts its lease") {
  network net(3, lease_mode);
  node_id leader = elect_by_ticks(net);
  node_id target = leader == 1 ? 2 : 1;
  net.tick(leader);
  REQUIRE(net.at(leader).raw().lease_valid());
  net.filter = [](message& m) { return m.type != message_type::timeout_now; };
  REQUIRE(net.at(leader).transfer_leader(target).ok());
  net.stabilize();
  // The transferee may campaign past the followers' lease promise at any time now.
  CHECK_FALSE(net.at(leader).raw().lease_valid());
  net.trace.clear();
  REQUIRE(net.at(leader).read_index("safe").ok());
  net.stabilize();
  CHECK(heartbeats_in(net.trace) == 2);  // a confirmed round instead
  CHECK(net.get(leader).read_states.size() == 1);
}

TEST_CASE("lease read: a new leader's lease waits for an entry of its term") {
  peer p = make_peer(1, {1, 2, 3}, lease_mode);
  elect(p);
  REQUIRE(p.raft->read_index("r").ok());
  flush(p);
  CHECK(p.read_states.empty());
  // Its commit index may still miss entries committed by earlier leaders.
  CHECK_FALSE(p.raft->raw().lease_read_index().has_value());
}
