// The benchmarks' real-time cluster; see live_cluster.hpp.
#include "bench/live_cluster.hpp"

#include <caf/all.hpp>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include "actors/messages.hpp"
#include "bench/sim_cluster.hpp"
#include "common/assert.hpp"

namespace meridian::bench {

using namespace std::chrono;

std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

live_cluster::live_cluster(const std::string& parent_dir, const std::string& name,
                           std::vector<std::string> split_keys)
    : config_(std::make_unique<caf::actor_system_config>()) {
  actors::configure_threaded_system(*config_);
  system_ = std::make_unique<caf::actor_system>(*config_);
  data_dir_ = parent_dir + "/meridian-bench-" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(data_dir_);
  actors::cluster_options o;
  o.topo.latency.wan_scale = 0;
  // With WAN off, raft::with_wan_timing derives a 1 ms tick and a 40 ms election timeout and
  // refuses the default 100 ms drift bound before cluster::start can raise the tick to 10 ms, so
  // the bound must sit below 40 ms. One process shares one clock: no drift is real here.
  o.clock_drift_ms = 30;
  o.split_keys = std::move(split_keys);
  o.data_dir = data_dir_;
  o.clock_ms = wall_clock_ms;
  auto started = actors::cluster::start(*system_, std::move(o));
  MERIDIAN_ASSERT(started.ok(), started.ok() ? "" : started.err().to_string());
  cluster_ = std::move(*started);
}

live_cluster::~live_cluster() {
  {
    // The replica actors use the engines the cluster owns: they must be gone before it closes
    // them (the cluster's own destructor only sends exit messages).
    std::vector<caf::actor> actors = owned_;
    for (node_id n : cluster_->nodes()) {
      for (shard_id s : cluster_->shards()) {
        if (auto h = cluster_->replica_actor(n, s)) actors.push_back(h);
      }
    }
    for (const auto& a : actors) caf::anon_send_exit(a, caf::exit_reason::kill);
    caf::scoped_actor self{*system_};
    self->wait_for(actors);
  }
  cluster_.reset();
  system_.reset();  // waits for the remaining actors (oracles, node services)
  std::filesystem::remove_all(data_dir_);
}

sim::txn_client live_cluster::client(node_id home) {
  auto c = sim::spawn_txn_client(*system_, *cluster_, home);
  owned_.push_back(c.handle);
  return c;
}

std::map<shard_id, node_id> live_cluster::wait_for_leaders(milliseconds limit) {
  caf::scoped_actor self{*system_};
  auto until = steady_clock::now() + limit;
  for (;;) {
    std::vector<actors::replica_status> statuses;
    for (node_id n : cluster_->nodes()) {
      for (shard_id s : cluster_->shards()) {
        auto h = cluster_->replica_actor(n, s);
        if (!h) continue;
        self->request(h, seconds(1), actors::status_atom::value)
            .receive([&](actors::replica_status& st) { statuses.push_back(st); },
                     [](caf::error&) {});
      }
    }
    auto leaders = leaders_of(statuses);
    bool all = true;
    for (const auto& [shard, node] : leaders) all = all && node != 0;
    if (all || steady_clock::now() >= until) return leaders;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

bool live_cluster::run(const sim::txn_client& client,
                       std::function<void(std::function<void()>)> body, milliseconds limit) {
  // Shared: done() may be called after this function gave up waiting.
  auto finished = std::make_shared<std::promise<void>>();
  auto future = finished->get_future();
  sim::post(client, [body, finished] { body([finished] { finished->set_value(); }); });
  return future.wait_for(limit) == std::future_status::ready;
}

bool warm_up(live_cluster& c, const sim::txn_client& client, const std::vector<std::string>& keys,
             milliseconds limit) {
  auto until = steady_clock::now() + limit;
  for (const auto& key : keys) {
    bool written = false;
    while (!written && steady_clock::now() < until) {
      auto ok = std::make_shared<bool>(false);
      auto engine = client.engine;
      bool answered = c.run(client, [engine, key, ok](std::function<void()> done) {
        (*engine)->begin({}, [key, ok, done](result<std::unique_ptr<txn::transaction>> t) {
          if (!t) return done();
          auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
          (void)(*holder)->put(key, "0");  // a number: the transfer workloads read it
          (*holder)->commit([holder, ok, done](result<std::uint64_t> r) {
            *ok = r.ok();
            done();
          });
        });
      }, duration_cast<milliseconds>(until - steady_clock::now()));
      written = answered && *ok;
      if (!written) std::this_thread::sleep_for(milliseconds(50));
    }
    if (!written) return false;
  }
  return true;
}

}  // namespace meridian::bench
