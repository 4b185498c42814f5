// Test support for Raft (etcd's `network` in raft_test.go): a deterministic in-memory cluster of
// nodes over memory_log_source storage, with a toy state machine (the list of applied payloads),
// message delivery in FIFO order, and faults (isolate, cut links, filter messages, crash and
// restart). Every node goes through the full ready cycle (persist, send, apply, advance), so the
// tests exercise the same contract a replica actor follows. Single-threaded; owned by one test.
#pragma once

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/byte_io.hpp"
#include "raft/memory_log_source.hpp"
#include "raft/node.hpp"

namespace meridian::raft::testing {

// Small timeouts (T = 10 ticks, heartbeat every tick) and the paper's plain Raft: no pre-vote,
// no check-quorum. Tests turn features on through the network's `tweak`.
inline config test_config(node_id id) {
  config c;
  c.id = id;
  c.election_timeout_ticks = 10;
  c.heartbeat_interval_ticks = 1;
  c.pre_vote = false;
  c.check_quorum = false;
  c.random_seed = 42;
  return c;
}

inline std::string encode_state(const std::vector<std::string>& state) {
  std::string out;
  byte_writer w(out);
  w.varint(state.size());
  for (const auto& s : state) w.bytes(s);
  return out;
}

inline std::vector<std::string> decode_state(const std::string& bytes) {
  byte_reader r(bytes);
  std::uint64_t n = 0;
  MERIDIAN_ASSERT(r.varint(n), "bad test snapshot");
  std::vector<std::string> out(n);
  for (auto& s : out) MERIDIAN_ASSERT(r.bytes(s), "bad test snapshot");
  return out;
}

// Entries 1..n (from `first`) with the given terms and a payload naming index and term.
inline std::vector<storage::log_entry> log_with_terms(const std::vector<std::uint64_t>& terms,
                                                      std::uint64_t first = 1) {
  std::vector<storage::log_entry> out;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    std::uint64_t index = first + i;
    out.push_back(storage::log_entry{terms[i], index, 0,
                                     "i" + std::to_string(index) + "t" + std::to_string(terms[i])});
  }
  return out;
}

inline std::vector<std::uint64_t> terms_of(const std::vector<storage::log_entry>& entries) {
  std::vector<std::uint64_t> out;
  for (const auto& e : entries) out.push_back(e.term);
  return out;
}

