// The dependency edges of a list-append history (Elle, after Adya's ww/wr/rw) and its real-time
// edges; declared in append_model.hpp. Runs inside check_append, on its thread.
#include "check/append_model.hpp"

namespace meridian::check {
namespace {

// Edges inferred for appends that no read shows grow as readers × writers; a history that loses
// every append would make that quadratic, so the inference stops at this many edges (24 MB).
constexpr std::size_t max_unread_append_edges = 1'000'000;

struct key_edges {
  const append_model& m;
  const key_info& key;
  std::uint32_t k;
  dependency_graph& g;

  std::uint32_t writer(std::uint32_t value) const { return key.values[value].writer; }
  bool committed_writer(std::uint32_t value) const {
    std::uint32_t w = writer(value);
    return w != no_id && m.txns()[w].committed;
  }
  std::uint32_t last_of(const key_read& r) const {
    return r.length == 0 ? no_id : key.ids_of(r)[r.length - 1];
  }

  // wr: the writer of a read's final element precedes the reader. Sound even when the key's reads
  // disagree, since it needs no version order.
  void add_wr() const {
    for (const key_read& r : key.reads) {
      std::uint32_t last = last_of(r);
      if (last == no_id || !committed_writer(last)) continue;
      g.add(dep_edge{writer(last), r.txn, edge_kind::wr, k, last, last});
    }
  }

  // ww between successive versions written by committed transactions (a failed append in
  // between is skipped: it was never a version, and G1a reports its readers).
  std::uint32_t add_ww() const {
    std::uint32_t previous = no_id;
    for (std::uint32_t id : key.order) {
      if (!committed_writer(id)) continue;
      if (previous != no_id)
        g.add(dep_edge{writer(previous), writer(id), edge_kind::ww, k, previous, id});
      previous = id;
    }
    return previous;
  }

  // rw: a reader precedes the writer of the first committed version after the one it read.
  void add_rw() const {
    std::vector<std::uint32_t> next(key.order.size() + 1, no_id);  // first committed at >= i
    for (std::size_t i = key.order.size(); i-- > 0;) {
      next[i] = committed_writer(key.order[i]) ? key.order[i] : next[i + 1];
    }
    for (const key_read& r : key.reads) {
      std::uint32_t following = next[r.length];
      if (following == no_id) continue;
      g.add(dep_edge{r.txn, writer(following), edge_kind::rw, k, last_of(r), following});
    }
  }

  // A committed append that no read lists came after every version read (lists only grow), so
  // it follows the last committed version (ww) and every reader of the longest read (rw). Without
  // this, a read that misses an acknowledged, never-read append would raise no edge at all.
  bool add_unread(std::uint32_t last_version, std::size_t& budget) const {
    for (std::uint32_t id = 0; id < key.values.size(); ++id) {
      const value_info& v = key.values[id];
      if (v.observed || !committed_writer(id)) continue;
      if (last_version != no_id) {
        g.add(dep_edge{writer(last_version), v.writer, edge_kind::ww, k, last_version, id});
      }
      for (const key_read& r : key.reads) {
        if (r.length != key.order.size()) continue;
        if (budget == 0) return false;
        --budget;
        g.add(dep_edge{r.txn, v.writer, edge_kind::rw, k, last_of(r), id});
      }
    }
    return true;
  }
};

}  // namespace

bool add_data_edges(const append_model& m, dependency_graph& g) {
  std::size_t budget = max_unread_append_edges;
  bool complete = true;
  for (std::uint32_t k = 0; k < m.keys().size(); ++k) {
    key_edges edges{m, m.keys()[k], k, g};
    edges.add_wr();
    // Without a version order (reads disagree or repeat values) there is no ww or rw to infer;
    // the disagreement itself is reported.
    if (!m.keys()[k].order_known) continue;
    std::uint32_t last_version = edges.add_ww();
    edges.add_rw();
    if (complete) complete = edges.add_unread(last_version, budget);
  }
  return complete;
}

void add_realtime_edges(const append_model& m, dependency_graph& g) {
  std::vector<txn_interval> intervals;
  for (std::uint32_t t = 0; t < m.txns().size(); ++t) {
    const append_txn& txn = m.txns()[t];
    if (!txn.committed) continue;  // not a node: failed, or an info nobody saw commit
    intervals.push_back({t, txn.invoke_ns, txn.complete_ns, txn.outcome == op_type::ok});
  }
  add_realtime_edges(std::move(intervals), g);
}

}  // namespace meridian::check
