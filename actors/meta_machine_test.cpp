// The meta shard's directory records: a shard leader publishing its record and a placement
// setting a preference are decided against the stored record, so neither undoes the other
// (a leader whose directory cache predated a placement used to write its old preferred_dc back).
#include "actors/meta_machine.hpp"

#include <doctest/doctest.h>

#include "storage/memory_engine.hpp"

using namespace meridian;
using namespace meridian::actors;

namespace {

struct fixture {
  storage::memory_engine engine;
  meta_machine machine{engine};
  std::uint64_t index = 1;

  void apply(const std::string& command) {
    storage::kv_write_batch batch;
    auto out = machine.apply({storage::log_entry{1, ++index, 0, command}}, std::nullopt, batch);
    REQUIRE(out.ok());
    CHECK(out->front() != "E");
    REQUIRE(engine.write(batch, storage::durability::sync).ok());
  }
  shard_record stored(shard_id id) {
    auto answer = machine.query(meta_machine::directory_query());
    REQUIRE(answer.ok());
    auto records = decode_directory(*answer);
    REQUIRE(records.ok());
    for (const auto& r : *records) {
      if (r.id == id) return r;
    }
    FAIL("no record for shard " << id);
    return {};
  }
};

}  // namespace

TEST_CASE("meta machine: a preference survives a leader publishing from an older cache") {
  fixture f;
  f.apply(meta_machine::put_records_command({shard_record{3, "a", "m", 2, {1, 2, 3}, "us-east"}}));
  f.apply(meta_machine::prefer_command(3, "eu-west"));
  CHECK(f.stored(3).preferred_dc == "eu-west");
  CHECK(f.stored(3).epoch == 2);
  // The leader's new epoch (a membership change) with the preference its cache remembered.
  f.apply(meta_machine::publish_record_command(shard_record{3, "a", "m", 3, {1, 2, 4}, "us-east"}));
  auto r = f.stored(3);
  CHECK(r.epoch == 3);
  CHECK(r.replicas == std::vector<node_id>{1, 2, 4});
  CHECK(r.preferred_dc == "eu-west");
  // A publish that is not newer than the directory changes nothing.
  f.apply(meta_machine::publish_record_command(shard_record{3, "a", "z", 3, {1, 2, 3}, ""}));
  CHECK(f.stored(3).end == "m");
  CHECK(f.stored(3).replicas == std::vector<node_id>{1, 2, 4});
  // A preference for a shard the directory no longer holds is dropped.
  f.apply(meta_machine::prefer_command(9, "ap-south"));
  auto all = f.machine.query(meta_machine::directory_query());
  REQUIRE(all.ok());
  CHECK(decode_directory(*all)->size() == 1);
}
