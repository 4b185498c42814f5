// The graph searches the append checker's cycle classification rests on: Tarjan's components in
// reverse topological order, restriction to a node set, shortest paths along chosen edge kinds,
// reachability between components, deduplication of repeated evidence, and real-time edges that
// keep the real-time order's reachability with few edges.
#include "check/dependency_graph.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace meridian::check;

namespace {

dep_edge edge(std::uint32_t from, std::uint32_t to, kind_mask kind) {
  return dep_edge{from, to, kind};
}

std::vector<std::uint32_t> all_nodes(const dependency_graph& g) {
  std::vector<std::uint32_t> nodes;
  for (std::uint32_t n = 0; n < g.size(); ++n) nodes.push_back(n);
  return nodes;
}

}  // namespace

TEST_CASE("dependency graph: Tarjan finds components sinks first, along the chosen kinds only") {
  // 0 <-> 1 by ww, 1 -> 2 by wr, 2 <-> 3 only when rw counts.
  dependency_graph g(4);
  g.add(edge(0, 1, edge_kind::ww));
  g.add(edge(1, 0, edge_kind::ww));
  g.add(edge(1, 2, edge_kind::wr));
  g.add(edge(2, 3, edge_kind::ww));
  g.add(edge(3, 2, edge_kind::rw));
  g.finish();
  graph_search search(g);
  search.restrict_to(all_nodes(g));
  auto with_rw = search.strongly_connected(edge_kind::all);
  REQUIRE(with_rw.size() == 2);
  CHECK(with_rw[0].size() == 2);  // {2, 3}: the sink comes first
  CHECK(search.component_of(2) == search.component_of(3));
  CHECK(search.component_of(0) != search.component_of(2));
  auto without_rw = search.strongly_connected(edge_kind::ww | edge_kind::wr);
  CHECK(without_rw.size() == 3);  // {0, 1}, {2}, {3}
  component_reach reach = search.reachability(without_rw, edge_kind::ww | edge_kind::wr);
  CHECK(reach.reaches(search.component_of(0), search.component_of(3)));
  CHECK_FALSE(reach.reaches(search.component_of(3), search.component_of(0)));
  CHECK_FALSE(reach.reaches(search.component_of(3), search.component_of(2)));
}

TEST_CASE("dependency graph: shortest paths follow the mask and stay inside the set") {
  // 0 -> 1 -> 2 -> 3 by ww, and a shortcut 0 -> 3 by rw.
  dependency_graph g(4);
  for (std::uint32_t n = 0; n < 3; ++n) g.add(edge(n, n + 1, edge_kind::ww));
  g.add(edge(0, 3, edge_kind::rw));
  g.finish();
  graph_search search(g);
  search.restrict_to(all_nodes(g));
  CHECK(search.shortest_path(0, 3, edge_kind::all).size() == 1);
  auto long_way = search.shortest_path(0, 3, edge_kind::ww);
  REQUIRE(long_way.size() == 3);
  CHECK(long_way[1].from == 1);
  CHECK(long_way[2].to == 3);
  search.restrict_to({0, 2, 3});
  CHECK(search.shortest_path(0, 3, edge_kind::ww).empty());  // node 1 is outside the set
  CHECK(search.shortest_path(3, 0, edge_kind::all).empty());
}

TEST_CASE("dependency graph: repeated evidence becomes one edge, self edges none") {
  dependency_graph g(2);
  g.add(dep_edge{0, 1, edge_kind::rw, 7, 1, 2});
  g.add(dep_edge{0, 1, edge_kind::rw, 9, 3, 4});
  g.add(edge(0, 1, edge_kind::ww));
  g.add(edge(1, 1, edge_kind::ww));
  g.finish();
  REQUIRE(g.out(0).size() == 2);
  CHECK(g.out(0)[1].key == 7);  // the first explanation is kept
  CHECK(g.out(1).empty());
  CHECK(g.edge_count() == 2);
}

TEST_CASE("dependency graph: real-time edges reach exactly the pairs ordered in real time") {
  // Checked against the definition on random overlapping intervals: the frontier trick must lose
  // no pair and invent none, with far fewer edges than pairs.
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<txn_interval> intervals;
    for (std::uint32_t n = 0; n < 60; ++n) {
      auto start = static_cast<std::int64_t>(rng() % 400);
      auto end = start + static_cast<std::int64_t>(rng() % 60);
      intervals.push_back({n, start, end, rng() % 10 != 0});
    }
    dependency_graph g(intervals.size());
    add_realtime_edges(intervals, g);
    g.finish();
    graph_search search(g);
    search.restrict_to(all_nodes(g));
    std::size_t ordered_pairs = 0, wrong = 0;
    for (const auto& a : intervals) {
      for (const auto& b : intervals) {
        if (a.node == b.node) continue;
        bool before = a.completed && a.complete_ns < b.invoke_ns;
        ordered_pairs += before ? 1 : 0;
        wrong += before == search.shortest_path(a.node, b.node, edge_kind::rt).empty() ? 1 : 0;
      }
    }
    INFO("trial " << trial);
    CHECK(wrong == 0);
    CHECK(g.edge_count() < ordered_pairs / 4);
  }
}
