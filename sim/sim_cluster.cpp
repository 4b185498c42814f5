// A cluster under the simulator; see sim_cluster.hpp.
#include "sim/sim_cluster.hpp"

#include "common/assert.hpp"

namespace meridian::sim {

std::unique_ptr<actors::cluster> start_simulated_cluster(runtime& rt, actors::cluster_options c,
                                                         std::uint64_t seed, std::mt19937_64& rng,
                                                         raft_checks& checks) {
  runtime* clock = &rt;
  c.clock_ms = [clock] { return sim_epoch_ms + static_cast<std::uint64_t>(clock->now_ns() / 1'000'000); };
  c.seed = seed;
  c.compact_after_entries = 400;  // small, so snapshots happen under test
  c.keep_entries = 50;
  c.record_applied = true;
  c.observer = &checks;
  std::uniform_real_distribution<double> skew(-0.01, 0.01);  // within the lease drift bound
  for (const auto& n : c.topo.nodes) c.tick_skew[n.id] = 1 + skew(rng);
  checks.set_note([clock](const std::string& what) { clock->note(what); });
  auto started = actors::cluster::start(rt.system(), c);
  MERIDIAN_ASSERT(started.ok(), started.ok() ? "" : started.err().to_string());
  return std::move(*started);
}

}  // namespace meridian::sim
