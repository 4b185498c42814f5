// The embedded cluster; see cluster.hpp.
#include "actors/cluster.hpp"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include "actors/meta_machine.hpp"
#include "actors/node_service.hpp"
#include "actors/shard_machine.hpp"
#include "actors/tso_actor.hpp"
#include "storage/data_dir.hpp"
#include "storage/key_codec.hpp"
#include "storage/lmdb_engine.hpp"
#include "storage/memory_engine.hpp"

namespace meridian::actors {
namespace {

// Round trips as Raft's timing sees them: at least 40 ms, so that without simulated latency
// (wan_scale 0) a tick is 10 ms and an election takes well under a second, instead of timers
// firing every millisecond.
std::vector<std::vector<std::uint64_t>> rtt_matrix(const latency_matrix& m) {
  constexpr double floor_ms = 40;
  std::vector<std::vector<std::uint64_t>> out;
  for (std::size_t a = 0; a < m.dcs.size(); ++a) {
    out.emplace_back();
    for (std::size_t b = 0; b < m.dcs.size(); ++b) {
      out.back().push_back(static_cast<std::uint64_t>(std::ceil(std::max(floor_ms, m.rtt(a, b)))));
    }
  }
  return out;
}

std::string node_dir(const std::string& root, node_id node) {
  return root + "/node-" + std::to_string(node);
}

std::string store_dir(const std::string& root, node_id node, shard_id shard) {
  return node_dir(root, node) + "/shard-" + std::to_string(shard);
}

}  // namespace

cluster::cluster(caf::actor_system& system, cluster_options options)
    : system_(system), options_(std::move(options)),
      net_(std::make_shared<transport>(options_.topo, options_.seed)) {}

cluster::~cluster() {
  std::vector<caf::actor> running;
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    // A replica still running may split its shard meanwhile: no node starts anything now.
    for (auto& [n, u] : up_) u = false;
    for (auto& [key, s] : slots_) {
      if (s.handle) running.push_back(s.handle);
    }
    for (auto* group : {&tso_, &services_, &gc_}) {
      for (auto& [n, a] : *group) running.push_back(a);
    }
  }
  for (auto& a : running) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  await_stopped(running);
  // Then the persisters, which may still run a write a stopped replica handed them: the
  // storage below outlives every thread that writes it.
  std::vector<caf::actor> persisters;
  for (auto& [n, pool] : persisters_) persisters.insert(persisters.end(), pool.begin(), pool.end());
  for (auto& a : persisters) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  await_stopped(persisters);
}

// On a threaded scheduler an actor told to exit may be in the middle of a message (a replica
// writing to its engine): wait until it has stopped. Under the simulator nothing runs meanwhile.
void cluster::await_stopped(const std::vector<caf::actor>& actors) {
  if (actors.empty() || dynamic_cast<caf::scheduler::test_coordinator*>(&system_.scheduler())) return;
  caf::scoped_actor self{system_};
  self->wait_for(actors);
}

