// Election scenarios beyond the paper's section 5: pre-vote (thesis §9.6), check-quorum and
// leader stickiness (thesis §6.2), and the lease-mode restart guard. Each feature is also run
// switched off, to show the failure it prevents.
#include <doctest/doctest.h>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

TEST_CASE("pre-vote: a node rejoining after a partition does not disrupt a healthy leader") {
  for (bool pre_vote : {true, false}) {
    CAPTURE(pre_vote);
    network net(3, [&](config& c) { c.pre_vote = pre_vote; });
    net.campaign(1);
    REQUIRE(net.info(1).role == role::leader);
    std::uint64_t term = net.info(1).term;
    net.isolate(3);
    net.tick(3, 50);  // several election timeouts alone
    if (pre_vote) {
      CHECK(net.info(3).term == term);  // a pre-candidate never raises its term
      CHECK(net.info(3).role == role::pre_candidate);
    } else {
      CHECK(net.info(3).term > term);
    }
    net.heal();
    net.tick(3, 20);  // it campaigns again, now reachable
    net.tick(1);      // and hears the leader's heartbeat
    if (pre_vote) {
      CHECK(net.leader() == 1);
      CHECK(net.info(1).term == term);
      CHECK(net.info(3).role == role::follower);
      CHECK(net.info(3).leader == 1);
    } else {
      CHECK(net.info(1).term > term);  // the old leader was deposed by the returning node
    }
  }
}

TEST_CASE("pre-vote: the cluster still elects a leader when the old one is gone") {
  network net(3, [](config& c) { c.pre_vote = true; });
  net.campaign(1);
  std::uint64_t term = net.info(1).term;
  net.crash(1);
  net.tick_all(40);
  node_id leader = net.leader();
  CHECK((leader == 2 || leader == 3));
  CHECK(net.info(leader).term == term + 1);  // pre-vote spent no extra terms
}

TEST_CASE("pre-vote: two followers campaigning at once do not split the vote (thesis §9.6)") {
  // Their pre-vote requests cross: each would grant the other's, both would campaign in the next
  // term and vote for themselves. A pre-candidate grants only a peer that outranks it (equal logs
  // here: the lower id), so node 2 alone campaigns and wins in that term.
  network net(3, [](config& c) { c.pre_vote = true; });
  net.campaign(1);
  std::uint64_t term = net.info(1).term;
  net.crash(1);
  net.at(3).campaign();
  net.at(2).campaign();
  net.stabilize();
  CHECK(net.leader() == 2);
  CHECK(net.info(2).term == term + 1);
  CHECK(net.info(3).term == term + 1);
  CHECK(net.info(3).role == role::follower);
}

TEST_CASE("pre-vote: a pre-candidate refused by a follower that still heard the leader tries again when that follower campaigns") {
  // Node 2 times out first; node 3 still heard the leader within an election timeout and refuses
  // (thesis §9.6). When node 3 times out too, node 2 refuses it (node 2 outranks it) — and must
  // then ask again at once, since node 3 has lost the leader as well: otherwise both wait a
  // whole further timeout before anyone is elected.
  network net(3, [](config& c) { c.pre_vote = true; });
  net.campaign(1);
  net.crash(1);
  net.at(2).campaign();
  net.stabilize();
  REQUIRE(net.info(2).role == role::pre_candidate);
  REQUIRE(net.leader() == no_node);
  net.at(3).campaign();
  net.stabilize();
  CHECK(net.leader() == 2);
  CHECK(net.info(3).role == role::follower);
}

TEST_CASE("pre-vote: a pre-candidate still grants a peer whose log is more up to date") {
  network net(3, [](config& c) { c.pre_vote = true; });
  net.campaign(1);
  net.isolate(2);
  REQUIRE(net.propose(1, "only-1-and-3").ok());  // node 3 now has the longer log
  net.heal();
  net.crash(1);
  net.at(2).campaign();
  net.at(3).campaign();
  net.stabilize();
  CHECK(net.leader() == 3);
}

TEST_CASE("check-quorum: a leader that hears from no quorum within an election timeout steps down") {
  for (bool check_quorum : {true, false}) {
    CAPTURE(check_quorum);
    network net(3, [&](config& c) { c.check_quorum = check_quorum; });
    net.campaign(1);
    REQUIRE(net.info(1).role == role::leader);
    net.isolate(1);
    // The first check still sees the replies from before the partition; the second sees none.
    net.tick(1, 10);
    CHECK(net.info(1).role == role::leader);
    net.tick(1, 10);
    CHECK(net.info(1).role == (check_quorum ? role::follower : role::leader));
  }
}

TEST_CASE("check-quorum: followers that hear their leader ignore a campaign for a higher term") {
  for (bool check_quorum : {true, false}) {
    CAPTURE(check_quorum);
    network net(3, [&](config& c) { c.check_quorum = check_quorum; });
    net.campaign(1);
    std::uint64_t term = net.info(1).term;
    net.campaign(3);  // a disruptive node (no pre-vote) starts an election at once
    if (check_quorum) {
      CHECK(net.info(1).role == role::leader);
      CHECK(net.info(1).term == term);
      CHECK(net.info(2).term == term);
      CHECK(net.info(2).leader == 1);
    } else {
      CHECK(net.info(1).term > term);
      CHECK(net.info(1).role != role::leader);
    }
  }
}

TEST_CASE("check-quorum: a leader keeps leading while a quorum answers") {
  network net(5, [](config& c) { c.check_quorum = true; });
  net.campaign(1);
  net.crash(4);
  net.crash(5);
  net.tick(1, 40);
  CHECK(net.info(1).role == role::leader);
  CHECK(net.propose(1, "still writable").ok());
  CHECK(net.get(2).state.back() == "still writable");
}

TEST_CASE("lease mode: a new group elects at once; a node restarted past the bootstrap term "
          "refuses votes for an election timeout") {
  network net(3, [](config& c) {
    c.check_quorum = true;
    c.reads = read_mode::lease;
  });
  // Every node is still in the bootstrap term, in which no leader is ever elected: none has
  // promised a lease, so the first campaign wins without waiting out an election timeout (a
  // split's new shard is led at once).
  net.campaign(1);
  REQUIRE(net.leader() == 1);
  REQUIRE(net.info(2).term > bootstrap_term);
  node_id leader = 1, other = 2, third = 3;
  net.crash(other);
  net.restart(other);
  // The restarted node may have promised the leader its lease before the crash: it refuses the
  // third node's campaign, and the leader ignores it too.
  net.campaign(third);
  CHECK(net.leader() == leader);
  CHECK(net.info(other).vote != third);
}

TEST_CASE("determinism: the same seeds replay the same elections message for message") {
  auto run = [](std::uint64_t seed) {
    network net(5, [&](config& c) {
      c.random_seed = seed;
      c.pre_vote = true;
      c.check_quorum = true;
    });
    net.tick_all(30);
    net.crash(net.leader());
    net.tick_all(30);
    std::vector<std::uint64_t> fingerprint;
    for (const auto& m : net.trace) {
      fingerprint.push_back(static_cast<std::uint64_t>(m.type) << 48 | m.from << 40 |
                            m.to << 32 | m.term);
    }
    fingerprint.push_back(net.leader());
    return fingerprint;
  };
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    auto first = run(seed);
    CHECK(first == run(seed));
    CHECK(first.back() != 0);  // a leader was elected after the crash
  }
  CHECK(run(1) != run(2));
}
