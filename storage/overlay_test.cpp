// The overlay must read exactly like the batch applied: random batches over random bases, with
// gets and cursor walks in both directions compared against a memory engine that applied the
// batch for real. Seeded (MERIDIAN_SEED).
#include "storage/overlay.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>

#include "storage/memory_engine.hpp"

using namespace meridian;
using namespace meridian::storage;

namespace {

std::string random_key(std::mt19937_64& rng) {
  return std::string(1, static_cast<char>('a' + rng() % 6)) +
         (rng() % 2 ? std::string(1, static_cast<char>('a' + rng() % 3)) : std::string());
}

kv_write_batch random_batch(std::mt19937_64& rng, int ops) {
  kv_write_batch b;
  for (int i = 0; i < ops; ++i) {
    int kind = static_cast<int>(rng() % 10);
    std::string k = random_key(rng);
    if (kind < 6) {
      b.put(cf::write, k, "v" + std::to_string(rng() % 100));
    } else if (kind < 9) {
      b.del(cf::write, k);
    } else {
      std::string e = random_key(rng);
      if (e < k) std::swap(e, k);
      b.del_range(cf::write, k, e);
    }
  }
  return b;
}

std::vector<std::string> walk(kv_snapshot& s, bool forward, const std::string& from) {
  auto c = std::move(*s.cursor(cf::write));
  std::vector<std::string> out;
  if (forward) {
    REQUIRE(c->seek(from).ok());
  } else {
    REQUIRE((from.empty() ? c->last() : c->seek_for_prev(from)).ok());
  }
  while (c->valid()) {
    out.push_back(std::string(c->key()) + "=" + std::string(c->value()));
    REQUIRE((forward ? c->next() : c->prev()).ok());
  }
  return out;
}

}  // namespace

TEST_CASE("overlay: reads as if the batch were applied (1,000 random cases)") {
  const char* env = std::getenv("MERIDIAN_SEED");
  std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 3;
  INFO("seed " << seed << " (replay: MERIDIAN_SEED=" << seed << " ./storage_tests -tc='overlay*')");
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 1000; ++round) {
    memory_engine base, applied;
    kv_write_batch initial = random_batch(rng, 12);
    REQUIRE(base.write(initial, durability::sync).ok());
    REQUIRE(applied.write(initial, durability::sync).ok());
    batch_overlay overlay;
    for (int part = 0; part < 3; ++part) {
      kv_write_batch b = random_batch(rng, 5);
      overlay.add(b);
      REQUIRE(applied.write(b, durability::sync).ok());
    }
    auto base_snap = std::move(*base.snapshot());
    overlay_snapshot view(*base_snap, overlay);
    auto truth = std::move(*applied.snapshot());
    for (int q = 0; q < 10; ++q) {
      std::string k = random_key(rng);
      auto got = view.get(cf::write, k);
      auto want = truth->get(cf::write, k);
      REQUIRE(got.ok());
      REQUIRE(got->has_value() == want->has_value());
      if (got->has_value()) REQUIRE(**got == **want);
      REQUIRE(walk(view, true, k) == walk(*truth, true, k));
      REQUIRE(walk(view, false, k) == walk(*truth, false, k));
    }
    REQUIRE(walk(view, false, "") == walk(*truth, false, ""));
  }
}