result<std::unique_ptr<cluster>> cluster::start(caf::actor_system& system,
                                                cluster_options options) {
  MERIDIAN_TRY(options.topo.validate());
  if (!options.default_leader_dc.empty() &&
      options.topo.latency.index_of(options.default_leader_dc) == options.topo.latency.dcs.size()) {
    return error(errc::invalid_config, "cluster: default_leader_dc '" +
                                           options.default_leader_dc + "' is not a datacenter");
  }
  if (!options.clock_ms) return error(errc::invalid_config, "cluster: a clock is required");
  std::unique_ptr<storage::directory_lock> held;
  if (!options.data_dir.empty()) {
    MERIDIAN_TRY(storage::refuse_nested(options.data_dir));
    auto lock = storage::directory_lock::acquire(options.data_dir);
    if (!lock) return lock.err();
    held = std::move(*lock);
  }
  std::unique_ptr<cluster> c(new cluster(system, std::move(options)));
  c->dir_lock_ = std::move(held);
  const auto& topo = c->options_.topo;
  raft::config base;
  base.reads = raft::read_mode::lease;  // the timestamp oracle needs leases; reads gain too
  auto cfg = raft::with_wan_timing(base, rtt_matrix(topo.latency), c->options_.clock_drift_ms);
  if (!cfg) return cfg.err();
  c->raft_ = *cfg;
  // The meta shard: the first node of each datacenter.
  for (std::size_t dc = 0; dc < topo.latency.dcs.size(); ++dc) {
    for (const auto& n : topo.nodes) {
      if (n.dc == dc) {
        c->meta_nodes_.push_back(n.id);
        break;
      }
    }
  }
  std::sort(c->meta_nodes_.begin(), c->meta_nodes_.end());
  // The data shards: one replica per datacenter, spread over each datacenter's nodes.
  std::vector<std::string> bounds = c->options_.split_keys;
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    shard_record r;
    r.id = i + 1;
    r.start = i == 0 ? std::string() : bounds[i - 1];
    r.end = i == bounds.size() ? std::string() : bounds[i];
    for (std::size_t dc = 0; dc < topo.latency.dcs.size(); ++dc) {
      std::vector<node_id> in_dc;
      for (const auto& n : topo.nodes) {
        if (n.dc == dc) in_dc.push_back(n.id);
      }
      if (!in_dc.empty()) r.replicas.push_back(in_dc[r.id % in_dc.size()]);
    }
    std::sort(r.replicas.begin(), r.replicas.end());
    r.preferred_dc = c->options_.default_leader_dc;
    c->directory_.push_back(r);
  }
  MERIDIAN_TRY(c->check_data_dir());
  for (const auto& n : topo.nodes) MERIDIAN_TRY(c->start_node(n.id));
  if (!c->options_.data_dir.empty() && !c->created_before_) {
    MERIDIAN_TRY(storage::mark_created(c->options_.data_dir, storage::data_dir_kind::cluster));
  }
  return c;
}

std::chrono::microseconds cluster::tick_of(node_id node) const {
  auto it = options_.tick_skew.find(node);
  double skew = it == options_.tick_skew.end() ? 1.0 : it->second;
  return std::chrono::microseconds(static_cast<long>(static_cast<double>(raft_.tick_ms) * 1000 * skew));
}

result<storage::kv_engine*> cluster::engine_for(node_id node, shard_id shard) {
  auto& s = slots_[{node, shard}];
  if (s.engine) return s.engine.get();
  if (options_.data_dir.empty()) {
    s.engine = std::make_unique<storage::memory_engine>();
    return s.engine.get();
  }
  std::error_code ec;
  std::filesystem::create_directories(node_dir(options_.data_dir, node), ec);
  std::string path = store_dir(options_.data_dir, node, shard);
  auto e = storage::lmdb_engine::open(path);
  if (!e) return created_before_ ? storage::store_open_error(path, e.err()) : e.err();
  s.engine = std::move(*e);
  return s.engine.get();
}

std::unique_ptr<state_machine> cluster::machine_for(storage::kv_engine& engine, shard_id shard,
                                                    const shard_record* initial) const {
  if (shard == meta_shard) return std::make_unique<meta_machine>(engine);
  shard_descriptor d{shard, "", "", 1};
  if (initial) d = shard_descriptor{initial->id, initial->start, initial->end, initial->epoch};
  shard_machine_options o;
  o.split_after_keys = options_.split_after_keys;
  // The descriptor stored in the engine (after a split, a restart) wins over this one.
  return std::make_unique<shard_machine>(engine, d, o);
}

