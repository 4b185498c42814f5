// Single-server membership changes (thesis §4.1): adding and removing voters, removing the leader,
// one pending change at a time, invalid changes, learners caught up by snapshot and promoted, and
// the conf change entry encoding.
#include <doctest/doctest.h>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

namespace {

conf_change change(conf_change_type type, node_id node) { return conf_change{type, node, {}}; }

void apply_change(network& net, node_id leader, conf_change c) {
  REQUIRE(net.at(leader).propose_conf_change(c).ok());
  net.stabilize();
}

}  // namespace

TEST_CASE("membership: a conf change entry round-trips and garbage is refused") {
  conf_change c{conf_change_type::add_learner, 7, "dc=eu-west"};
  auto back = decode_conf_change(encode_conf_change(c));
  REQUIRE(back.ok());
  CHECK(*back == c);
  CHECK(decode_conf_change("\x09").err().code() == errc::invalid_argument);
  CHECK(decode_conf_change(encode_conf_change(c) + "x").err().code() == errc::invalid_argument);
}

TEST_CASE("membership: an added voter catches up and then counts in the quorum") {
  network net(3);
  net.campaign(1);
  REQUIRE(net.propose(1, "before").ok());
  net.add_peer(4);
  apply_change(net, 1, change(conf_change_type::add_voter, 4));
  CHECK(net.info(1).conf.voters == std::vector<node_id>{1, 2, 3, 4});
  CHECK(net.get(4).conf.voters == std::vector<node_id>{1, 2, 3, 4});  // learned exactly
  CHECK(net.get(4).state == net.get(1).state);
  // Four voters need three: the leader and node 2 alone cannot commit.
  net.isolate(3);
  net.isolate(4);
  std::uint64_t commit = net.info(1).commit;
  REQUIRE(net.propose(1, "needs three").ok());
  CHECK(net.info(1).commit == commit);
  net.heal();
  net.tick(1, 2);
  CHECK(net.get(4).state.back() == "needs three");
}

TEST_CASE("membership: removing a voter shrinks the quorum") {
  network net(4);
  net.campaign(1);
  apply_change(net, 1, change(conf_change_type::remove_node, 4));
  CHECK(net.info(1).conf.voters == std::vector<node_id>{1, 2, 3});
  net.crash(3);
  net.crash(4);
  // Two of three: a majority now, where two of four would not be.
  REQUIRE(net.propose(1, "two of three").ok());
  CHECK(net.get(2).state.back() == "two of three");
}

TEST_CASE("membership: a removed leader steps down and the others elect a successor") {
  network net(3);
  net.campaign(1);
  apply_change(net, 1, change(conf_change_type::remove_node, 1));
  CHECK(net.info(1).role == role::follower);
  CHECK(net.info(2).conf.voters == std::vector<node_id>{2, 3});
  net.tick_all(40);
  node_id leader = net.leader();
  REQUIRE((leader == 2 || leader == 3));
  REQUIRE(net.propose(leader, "new era").ok());
  node_id other = 5 - leader;
  CHECK(net.get(other).state.back() == "new era");
  CHECK(net.info(1).role == role::follower);  // never campaigns again
}

TEST_CASE("membership: only one change may be pending at a time") {
  network net(3);
  net.campaign(1);
  net.add_peer(4);
  net.add_peer(5);
  REQUIRE(net.at(1).propose_conf_change(change(conf_change_type::add_learner, 4)).ok());
  auto second = net.at(1).propose_conf_change(change(conf_change_type::add_learner, 5));
  REQUIRE_FALSE(second.ok());
  CHECK(second.err().code() == errc::proposal_dropped);
  net.stabilize();  // the first is applied
  CHECK(net.at(1).propose_conf_change(change(conf_change_type::add_learner, 5)).ok());
}

TEST_CASE("membership: a new leader proposes no change before its log at election is applied") {
  peer p = make_peer(1, {1, 2, 3}, {}, log_with_terms({1, 1}), storage::hard_state{1, 0, 0});
  elect(p);
  auto early = p.raft->propose_conf_change(change(conf_change_type::add_learner, 4));
  REQUIRE_FALSE(early.ok());
  CHECK(early.err().code() == errc::proposal_dropped);
  acknowledge_all(p);
  CHECK(p.raft->propose_conf_change(change(conf_change_type::add_learner, 4)).ok());
}

TEST_CASE("membership: changes that do not fit the membership are refused") {
  network net(3);
  net.campaign(1);
  auto code = [&](conf_change c) { return net.at(1).propose_conf_change(c).err().code(); };
  CHECK(code(change(conf_change_type::add_voter, 2)) == errc::invalid_argument);
  CHECK(code(change(conf_change_type::remove_node, 9)) == errc::invalid_argument);
  CHECK(code(change(conf_change_type::add_voter, 0)) == errc::invalid_argument);
  CHECK(net.at(2).propose_conf_change(change(conf_change_type::add_voter, 4)).err().code() ==
        errc::not_leader);
  network solo(1);
  solo.campaign(1);
  CHECK(solo.at(1).propose_conf_change(change(conf_change_type::remove_node, 1)).err().code() ==
        errc::invalid_argument);
  CHECK(solo.at(1).propose_conf_change(change(conf_change_type::add_learner, 1)).err().code() ==
        errc::invalid_argument);
}

TEST_CASE("membership: a learner catches up by snapshot without voting, then is promoted") {
  network net(3);
  net.campaign(1);
  for (int i = 0; i < 5; ++i) REQUIRE(net.propose(1, "v" + std::to_string(i)).ok());
  net.compact(1);
  net.add_peer(4);
  net.trace.clear();
  apply_change(net, 1, change(conf_change_type::add_learner, 4));
  bool got_snapshot = false;
  for (const auto& m : net.trace) got_snapshot |= m.type == message_type::snapshot && m.to == 4;
  CHECK(got_snapshot);
  CHECK(net.get(4).state == net.get(1).state);
  CHECK(net.get(4).conf.learners == std::vector<node_id>{4});
  // Its copy does not count: with two voters away nothing commits.
  net.isolate(2);
  net.isolate(3);
  std::uint64_t commit = net.info(1).commit;
  REQUIRE(net.propose(1, "voters only").ok());
  CHECK(net.info(1).commit == commit);
  CHECK(net.info(4).last_index == net.info(1).last_index);
  // A learner never campaigns.
  net.isolate(1);
  std::uint64_t term = net.info(4).term;
  net.tick(4, 50);
  CHECK(net.info(4).term == term);
  CHECK(net.info(4).role == role::follower);
  net.heal();
  net.tick(1, 2);
  apply_change(net, 1, change(conf_change_type::add_voter, 4));
  CHECK(net.info(1).conf.voters == std::vector<node_id>{1, 2, 3, 4});
  CHECK(net.info(1).conf.learners.empty());
  CHECK(net.get(4).state.back() == "voters only");
}
