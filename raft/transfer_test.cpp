// Leader transfer (thesis §3.10): the transferee is caught up, then told to campaign at once
// (timeout_now); proposals are dropped meanwhile; an unfinished transfer is abandoned after an
// election timeout; a transfer campaign passes the followers' leader stickiness.
#include <doctest/doctest.h>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

TEST_CASE("leader transfer: an up-to-date follower takes over at once") {
  network net(3);
  net.campaign(1);
  std::uint64_t term = net.info(1).term;
  REQUIRE(net.at(1).transfer_leader(2).ok());
  net.stabilize();
  CHECK(net.leader() == 2);
  CHECK(net.info(2).term == term + 1);
  CHECK(net.info(1).role == role::follower);
}

TEST_CASE("leader transfer: a lagging transferee is caught up before it campaigns") {
  network net(3);
  net.campaign(1);
  net.isolate(3);
  for (int i = 0; i < 5; ++i) REQUIRE(net.propose(1, "v" + std::to_string(i)).ok());
  net.heal();
  REQUIRE(net.info(1).progress.at(3).match < net.info(1).last_index);
  REQUIRE(net.at(1).transfer_leader(3).ok());
  net.stabilize();
  CHECK(net.leader() == 3);
  CHECK(net.get(3).state.size() == 5);
}

TEST_CASE("leader transfer: proposals are dropped while it runs and it is abandoned after a timeout") {
  network net(3);
  net.campaign(1);
  net.isolate(2);  // the transferee cannot answer
  REQUIRE(net.at(1).transfer_leader(2).ok());
  net.stabilize();
  auto dropped = net.at(1).propose("during");
  REQUIRE_FALSE(dropped.ok());
  CHECK(dropped.err().code() == errc::proposal_dropped);
  net.tick(1, 9);
  CHECK(net.info(1).transfer_target == 2);
  net.tick(1);  // one election timeout after the request
  CHECK(net.info(1).transfer_target == 0);
  CHECK(net.info(1).role == role::leader);
  CHECK(net.propose(1, "after").ok());
}

TEST_CASE("leader transfer: only a voter can take over and only the leader can hand over") {
  network net(3, {}, 1);  // node 4 is a learner
  net.campaign(1);
  CHECK(net.at(1).transfer_leader(4).err().code() == errc::invalid_argument);
  CHECK(net.at(1).transfer_leader(9).err().code() == errc::invalid_argument);
  CHECK(net.at(2).transfer_leader(3).err().code() == errc::not_leader);
  CHECK(net.at(1).transfer_leader(1).ok());  // already the leader: nothing to do
  CHECK(net.leader() == 1);
}

TEST_CASE("leader transfer: the transferee wins even where followers stick to their leader") {
  network net(3, [](config& c) {
    c.check_quorum = true;
    c.pre_vote = true;
  });
  net.campaign(1);
  REQUIRE(net.leader() == 1);
  REQUIRE(net.at(1).transfer_leader(3).ok());
  net.stabilize();
  CHECK(net.leader() == 3);
}

TEST_CASE("leader transfer: refused at once to a voter that has not answered lately") {
  // Proposals stop while a transfer runs; one to a cut-off node would stall the group for an
  // election timeout. With check-quorum the leader knows who answered in the current period.
  network net(3, [](config& c) { c.check_quorum = true; });
  net.campaign(1);
  net.isolate(3);
  net.tick(1, 10);  // a check-quorum period ends: only node 2 answers in the next one
  net.stabilize();
  auto refused = net.at(1).transfer_leader(3);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code() == errc::unavailable);
  CHECK(net.info(1).transfer_target == 0);
  CHECK(net.propose(1, "still-writable").ok());
  REQUIRE(net.at(1).transfer_leader(2).ok());
  net.stabilize();
  CHECK(net.leader() == 2);
}
