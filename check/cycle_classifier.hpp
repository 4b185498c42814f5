// Finds the cycles of a dependency graph and names them in Adya's hierarchy, as Elle does: Tarjan's
// strongly connected components first, then, inside each component, a short witness cycle for
// every anomaly class it holds (G0, G1c, G-single, G2-item, and their real-time variants). Used by
// check_append on its thread; the graph must be finished.
#pragma once

#include <vector>

#include "check/append_checker.hpp"
#include "check/dependency_graph.hpp"

namespace meridian::check {

struct found_cycle {
  append_anomaly type;
  std::vector<dep_edge> edges;  // edges[i].to == edges[i + 1].from; the last returns to the first
};

// One witness per class per strongly connected component; each class is searched on its own, so
// a component may report several. A real-time class names a cycle that needs real-time edges
// (there is no such cycle of the same class without them). Real-time classes only with
// `realtime`. REQUIRES: g.finish() was called.
std::vector<found_cycle> find_cycle_anomalies(const dependency_graph& g, bool realtime);

}  // namespace meridian::check