status cluster::open_replica(node_id node, shard_id shard, std::optional<raft::snapshot> bootstrap,
                             std::unique_ptr<state_machine> machine, bool campaign) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto engine = engine_for(node, shard);
  if (!engine) return engine.err();
  replica_options o;
  o.id = node;
  o.shard = shard;
  o.raft = raft_;
  o.raft.random_seed = options_.seed * 1000003 + node * 131 + shard;
  o.compact_after_entries = options_.compact_after_entries;
  o.keep_entries = options_.keep_entries;
  o.record_applied = options_.record_applied;
  o.clock_ms = options_.clock_ms;
  auto core = replica::open_with(o, **engine, std::move(machine), std::move(bootstrap));
  if (!core) return core.err();
  if (!options_.data_dir.empty()) {
    // Listed once it holds its first state, so that losing it later is noticed at start.
    MERIDIAN_TRY(storage::record_store(node_dir(options_.data_dir, node),
                                       "shard-" + std::to_string(shard)));
  }
  auto& s = slots_[{node, shard}];
  s.core = std::shared_ptr<replica>(std::move(*core));
  replica_spawn args{s.core, net_, tick_of(node), options_.observer, {}, services_[node],
                     options_.safe_ts_interval, {}, {}, false, {}};
  if (auto pool = persisters_.find(node); pool != persisters_.end() && !pool->second.empty()) {
    args.persister = pool->second[shard % pool->second.size()];
  }
  args.spawner = [this, node](spawn_request r) { spawn_split(node, std::move(r)); };
  args.campaign_at_start = campaign;
  args.on_storage_failure = [log = storage_failures_, node, shard](const error& e) {
    std::lock_guard<std::mutex> lock(log->mu);
    if (log->lines.size() < 64) {
      log->lines.push_back("node " + std::to_string(node) + ", shard " + std::to_string(shard) +
                           ": " + e.to_string());
    }
  };
  if (shard == meta_shard) args.listener = tso_[node];
  s.handle = spawn_replica(system_, args);
  return ok_status();
}

std::vector<std::string> cluster::storage_failures() const {
  std::lock_guard<std::mutex> lock(storage_failures_->mu);
  return storage_failures_->lines;
}

status cluster::check_data_dir() {
  if (options_.data_dir.empty()) return ok_status();
  auto state = storage::read_data_dir(options_.data_dir);
  if (!state) return state.err();
  MERIDIAN_TRY(storage::expect_kind(options_.data_dir, *state, storage::data_dir_kind::cluster));
  created_before_ = state->has_value() && (*state)->complete;
  // A first start cut short ("creating") finishes the creation: its stores held no data yet.
  if (!created_before_) {
    MERIDIAN_TRY(storage::mark_creating(options_.data_dir, storage::data_dir_kind::cluster));
  }
  return ok_status();
}

error cluster::lost_store(node_id node, shard_id shard) const {
  return error(errc::storage_corrupt,
               "the replica of shard " + std::to_string(shard) + " on node " +
                   std::to_string(node) + " is missing or empty (" +
                   store_dir(options_.data_dir, node, shard) + ") in a cluster created in " +
                   options_.data_dir +
                   " before; a new empty replica there could overwrite the others' data. "
                   "Restore the directory from a backup, or start a new cluster in an empty "
                   "--data directory");
}

status cluster::check_stores(node_id node) const {
  if (options_.data_dir.empty()) return ok_status();
  auto listed = storage::read_store_list(node_dir(options_.data_dir, node));
  if (!listed) return listed.err();
  for (const auto& name : *listed) {
    if (storage::store_exists(node_dir(options_.data_dir, node) + "/" + name)) continue;
    shard_id shard = 0;
    if (std::sscanf(name.c_str(), "shard-%" SCNu64, &shard) != 1) {
      return error(errc::storage_corrupt, node_dir(options_.data_dir, node) + "/STORES lists '" +
                                              name + "', which is not a replica's store");
    }
    return lost_store(node, shard);
  }
  return ok_status();
}

