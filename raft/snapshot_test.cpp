// Snapshots and log compaction: a follower behind the leader's compacted log is sent a snapshot
// and restores from it; snapshot production that is not ready yet, failed sends, restarts from
// a snapshot, and stale snapshots.
#include <doctest/doctest.h>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

namespace {

std::size_t snapshots_to(const std::vector<message>& trace, node_id to) {
  std::size_t n = 0;
  for (const auto& m : trace) n += m.type == message_type::snapshot && m.to == to ? 1 : 0;
  return n;
}

// Leader 1 of three commits ten entries while node 3 is cut off, then compacts its log.
void leave_three_behind(network& net) {
  net.campaign(1);
  net.isolate(3);
  for (int i = 0; i < 10; ++i) REQUIRE(net.propose(1, "v" + std::to_string(i)).ok());
  net.compact(1);
  REQUIRE(net.storage(1).first_index() > net.info(3).last_index + 1);
}

}  // namespace

TEST_CASE("snapshot: a follower behind the compacted log is sent a snapshot and restores it") {
  network net(3);
  leave_three_behind(net);
  net.heal();
  net.trace.clear();
  net.tick(1, 3);
  CHECK(snapshots_to(net.trace, 3) == 1);
  CHECK(net.get(3).state == net.get(1).state);
  CHECK(net.storage(3).first_index() == net.storage(1).first_index());
  CHECK(net.info(3).commit == net.info(1).commit);
  // Replication continues from the snapshot on.
  REQUIRE(net.propose(1, "after").ok());
  CHECK(net.get(3).state.back() == "after");
  CHECK(net.info(1).progress.at(3).state == progress_state::replicate);
}

TEST_CASE("compaction: followers that are up to date keep receiving entries, not snapshots") {
  network net(3);
  net.campaign(1);
  for (int i = 0; i < 5; ++i) REQUIRE(net.propose(1, "v" + std::to_string(i)).ok());
  for (node_id id : {1, 2, 3}) net.compact(id);
  net.trace.clear();
  for (int i = 0; i < 5; ++i) REQUIRE(net.propose(1, "w" + std::to_string(i)).ok());
  CHECK(snapshots_to(net.trace, 2) + snapshots_to(net.trace, 3) == 0);
  CHECK(net.get(2).state.size() == 10);
  CHECK(net.storage(2).first_index() > 1);
}

TEST_CASE("snapshot: the leader waits while storage is still producing the snapshot") {
  network net(3);
  leave_three_behind(net);
  net.storage(1).set_snapshot_unavailable(true);
  net.heal();
  net.trace.clear();
  net.tick(1, 3);
  CHECK(snapshots_to(net.trace, 3) == 0);
  CHECK(net.get(3).state.empty());
  net.storage(1).set_snapshot_unavailable(false);
  net.tick(1, 3);
  CHECK(snapshots_to(net.trace, 3) == 1);
  CHECK(net.get(3).state == net.get(1).state);
}

TEST_CASE("snapshot: a failed snapshot send returns the follower to probing and is retried") {
  network net(3);
  leave_three_behind(net);
  net.heal();
  net.filter = [](message& m) { return m.type != message_type::snapshot; };
  net.tick(1);
  REQUIRE(net.info(1).progress.at(3).state == progress_state::snapshot);
  net.at(1).report_snapshot(3, true);
  CHECK(net.info(1).progress.at(3).state == progress_state::probe);
  net.filter = nullptr;
  net.tick(1, 3);
  CHECK(net.get(3).state == net.get(1).state);
}

TEST_CASE("snapshot: a node restarts from its installed snapshot and the log after it") {
  network net(3);
  leave_three_behind(net);
  net.heal();
  net.tick(1, 3);
  REQUIRE(net.propose(1, "tail").ok());
  std::vector<std::string> before = net.get(3).state;
  net.crash(3);
  net.restart(3);
  net.stabilize();
  CHECK(net.get(3).state == before);
  CHECK(net.info(3).commit >= net.storage(3).first_index());
  REQUIRE(net.propose(1, "more").ok());
  CHECK(net.get(3).state.back() == "more");
}

TEST_CASE("snapshot: a snapshot no newer than the commit index is ignored") {
  peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 1, 1}), storage::hard_state{1, 0, 3});
  flush(p);
  message m = make_message(message_type::snapshot, 2, 1, 1);
  m.snap.metadata = snapshot_metadata{2, 1, conf_state{{1, 2, 3}, {}}};
  REQUIRE(p.raft->step(m).ok());
  ready rd = p.raft->get_ready();
  CHECK(rd.snapshot.empty());
  auto acks = of_type(rd.send_after_persist, message_type::append_response);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].index == 3);  // its commit index
  p.raft->advance();
}

TEST_CASE("snapshot: a snapshot whose last entry the follower has only advances its commit") {
  peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 1, 1, 1}), storage::hard_state{1, 0, 1});
  message m = make_message(message_type::snapshot, 2, 1, 1);
  m.snap.metadata = snapshot_metadata{3, 1, conf_state{{1, 2, 3}, {}}};
  REQUIRE(p.raft->step(m).ok());
  flush(p);
  CHECK(p.raft->info().commit == 3);
  CHECK(p.storage->first_index() == 1);  // the log was kept
  CHECK(p.raft->info().last_index == 4);
}
