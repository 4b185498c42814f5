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
