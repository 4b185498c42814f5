// `meridian bench storage` (issue: foundation). Each phase runs in its own child process so its
// peak RSS is its own; raw LMDB and Meridian do the same work on fresh partitions in the same
// run, and the table prints both with their ratio and the target:
//   point gets/s            kv_engine snapshot+get   vs  mdb_get, one read txn per get
//   MVCC snapshot gets/s    mvcc_reader::get          vs  mdb_get, one read txn per get
//   synced batched writes/s mvcc_batch of 1000 puts   vs  1000 mdb_put per synced txn
//   Raft log appends/s      64 appenders, group commit vs raw synced batched puts/s
#include "bench/storage_bench.hpp"

#include <lmdb.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "storage/key_codec.hpp"
#include "storage/lmdb_engine.hpp"
#include "storage/log_store.hpp"
#include "storage/mvcc.hpp"

namespace meridian::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using report_fn = std::function<void(const std::string&, double)>;
constexpr std::size_t batch_puts = 1000;
constexpr std::size_t value_bytes = 100;

std::string key_of(std::size_t i) {
  std::string k;
  storage::codec::append_u64_be(k, splitmix64(i));
  storage::codec::append_u64_be(k, i);
  return k;
}

const std::string& value_bytes_text() {
  static const std::string v(value_bytes, 'v');
  return v;
}

void fail(const char* what, int rc) {
  std::fprintf(stderr, "bench storage: %s failed: %s\n", what, mdb_strerror(rc));
  std::_Exit(1);
}

// Raw LMDB: the baseline, written the way ../shared/bench/lmdb_bench.c does it.
void raw_lmdb_phase(const std::string& dir, std::size_t keys, const report_fn& report) {
  MDB_env* env = nullptr;
  mdb_env_create(&env);
  mdb_env_set_mapsize(env, std::size_t{8} << 30);
  if (int rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS | MDB_NORDAHEAD, 0644)) {
    fail("mdb_env_open", rc);
  }
  MDB_dbi dbi = 0;
  std::size_t heap_before = heap_in_use_bytes();
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < keys;) {
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env, nullptr, 0, &txn);
    if (i == 0) mdb_dbi_open(txn, nullptr, 0, &dbi);
    for (std::size_t j = 0; j < batch_puts && i < keys; ++j, ++i) {
      std::string k = key_of(i);
      MDB_val kv{k.size(), k.data()};
      MDB_val vv{value_bytes, const_cast<char*>(value_bytes_text().data())};
      if (int rc = mdb_put(txn, dbi, &kv, &vv, 0)) fail("mdb_put", rc);
      if (i + 1 == 100'000) report("heap_at_100k_kib", (heap_in_use_bytes() - heap_before) / 1024.0);
    }
    if (int rc = mdb_txn_commit(txn)) fail("mdb_txn_commit", rc);
  }
  report("batched_puts_s", static_cast<double>(keys) / seconds_since(t0));
  report("heap_at_end_kib", (heap_in_use_bytes() - heap_before) / 1024.0);

  std::size_t gets = keys;
  std::size_t found = 0;
  t0 = clock_type::now();
  for (std::size_t n = 0; n < gets; ++n) {
    std::string k = key_of(splitmix64(n + 7) % keys);
    MDB_txn* txn = nullptr;
    mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    MDB_val kv{k.size(), k.data()};
    MDB_val vv{0, nullptr};
    if (mdb_get(txn, dbi, &kv, &vv) == 0) ++found;
    mdb_txn_abort(txn);
  }
  report("gets_s", static_cast<double>(gets) / seconds_since(t0));
  report("found", static_cast<double>(found));
  mdb_env_close(env);
}

void check(const status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench storage: %s failed: %s\n", what, s.err().to_string().c_str());
    std::_Exit(1);
  }
}

