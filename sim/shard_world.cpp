// One seed of the shard simulator; see shard_world.hpp. The schedule, in simulated time:
//   0 s     the cluster starts: data shards split at k/250000, k/500000, k/750000; at 8 s the
//           data shards are placed in one datacenter (the balancer moves their leaders there);
//           the writers start at 15 s;
//   +20 s   churn: splits on command and leader transfers during writes (and size splits);
//   +12 s   one datacenter isolated (the leaders' own on even seeds): shard_isolation.cpp;
//   +12 s   healed; churn again while the balancer takes leaders home;
//   +14 s   two datacenters isolated (no quorum anywhere): shard_isolation.cpp;
//   +8 s    healed; then a node that holds no meta replica dies and its replicas are replaced;
//   end     writers stop and drain; the final read, the set checker, convergence, placement,
//           directory and Raft checks.
#include "sim/shard_world.hpp"

#include <caf/all.hpp>

#include <algorithm>

#include "actors/meta_machine.hpp"
#include "sim/shard_checks.hpp"
#include "actors/replica_replacement.hpp"
#include "sim/sim_cluster.hpp"

namespace meridian::sim {

using namespace std::chrono;

namespace {

constexpr std::size_t nodes_per_dc = 2;
constexpr std::size_t split_after_keys = 150;

}  // namespace

shard_world::shard_world(runtime& rt, std::uint64_t seed)
    : rt_(rt), seed_(seed),
      rng_(seed * 6364136223846793005ull + 1442695040888963407ull) {
  actors::cluster_options c;
  c.topo = topology::default_geo(nodes_per_dc);
  c.split_keys = {key_of(250'000), key_of(500'000), key_of(750'000)};
  c.split_after_keys = split_after_keys;
  home_dc_ = static_cast<std::size_t>(seed % c.topo.latency.dcs.size());
  cluster_ = start_simulated_cluster(rt_, c, seed, rng_, checks_);
  const auto& raft = cluster_->raft_config();
  fig.election_ms = static_cast<double>(raft.election_timeout_ticks * raft.tick_ms);
  fig.write_bound_ms = write_bound_ms();
  writers_ = std::make_unique<set_writers>(rt_, *cluster_, seed);
  for (node_id n : cluster_->nodes()) writers_->add_writer(n);
}

shard_world::~shard_world() {
  writers_.reset();
  cluster_.reset();
  rt_.run_ready();
}

std::size_t shard_world::writer_outside(const std::vector<std::size_t>& dcs) {
  std::vector<std::size_t> candidates;
  for (std::size_t w = 0; w < writers_->size(); ++w) {
    node_id home = writers_->home(w);
    bool isolated = std::find(dcs.begin(), dcs.end(), dc_of(home)) != dcs.end();
    if (!isolated && cluster_->up(home)) candidates.push_back(w);
  }
  return candidates[rng_() % candidates.size()];
}

std::optional<directory_records> shard_world::load_directory(std::size_t writer) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto out = std::make_shared<std::optional<directory_records>>();
    auto done = std::make_shared<bool>(false);
    auto io = writers_->client(writer).io;
    post(writers_->client(writer), [io, out, done] {
      (*io)->refresh([io, out, done](result<txn::unit> loaded) {
        if (loaded) *out = (*io)->shards().all();
        *done = true;
      });
    });
    auto until = rt_.now() + seconds(20);
    while (!*done && rt_.now() < until) rt_.run_until(rt_.now() + milliseconds(10));
    if (*out) return *out;
  }
  return std::nullopt;
}

// The data shards prefer one datacenter (an operator's placement, kept across splits), so the
// balancer moves their leaders there and back home after a failover. The meta shard, and with
// it the timestamp oracle, stays where elections put it: moving it can send the oracle into a
// retry loop that never lets simulated time advance (see the report of issue 4).
void shard_world::prefer_home_dc() {
  auto dir = load_directory(0);
  if (!dir) return fail("the directory could not be loaded at the start");
  for (auto& r : *dir) r.preferred_dc = cluster_->topo().latency.dcs[home_dc_];
  auto done = std::make_shared<bool>(false);
  auto io = writers_->client(0).io;
  std::string command = actors::meta_machine::put_records_command(*dir);
  post(writers_->client(0), [io, command, done] {
    (*io)->command(actors::meta_shard, command, [done](result<std::string>) { *done = true; });
  });
  while (!*done) rt_.run_until(rt_.now() + milliseconds(10));
}

void shard_world::run_schedule() {
  rt_.run_until(seconds(8));  // elections
  prefer_home_dc();
  rt_.run_until(seconds(15));  // the oracle, leaders moved to their datacenter
  writers_->start();
  churn(seconds(20));
  isolate_one_dc();
  churn(seconds(12));
  isolate_two_dcs();
  rt_.run_until(rt_.now() + seconds(8));
  replace_a_node();
  rt_.run_until(rt_.now() + seconds(5));
}

void shard_world::churn(nanoseconds span) {
  auto until = rt_.now() + span;
  while (rt_.now() < until) {
    rt_.run_until(std::min(until, rt_.now() + milliseconds(500 + rng_() % 2500)));
    if (rng_() % 3 == 0) {
      move_a_leader();
    } else {
      split_a_shard();
    }
  }
}

void shard_world::split_a_shard() {
  auto dir = load_directory(writer_outside({}));
  if (!dir) return fail("the directory could not be loaded with every datacenter up");
  std::string key = key_of(static_cast<std::uint32_t>(rng_() % key_space));
  auto nodes = cluster_->nodes();
  node_id driver = nodes[rng_() % nodes.size()];
  for (const auto& r : *dir) {
    if (!r.contains(key) || key == r.start || !cluster_->up(driver)) continue;
    cluster_->split(driver, r.id, key);
    ++fig.splits_requested;
    rt_.note("split of shard " + std::to_string(r.id) + " at " + key + " asked of node " +
             std::to_string(driver));
  }
}

void shard_world::move_a_leader() {
  auto shards = cluster_->shards();
  shard_id s = shards[rng_() % shards.size()];
  if (s == actors::meta_shard) return;  // see prefer_home_dc()
  auto leader = leader_replica(*cluster_, s);
  if (!leader) return;
  std::vector<node_id> others;
  for (node_id n : leader->info().conf.voters) {
    if (n != leader->id()) others.push_back(n);
  }
  if (others.empty()) return;
  node_id to = others[rng_() % others.size()];
  cluster_->transfer_leader(s, to);
  ++fig.leader_moves;
  rt_.note("leader of shard " + std::to_string(s) + " asked to move from node " +
           std::to_string(leader->id()) + " to node " + std::to_string(to));
}

// A node that holds no meta replica dies for good; its replicas are replaced while writes go on.
void shard_world::replace_a_node() {
  std::vector<node_id> candidates;
  const auto& meta = cluster_->meta_nodes();
  for (node_id n : cluster_->nodes()) {
    if (std::find(meta.begin(), meta.end(), n) == meta.end()) candidates.push_back(n);
  }
  node_id dead = candidates[rng_() % candidates.size()];
  cluster_->crash(dead);
  rt_.run_ready();
  for (shard_id s : cluster_->shards()) checks_.on_restart(dead, s);
  rt_.note("node " + std::to_string(dead) + " died; replacing its replicas");
  actors::replica_replacement replacement(*cluster_, dead);
  auto started = rt_.now();
  for (int round = 1; !replacement.step(); ++round) {
    if (rt_.now() - started > seconds(90)) {
      fail("node " + std::to_string(dead) + "'s replicas were not replaced within 90 s:" +
           replacement.waiting());
      break;
    }
    rt_.run_until(rt_.now() + milliseconds(250));
  }
  fig.replace_ms = static_cast<double>((rt_.now() - started).count()) / 1e6;
  fig.proposals = replacement.proposals();
  // The leaders publish their new members; routers find them by following leader hints.
  rt_.run_until(rt_.now() + seconds(3));
}

void shard_world::drain_and_read() {
  writers_->stop();
  auto until = rt_.now() + seconds(60);
  while (writers_->in_flight() > 0 && rt_.now() < until) rt_.run_until(rt_.now() + milliseconds(100));
  if (writers_->in_flight() > 0) {
    fail("liveness: " + std::to_string(writers_->in_flight()) +
         " adds still unanswered 60 s after the writers stopped");
  }
  std::size_t reader = 0;  // on node 1, a meta node: never the dead one
  if (auto read = writers_->final_read(reader, seconds(60)); !read) {
    fail("the final read failed: " + read.err().to_string());
  }
  auto verdict = check::check_set(writers_->history(), &fig.set);
  for (const auto& a : verdict.anomalies) fail("set: " + a);
}

void shard_world::quiesce() {
  auto until = rt_.now() + seconds(120);
  std::vector<shard_id> before;
  for (;;) {
    // Settled: no shard above its split limit, every shard led, and no split (one driven
    // earlier may still be on its way) for five seconds.
    auto most = most_keys_in_a_shard(*cluster_);
    auto shards = cluster_->shards();
    if (most && *most <= split_after_keys && shards == before) return;
    before = shards;
    if (rt_.now() >= until) {
      return fail("the shards did not settle within 120 s of the writers stopping: " +
                  (most ? "one holds " + std::to_string(*most) + " keys"
                        : std::string("a shard has no leader")));
    }
    rt_.run_until(rt_.now() + seconds(5));
  }
}

void shard_world::finish_and_check() {
  drain_and_read();
  quiesce();
  convergence_report converged;
  for (auto& v : check_convergence(rt_, *cluster_, seconds(60), &converged)) fail(std::move(v));
  fig.shards = converged.shards;
  // Keys are counted on each shard's leader. The balancer may be moving one (a transfer leaves a
  // shard leaderless for a round trip or two), so wait until every shard is led.
  auto led = [this] {
    for (shard_id s : cluster_->shards()) {
      if (!leader_replica(*cluster_, s)) return false;
    }
    return true;
  };
  for (auto until = rt_.now() + seconds(30); !led() && rt_.now() < until;) {
    rt_.run_until(rt_.now() + milliseconds(50));
  }
  for (auto& v : check_placement(*cluster_, writers_->final_keys())) fail(std::move(v));
  // Leaders publish their shard's record every second or so: give the directory a few rounds.
  std::vector<std::string> directory_violations{"the directory could not be loaded"};
  for (int round = 0; round < 10 && !directory_violations.empty(); ++round) {
    if (round > 0) rt_.run_until(rt_.now() + seconds(1));
    if (auto dir = load_directory(0)) directory_violations = check_directory(*cluster_, *dir);
  }
  for (auto& v : directory_violations) fail(std::move(v));
  for (shard_id s : cluster_->shards()) {
    std::vector<const actors::replica*> replicas;
    for (const auto& r : cluster_->replicas(s)) replicas.push_back(r.get());
    checks_.check_logs(s, replicas);
  }
  for (const auto& v : checks_.violations()) fail(v);
}

}  // namespace meridian::sim
