// The shard directory: which shards exist, the key range and epoch of each, the nodes holding its
// replicas and the datacenter that should lead it. Kept in the meta shard (meta_machine) and
// cached by routers. A lookup finds the shard holding a key. Pure data; no thread affinity.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/topology.hpp"

namespace meridian::actors {

// The meta shard's id: it holds the directory and the timestamp oracle's mark, not user keys.
inline constexpr shard_id meta_shard = 0;

struct shard_record {
  shard_id id = 0;
  std::string start;  // inclusive
  std::string end;    // exclusive; empty = no upper bound
  std::uint64_t epoch = 1;
  std::vector<node_id> replicas;
  std::string preferred_dc;  // empty = no preference
  bool contains(std::string_view key) const {
    return key >= start && (end.empty() || key < end);
  }
  friend bool operator==(const shard_record& a, const shard_record& b) {
    return a.id == b.id && a.start == b.start && a.end == b.end && a.epoch == b.epoch &&
           a.replicas == b.replicas && a.preferred_dc == b.preferred_dc;
  }
};

std::string encode_record(const shard_record& r);
result<shard_record> decode_record(std::string_view bytes);

class directory {
 public:
  // Replaces a shard's record when the new one is not older (by epoch).
  void update(const shard_record& r);
  void clear() { by_start_.clear(); }
  // The shard whose range holds `key`, if known.
  const shard_record* lookup(std::string_view key) const;
  const shard_record* find(shard_id id) const;
  // The shards overlapping [start, end) (empty end = no bound), in key order.
  std::vector<const shard_record*> overlapping(std::string_view start, std::string_view end) const;
  std::vector<shard_record> all() const;
  bool empty() const { return by_start_.empty(); }

 private:
  std::map<std::string, shard_record, std::less<>> by_start_;
};

std::string encode_directory(const std::vector<shard_record>& records);
result<std::vector<shard_record>> decode_directory(std::string_view bytes);

}  // namespace meridian::actors
