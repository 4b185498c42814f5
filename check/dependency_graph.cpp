// The dependency graph and its searches; see dependency_graph.hpp.
#include "check/dependency_graph.hpp"

#include <algorithm>
#include <deque>

#include "common/assert.hpp"

namespace meridian::check {

void dependency_graph::add(const dep_edge& e) {
  MERIDIAN_ASSERT(!finished_, "an edge added after finish()");
  MERIDIAN_ASSERT(e.from < out_.size() && e.to < out_.size(), "an edge to a missing node");
  MERIDIAN_ASSERT(e.kind != 0 && (e.kind & (e.kind - 1)) == 0, "an edge needs exactly one kind");
  if (e.from == e.to) return;
  out_[e.from].push_back(e);
  ++edges_;
}

void dependency_graph::finish() {
  finished_ = true;
  edges_ = 0;
  for (auto& edges : out_) {
    std::stable_sort(edges.begin(), edges.end(), [](const dep_edge& a, const dep_edge& b) {
      return a.to != b.to ? a.to < b.to : a.kind < b.kind;
    });
    auto last = std::unique(edges.begin(), edges.end(), [](const dep_edge& a, const dep_edge& b) {
      return a.to == b.to && a.kind == b.kind;
    });
    edges.erase(last, edges.end());
    edges_ += edges.size();
  }
}

// Elle's trick: scan invocations and completions in time order, keeping the frontier of completed
// transactions not yet known to precede another completed one. An invocation gets an edge from
// each frontier member. A completion retires every member that completed before the completing
// transaction began: that member already has an edge to it, and every later invocation gets an
// edge from it (or from whatever retires it in turn), so the path survives. The frontier stays
// about as large as the concurrency.
void add_realtime_edges(std::vector<txn_interval> intervals, dependency_graph& g) {
  struct event {
    std::int64_t time_ns;
    bool completion;  // at equal times invocations first: simultaneous events are concurrent
    std::size_t interval;
  };
  std::vector<event> events;
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    events.push_back({intervals[i].invoke_ns, false, i});
    if (intervals[i].completed) events.push_back({intervals[i].complete_ns, true, i});
  }
  std::sort(events.begin(), events.end(), [](const event& a, const event& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.completion < b.completion;
  });
  std::vector<std::size_t> frontier;
  for (const event& e : events) {
    const txn_interval& t = intervals[e.interval];
    if (!e.completion) {
      for (std::size_t before : frontier) {
        g.add(dep_edge{intervals[before].node, t.node, edge_kind::rt});
      }
      continue;
    }
    frontier.erase(
        std::remove_if(frontier.begin(), frontier.end(),
                       [&](std::size_t i) { return intervals[i].complete_ns < t.invoke_ns; }),
        frontier.end());
    frontier.push_back(e.interval);
  }
}

component_reach::component_reach(std::size_t components)
    : words_((components + 63) / 64), bits_(components * words_, 0) {}

graph_search::graph_search(const dependency_graph& g)
    : g_(g),
      member_(g.size(), 0),
      position_(g.size(), 0),
      visit_(g.size(), 0),
      index_(g.size(), 0),
      low_(g.size(), 0),
      on_stack_(g.size(), false),
      component_(g.size(), no_id),
      parent_(g.size(), nullptr) {}

void graph_search::restrict_to(const std::vector<std::uint32_t>& nodes) {
  ++member_stamp_;
  nodes_ = nodes;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    member_[nodes_[i]] = member_stamp_;
    position_[nodes_[i]] = i;
  }
}

void graph_search::open(std::uint32_t node, std::vector<std::uint32_t>& stack) {
  visit_[node] = visit_stamp_;
  index_[node] = low_[node] = next_index_++;
  stack.push_back(node);
  on_stack_[node] = true;
}

// Iterative, so that a long chain of transactions cannot overflow the call stack.
std::vector<std::vector<std::uint32_t>> graph_search::strongly_connected(kind_mask mask) {
  ++visit_stamp_;
  next_index_ = 0;
  std::vector<std::vector<std::uint32_t>> components;
  struct frame {
    std::uint32_t node;
    std::size_t edge;
  };
  std::vector<frame> calls;
  std::vector<std::uint32_t> stack;
  for (std::uint32_t root : nodes_) {
    if (visited(root)) continue;
    open(root, stack);
    calls.push_back({root, 0});
    while (!calls.empty()) {
      std::uint32_t node = calls.back().node;
      const auto& edges = g_.out(node);
      if (calls.back().edge < edges.size()) {
        const dep_edge& e = edges[calls.back().edge++];
        if ((e.kind & mask) == 0 || !contains(e.to)) continue;
        if (!visited(e.to)) {
          open(e.to, stack);
          calls.push_back({e.to, 0});
        } else if (on_stack_[e.to]) {
          low_[node] = std::min(low_[node], index_[e.to]);
        }
        continue;
      }
      calls.pop_back();
      if (!calls.empty()) {
        std::uint32_t caller = calls.back().node;
        low_[caller] = std::min(low_[caller], low_[node]);
      }
      if (low_[node] != index_[node]) continue;
      auto id = static_cast<std::uint32_t>(components.size());
      components.emplace_back();
      std::uint32_t member = no_id;
      do {
        member = stack.back();
        stack.pop_back();
        on_stack_[member] = false;
        component_[member] = id;
        components.back().push_back(member);
      } while (member != node);
    }
  }
  return components;
}

component_reach graph_search::reachability(
    const std::vector<std::vector<std::uint32_t>>& components, kind_mask mask) const {
  component_reach reach(components.size());
  const std::size_t words = reach.words_;
  for (std::uint32_t c = 0; c < components.size(); ++c) {
    std::uint64_t* row = &reach.bits_[c * words];
    row[c / 64] |= std::uint64_t{1} << (c % 64);
    for (std::uint32_t node : components[c]) {
      for (const dep_edge& e : g_.out(node)) {
        if ((e.kind & mask) == 0 || !contains(e.to)) continue;
        std::uint32_t d = component_[e.to];
        if (d == c) continue;
        // Tarjan emits a component only after every component it reaches.
        MERIDIAN_ASSERT(d < c, "components are not in reverse topological order");
        const std::uint64_t* other = &reach.bits_[d * words];
        for (std::size_t w = 0; w < words; ++w) row[w] |= other[w];
      }
    }
  }
  return reach;
}

std::vector<dep_edge> graph_search::shortest_path(std::uint32_t from, std::uint32_t to,
                                                  kind_mask mask) {
  MERIDIAN_ASSERT(from != to, "a path needs two distinct ends");
  ++visit_stamp_;
  std::deque<std::uint32_t> queue{from};
  visit_[from] = visit_stamp_;
  parent_[from] = nullptr;
  while (!queue.empty()) {
    std::uint32_t node = queue.front();
    queue.pop_front();
    for (const dep_edge& e : g_.out(node)) {
      if ((e.kind & mask) == 0 || !contains(e.to) || visited(e.to)) continue;
      visit_[e.to] = visit_stamp_;
      parent_[e.to] = &e;
      if (e.to == to) {
        std::vector<dep_edge> path;
        for (const dep_edge* p = &e; p != nullptr; p = parent_[p->from]) path.push_back(*p);
        std::reverse(path.begin(), path.end());
        return path;
      }
      queue.push_back(e.to);
    }
  }
  return {};
}

}  // namespace meridian::check
