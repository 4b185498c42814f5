// The deterministic simulator's engine room: a CAF actor system on the test scheduler with
// simulated time, the loop that runs every ready actor and then jumps the clock to the next
// timer, and a ring buffer of recent events that a failing seed prints. One runtime per seed;
// everything runs on the calling thread, so a seed replays exactly.
#pragma once

#include <caf/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace meridian::sim {

class runtime {
 public:
  runtime();
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  caf::actor_system& system();
  // Simulated time since the runtime started.
  std::chrono::nanoseconds now() const;
  std::int64_t now_ns() const { return now().count(); }
  // Runs actors and timers until simulated time reaches `until` or nothing is left to do.
  // Returns the number of events processed.
  std::size_t run_until(std::chrono::nanoseconds until);
  // Runs ready actors without advancing the clock.
  void run_ready();

  // Recent events, printed when a seed fails.
  void note(std::string what);
  std::string trace(std::size_t last = 60) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::deque<std::string> events_;
};

// What to print if the process dies (an invariant's abort, a crash) while a seed runs: the seed
// and its replay command. Prepared per seed, printed by a signal handler installed once.
void set_crash_banner(const std::string& text);

// Parses a seed list for printing: "replay: meridian sim raft --seed-start S --seeds 1".
std::string replay_command(const std::string& mode, std::uint64_t seed,
                           const std::string& extra = "");

// " --fault-seconds S" in a replay command, exact (every digit the run used), or nothing when
// `seconds` is the default.
std::string fault_seconds_option(double seconds, double default_seconds);

// Before a seed runs: the crash banner names the seed and its replay command.
void arm_crash_banner(std::uint64_t seed, const std::string& replay);
// A failing seed on stdout: its violations, its last events and its replay command.
void print_violations(std::uint64_t seed, const std::vector<std::string>& violations,
                      const std::string& trace, const std::string& replay);

}  // namespace meridian::sim
