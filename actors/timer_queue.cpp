// An actor's coalesced timers; see timer_queue.hpp.
#include "actors/timer_queue.hpp"

#include <algorithm>

namespace meridian::actors {

std::optional<timer_queue::clock::time_point> timer_queue::add(clock::time_point due,
                                                               clock::duration slack,
                                                               std::function<void()> fn) {
  timers_.emplace(due, std::move(fn));
  auto covering = wakeups_.lower_bound(due);
  if (covering != wakeups_.end() && *covering <= due + slack) return std::nullopt;
  wakeups_.insert(due + slack);
  return due + slack;
}

std::vector<std::function<void()>> timer_queue::fire(clock::time_point armed,
                                                     clock::time_point now) {
  if (auto it = wakeups_.find(armed); it != wakeups_.end()) wakeups_.erase(it);
  std::vector<std::function<void()>> due;
  auto end = timers_.upper_bound(now);
  for (auto it = timers_.begin(); it != end; ++it) due.push_back(std::move(it->second));
  timers_.erase(timers_.begin(), end);
  return due;
}

timer_queue::clock::duration timer_slack(timer_queue::clock::duration delay) {
  return std::min<timer_queue::clock::duration>(delay / 16, std::chrono::milliseconds(20));
}

}  // namespace meridian::actors
