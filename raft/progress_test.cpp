// Flow control and quorum arithmetic (etcd's tracker tests): the in-flight window, progress state
// transitions and back-off, the tracker's commit index, vote tally and activity check, and the
// leader's read-index queue.
#include <doctest/doctest.h>

#include "raft/progress.hpp"
#include "raft/read_only.hpp"
#include "raft/tracker.hpp"

using namespace meridian;
using namespace meridian::raft;

TEST_CASE("inflights: the window fills up and frees what is acknowledged") {
  inflights in(3);
  in.add(5);
  in.add(7);
  CHECK_FALSE(in.full());
  in.add(9);
  CHECK(in.full());
  in.free_le(7);
  CHECK(in.count() == 1);
  in.free_le(100);
  CHECK(in.count() == 0);
}

TEST_CASE("progress: probe sends one append at a time, replicate pipelines up to the window") {
  progress pr(5, 2, false);
  CHECK_FALSE(pr.paused());
  pr.sent_entries(3, 7);
  CHECK(pr.paused());  // one probe at a time
  CHECK(pr.next == 5);
  CHECK(pr.maybe_update(7));
  CHECK_FALSE(pr.paused());
  pr.become_replicate();
  CHECK(pr.next == 8);
  pr.sent_entries(2, 9);
  pr.sent_entries(1, 10);
  CHECK(pr.next == 11);
  CHECK(pr.paused());  // window of two is full
  CHECK_FALSE(pr.maybe_update(6));  // old acknowledgement
  pr.become_snapshot(20);
  CHECK(pr.paused());
  CHECK(pr.maybe_update(20));
  pr.become_probe();
  CHECK(pr.next == 21);
}

TEST_CASE("progress: rejections move next back, stale rejections change nothing") {
  progress pr(11, 4, false);
  pr.match = 5;
  pr.state = progress_state::replicate;
  CHECK_FALSE(pr.maybe_decrease_to(5, 0));  // at or below match: old
  CHECK(pr.maybe_decrease_to(9, 0));
  CHECK(pr.next == 6);  // match + 1 in replicate
  pr.become_probe();
  CHECK_FALSE(pr.maybe_decrease_to(9, 3));  // not the outstanding probe
  CHECK(pr.maybe_decrease_to(5, 3));
  CHECK(pr.next == 6);  // never at or below match
  pr.match = 0;
  pr.next = 10;
  CHECK(pr.maybe_decrease_to(9, 3));
  CHECK(pr.next == 4);  // the follower's hint
}

TEST_CASE("tracker: the commit index is the largest index a majority of voters stores") {
  tracker t(8);
  t.reset(conf_state{{1, 2, 3, 4, 5}, {6}}, 1);
  std::uint64_t matches[] = {9, 7, 5, 3, 1};
  for (node_id id = 1; id <= 5; ++id) t.find(id)->match = matches[id - 1];
  t.find(6)->match = 100;  // learners do not count
  CHECK(t.committed_index() == 5);
  t.remove(5);
  CHECK(t.committed_index() == 5);  // 9, 7, 5, 3: three of four at 5
  t.add_voter(6, 1);  // a promoted learner keeps its progress
  CHECK(t.find(6)->match == 100);
  CHECK(t.committed_index() == 7);
  CHECK(t.config().voters == std::vector<node_id>{1, 2, 3, 4, 6});
}

TEST_CASE("tracker: votes are won by a majority and lost by a blocking minority") {
  tracker t(8);
  t.reset(conf_state{{1, 2, 3, 4}, {5}}, 1);
  t.record_vote(1, true);
  t.record_vote(5, true);  // a learner's vote does not count
  CHECK(t.tally() == vote_result::pending);
  t.record_vote(2, true);
  t.record_vote(2, false);  // the first answer counts
  CHECK(t.tally() == vote_result::pending);
  t.record_vote(3, false);
  t.record_vote(4, false);
  CHECK(t.tally() == vote_result::lost);
  t.reset_votes();
  for (node_id id : {1, 2, 3}) t.record_vote(id, true);
  CHECK(t.tally() == vote_result::won);
}

TEST_CASE("tracker: check-quorum needs a majority of voters recently active") {
  tracker t(8);
  t.reset(conf_state{{1, 2, 3}, {}}, 1);
  for (auto& [id, pr] : t.all()) pr.recent_active = false;
  t.find(1)->recent_active = true;
  CHECK_FALSE(t.quorum_active());
  t.find(3)->recent_active = true;
  CHECK(t.quorum_active());
}

TEST_CASE("read only: requests are released in order once their round is confirmed") {
  read_only r(3);
  auto a = r.add(5, "a", 1);
  auto b = r.add(6, "b", 2);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*b > *a);
  CHECK(r.last_round() == *b);
  REQUIRE(r.defer("c", 1).ok());
  CHECK(r.add(7, "d", 1).err().code() == errc::limit_exceeded);
  auto released = r.release(*a);
  REQUIRE(released.size() == 1);
  CHECK(released[0].context == "a");
  CHECK(released[0].index == 5);
  CHECK(r.take_deferred().size() == 1);
  r.clear();
  CHECK(r.size() == 0);
}
