// The simulator runtime; see sim_runtime.hpp.
#include "sim/sim_runtime.hpp"

#include <caf/all.hpp>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "actors/messages.hpp"

namespace meridian::sim {

struct runtime::impl {
  static caf::actor_system_config make_config() {
    caf::actor_system_config cfg;
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.verbosity", caf::atom("quiet"));
    actors::register_messages(cfg);
    return cfg;
  }
  caf::actor_system_config cfg = make_config();
  caf::actor_system sys{cfg};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::actor_clock::time_point start = sched.clock().now();
};

runtime::runtime() : impl_(std::make_unique<impl>()) {}

runtime::~runtime() {
  // Let exit messages and pending work drain so the system shuts down cleanly.
  impl_->sched.run();
}

caf::actor_system& runtime::system() { return impl_->sys; }

std::chrono::nanoseconds runtime::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(impl_->sched.clock().now() -
                                                              impl_->start);
}

void runtime::run_ready() { impl_->sched.run(); }

std::size_t runtime::run_until(std::chrono::nanoseconds until) {
  auto& sched = impl_->sched;
  auto& clock = sched.clock();
  std::size_t events = 0;
  for (;;) {
    events += sched.run();
    if (now() >= until) break;
    if (!sched.has_pending_timeout()) {
      clock.current_time = impl_->start + until;
      break;
    }
    auto next = clock.schedule().begin()->first;
    if (next - impl_->start > until) {
      clock.current_time = impl_->start + until;
      break;
    }
    sched.trigger_timeout();
    ++events;
  }
  return events;
}

void runtime::note(std::string what) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%10.3f s  ", static_cast<double>(now_ns()) / 1e9);
  events_.push_back(stamp + what);
  if (events_.size() > 200) events_.pop_front();
}

std::string runtime::trace(std::size_t last) const {
  std::string out;
  std::size_t from = events_.size() > last ? events_.size() - last : 0;
  for (std::size_t i = from; i < events_.size(); ++i) out += "    " + events_[i] + "\n";
  return out;
}

namespace {

char crash_banner[512];
std::size_t crash_banner_length = 0;

extern "C" void print_crash_banner(int signal_number) {
  if (crash_banner_length > 0) {
    ssize_t ignored = ::write(2, crash_banner, crash_banner_length);
    (void)ignored;
  }
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

void set_crash_banner(const std::string& text) {
  static bool installed = false;
  if (!installed) {
    std::signal(SIGABRT, print_crash_banner);
    std::signal(SIGSEGV, print_crash_banner);
    installed = true;
  }
  crash_banner_length = std::min(text.size(), sizeof crash_banner);
  std::memcpy(crash_banner, text.data(), crash_banner_length);
}

std::string replay_command(const std::string& mode, std::uint64_t seed, const std::string& extra) {
  return "meridian sim " + mode + " --seed-start " + std::to_string(seed) + " --seeds 1" +
         (extra.empty() ? "" : " " + extra);
}

std::string fault_seconds_option(double seconds, double default_seconds) {
  if (seconds == default_seconds) return "";
  // The shortest text that reads back as the same double: %g's six digits replayed another run.
  char text[40];
  for (int digits = 6; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, seconds);
    if (std::strtod(text, nullptr) == seconds) break;
  }
  return std::string(" --fault-seconds ") + text;
}

void arm_crash_banner(std::uint64_t seed, const std::string& replay) {
  set_crash_banner("\nVIOLATION seed " + std::to_string(seed) +
                   ": the process died (see the invariant above)\n  replay: " + replay + "\n");
}

void print_violations(std::uint64_t seed, const std::vector<std::string>& violations,
                      const std::string& trace, const std::string& replay) {
  std::printf("VIOLATION seed %llu:\n", static_cast<unsigned long long>(seed));
  for (const auto& v : violations) std::printf("  %s\n", v.c_str());
  std::printf("  last events:\n%s  replay: %s\n", trace.c_str(), replay.c_str());
}

}  // namespace meridian::sim
