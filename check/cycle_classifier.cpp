// Cycle classification; see cycle_classifier.hpp.
#include "check/cycle_classifier.hpp"

#include <algorithm>

#include "common/assert.hpp"

namespace meridian::check {
namespace {

using edge_kind::rt;
using edge_kind::rw;
using edge_kind::wr;
using edge_kind::ww;

// The components of one kind mask inside a strongly connected component of the whole graph, and,
// when asked, which reach which. Built while the search is restricted to that component.
class kind_view {
 public:
  kind_view(graph_search& search, kind_mask mask, bool closure) : search_(search), reach_(0) {
    auto components = search.strongly_connected(mask);
    component_.resize(count_members(components));
    for (const auto& members : components) {
      for (std::uint32_t node : members)
        component_[search.position(node)] = search.component_of(node);
    }
    if (closure) reach_ = search.reachability(components, mask);
  }
  bool same(std::uint32_t a, std::uint32_t b) const { return of(a) == of(b); }
  // REQUIRES: built with closure.
  bool reaches(std::uint32_t from, std::uint32_t to) const {
    return reach_.reaches(of(from), of(to));
  }

 private:
  static std::size_t count_members(const std::vector<std::vector<std::uint32_t>>& components) {
    std::size_t n = 0;
    for (const auto& members : components) n += members.size();
    return n;
  }
  std::uint32_t of(std::uint32_t node) const { return component_[search_.position(node)]; }

  const graph_search& search_;
  std::vector<std::uint32_t> component_;  // by position in the restricted set
  component_reach reach_;
};

// The states (transaction, entered by an rw edge) of one strongly connected component, and the
// edges between them along a kind mask: an rw edge never leaves a state entered by one.
class state_graph {
 public:
  state_graph(const dependency_graph& g, const graph_search& search,
              const std::vector<std::uint32_t>& scc, kind_mask mask)
      : g_(g), search_(search), scc_(scc), mask_(mask) {}

  std::uint32_t size() const { return static_cast<std::uint32_t>(scc_.size() * 2); }
  std::uint32_t state_of(std::uint32_t node, bool after_rw) const {
    return search_.position(node) * 2 + (after_rw ? 1 : 0);
  }
  template <class visit>
  void for_each_edge(std::uint32_t s, visit v) const {
    bool after_rw = (s & 1) != 0;
    for (const dep_edge& e : g_.out(scc_[s / 2])) {
      if ((e.kind & mask_) == 0 || !search_.contains(e.to)) continue;
      if (e.kind == edge_kind::rw && after_rw) continue;
      v(e, state_of(e.to, e.kind == edge_kind::rw));
    }
  }
  // Every edge between two states of component `c` (of components()), with its source state.
  template <class visit>
  void for_each_edge_in(const std::vector<std::uint32_t>& comp, std::uint32_t c, visit v) const {
    for (std::uint32_t s = 0; s < size(); ++s) {
      if (comp[s] != c) continue;
      for_each_edge(s, [&](const dep_edge& e, std::uint32_t t) {
        if (comp[t] == c) v(e, s);
      });
    }
  }

  // Tarjan's components, iteratively: the component of each state.
  std::vector<std::uint32_t> components() const {
    const std::uint32_t unseen = no_id;
    std::vector<std::uint32_t> index(size(), unseen), low(size(), 0), comp(size(), unseen);
    std::vector<std::uint32_t> stack;
    std::vector<bool> on_stack(size(), false);
    std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> frames;  // state, its targets
    std::uint32_t next = 0, components = 0;
    for (std::uint32_t root = 0; root < size(); ++root) {
      if (index[root] != unseen) continue;
      auto open = [&](std::uint32_t s) {
        index[s] = low[s] = next++;
        stack.push_back(s);
        on_stack[s] = true;
        std::vector<std::uint32_t> targets;
        for_each_edge(s, [&](const dep_edge&, std::uint32_t t) { targets.push_back(t); });
        frames.emplace_back(s, std::move(targets));
      };
      open(root);
      while (!frames.empty()) {
        auto& [s, targets] = frames.back();
        if (!targets.empty()) {
          std::uint32_t t = targets.back();
          targets.pop_back();
          if (index[t] == unseen) {
            open(t);
          } else if (on_stack[t]) {
            low[s] = std::min(low[s], index[t]);
          }
          continue;
        }
        std::uint32_t done = s;
        frames.pop_back();
        if (!frames.empty()) low[frames.back().first] = std::min(low[frames.back().first], low[done]);
        if (low[done] != index[done]) continue;
        for (;;) {
          std::uint32_t m = stack.back();
          stack.pop_back();
          on_stack[m] = false;
          comp[m] = components;
          if (m == done) break;
        }
        ++components;
      }
    }
    return comp;
  }

