// Replication flow control and the ready contract: batching by bytes, the bounded in-flight
// window, recovery from lost appends, fast back-off, the uncommitted-bytes bound, and which
// messages may leave before persisting (node.hpp's persist/send/apply rule).
#include <doctest/doctest.h>

#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using namespace meridian::raft::testing;

namespace {

std::size_t count_to(const std::vector<message>& msgs, message_type type, node_id to) {
  std::size_t n = 0;
  for (const auto& m : msgs) n += m.type == type && m.to == to ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("replication: appends to a lagging follower are batched up to max_message_bytes") {
  // Entries of 8 payload bytes weigh 32 bytes each: at most three fit in 100 bytes.
  network net(3, [](config& c) { c.max_message_bytes = 100; });
  net.campaign(1);
  net.isolate(3);
  for (int i = 0; i < 10; ++i) REQUIRE(net.propose(1, "payload" + std::to_string(i)).ok());
  net.heal();
  net.trace.clear();
  net.tick(1, 3);
  std::size_t largest = 0;
  for (const auto& m : net.trace) {
    if (m.type != message_type::append || m.to != 3) continue;
    std::size_t bytes = 0;
    for (const auto& e : m.entries) bytes += e.bytes();
    CHECK(bytes <= 100);
    largest = std::max(largest, m.entries.size());
  }
  CHECK(largest == 3);
  CHECK(net.get(3).state == net.get(1).state);
}

TEST_CASE("replication: at most max_inflight_messages appends are in flight to a follower") {
  peer p = make_peer(1, {1, 2, 3}, [](config& c) { c.max_inflight_messages = 3; });
  elect(p);
  acknowledge_all(p);  // followers enter the replicate state
  std::vector<message> out;
  for (int i = 0; i < 10; ++i) {
    REQUIRE(p.raft->propose("e" + std::to_string(i)).ok());
    for (auto& m : flush(p)) out.push_back(m);
  }
  CHECK(count_to(out, message_type::append, 2) == 3);
  CHECK(p.raft->info().progress.at(2).inflight == 3);
  CHECK(p.raft->info().progress.at(2).state == progress_state::replicate);
  // One acknowledgement frees one slot; the waiting entries then go out together.
  message ack = make_message(message_type::append_response, 2, 1, p.raft->info().term);
  ack.index = 2;
  REQUIRE(p.raft->step(ack).ok());
  out = flush(p);
  REQUIRE(count_to(out, message_type::append, 2) == 1);
  CHECK(of_type(out, message_type::append)[0].entries.size() == 7);
  CHECK(p.raft->info().progress.at(2).inflight == 3);
}

TEST_CASE("replication: a follower whose appends were all lost recovers once the window is full") {
  network net(3, [](config& c) { c.max_inflight_messages = 2; });
  net.campaign(1);
  net.filter = [](message& m) { return !(m.type == message_type::append && m.to == 3); };
  for (int i = 0; i < 5; ++i) REQUIRE(net.propose(1, "e" + std::to_string(i)).ok());
  CHECK(net.info(1).progress.at(3).inflight == 2);
  net.filter = nullptr;
  net.tick(1, 2);  // heartbeat responses probe the full window
  CHECK(net.stored_log(3) == net.stored_log(1));
  CHECK(net.get(3).state.size() == 5);
}

TEST_CASE("replication: a rejection hint skips a whole divergent term per round trip") {
  network net(3);
  // Figure 7 (f): the follower holds eight entries the leader never had.
  net.load(1, log_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6}), storage::hard_state{8, 0, 0});
  net.load(2, log_with_terms({1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}), storage::hard_state{7, 0, 0});
  net.load(3, log_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6}), storage::hard_state{7, 0, 0});
  net.campaign(1);
  REQUIRE(net.info(1).role == role::leader);
  std::size_t rejections = 0;
  for (const auto& m : net.trace) {
    rejections += m.type == message_type::append_response && m.from == 2 && m.reject ? 1 : 0;
  }
  // One entry at a time would take eight rejections; the hint takes one.
  CHECK(rejections == 1);
  CHECK(net.stored_log(2) == net.stored_log(1));
}