inline message make_message(message_type type, node_id from, node_id to, std::uint64_t term) {
  message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

// One replica: its storage, its node and the toy state machine it applies to.
struct peer {
  config cfg;
  std::unique_ptr<memory_log_source> storage;
  std::optional<raft::node> raft;
  std::vector<std::string> state;  // payloads of applied non-empty normal entries, in order
  std::uint64_t applied_index = 0;
  conf_state conf;
  std::vector<read_state> read_states;
  std::vector<raft::soft_state> soft_states;  // every soft state change seen in a ready
};

// Runs one ready cycle of `p` the way a replica actor does: persist (hard state, snapshot,
// entries), apply committed entries (conf changes through apply_conf_change), advance. Returns
// the messages to send (send_now first). Empty if nothing was ready.
inline std::vector<message> run_ready(peer& p) {
  if (!p.raft->has_ready()) return {};
  ready rd = p.raft->get_ready();
  if (rd.soft_state) p.soft_states.push_back(*rd.soft_state);
  if (rd.hard_state) p.storage->set_hard_state(*rd.hard_state);
  if (!rd.snapshot.empty()) {
    p.state = decode_state(rd.snapshot.data);
    p.applied_index = rd.snapshot.metadata.index;
    p.conf = rd.snapshot.metadata.conf;
    MERIDIAN_ASSERT(p.storage->apply_snapshot(std::move(rd.snapshot)).ok(), "install snapshot");
  }
  p.storage->append(std::move(rd.entries));
  std::vector<message> out = std::move(rd.send_now);
  for (auto& m : rd.send_after_persist) out.push_back(std::move(m));
  for (auto& e : rd.committed_entries) {
    if (e.type == static_cast<std::uint8_t>(entry_type::conf_change)) {
      auto change = decode_conf_change(e.data);
      MERIDIAN_ASSERT(change.ok(), "bad conf change entry");
      p.conf = p.raft->apply_conf_change(*change);
      p.storage->set_conf_state(p.conf);
    } else if (!e.data.empty()) {
      p.state.push_back(e.data);
    }
    p.applied_index = e.index;
  }
  for (auto& r : rd.read_states) p.read_states.push_back(std::move(r));
  p.raft->advance();
  return out;
}

// A lone node outside any network, for tests that hand-craft every message: storage preloaded
// with `log` and `hs`, membership `voters`.
inline peer make_peer(node_id id, const std::vector<node_id>& voters,
                      const std::function<void(config&)>& tweak = {},
                      std::vector<storage::log_entry> log = {}, storage::hard_state hs = {}) {
  peer p;
  p.cfg = test_config(id);
  if (tweak) tweak(p.cfg);
  p.conf.voters = voters;
  p.storage = std::make_unique<memory_log_source>(p.conf);
  p.storage->append(std::move(log));
  p.storage->set_hard_state(hs);
  auto n = node::create(p.cfg, *p.storage);
  MERIDIAN_ASSERT(n.ok(), "node::create: " + n.err().to_string());
  p.raft.emplace(std::move(*n));
  return p;
}

// Runs ready cycles of a lone peer until it is quiet; returns every message it produced.
inline std::vector<message> flush(peer& p) {
  std::vector<message> out;
  for (int i = 0; i < 100 && p.raft->has_ready(); ++i) {
    for (auto& m : run_ready(p)) out.push_back(std::move(m));
  }
  return out;
}

// Makes a lone peer leader: campaign, then grants from every other voter.
inline void elect(peer& p) {
  p.raft->campaign();
  flush(p);
  std::uint64_t term = p.raft->info().term;
  for (node_id v : p.conf.voters) {
    if (v == p.cfg.id) continue;
    MERIDIAN_ASSERT(p.raft->step(make_message(message_type::vote_response, v, p.cfg.id, term)).ok(),
                    "vote response");
  }
  flush(p);
  MERIDIAN_ASSERT(p.raft->info().role == role::leader, "elect: not leader");
}

// Every follower of a lone leader acknowledges the leader's whole log: the followers move to the
// replicate state and the log commits.
inline std::vector<message> acknowledge_all(peer& p) {
  flush(p);
  node_info info = p.raft->info();
  for (node_id v : p.conf.voters) {
    if (v == p.cfg.id) continue;
    message ack = make_message(message_type::append_response, v, p.cfg.id, info.term);
    ack.index = info.last_index;
    MERIDIAN_ASSERT(p.raft->step(ack).ok(), "append response");
  }
  return flush(p);
}

// The messages of one type among `msgs`.
inline std::vector<message> of_type(const std::vector<message>& msgs, message_type type) {
  std::vector<message> out;
  for (const auto& m : msgs) {
    if (m.type == type) out.push_back(m);
  }
  return out;
}

class network {
 public:
  using tweak_fn = std::function<void(config&)>;

  // Voters 1..voters (and learners after them), bootstrapped from bootstrap_snapshot (their logs
  // start after index 1, term 1).
  explicit network(std::size_t voters, tweak_fn tweak = {}, std::size_t learners = 0)
      : tweak_(std::move(tweak)) {
    conf_state conf;
    for (node_id id = 1; id <= voters; ++id) conf.voters.push_back(id);
    for (node_id id = voters + 1; id <= voters + learners; ++id) conf.learners.push_back(id);
    for (node_id id = 1; id <= voters + learners; ++id) add(id, conf, true);
  }

  // A new node with empty storage and no membership (add it with a conf change): the leader
  // catches it up with a snapshot, from which it learns the membership.
  void add_peer(node_id id) { add(id, conf_state{}, false); }

  peer& get(node_id id) {
    auto it = peers_.find(id);
    MERIDIAN_ASSERT(it != peers_.end(), "no peer " + std::to_string(id));
    return it->second;
  }
  raft::node& at(node_id id) { return *get(id).raft; }
  memory_log_source& storage(node_id id) { return *get(id).storage; }
  node_info info(node_id id) { return at(id).info(); }
  std::vector<node_id> ids() const {
    std::vector<node_id> out;
    for (const auto& [id, p] : peers_) out.push_back(id);
    return out;
  }

  // The leader with the highest term, or 0.
  node_id leader() {
    node_id best = no_node;
    std::uint64_t best_term = 0;
    for (auto& [id, p] : peers_) {
      if (down_.count(id) == 0 && p.raft->info().role == role::leader &&
          p.raft->info().term >= best_term) {
        best = id;
        best_term = p.raft->info().term;
      }
    }
    return best;
  }

  // Delivers `msgs`, then everything the nodes produce in response, until all are quiet.
  void send(std::vector<message> msgs) {
    std::deque<message> queue(std::make_move_iterator(msgs.begin()),
                              std::make_move_iterator(msgs.end()));
    for (int round = 0;; ++round) {
      MERIDIAN_ASSERT(round < 100000, "the test network never went quiet");
      while (!queue.empty()) {
        message m = std::move(queue.front());
        queue.pop_front();
        deliver(std::move(m));
      }
      for (auto& [id, p] : peers_) {
        if (down_.count(id) != 0) continue;
        for (auto& m : run_ready(p)) queue.push_back(std::move(m));
      }
      if (queue.empty() && !any_ready()) return;
    }
  }
  void stabilize() { send({}); }

  // Ticks one node (then lets the network settle).
  void tick(node_id id, std::uint64_t n = 1) {
    for (std::uint64_t i = 0; i < n; ++i) {
      at(id).tick();
      stabilize();
    }
  }
  // Ticks every live node once per round, `n` rounds.
  void tick_all(std::uint64_t n = 1) {
    for (std::uint64_t i = 0; i < n; ++i) {
      for (auto& [id, p] : peers_) {
        if (down_.count(id) == 0) p.raft->tick();
      }
      stabilize();
    }
  }
  void campaign(node_id id) {
    at(id).campaign();
    stabilize();
  }
  result<std::uint64_t> propose(node_id id, std::string data) {
    auto r = at(id).propose(std::move(data));
    stabilize();
    return r;
  }

  // Faults. A message is lost if its link is cut, either end is isolated or down, or the filter
  // (when set) returns false; the filter may also alter the message in flight.
  void isolate(node_id id) { isolated_.insert(id); }
  void cut(node_id a, node_id b) {
    cuts_.insert({a, b});
    cuts_.insert({b, a});
  }
  void heal() {
    isolated_.clear();
    cuts_.clear();
    filter = nullptr;
  }
  std::function<bool(message&)> filter;
  // Every message handed to the network, delivered or not (for assertions on traffic).
  std::vector<message> trace;

  // Crash: the node stops; durable storage survives, as does the applied state machine.
  void crash(node_id id) { down_.insert(id); }
  // Restart from storage with a fresh node (volatile state lost).
  void restart(node_id id) {
    peer& p = get(id);
    p.cfg.applied_index = p.applied_index;
    auto n = node::create(p.cfg, *p.storage);
    MERIDIAN_ASSERT(n.ok(), "restart failed: " + n.err().to_string());
    p.raft.emplace(std::move(*n));
    down_.erase(id);
  }

  // Replaces a node's storage by `log` and `hs` and restarts it (scenario set-up: Figures 7, 8).
  void load(node_id id, std::vector<storage::log_entry> log, storage::hard_state hs) {
    peer& p = get(id);
    p.raft.reset();  // the old node reads the storage being replaced
    p.storage = std::make_unique<memory_log_source>(p.conf);
    p.storage->append(std::move(log));
    p.storage->set_hard_state(hs);
    p.state.clear();
    p.applied_index = 0;
    restart(id);
  }

  // The owner's log compaction: snapshot the state machine at its applied index, then drop the
  // log up to there.
  void compact(node_id id) {
    peer& p = get(id);
    auto snap = p.storage->create_snapshot(p.applied_index, p.conf, encode_state(p.state));
    MERIDIAN_ASSERT(snap.ok(), "create_snapshot: " + snap.err().to_string());
    MERIDIAN_ASSERT(p.storage->compact(p.applied_index).ok(), "compact");
  }

  // Entries stored by a node, in order (for log-matching checks).
  std::vector<storage::log_entry> stored_log(node_id id) {
    memory_log_source& s = storage(id);
    if (s.last_index() < s.first_index()) return {};
    auto all = s.entries(s.first_index(), s.last_index() + 1,
                         std::numeric_limits<std::size_t>::max());
    MERIDIAN_ASSERT(all.ok(), "read stored log");
    return std::move(*all);
  }

 private:
  void add(node_id id, const conf_state& conf, bool bootstrap) {
    peer p;
    p.cfg = test_config(id);
    if (tweak_) tweak_(p.cfg);
    p.storage = std::make_unique<memory_log_source>(conf);
    p.conf = conf;
    if (bootstrap) {
      auto snap = bootstrap_snapshot(conf, encode_state({}));
      MERIDIAN_ASSERT(p.storage->apply_snapshot(snap).ok(), "bootstrap");
      p.storage->set_hard_state(bootstrap_hard_state());
      p.applied_index = 1;
      p.cfg.applied_index = 1;
    }
    auto n = node::create(p.cfg, *p.storage);
    MERIDIAN_ASSERT(n.ok(), "node::create: " + n.err().to_string());
    p.raft.emplace(std::move(*n));
    peers_.emplace(id, std::move(p));
  }

  bool any_ready() {
    for (auto& [id, p] : peers_) {
      if (down_.count(id) == 0 && p.raft->has_ready()) return true;
    }
    return false;
  }

  void deliver(message m) {
    trace.push_back(m);
    if (peers_.count(m.to) == 0 || down_.count(m.to) != 0 || down_.count(m.from) != 0) return;
    if (isolated_.count(m.to) != 0 || isolated_.count(m.from) != 0) return;
    if (cuts_.count({m.from, m.to}) != 0) return;
    if (filter && !filter(m)) return;
    status s = at(m.to).step(std::move(m));
    MERIDIAN_ASSERT(s.ok(), "step: " + s.err().to_string());
  }

  tweak_fn tweak_;
  std::map<node_id, peer> peers_;
  std::set<node_id> isolated_;
  std::set<node_id> down_;
  std::set<std::pair<node_id, node_id>> cuts_;
};

}  // namespace meridian::raft::testing
