// The coalesced timers of an actor (timer_queue.hpp): every timer runs within its window, and a
// stream of timers of one delay shares few wakeups of the actor clock.
#include "actors/timer_queue.hpp"

#include <doctest/doctest.h>

using namespace meridian::actors;
using namespace std::chrono;
using tp = timer_queue::clock::time_point;

TEST_CASE("timer_queue: a timer whose window holds an armed wakeup arms none of its own") {
  timer_queue q;
  tp t0{};
  int ran = 0;
  auto first = q.add(t0 + milliseconds(100), milliseconds(10), [&] { ++ran; });
  REQUIRE(first.has_value());
  CHECK(*first == t0 + milliseconds(110));
  // Due 5 ms later: the wakeup at 110 ms is inside [105, 115].
  CHECK_FALSE(q.add(t0 + milliseconds(105), milliseconds(10), [&] { ++ran; }).has_value());
  // Due at 101 ms with no slack: 110 is past its window, so it arms its own.
  auto precise = q.add(t0 + milliseconds(101), milliseconds(0), [&] { ++ran; });
  REQUIRE(precise.has_value());
  CHECK(*precise == t0 + milliseconds(101));
  CHECK(q.armed() == 2);
  auto at101 = q.fire(*precise, *precise);
  CHECK(at101.size() == 2);  // the timers due at 100 and 101 ms
  for (auto& fn : at101) fn();
  auto at110 = q.fire(*first, *first);
  CHECK(at110.size() == 1);
  for (auto& fn : at110) fn();
  CHECK(ran == 3);
  CHECK(q.pending() == 0);
  CHECK(q.armed() == 0);
}

TEST_CASE("timer_queue: a steady stream of 2 s timeouts arms about one wakeup per slack") {
  timer_queue q;
  tp t0{};
  auto delay = seconds(2);
  auto slack = timer_slack(delay);
  CHECK(slack == milliseconds(20));
  int wakeups = 0;
  for (int i = 0; i < 10'000; ++i) {  // one request every 100 us for a second
    tp now = t0 + microseconds(100 * i);
    if (q.add(now + delay, slack, [] {})) ++wakeups;
  }
  CHECK(wakeups <= 1'000 / 20 + 1);
  CHECK(q.pending() == 10'000);
}

TEST_CASE("timer_queue: a wakeup that comes late runs everything due, in due order") {
  timer_queue q;
  tp t0{};
  std::vector<int> order;
  auto w = q.add(t0 + milliseconds(30), milliseconds(1), [&] { order.push_back(30); });
  q.add(t0 + milliseconds(10), milliseconds(1), [&] { order.push_back(10); });
  q.add(t0 + milliseconds(90), milliseconds(1), [&] { order.push_back(90); });
  for (auto& fn : q.fire(*w, t0 + milliseconds(50))) fn();
  CHECK(order == std::vector<int>{10, 30});
  CHECK(q.pending() == 1);
  CHECK(timer_slack(milliseconds(5)) == nanoseconds(312'500));
}
