// The fault schedule; see nemesis.hpp.
#include "sim/nemesis.hpp"

#include <algorithm>

namespace meridian::sim {

nemesis::nemesis(runtime& rt, actors::transport& net, std::vector<node_id> nodes,
                 std::uint64_t seed, nemesis_hooks hooks, nemesis_options options)
    : rt_(rt), net_(net), nodes_(std::move(nodes)), rng_(seed), hooks_(std::move(hooks)),
      options_(options) {}

std::pair<std::string, std::function<void()>> nemesis::start_fault() {
  std::vector<int> kinds;
  if (options_.partitions) kinds.insert(kinds.end(), {0, 1, 2});
  if (options_.crashes) kinds.insert(kinds.end(), {3, 3, 4});
  if (options_.flaky_network) kinds.push_back(5);
  if (hooks_.crash_coordinator) kinds.insert(kinds.end(), {6, 6});
  if (kinds.empty()) return {"nothing", [] {}};
  int kind = kinds[rng_() % kinds.size()];
  std::vector<node_id> shuffled = nodes_;
  std::shuffle(shuffled.begin(), shuffled.end(), rng_);
  auto heal = [this] { net_.with_model([](actors::network_model& m) { m.heal(); }); };
  switch (kind) {
    case 0: {
      node_id n = shuffled[0];
      net_.with_model([n](actors::network_model& m) { m.isolate(n); });
      return {"isolate node " + std::to_string(n), heal};
    }
    case 1: {
      if (shuffled.size() < 3) break;
      // Two halves that only one node joins: with five nodes, 2 | 1 | 2.
      std::size_t half = (shuffled.size() - 1) / 2;
      std::vector<node_id> left(shuffled.begin(), shuffled.begin() + static_cast<long>(half));
      node_id middle = shuffled[half];
      std::vector<node_id> right(shuffled.begin() + static_cast<long>(half) + 1, shuffled.end());
      net_.with_model([&](actors::network_model& m) { m.bridge(left, middle, right); });
      return {"bridge partition around node " + std::to_string(middle), heal};
    }
    case 2: {
      if (shuffled.size() < 5) {
        node_id n = shuffled[0];
        net_.with_model([n](actors::network_model& m) { m.isolate(n); });
        return {"minority partition: node " + std::to_string(n) + " alone", heal};
      }
      net_.with_model([&](actors::network_model& m) { m.majority_ring(shuffled); });
      return {"majority ring", heal};
    }
    case 3:
    case 4: {
      // kind 4 crashes two nodes at once: a quorum loss, then both come back.
      std::size_t count = kind == 4 && shuffled.size() >= 3 ? 2 : 1;
      std::vector<node_id> victims(shuffled.begin(), shuffled.begin() + static_cast<long>(count));
      std::string what = "crash (power loss) of node";
      for (node_id n : victims) {
        hooks_.crash(n);
        crashed_.push_back(n);
        what += " " + std::to_string(n);
      }
      return {what, [this, victims] {
                for (node_id n : victims) {
                  hooks_.restart(n);
                  crashed_.erase(std::find(crashed_.begin(), crashed_.end(), n));
                }
              }};
    }
    case 6:
      hooks_.crash_coordinator();
      return {"crash of a transaction coordinator", [] {}};
    default:
      break;
  }
  std::uniform_real_distribution<double> unit(0, 1);
  actors::fault_config f;
  f.drop_probability = 0.05 + 0.25 * unit(rng_);
  f.duplicate_probability = 0.2 * unit(rng_);
  f.max_extra_delay_ms = 150 * unit(rng_);
  net_.with_model([f](actors::network_model& m) { m.set_faults(f); });
  char what[96];
  std::snprintf(what, sizeof what, "flaky network: drop %.2f, duplicate %.2f, delay up to %.0f ms",
                f.drop_probability, f.duplicate_probability, f.max_extra_delay_ms);
  return {what, [this] {
            net_.with_model([](actors::network_model& m) { m.set_faults(actors::fault_config{}); });
          }};
}

void isolate_datacenters(actors::transport& net, const std::vector<std::size_t>& dcs) {
  std::vector<std::vector<node_id>> groups(dcs.size() + 1);
  for (const auto& n : net.topo().nodes) {
    auto listed = std::find(dcs.begin(), dcs.end(), n.dc);
    groups[static_cast<std::size_t>(listed - dcs.begin())].push_back(n.id);
  }
  net.with_model([&groups](actors::network_model& m) { m.partition(groups); });
}

std::size_t nemesis::run_faults_until(std::chrono::nanoseconds end) {
  std::size_t faults = 0;
  auto span = [&](std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
    auto ms = lo.count() + static_cast<long>(rng_() % static_cast<std::uint64_t>(hi.count() - lo.count() + 1));
    return std::chrono::nanoseconds(std::chrono::milliseconds(ms));
  };
  while (rt_.now() < end) {
    rt_.run_until(std::min(end, rt_.now() + span(std::chrono::milliseconds(0), options_.max_quiet)));
    if (rt_.now() >= end) break;
    auto [what, undo] = start_fault();
    ++faults;
    rt_.note("nemesis: " + what);
    rt_.run_until(std::min(end, rt_.now() + span(options_.min_fault, options_.max_fault)));
    undo();
    rt_.note("nemesis: healed (" + what + ")");
  }
  return faults;
}

void nemesis::heal_all() {
  net_.with_model([](actors::network_model& m) {
    m.heal();
    m.set_faults(actors::fault_config{});
  });
  for (node_id n : std::vector<node_id>(crashed_)) hooks_.restart(n);
  crashed_.clear();
  rt_.note("nemesis: all faults healed");
}

}  // namespace meridian::sim