// Meridian: committed MVCC versions written through mvcc_batch, then read back.
void ours_phase(const std::string& dir, std::size_t keys, const report_fn& report) {
  auto engine = storage::lmdb_engine::open(dir);
  check(engine.ok() ? ok_status() : status(engine.err()), "open");
  storage::kv_engine& e = **engine;
  std::size_t heap_before = heap_in_use_bytes();
  auto t0 = clock_type::now();
  for (std::size_t i = 0; i < keys;) {
    storage::mvcc_batch b;
    for (std::size_t j = 0; j < batch_puts && i < keys; ++j, ++i) {
      storage::write_record w{storage::write_kind::put, 10, false, value_bytes_text()};
      check(b.put_write(key_of(i), 11, w), "put_write");
      if (i + 1 == 100'000) report("heap_at_100k_kib", (heap_in_use_bytes() - heap_before) / 1024.0);
    }
    b.set_applied_index(i);
    check(b.commit(e, storage::durability::sync), "commit");
  }
  report("batched_puts_s", static_cast<double>(keys) / seconds_since(t0));
  report("heap_at_end_kib", (heap_in_use_bytes() - heap_before) / 1024.0);

  std::size_t found = 0;
  t0 = clock_type::now();
  for (std::size_t n = 0; n < keys; ++n) {
    std::string k = storage::version_key(key_of(splitmix64(n + 7) % keys), 11);
    auto snap = e.snapshot();
    auto v = (*snap)->get(storage::cf::write, k);
    if (v.ok() && v->has_value()) ++found;
  }
  report("gets_s", static_cast<double>(keys) / seconds_since(t0));

  std::size_t mvcc_found = 0;
  t0 = clock_type::now();
  for (std::size_t n = 0; n < keys; ++n) {
    auto snap = e.snapshot();
    storage::mvcc_reader reader(**snap);
    auto r = reader.get(key_of(splitmix64(n + 7) % keys), storage::read_options{100, {}});
    if (r.ok() && r->outcome == storage::read_result::state::value) ++mvcc_found;
  }
  report("mvcc_gets_s", static_cast<double>(keys) / seconds_since(t0));
  report("found", static_cast<double>(found));
  report("mvcc_found", static_cast<double>(mvcc_found));
  report("heap_after_reads_kib", (heap_in_use_bytes() - heap_before) / 1024.0);
}

// Raft log appends with group commit: appenders queue entries and wait until they are durable;
// one writer takes everything queued while the previous sync was flushing and syncs it once.
void log_phase(const std::string& dir, std::size_t appenders, double seconds,
               const report_fn& report) {
  auto engine = storage::lmdb_engine::open(dir);
  check(engine.ok() ? ok_status() : status(engine.err()), "open");
  auto log = storage::log_store::open(**engine);
  check(log.ok() ? ok_status() : status(log.err()), "open log");
  std::mutex mu;
  std::condition_variable queued, durable;
  std::vector<std::string> queue;
  std::uint64_t next_ticket = 1, durable_ticket = 0, syncs = 0;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!stop || !queue.empty()) {
      queued.wait(lock, [&] { return stop || !queue.empty(); });
      if (queue.empty()) continue;
      std::vector<std::string> batch;
      batch.swap(queue);
      std::uint64_t first = durable_ticket + 1;
      lock.unlock();
      std::vector<storage::log_entry> entries;
      entries.reserve(batch.size());
      for (std::size_t i = 0; i < batch.size(); ++i) {
        entries.push_back(storage::log_entry{1, first + i, 0, std::move(batch[i])});
      }
      (*log)->append(std::move(entries));
      auto d = (*log)->sync();
      check(d.ok() ? ok_status() : status(d.err()), "sync");
      lock.lock();
      durable_ticket = *d;
      ++syncs;
      durable.notify_all();
    }
  });
  // The appenders are logical, like proposers sending to a replica actor: each has at most one
  // append outstanding and issues its next one as soon as the previous is reported durable. One
  // client thread drives all of them, so the figure measures the store, not 64 OS threads
  // contending for two cores.
  auto t0 = clock_type::now();
  auto deadline = t0 + std::chrono::duration<double>(seconds);
  std::thread client([&] {
    std::unique_lock<std::mutex> lock(mu);
    std::uint64_t seen = 0;
    for (std::size_t a = 0; a < appenders; ++a) queue.push_back(value_bytes_text());
    next_ticket += appenders;
    queued.notify_one();
    while (clock_type::now() < deadline) {
      durable.wait(lock, [&] { return durable_ticket > seen; });
      std::uint64_t completed = durable_ticket - seen;
      seen = durable_ticket;
      for (std::uint64_t i = 0; i < completed; ++i) queue.push_back(value_bytes_text());
      next_ticket += completed;
      queued.notify_one();
    }
  });
  client.join();
  double elapsed = seconds_since(t0);
  std::uint64_t completed_in_time = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    completed_in_time = durable_ticket;
    stop = true;
    queued.notify_one();
  }
  writer.join();
  report("appends_s", static_cast<double>(completed_in_time) / elapsed);
  report("entries_per_sync", static_cast<double>(durable_ticket) / static_cast<double>(syncs));
}

