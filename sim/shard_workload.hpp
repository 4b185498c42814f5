// The writers of `meridian sim shards` (Jepsen's set workload): every add writes one new, unique
// key in a one-key transaction through the routing layer — a coordinator homed on the writer's
// node, with its cached directory, leader hints, retries and back-off — so each add is one-phase
// committed on whichever shard holds the key at that moment. Every add is recorded in a Jepsen
// history (ok, fail, or info when its outcome is unknown) and in a flat list with its error, for
// the availability checks; probes are adds aimed at one shard's range; the final read scans every
// key back through the router. Driven from the simulator's thread; operations run inside the
// writers' client actors (one scheduler thread, so no locking).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "check/history.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/txn_client.hpp"

namespace meridian::sim {

// One add, once it ended.
struct add_outcome {
  std::string key;
  std::size_t writer = 0;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = 0;
  std::optional<error> failure;  // empty: acknowledged
  bool unknown = false;          // the failure leaves the outcome unknown (info)
};

class set_writers {
 public:
  set_writers(runtime& rt, actors::cluster& cluster, std::uint64_t seed);
  ~set_writers();
  set_writers(const set_writers&) = delete;
  set_writers& operator=(const set_writers&) = delete;

  // A writer with its own coordinator on `home`.
  void add_writer(node_id home);
  std::size_t size() const { return writers_.size(); }
  node_id home(std::size_t writer) const { return writers_[writer].home; }
  const txn_client& client(std::size_t writer) const { return writers_[writer].client; }

  // While running, each writer adds one random key after another ("k/NNNNNN/w<writer>-<n>").
  void start();
  void stop() { running_ = false; }
  std::size_t in_flight() const { return in_flight_; }

  // One add, now, of a fresh key inside [start, end) from `writer`'s coordinator, beside the
  // writer's own adds. False when no fresh key fits the range.
  bool probe(std::size_t writer, const std::string& start, const std::string& end);

  // Scans every key back in one transaction, page by page, through `writer`'s coordinator, and
  // records it as the history's final read; tries again on failure until `limit` has passed.
  status final_read(std::size_t writer, std::chrono::nanoseconds limit);
  const std::vector<std::string>& final_keys() const { return final_keys_; }

  const check::history& history() const { return history_; }
  const std::vector<add_outcome>& outcomes() const { return outcomes_; }

 private:
  struct writer {
    txn_client client;
    node_id home = 0;
    std::int64_t process = 0;
    std::uint64_t next = 0;  // the writer's key counter
  };
  void loop(std::size_t w);
  // Adds `key` from writer w as `process`; `then` runs once it ended.
  void add(std::size_t w, std::string key, std::int64_t process, std::function<void()> then);
  void finish(std::size_t w, std::string key, std::int64_t process, std::int64_t invoke_ns,
              std::optional<error> failure);
  void record(std::int64_t process, check::op_type type, const std::string& f, check::json value);
  std::string random_key(std::size_t w);

  runtime& rt_;
  actors::cluster& cluster_;
  std::mt19937_64 rng_;
  std::vector<writer> writers_;
  bool running_ = false;
  std::size_t in_flight_ = 0;
  std::uint64_t probes_ = 0;
  std::int64_t next_process_ = 0;
  check::history history_;
  std::vector<add_outcome> outcomes_;
  std::vector<std::string> final_keys_;
};

// The key range as "k/NNNNNN" numbers cover it: the writers' keys spread uniformly over
// [key_of(0), key_of(key_space)).
inline constexpr std::uint32_t key_space = 1'000'000;
std::string key_of(std::uint32_t n);

}  // namespace meridian::sim
