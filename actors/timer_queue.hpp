// An actor's timers, coalesced onto few wakeups of the actor clock. CAF's clock is one thread
// behind a mutex: every delayed message and every request timeout is an insert there, a wakeup of
// that thread when it falls due, and a message to the actor (also when the request was answered
// long before). A coordinator arms several per transaction (request timeouts, the TTL heartbeat),
// which cost ~9% of the CPU of bench txn. Here a timer may run a little late (its slack), and
// every timer whose window already holds an armed wakeup shares it: a steady stream of timers of
// one delay arms one wakeup per slack. Pure; owned by one actor.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace meridian::actors {

class timer_queue {
 public:
  using clock = std::chrono::steady_clock;

  // Adds `fn`, due at `due` and allowed to run until `due + slack`. Returns the time of a wakeup
  // the owner must arm (at which it calls fire()), or nullopt when an armed one falls in that
  // window already.
  std::optional<clock::time_point> add(clock::time_point due, clock::duration slack,
                                       std::function<void()> fn);
  // The wakeup armed for `armed` arrived at `now`: removes and returns every timer due by then,
  // in due order, for the owner to run (they may add timers).
  std::vector<std::function<void()>> fire(clock::time_point armed, clock::time_point now);

  std::size_t pending() const { return timers_.size(); }
  std::size_t armed() const { return wakeups_.size(); }

 private:
  std::multimap<clock::time_point, std::function<void()>> timers_;
  std::multiset<clock::time_point> wakeups_;
};

// The slack actor_io allows a timer of `delay`: a sixteenth of it, at most 20 ms (a 2 s request
// timeout may fire 20 ms late; a 5 ms back-off about 0.3 ms late).
timer_queue::clock::duration timer_slack(timer_queue::clock::duration delay);

}  // namespace meridian::actors