status cluster::start_replica(node_id node, const shard_record& record) {
  auto open = slots_.find({node, record.id});
  bool opened = open != slots_.end() && open->second.engine;
  if (!opened && created_before_ && !options_.data_dir.empty() &&
      !storage::store_exists(store_dir(options_.data_dir, node, record.id))) {
    return lost_store(node, record.id);
  }
  auto engine = engine_for(node, record.id);
  if (!engine) return engine.err();
  raft::snapshot boot = raft::bootstrap_snapshot(raft::conf_state{record.replicas, {}});
  if (record.id == meta_shard) {
    auto data = meta_machine::initial_partition(directory_);
    if (!data) return data.err();
    boot.data = std::move(*data);
  } else {
    auto data = initial_shard_partition(
        shard_descriptor{record.id, record.start, record.end, record.epoch});
    if (!data) return data.err();
    boot.data = std::move(*data);
  }
  // A new group's member in the preferred datacenter campaigns at once rather than after an
  // election timeout: the cluster's first leaders are up a timeout sooner, and already where the
  // balancer would move them.
  const node_info* where = options_.topo.find(node);
  bool preferred = where && !record.preferred_dc.empty() &&
                   options_.topo.latency.dcs[where->dc] == record.preferred_dc;
  return open_replica(node, record.id, std::move(boot), machine_for(**engine, record.id, &record),
                      preferred);
}

void cluster::spawn_split(node_id node, spawn_request r) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (!up(node)) return;
  // Already running: the split is applied again after a power loss (the applied index is
  // written without a sync), or the replica was started empty for a membership change. A second
  // actor over the same storage would be a second Raft member with the same id.
  auto running = slots_.find({node, r.shard});
  if (running != slots_.end() && running->second.handle) return;
  auto engine = engine_for(node, r.shard);
  if (!engine) return;
  raft::snapshot boot = raft::bootstrap_snapshot(r.conf);
  boot.data = std::move(r.bootstrap_data);
  shard_record record{r.shard, r.start, r.end, r.epoch, r.conf.voters, ""};
  (void)open_replica(node, r.shard, std::move(boot), machine_for(**engine, r.shard, &record),
                     r.campaign);
}

status cluster::start_services(node_id node) {
  // Real storage on the threaded scheduler: fsyncs run on the node's persister threads. The
  // simulator runs persisters as ordinary actors (the same waits, deterministically); threaded
  // in-memory engines (tests) write on the replica's own thread.
  bool simulated = dynamic_cast<caf::scheduler::test_coordinator*>(&system_.scheduler()) != nullptr;
  if (!options_.data_dir.empty() || simulated) {
    auto& pool = persisters_[node];
    pool.clear();
    powered_[node] = std::make_shared<std::atomic<bool>>(true);
    for (std::size_t i = 0; i < persisters_per_node; ++i) {
      pool.push_back(spawn_persister(system_, !simulated, powered_[node]));
    }
  }
  services_[node] = spawn_node_service(system_, net_, node, meta_nodes_, options_.clock_ms,
                                       options_.io, options_.default_leader_dc);
  if (options_.gc.enabled) {
    gc_[node] = spawn_gc_driver(system_, net_, node, meta_nodes_, options_.clock_ms, options_.io,
                                active_set(node), options_.gc, gc_stats_);
  }
  if (std::find(meta_nodes_.begin(), meta_nodes_.end(), node) != meta_nodes_.end()) {
    // The oracle first (it listens to the meta replica), told its replica once that exists.
    tso_slots_[node] = std::make_shared<caf::actor>();
    tso_[node] = spawn_tso(system_, tso_spawn{node, net_, tso_slots_[node], options_.clock_ms, {}});
  }
  return ok_status();
}

status cluster::start_node(node_id node) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MERIDIAN_TRY(check_stores(node));
  MERIDIAN_TRY(start_services(node));
  if (tso_.count(node)) {
    shard_record meta{meta_shard, "", "", 1, meta_nodes_, options_.default_leader_dc};
    MERIDIAN_TRY(start_replica(node, meta));
    *tso_slots_[node] = slots_[{node, meta_shard}].handle;
  }
  for (const auto& r : directory_) {
    if (std::find(r.replicas.begin(), r.replicas.end(), node) != r.replicas.end()) {
      MERIDIAN_TRY(start_replica(node, r));
    }
  }
  // Replicas the node gained after the cluster first started (a split's new shards, replicas
  // moved here) are known only to its data directory: each opens from its own storage.
  for (shard_id shard : stored_shards(node)) {
    if (!slots_.count({node, shard})) MERIDIAN_TRY(open_stored(node, shard));
  }
  up_[node] = true;
  return ok_status();
}

