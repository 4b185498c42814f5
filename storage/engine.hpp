// The storage engine interface: an ordered key-value store with a fixed set of column families,
// consistent read snapshots and atomic write batches (LevelDB's Env/DB split, etcd's
// MemoryStorage twin). Two implementations pass the same test suite: lmdb_engine (one LMDB
// environment per shard replica, the only one that touches disk) and memory_engine (the
// in-memory twin, which can also "lose power" for the simulator).
// An engine is owned by one actor; snapshots may be read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace meridian::storage {

// Column families, one named LMDB database each inside a replica's environment.
enum class cf : std::uint8_t {
  data = 0,        // Percolator: (key, start_ts) -> value
  lock = 1,        // Percolator: key -> lock record
  write = 2,       // Percolator: (key, commit_ts) -> write record
  meta = 3,        // applied Raft index, format version, GC safe point
  raft_log = 4,    // index -> (term, type, payload)
  raft_state = 5,  // hard state, snapshot marker
};
inline constexpr std::size_t cf_count = 6;
// An engine's own stamp in `meta` (lmdb_engine writes its on-disk format version there on open):
// a property of the engine, not of the state stored in it.
inline constexpr std::string_view format_version_key = "format_version";
const char* cf_name(cf family);

class kv_cursor {
 public:
  virtual ~kv_cursor() = default;
  // First key >= key.
  virtual status seek(std::string_view key) = 0;
  // Last key <= key.
  virtual status seek_for_prev(std::string_view key) = 0;
  // First and last keys of the column family.
  virtual status first() = 0;
  virtual status last() = 0;
  virtual status next() = 0;
  virtual status prev() = 0;
  virtual bool valid() const = 0;
  // Views valid until the cursor moves or its snapshot ends.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
};

// A consistent point-in-time view. Views it returns live as long as the snapshot.
class kv_snapshot {
 public:
  virtual ~kv_snapshot() = default;
  virtual result<std::optional<std::string_view>> get(cf family, std::string_view key) = 0;
  virtual result<std::unique_ptr<kv_cursor>> cursor(cf family) = 0;
};

class kv_write_batch {
 public:
  enum class op_kind : std::uint8_t { put, del, del_range };
  struct op {
    op_kind kind;
    cf family;
    std::string key;
    std::string value;  // put: the value; del_range: the exclusive end key
  };

  void put(cf family, std::string_view key, std::string_view value) {
    bytes_ += key.size() + value.size();
    ops_.push_back(op{op_kind::put, family, std::string(key), std::string(value)});
  }
  void del(cf family, std::string_view key) {
    bytes_ += key.size();
    ops_.push_back(op{op_kind::del, family, std::string(key), {}});
  }
  // Deletes every key in [start, end).
  void del_range(cf family, std::string_view start, std::string_view end) {
    bytes_ += start.size() + end.size();
    ops_.push_back(op{op_kind::del_range, family, std::string(start), std::string(end)});
  }
  void append(const kv_write_batch& other) {
    ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
    bytes_ += other.bytes_;
  }
  const std::vector<op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  std::size_t bytes() const { return bytes_; }
  void clear() {
    ops_.clear();
    bytes_ = 0;
  }

 private:
  std::vector<op> ops_;
  std::size_t bytes_ = 0;
};

// How durable a write must be before write() returns.
//  sync:    on stable storage; survives power loss.
//  relaxed: atomic and consistent, but a power loss may undo it (and any later relaxed writes)
//           until the next sync write or sync(). Used where the Raft log can replay the write,
//           e.g. applying committed entries, whose applied index travels in the same batch.
enum class durability : std::uint8_t { sync, relaxed };

class kv_engine {
 public:
  virtual ~kv_engine() = default;
  virtual result<std::unique_ptr<kv_snapshot>> snapshot() = 0;
  // Applies the whole batch atomically, in order.
  virtual status write(const kv_write_batch& batch, durability d) = 0;
  // Makes every earlier relaxed write durable.
  virtual status sync() = 0;
};

}  // namespace meridian::storage
