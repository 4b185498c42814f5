// The directory routes keys to shards across splits, and stale records never win.
#include "actors/directory.hpp"

#include <doctest/doctest.h>

using namespace meridian;
using namespace meridian::actors;

TEST_CASE("directory: lookup by key, replacement on split, stale records ignored") {
  directory d;
  d.update(shard_record{1, "", "m", 1, {1, 2, 3}, ""});
  d.update(shard_record{2, "m", "", 1, {1, 2, 3}, "eu-west"});
  CHECK(d.lookup("a")->id == 1);
  CHECK(d.lookup("")->id == 1);
  CHECK(d.lookup("m")->id == 2);
  CHECK(d.lookup("zzz")->id == 2);
  // Shard 1 splits at "g": itself keeps [ , g) at epoch 2, shard 3 takes [g, m).
  d.update(shard_record{1, "", "g", 2, {1, 2, 3}, ""});
  d.update(shard_record{3, "g", "m", 2, {1, 2, 3}, ""});
  CHECK(d.lookup("f")->id == 1);
  CHECK(d.lookup("h")->id == 3);
  d.update(shard_record{1, "", "m", 1, {1, 2, 3}, ""});  // stale: ignored
  CHECK(d.lookup("h")->id == 3);
  CHECK(d.overlapping("f", "n").size() == 3);
  auto round_trip = decode_directory(encode_directory(d.all()));
  REQUIRE(round_trip.ok());
  CHECK(round_trip->size() == 3);
  CHECK(round_trip->at(2) == *d.find(2));
}