  // A shortest walk from state `from` to state `to` inside their component that crosses at
  // least one rw edge; empty when there is none.
  std::vector<dep_edge> path_crossing_rw(std::uint32_t from, std::uint32_t to,
                                         const std::vector<std::uint32_t>& comp) const {
    // BFS over (state, crossed): crossed says an rw edge lies behind.
    std::vector<const dep_edge*> via(size() * 2, nullptr);
    std::vector<std::uint32_t> prev(size() * 2, no_id);
    std::vector<bool> seen(size() * 2, false);
    std::vector<std::uint32_t> queue{from * 2};
    seen[from * 2] = true;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      std::uint32_t at = queue[head];
      if (at == to * 2 + 1) {
        std::vector<dep_edge> path;
        for (std::uint32_t x = at; x != from * 2; x = prev[x]) path.push_back(*via[x]);
        std::reverse(path.begin(), path.end());
        return path;
      }
      bool crossed = (at & 1) != 0;
      for_each_edge(at / 2, [&](const dep_edge& e, std::uint32_t t) {
        if (comp[t] != comp[from]) return;
        std::uint32_t next = t * 2 + ((crossed || e.kind == edge_kind::rw) ? 1 : 0);
        if (seen[next]) return;
        seen[next] = true;
        via[next] = &e;
        prev[next] = at;
        queue.push_back(next);
      });
    }
    return {};
  }

 private:
  const dependency_graph& g_;
  const graph_search& search_;
  const std::vector<std::uint32_t>& scc_;
  kind_mask mask_;
};

class classifier {
 public:
  classifier(const dependency_graph& g, bool realtime) : g_(g), search_(g), realtime_(realtime) {}

  std::vector<found_cycle> run() {
    std::vector<std::uint32_t> everyone(g_.size());
    for (std::uint32_t n = 0; n < g_.size(); ++n) everyone[n] = n;
    search_.restrict_to(everyone);
    for (const auto& component :
         search_.strongly_connected(realtime_ ? edge_kind::all : ww | wr | rw)) {
      if (component.size() > 1) classify(component);
    }
    return std::move(found_);
  }

 private:
  // Each class is searched on its own, so that one kind of cycle cannot hide another sharing
  // its component. An anti-dependency a -rw-> b closes a cycle when b reaches a; what b needs to
  // get there decides the class: ww/wr alone (G-single), also rw but no rt (G2-item), also rt but
  // no further rw (G-single-realtime), both (G2-item-realtime).
  void classify(const std::vector<std::uint32_t>& scc) {
    std::size_t before = found_.size();
    search_.restrict_to(scc);
    report(append_anomaly::g0, cycle_through(ww, ww));
    report(append_anomaly::g1c, cycle_through(ww | wr, wr));
    kind_view plain(search_, ww | wr, true);
    kind_view items(search_, ww | wr | rw, false);
    report(append_anomaly::g_single,
           edge_cycle(scc, rw, ww | wr,
                      [&](std::uint32_t a, std::uint32_t b) { return plain.reaches(b, a); }));
    report(append_anomaly::g2_item,
           edge_cycle(scc, rw, ww | wr | rw, [&](std::uint32_t a, std::uint32_t b) {
             return items.same(a, b) && !plain.reaches(b, a);
           }));
    bool long_fork = report(append_anomaly::g_nonadjacent, nonadjacent_cycle(scc, ww | wr | rw));
    if (realtime_ && !long_fork) {
      report(append_anomaly::g_nonadjacent_realtime, nonadjacent_cycle(scc, edge_kind::all));
    }
    if (realtime_) {
      kind_view timed(search_, ww | wr | rt, true);
      // a -rt-> b closes a ww/wr/rt cycle when b reaches a; it is needed when no ww/wr path
      // leads from a to b instead.
      auto cycle = edge_cycle(scc, rt, ww | wr | rt, [&](std::uint32_t a, std::uint32_t b) {
        return timed.same(a, b) && !plain.reaches(a, b);
      });
      bool reads =
          std::any_of(cycle.begin(), cycle.end(), [](const dep_edge& e) { return e.kind == wr; });
      report(reads ? append_anomaly::g1c_realtime : append_anomaly::g0_realtime, std::move(cycle));
      report(append_anomaly::g_single_realtime,
             edge_cycle(scc, rw, ww | wr | rt, [&](std::uint32_t a, std::uint32_t b) {
               return timed.reaches(b, a) && !plain.reaches(b, a);
             }));
      // The component is one under all kinds, so b reaches a; needing rw and rt both:
      report(append_anomaly::g2_item_realtime,
             edge_cycle(scc, rw, edge_kind::all, [&](std::uint32_t a, std::uint32_t b) {
               return !timed.reaches(b, a) && !items.same(a, b);
             }));
    }
    // Every cycle falls in some class above; a component without a witness is a search bug.
    MERIDIAN_ASSERT(found_.size() > before, "a strongly connected component with no cycle found");
  }

