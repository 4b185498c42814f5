// Test support for the action suites: a shard over one engine fixture (storage/testing.hpp, so a
// TEST_CASE_TEMPLATE runs on the in-memory twin and on LMDB) that runs actions one command at a
// time and lets a test look at the three column families. Test-only, single-threaded.
#pragma once

#include <doctest/doctest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/mvcc.hpp"
#include "storage/testing.hpp"
#include "txn/check_secondary_lock.hpp"
#include "txn/check_txn_status.hpp"
#include "txn/commit.hpp"
#include "txn/prewrite.hpp"
#include "txn/resolve_lock.hpp"
#include "txn/rollback.hpp"

namespace meridian::txn::testing {

using storage::testing::lmdb_fixture;
using storage::testing::memory_fixture;

constexpr std::uint64_t default_ttl_ms = 3000;

// Classic transaction parameters for start_ts with `primary`.
inline prewrite_params classic(std::uint64_t start_ts, std::string primary,
                               std::uint64_t ttl_ms = default_ttl_ms) {
  prewrite_params p;
  p.primary = std::move(primary);
  p.start_ts = start_ts;
  p.ttl_ms = ttl_ms;
  return p;
}

inline prewrite_params async(std::uint64_t start_ts, std::string primary,
                             std::vector<std::string> secondaries,
                             std::uint64_t ttl_ms = default_ttl_ms) {
  prewrite_params p = classic(start_ts, std::move(primary), ttl_ms);
  p.use_async_commit = true;
  p.secondaries = std::move(secondaries);
  return p;
}

inline mutation put(std::string key, std::string value) {
  return mutation{storage::mutation_kind::put, std::move(key), std::move(value)};
}
inline mutation del(std::string key) {
  return mutation{storage::mutation_kind::del, std::move(key), {}};
}
inline mutation lock_only(std::string key) {
  return mutation{storage::mutation_kind::lock_only, std::move(key), {}};
}

template <class Fixture>
class shard {
 public:
  storage::kv_engine& engine() { return fixture_.engine(); }
  void restart() { fixture_.restart(); }

  // Runs one command, fn(reader, batch), over a fresh snapshot and commits whatever it wrote,
  // even when it failed: an action that writes on failure then shows it. last_writes() counts.
  template <class Fn>
  auto run(Fn&& fn) {
    auto snapshot = engine().snapshot();
    REQUIRE(snapshot.ok());
    storage::mvcc_reader reader(**snapshot);
    storage::mvcc_batch batch;
    auto out = fn(reader, batch);
    last_writes_ = batch.kv().ops().size();
    if (!batch.empty()) REQUIRE(batch.commit(engine(), storage::durability::sync).ok());
    return out;
  }
  std::size_t last_writes() const { return last_writes_; }

  // Runs fn(reader) over a fresh snapshot, writing nothing (inspection; last_writes() unchanged).
  template <class Fn>
  auto look(Fn&& fn) {
    auto snapshot = engine().snapshot();
    REQUIRE(snapshot.ok());
    storage::mvcc_reader reader(**snapshot);
    return fn(reader);
  }

  // ---- actions ----
  txn_result<prewrite_result> prewrite(const prewrite_params& txn, const mutation& m,
                                       std::optional<std::uint64_t> max_ts = std::nullopt) {
    return run([&](auto& r, auto& b) { return txn::prewrite(r, b, txn, m, max_ts); });
  }
  txn_result<commit_result> commit(const std::string& key, std::uint64_t start_ts,
                                   std::uint64_t commit_ts) {
    return run([&](auto& r, auto& b) { return txn::commit(r, b, key, start_ts, commit_ts); });
  }
  txn_result<rollback_result> rollback(const std::string& key, std::uint64_t start_ts) {
    return run([&](auto& r, auto& b) { return txn::rollback(r, b, key, start_ts); });
  }
  txn_result<txn_status> check_status(const check_txn_status_request& request) {
    return run([&](auto& r, auto& b) { return txn::check_txn_status(r, b, request); });
  }
  txn_result<secondary_status> check_secondary(const std::string& key, std::uint64_t start_ts) {
    return run([&](auto& r, auto& b) { return check_secondary_lock(r, b, key, start_ts); });
  }
  txn_result<resolve_result> resolve(const std::string& key, std::uint64_t start_ts,
                                     txn_outcome outcome) {
    return run([&](auto& r, auto& b) { return resolve_lock(r, b, key, start_ts, outcome); });
  }

  // A committed put, through prewrite and commit (setup for a test).
  void committed_put(const std::string& key, const std::string& value, std::uint64_t start_ts,
                     std::uint64_t commit_ts) {
    REQUIRE(prewrite(classic(start_ts, key), put(key, value)).ok());
    REQUIRE(commit(key, start_ts, commit_ts).ok());
  }
  void committed(const mutation& m, std::uint64_t start_ts, std::uint64_t commit_ts) {
    REQUIRE(prewrite(classic(start_ts, m.key), m).ok());
    REQUIRE(commit(m.key, start_ts, commit_ts).ok());
  }

  // ---- inspection ----
  std::optional<storage::lock_record> lock(const std::string& key) {
    return look([&](auto& r) {
      auto lock = r.load_lock(key);
      REQUIRE(lock.ok());
      return *lock;
    });
  }
  std::optional<storage::write_record> write(const std::string& key, std::uint64_t commit_ts) {
    auto all = writes(key);
    for (const auto& v : all) {
      if (v.commit_ts == commit_ts) return v.record;
    }
    return std::nullopt;
  }
  // Every write record of key, newest first.
  std::vector<storage::committed_version> writes(const std::string& key) {
    return look([&](auto& r) {
      std::vector<storage::committed_version> out;
      auto visited = r.visit_writes(key, std::numeric_limits<std::uint64_t>::max(), 0,
                                    [&](const storage::committed_version& v) {
                                      out.push_back(v);
                                      return true;
                                    });
      REQUIRE(visited.ok());
      return out;
    });
  }
  std::optional<std::string> data(const std::string& key, std::uint64_t start_ts) {
    return look([&](auto& r) {
      auto value = r.load_data(key, start_ts);
      REQUIRE(value.ok());
      return *value;
    });
  }
  // A snapshot read at read_ts: the value, "<none>", or "<locked>".
  std::string read(const std::string& key, std::uint64_t read_ts) {
    return look([&](auto& r) {
      auto got = r.get(key, storage::read_options{read_ts, {}});
      REQUIRE(got.ok());
      switch (got->outcome) {
        case storage::read_result::state::value:
          return got->value;
        case storage::read_result::state::locked:
          return std::string("<locked>");
        case storage::read_result::state::not_found:
          break;
      }
      return std::string("<none>");
    });
  }
  void set_gc_safe_point(std::uint64_t safe_point) {
    run([&](auto&, auto& b) {
      b.set_gc_safe_point(safe_point);
      return 0;
    });
  }

 private:
  Fixture fixture_;
  std::size_t last_writes_ = 0;
};

}  // namespace meridian::txn::testing