std::string make_dir(const std::string& parent, const char* name) {
  std::string pattern = parent + "/meridian-bench-" + name + "-XXXXXX";
  char* made = mkdtemp(pattern.data());
  return made ? std::string(made) : std::string();
}

}  // namespace

int run_storage_bench(const storage_bench_options& o) {
  std::string raw_dir = make_dir(o.dir, "raw");
  std::string ours_dir = make_dir(o.dir, "ours");
  std::string log_dir = make_dir(o.dir, "log");
  if (raw_dir.empty() || ours_dir.empty() || log_dir.empty()) {
    std::fprintf(stderr, "bench storage: cannot create directories under %s\n", o.dir.c_str());
    return 1;
  }
  std::printf("bench storage: %zu keys of 16 bytes, %zu-byte values, random order, on %s (%s)\n",
              o.keys, value_bytes, o.dir.c_str(), filesystem_name(o.dir).c_str());
  auto raw = run_in_child([&](const report_fn& r) { raw_lmdb_phase(raw_dir, o.keys, r); });
  auto ours = run_in_child([&](const report_fn& r) { ours_phase(ours_dir, o.keys, r); });
  auto log = run_in_child(
      [&](const report_fn& r) { log_phase(log_dir, o.appenders, o.append_seconds, r); });
  for (const auto& d : {raw_dir, ours_dir, log_dir}) std::filesystem::remove_all(d);
  if (!raw.ok || !ours.ok || !log.ok) {
    std::fprintf(stderr, "bench storage: a phase failed\n");
    return 1;
  }
  std::printf("  %-44s %14s %14s %7s  %s\n", "", "meridian", "raw LMDB", "ratio", "target");
  print_row("point gets/s (read txn per get)", field(ours, "gets_s"), field(raw, "gets_s"), "");
  print_row("MVCC snapshot gets/s", field(ours, "mvcc_gets_s"), field(raw, "gets_s"),
            ">= 0.40");
  print_row("synced batched writes/s (1000 puts/batch)", field(ours, "batched_puts_s"),
            field(raw, "batched_puts_s"), ">= 0.60");
  print_row("Raft log appends/s (" + std::to_string(o.appenders) + " appenders, group commit)",
            field(log, "appends_s"), field(raw, "batched_puts_s"),
            ">= 0.70 of raw batched puts");
  std::printf("  %-44s %14.0f\n", "  log entries per fsync (mean)", field(log, "entries_per_sync"));
  std::printf("  %-44s %14.1f %14.1f\n", "peak RSS MiB (write + read phases)",
              ours.peak_rss_kib / 1024.0, raw.peak_rss_kib / 1024.0);
  std::printf("  %-44s %14.1f\n", "peak RSS MiB (log append phase)", log.peak_rss_kib / 1024.0);
  std::printf("  %-44s %14.0f %14.0f\n", "heap in use KiB after 100k keys written",
              field(ours, "heap_at_100k_kib"), field(raw, "heap_at_100k_kib"));
  std::printf("  %-44s %14.0f %14.0f\n", ("heap in use KiB after " + with_commas(o.keys) +
                                            " keys written").c_str(),
              field(ours, "heap_at_end_kib"), field(raw, "heap_at_end_kib"));
  std::printf("  %-44s %14.0f\n", "heap in use KiB after all reads",
              field(ours, "heap_after_reads_kib"));
  std::printf("  (LMDB keeps the dirty pages of a write transaction on the heap, so the raw\n"
              "   column shows what the engine itself holds; Meridian's own part is the gap.)\n");
  if (field(ours, "found") != static_cast<double>(o.keys) ||
      field(ours, "mvcc_found") != static_cast<double>(o.keys) ||
      field(raw, "found") != static_cast<double>(o.keys)) {
    std::fprintf(stderr, "bench storage: reads missed keys that were written\n");
    return 1;
  }
  return 0;
}

}  // namespace meridian::bench