  // A closed walk along `mask` with two or more anti-dependencies and no two of them adjacent,
  // the last edge included (G-nonadjacent). Such walks are the cycles of a graph whose states are
  // (transaction, entered by an rw edge), where an rw edge may leave only a state not entered by
  // one; so a component of that graph with two rw edges inside holds one, through both. Its
  // witness: one of them, then a shortest way back that crosses another (states x "crossed").
  // O(transactions + edges) for the component. REQUIRES: the search is restricted to `scc`.
  std::vector<dep_edge> nonadjacent_cycle(const std::vector<std::uint32_t>& scc, kind_mask mask) {
    state_graph sg(g_, search_, scc, mask);
    std::vector<std::uint32_t> comp = sg.components();
    std::vector<std::uint32_t> rw_inside(sg.size(), 0);
    const dep_edge* first = nullptr;
    std::uint32_t first_from = 0;
    for (std::uint32_t s = 0; s < sg.size() && first == nullptr; ++s) {
      sg.for_each_edge(s, [&](const dep_edge& e, std::uint32_t t) {
        if (first != nullptr || e.kind != rw || comp[t] != comp[s]) return;
        if (++rw_inside[comp[s]] == 2) {
          // Any rw edge of this component starts the witness; the first one met is as good.
          sg.for_each_edge_in(comp, comp[s], [&](const dep_edge& f, std::uint32_t fs) {
            if (first == nullptr && f.kind == rw) {
              first = &f;
              first_from = fs;
            }
          });
        }
      });
    }
    if (first == nullptr) return {};
    std::vector<dep_edge> cycle{*first};
    auto back = sg.path_crossing_rw(sg.state_of(first->to, true), first_from, comp);
    MERIDIAN_ASSERT(!back.empty(), "a component with two rw edges has no walk through both");
    cycle.insert(cycle.end(), back.begin(), back.end());
    return cycle;
  }

  bool report(append_anomaly type, std::vector<dep_edge> cycle) {
    if (cycle.empty()) return false;
    found_.push_back(found_cycle{type, std::move(cycle)});
    return true;
  }

  // A shortest cycle, along edges of `mask`, through some edge of kind `required`: the components
  // of the mask's subgraph hold every such cycle, so an edge of that kind inside one of them
  // closes one. REQUIRES: the search is restricted to the component being classified.
  std::vector<dep_edge> cycle_through(kind_mask mask, kind_mask required) {
    for (const auto& component : search_.strongly_connected(mask)) {
      if (component.size() < 2) continue;
      for (std::uint32_t node : component) {
        for (const dep_edge& e : g_.out(node)) {
          if ((e.kind & required & mask) == 0 || !search_.contains(e.to) ||
              search_.component_of(e.to) != search_.component_of(node)) {
            continue;
          }
          return close(e, mask);
        }
      }
    }
    return {};
  }

  // The first edge a -kind-> b the predicate accepts, closed by a shortest path back along
  // `mask`. The reachability closures answer for every edge at once, where a search per edge
  // would cost O(rw × edges) in a component that has no such cycle.
  template <class accept>
  std::vector<dep_edge> edge_cycle(const std::vector<std::uint32_t>& scc, kind_mask kind,
                                   kind_mask mask, accept ok) {
    for (std::uint32_t node : scc) {
      for (const dep_edge& e : g_.out(node)) {
        if (e.kind == kind && search_.contains(e.to) && ok(e.from, e.to)) return close(e, mask);
      }
    }
    return {};
  }

  // `first` followed by a shortest path back to its source.
  std::vector<dep_edge> close(const dep_edge& first, kind_mask mask) {
    std::vector<dep_edge> cycle{first};
    auto back = search_.shortest_path(first.to, first.from, mask);
    MERIDIAN_ASSERT(!back.empty(), "an edge inside a component has no way back");
    cycle.insert(cycle.end(), back.begin(), back.end());
    return cycle;
  }

  const dependency_graph& g_;
  graph_search search_;
  bool realtime_;
  std::vector<found_cycle> found_;
};

}  // namespace

std::vector<found_cycle> find_cycle_anomalies(const dependency_graph& g, bool realtime) {
  return classifier(g, realtime).run();
}

}  // namespace meridian::check