std::set<shard_id> cluster::stored_shards(node_id node) const {
  std::set<shard_id> held;
  if (options_.data_dir.empty()) return held;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(node_dir(options_.data_dir, node), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("shard-", 0) != 0) continue;
    const char* digits = name.c_str() + 6;
    char* end = nullptr;
    unsigned long long id = std::strtoull(digits, &end, 10);
    if (end != digits && *end == '\0') held.insert(id);  // anything else is not ours
  }
  return held;
}

status cluster::open_stored(node_id node, shard_id shard) {
  auto engine = engine_for(node, shard);
  if (!engine) return engine.err();
  const shard_record* initial = nullptr;
  for (const auto& r : directory_) {
    if (r.id == shard) initial = &r;
  }
  MERIDIAN_TRY(open_replica(node, shard, std::nullopt, machine_for(**engine, shard, initial)));
  if (shard == meta_shard) *tso_slots_[node] = slots_[{node, meta_shard}].handle;
  return ok_status();
}

void cluster::split(node_id node, shard_id shard, std::string key) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto it = services_.find(node);
  if (it != services_.end()) caf::anon_send(it->second, split_atom::value, shard, std::move(key));
}

void cluster::crash(node_id node) {
  // Killed, then waited for outside the lock (a dying replica may be splitting, which takes
  // it); only then does the storage lose power or close, never under a replica still writing.
  std::vector<caf::actor> killed;
  std::vector<shard_id> shards;
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    for (auto& [key, s] : slots_) {
      if (key.first != node || !s.handle) continue;
      net_->unregister_endpoint(node, key.second);
      caf::anon_send_exit(s.handle, caf::exit_reason::kill);
      killed.push_back(s.handle);
      shards.push_back(key.second);
      s.handle = caf::actor();
      s.core.reset();
    }
    up_[node] = false;
    // A write handed to a persister and not yet run is lost with the power, as it would be.
    if (auto p = powered_.find(node); p != powered_.end()) p->second->store(false);
    for (auto& a : persisters_[node]) {
      caf::anon_send_exit(a, caf::exit_reason::kill);
      killed.push_back(a);
    }
    persisters_.erase(node);
  }
  await_stopped(killed);
  std::lock_guard<std::recursive_mutex> lock(mu_);
  for (shard_id shard : shards) {
    auto& s = slots_[{node, shard}];
    if (!s.engine) continue;
    if (auto* m = dynamic_cast<storage::memory_engine*>(s.engine.get())) {
      m->lose_power();
    } else {
      s.engine.reset();  // closed; reopened by restart()
    }
  }
  if (tso_.count(node)) {
    net_->unregister_endpoint(node, tso_endpoint);
    caf::anon_send_exit(tso_[node], caf::exit_reason::kill);
    tso_.erase(node);
  }
  if (services_.count(node)) {
    net_->unregister_endpoint(node, service_endpoint);
    caf::anon_send_exit(services_[node], caf::exit_reason::kill);
    services_.erase(node);
  }
  if (gc_.count(node)) {
    caf::anon_send_exit(gc_[node], caf::exit_reason::kill);
    gc_.erase(node);
  }
  up_[node] = false;
}

status cluster::restart(node_id node) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (up(node)) return ok_status();
  // Every replica the node held (including shards born from splits since it started), each
  // from its own storage; the initial directory only decides what a fresh node bootstraps.
  std::set<shard_id> held = stored_shards(node);
  for (const auto& [key, s] : slots_) {
    if (key.first == node) held.insert(key.second);
  }
  MERIDIAN_TRY(check_stores(node));
  MERIDIAN_TRY(start_services(node));
  for (shard_id shard : held) MERIDIAN_TRY(open_stored(node, shard));
  up_[node] = true;
  return ok_status();
}

bool cluster::up(node_id node) const {
  auto it = up_.find(node);
  return it != up_.end() && it->second;
}

std::vector<node_id> cluster::nodes() const {
  std::vector<node_id> out;
  for (const auto& n : options_.topo.nodes) out.push_back(n.id);
  return out;
}

