// A directed graph of transactions whose edges carry a dependency kind (Adya's ww, wr and rw, plus
// real-time order), and the searches an Elle-style checker runs over it: Tarjan's strongly
// connected components over a chosen set of kinds, shortest paths by BFS, and reachability between
// components. Built and searched by one checker call on one thread; a graph_search reuses its
// scratch arrays across searches so that many small searches cost no O(nodes) resets.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace meridian::check {

using kind_mask = std::uint8_t;

// One bit per dependency kind, so that a search can name the kinds it may follow.
namespace edge_kind {
inline constexpr kind_mask ww = 1;  // write-write: the target appended the next version
inline constexpr kind_mask wr = 2;  // write-read: the target read the source's version
inline constexpr kind_mask rw =
    4;  // anti-dependency: the source read a version the target overwrote
inline constexpr kind_mask rt =
    8;  // real time: the source was acknowledged before the target began
inline constexpr kind_mask all = ww | wr | rw | rt;
}  // namespace edge_kind

inline constexpr std::uint32_t no_id = std::numeric_limits<std::uint32_t>::max();

struct dep_edge {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
  kind_mask kind = 0;  // exactly one edge_kind bit
  // What explains the edge, for reports: the key and the values on either side (no_id when none,
  // e.g. a read of an empty list, or a real-time edge).
  std::uint32_t key = no_id;
  std::uint32_t from_value = no_id;
  std::uint32_t to_value = no_id;
};

class dependency_graph {
 public:
  explicit dependency_graph(std::size_t nodes) : out_(nodes) {}

  std::size_t size() const { return out_.size(); }
  std::size_t edge_count() const { return edges_; }

  // Self edges are dropped: a transaction's own operations are ordered by the transaction.
  // REQUIRES: both ends < size(), exactly one kind bit, finish() not yet called.
  void add(const dep_edge& e);
  // Sorts each node's edges and keeps one edge per (target, kind), the first added, so that
  // repeated evidence (many keys, many reads) does not multiply the searches' work.
  void finish();
  const std::vector<dep_edge>& out(std::uint32_t node) const { return out_[node]; }

 private:
  std::vector<std::vector<dep_edge>> out_;
  std::size_t edges_ = 0;
  bool finished_ = false;
};

// When a transaction ran, for real-time order. A transaction whose outcome is unknown has no
// completion: it follows those acknowledged before it began and precedes nothing.
struct txn_interval {
  std::uint32_t node = 0;
  std::int64_t invoke_ns = 0;
  std::int64_t complete_ns = 0;
  bool completed = true;
};

// Adds rt edges so that b is reachable from a exactly when a completed strictly before b was
// invoked, with O(n × concurrency) edges rather than the O(n²) of one edge per ordered pair.
void add_realtime_edges(std::vector<txn_interval> intervals, dependency_graph& g);

// Which components reach which, as one bit row per component (components² bits: the caller bounds
// the component count).
class component_reach {
 public:
  explicit component_reach(std::size_t components);
  bool reaches(std::uint32_t from, std::uint32_t to) const {
    return (bits_[from * words_ + to / 64] >> (to % 64)) & 1U;
  }

 private:
  friend class graph_search;
  std::size_t words_;
  std::vector<std::uint64_t> bits_;
};

class graph_search {
 public:
  explicit graph_search(const dependency_graph& g);

  // Limits the searches that follow to `nodes` (until the next call): edges leaving the set are
  // ignored.
  void restrict_to(const std::vector<std::uint32_t>& nodes);
  bool contains(std::uint32_t node) const { return member_[node] == member_stamp_; }
  // A member's index in the current set. REQUIRES: contains(node).
  std::uint32_t position(std::uint32_t node) const { return position_[node]; }

  // Tarjan's algorithm over the current set along edges whose kind is in `mask`. Components come
  // sinks first (a reverse topological order of the condensation); component_of() then names each
  // member's component until the next call.
  std::vector<std::vector<std::uint32_t>> strongly_connected(kind_mask mask);
  std::uint32_t component_of(std::uint32_t node) const { return component_[node]; }

  // Closure of the condensation of the last strongly_connected(mask) call.
  // REQUIRES: `components` is that call's result and `mask` its mask.
  component_reach reachability(const std::vector<std::vector<std::uint32_t>>& components,
                               kind_mask mask) const;

  // A shortest path from `from` to `to` inside the current set along edges of `mask`; empty when
  // there is none. REQUIRES: from != to.
  std::vector<dep_edge> shortest_path(std::uint32_t from, std::uint32_t to, kind_mask mask);

 private:
  bool visited(std::uint32_t node) const { return visit_[node] == visit_stamp_; }
  void open(std::uint32_t node, std::vector<std::uint32_t>& stack);

  const dependency_graph& g_;
  std::vector<std::uint32_t> nodes_;
  std::vector<std::uint32_t> member_;  // == member_stamp_: in the current set
  std::uint32_t member_stamp_ = 0;
  std::vector<std::uint32_t> position_;
  std::vector<std::uint32_t> visit_;  // == visit_stamp_: seen by the current search
  std::uint32_t visit_stamp_ = 0;
  std::vector<std::uint32_t> index_;
  std::vector<std::uint32_t> low_;
  std::vector<bool> on_stack_;
  std::vector<std::uint32_t> component_;
  std::vector<const dep_edge*> parent_;  // BFS: the edge that first reached a node
  std::uint32_t next_index_ = 0;
};

}  // namespace meridian::check
