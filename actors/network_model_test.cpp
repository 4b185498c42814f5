// The network model's partitions and faults: isolation, bridges, majority rings (every node
// keeps a majority, no two the same), drop and duplication rates, and delays from the matrix.
#include "actors/network_model.hpp"

#include <doctest/doctest.h>

using namespace meridian;
using namespace meridian::actors;

TEST_CASE("network model: one-way delay is half the datacenters' round trip") {
  network_model m(topology::default_geo(), 1);
  CHECK(m.base_delay_us(1, 2) == 37'500);   // us-east <-> eu-west: 75 ms round trip
  CHECK(m.base_delay_us(1, 3) == 95'000);   // us-east <-> ap-south: 190 ms
  CHECK(m.deliveries(2, 3) == std::vector<std::int64_t>{60'000});
}

TEST_CASE("network model: isolation, bridge and heal") {
  network_model m(topology::wide_geo(), 1);
  m.isolate(3);
  CHECK_FALSE(m.connected(3, 1));
  CHECK(m.deliveries(3, 1).empty());
  CHECK(m.connected(1, 2));
  m.heal();
  m.bridge({1, 2}, 3, {4, 5});
  CHECK_FALSE(m.connected(1, 4));
  CHECK(m.connected(1, 3));
  CHECK(m.connected(3, 5));
}

TEST_CASE("network model: a majority ring gives every node a majority, none the same") {
  network_model m(topology::wide_geo(), 1);
  std::vector<node_id> ring{1, 2, 3, 4, 5};
  m.majority_ring(ring);
  std::set<std::set<node_id>> views;
  for (node_id a : ring) {
    std::set<node_id> view;
    for (node_id b : ring) {
      if (m.connected(a, b)) view.insert(b);
    }
    CHECK(view.size() == 3);
    views.insert(view);
  }
  CHECK(views.size() == 5);
}

TEST_CASE("network model: drop and duplicate rates follow the configuration") {
  network_model m(topology::default_geo(), 7);
  m.set_faults(fault_config{0.25, 0.5, 20});
  int dropped = 0, duplicated = 0;
  for (int i = 0; i < 20'000; ++i) {
    auto d = m.deliveries(1, 2);
    dropped += d.empty();
    duplicated += d.size() == 2;
    for (auto us : d) CHECK((us >= 37'500 && us <= 57'500));
  }
  CHECK(dropped > 4'500);
  CHECK(dropped < 5'500);
  CHECK(duplicated > 7'000);  // half of the 75% delivered
  CHECK(duplicated < 8'000);
}