std::vector<shard_id> cluster::shards() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::set<shard_id> out;
  for (const auto& [key, s] : slots_) out.insert(key.second);
  return std::vector<shard_id>(out.begin(), out.end());
}

std::vector<std::shared_ptr<replica>> cluster::replicas(shard_id shard) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<std::shared_ptr<replica>> out;
  for (const auto& [key, s] : slots_) {
    if (key.second == shard && s.core) out.push_back(s.core);
  }
  return out;
}

caf::actor cluster::node_service(node_id node) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto it = services_.find(node);
  return it == services_.end() ? caf::actor() : it->second;
}

std::shared_ptr<txn::active_set> cluster::active_set(node_id node) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto& slot = active_[node];
  if (!slot) slot = std::make_shared<txn::active_set>();
  return slot;
}

caf::actor cluster::replica_actor(node_id node, shard_id shard) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto it = slots_.find({node, shard});
  return it == slots_.end() ? caf::actor() : it->second.handle;
}

std::shared_ptr<replica> cluster::leader_replica(shard_id shard) const {
  std::shared_ptr<replica> best;
  for (const auto& r : replicas(shard)) {
    auto info = r->info();
    if (info.role != raft::role::leader) continue;
    if (!best || info.term > best->info().term) best = r;
  }
  return best;
}

storage::kv_engine* cluster::engine(node_id node, shard_id shard) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto it = slots_.find({node, shard});
  return it == slots_.end() ? nullptr : it->second.engine.get();
}

void cluster::transfer_leader(shard_id shard, node_id to) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  for (const auto& [key, s] : slots_) {
    // Followers answer not_leader to the anonymous sender: the answer goes nowhere.
    if (key.second == shard && s.handle) caf::anon_send(s.handle, transfer_atom::value, to);
  }
}

status cluster::add_replica(node_id node, shard_id shard) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (!up(node)) {
    return error(errc::unavailable, "node " + std::to_string(node) + " is down: no replica of shard " +
                                        std::to_string(shard) + " can start there");
  }
  auto it = slots_.find({node, shard});
  if (it != slots_.end() && it->second.handle) return ok_status();
  auto engine = engine_for(node, shard);
  if (!engine) return engine.err();
  // No bootstrap: the replica starts with no membership and no state, and a snapshot from the
  // leader brings both (its descriptor included).
  return open_replica(node, shard, std::nullopt, machine_for(**engine, shard, nullptr));
}

void cluster::propose_membership(shard_id shard, const raft::conf_change& change) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  // The replica actor has no message for membership changes yet, so the proposal runs as a job on
  // the actor's own thread; its answer finds no waiting request and is dropped, and the next
  // tick persists and sends it. The id is far above the actor's request counter.
  constexpr std::uint64_t membership_request = std::uint64_t{1} << 62;
  for (const auto& [key, s] : slots_) {
    if (key.second != shard || !s.handle) continue;
    std::shared_ptr<replica> core = s.core;
    caf::anon_send(s.handle, job{[core, change] {
                     if (core->info().role == raft::role::leader) {
                       core->propose_conf_change(membership_request, change);
                     }
                   }});
  }
}

void cluster::drop_replica(node_id node, shard_id shard) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  auto it = slots_.find({node, shard});
  if (it == slots_.end()) return;
  if (it->second.handle) {
    net_->unregister_endpoint(node, shard);
    caf::anon_send_exit(it->second.handle, caf::exit_reason::kill);
  }
  if (!options_.data_dir.empty()) {
    // Unlisted first: a store removed while listed would be taken for a lost one at start. One
    // that cannot be unlisted stays on disk, and the next start opens it as any stored replica.
    if (storage::forget_store(node_dir(options_.data_dir, node), "shard-" + std::to_string(shard))) {
      std::error_code ec;
      std::filesystem::remove_all(store_dir(options_.data_dir, node, shard), ec);
    }
  }
  retired_.push_back(std::move(it->second.engine));
  slots_.erase(it);
}

}  // namespace meridian::actors