TEST_CASE("replication: proposals beyond max_uncommitted_bytes fail with limit_exceeded") {
  peer p = make_peer(1, {1, 2, 3}, [](config& c) { c.max_uncommitted_bytes = 100; });
  elect(p);
  acknowledge_all(p);
  CHECK(p.raft->propose(std::string(150, 'a')).ok());  // alone, a large entry is admitted
  auto over = p.raft->propose(std::string(10, 'b'));
  REQUIRE_FALSE(over.ok());
  CHECK(over.err().code() == errc::limit_exceeded);
  acknowledge_all(p);  // committed and applied: the budget is free again
  CHECK(p.raft->propose(std::string(60, 'c')).ok());
  CHECK(p.raft->propose(std::string(40, 'd')).ok());
  CHECK(p.raft->propose(std::string(1, 'e')).err().code() == errc::limit_exceeded);
}

TEST_CASE("ready: the leader sends appends before persisting but counts itself only after") {
  peer p = make_peer(1, {1, 2, 3, 4, 5});
  elect(p);
  acknowledge_all(p);
  REQUIRE(p.raft->propose("x").ok());
  ready rd = p.raft->get_ready();
  CHECK(rd.entries.size() == 1);
  CHECK(rd.must_sync);
  CHECK(count_to(rd.send_now, message_type::append, 2) == 1);
  CHECK(rd.send_after_persist.empty());
  // Two followers store it: with the leader that would be a majority of five, but the leader's
  // copy is not durable yet.
  for (node_id v : {2, 3}) {
    message ack = make_message(message_type::append_response, v, 1, p.raft->info().term);
    ack.index = 2;
    REQUIRE(p.raft->step(ack).ok());
  }
  CHECK(p.raft->info().commit == 1);
  p.storage->append(std::move(rd.entries));
  p.raft->advance();
  CHECK(p.raft->info().commit == 2);
}

TEST_CASE("ready: votes and append acknowledgements are sent only after persisting") {
  peer p = make_peer(1, {1, 2, 3});
  REQUIRE(p.raft->step(make_message(message_type::vote, 2, 1, 1)).ok());
  ready rd = p.raft->get_ready();
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->vote == 2);
  CHECK(rd.must_sync);
  CHECK(rd.send_now.empty());
  CHECK(count_to(rd.send_after_persist, message_type::vote_response, 2) == 1);
  p.raft->advance();

  message append = make_message(message_type::append, 2, 1, 1);
  append.entries = log_with_terms({1});
  REQUIRE(p.raft->step(append).ok());
  rd = p.raft->get_ready();
  CHECK(rd.entries.size() == 1);
  CHECK(rd.send_now.empty());
  CHECK(count_to(rd.send_after_persist, message_type::append_response, 2) == 1);
  p.raft->advance();

  // A campaign changes the term and the vote: its vote requests wait for the fsync too.
  p.raft->campaign();
  rd = p.raft->get_ready();
  CHECK(rd.send_now.empty());
  CHECK(of_type(rd.send_after_persist, message_type::vote).size() == 2);
  p.raft->advance();
}

TEST_CASE("ready: pre-votes promise nothing and may leave before persisting") {
  peer p = make_peer(1, {1, 2, 3}, [](config& c) { c.pre_vote = true; });
  p.raft->campaign();
  ready rd = p.raft->get_ready();
  CHECK(of_type(rd.send_now, message_type::pre_vote).size() == 2);
  CHECK_FALSE(rd.must_sync);
  p.raft->advance();
}

TEST_CASE("ready: committed entries per ready are bounded by max_committed_bytes_per_ready") {
  peer p = make_peer(1, {1, 2, 3}, [](config& c) { c.max_committed_bytes_per_ready = 100; });
  message append = make_message(message_type::append, 2, 1, 1);
  append.entries = log_with_terms({1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  append.commit = 10;
  REQUIRE(p.raft->step(append).ok());
  std::size_t readies = 0;
  while (p.raft->has_ready()) {
    ready rd = p.raft->get_ready();
    std::size_t bytes = 0;
    for (const auto& e : rd.committed_entries) bytes += e.bytes();
    CHECK(bytes <= 100);
    p.storage->append(std::move(rd.entries));
    p.raft->advance();
    ++readies;
  }
  CHECK(readies >= 4);
  CHECK(p.raft->info().applied == 10);
}

TEST_CASE("replication: an unreachable follower drops from pipelining to probing") {
  peer p = make_peer(1, {1, 2, 3});
  elect(p);
  acknowledge_all(p);
  REQUIRE(p.raft->info().progress.at(2).state == progress_state::replicate);
  p.raft->report_unreachable(2);
  CHECK(p.raft->info().progress.at(2).state == progress_state::probe);
}

TEST_CASE("replication: a non-leader refuses proposals with not_leader") {
  network net(3);
  net.campaign(1);
  auto r = net.at(2).propose("x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code() == errc::not_leader);
}
