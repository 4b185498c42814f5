// For tests: the whole cluster under the deterministic simulator, with clients homed on chosen
// nodes and helpers that run one transaction to its end in simulated time.
#pragma once

#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <map>

#include "actors/cluster.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/txn_client.hpp"

namespace meridian::sim::testing {

using namespace std::chrono_literals;
using txn_ptr = std::shared_ptr<std::unique_ptr<txn::transaction>>;

struct world {
  sim::runtime rt;
  std::unique_ptr<actors::cluster> cluster;
  std::vector<caf::actor> clients;

  // Two data shards split at "m"; `tweak` adjusts the options before the cluster starts.
  explicit world(const std::function<void(actors::cluster_options&)>& tweak = {}) {
    actors::cluster_options o;
    o.split_keys = {"m"};
    o.clock_ms = [this] { return 1'700'000'000'000ull + static_cast<std::uint64_t>(rt.now_ns() / 1'000'000); };
    if (tweak) tweak(o);
    auto c = actors::cluster::start(rt.system(), o);
    REQUIRE(c.ok());
    cluster = std::move(*c);
    rt.run_until(rt.now() + 20s);  // elections, the oracle's mark
  }
  ~world() {
    for (auto& c : clients) caf::anon_send_exit(c, caf::exit_reason::kill);
    cluster.reset();
    rt.run_ready();
  }

  sim::txn_client client(node_id home) {
    auto c = sim::spawn_txn_client(rt.system(), *cluster, home);
    clients.push_back(c.handle);
    return c;
  }

  // Runs `body` on the client and waits (in simulated time) until it reports done.
  template <class Body>
  void run(const sim::txn_client& client, Body body, std::chrono::seconds limit = 30s) {
    bool finished = false;
    sim::post(client, [&] { body(**client.engine, [&] { finished = true; }); });
    auto until = rt.now() + limit;
    while (!finished && rt.now() < until) rt.run_until(rt.now() + 100ms);
    REQUIRE(finished);
  }

  // Begins a transaction on the client and waits for it.
  txn_ptr begin(const sim::txn_client& client, txn::begin_options o = {}) {
    auto t = std::make_shared<std::unique_ptr<txn::transaction>>();
    run(client, [&](actors::cluster_engine& e, auto done) {
      e.begin(o, [t, done](result<std::unique_ptr<txn::transaction>> r) {
        REQUIRE(r.ok());
        *t = std::move(*r);
        done();
      });
    });
    return t;
  }

  // Reads `key` in `t` (on the client's thread) and waits for the answer.
  result<std::optional<std::string>> get(const sim::txn_client& client, const txn_ptr& t,
                                         const std::string& key) {
    result<std::optional<std::string>> out = error(errc::internal, "not run");
    run(client, [&](actors::cluster_engine&, auto done) {
      (*t)->get(key, [&out, t, done](result<std::optional<std::string>> v) {
        out = std::move(v);
        done();
      });
    });
    return out;
  }

  result<std::uint64_t> commit(const sim::txn_client& client, const txn_ptr& t) {
    result<std::uint64_t> out = error(errc::internal, "not run");
    run(client, [&](actors::cluster_engine&, auto done) {
      (*t)->commit([&out, t, done](result<std::uint64_t> r) {
        out = r;
        done();
      });
    });
    return out;
  }

  // One transaction writing `writes`, committed.
  result<std::uint64_t> write(const sim::txn_client& client,
                              const std::map<std::string, std::string>& writes) {
    auto t = begin(client);
    for (const auto& [k, v] : writes) REQUIRE((*t)->put(k, v).ok());
    return commit(client, t);
  }
};

}  // namespace meridian::sim::testing
