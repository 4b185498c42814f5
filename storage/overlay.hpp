// A snapshot with a write batch laid over it ("read your own batch", like RocksDB's
// WriteBatchWithIndex): a replica applies a ready's commands one after another into one batch,
// and each command must see the writes of the commands before it although nothing is committed
// yet. batch_overlay indexes the batch; overlay_snapshot answers gets and cursors as if the batch
// had been applied to the base snapshot. Views it returns are valid until the overlay changes.
// Pure; used on the replica's thread.
#pragma once

#include <array>
#include <map>
#include <optional>

#include "storage/engine.hpp"

namespace meridian::storage {

class batch_overlay {
 public:
  // Adds the ops of `b` (in order) to the overlay and to the combined batch.
  void add(const kv_write_batch& b);
  const kv_write_batch& batch() const { return batch_; }
  bool empty() const { return batch_.empty(); }
  void clear();

  struct family_view {
    std::map<std::string, std::optional<std::string>, std::less<>> entries;  // nullopt = deleted
    std::vector<std::pair<std::string, std::string>> deleted_ranges;         // [start, end)
    bool range_deleted(std::string_view key) const;
    bool empty() const;
  };
  const family_view& family(cf f) const { return families_[static_cast<std::size_t>(f)]; }

 private:
  std::array<family_view, cf_count> families_;
  kv_write_batch batch_;
};

class overlay_snapshot final : public kv_snapshot {
 public:
  // REQUIRES: both outlive this snapshot and its cursors.
  overlay_snapshot(kv_snapshot& base, const batch_overlay& overlay)
      : base_(base), overlay_(overlay) {}
  result<std::optional<std::string_view>> get(cf family, std::string_view key) override;
  result<std::unique_ptr<kv_cursor>> cursor(cf family) override;

 private:
  kv_snapshot& base_;
  const batch_overlay& overlay_;
};

// A kv_engine that reads as `base` with an overlay laid over it, and writes to `base`. A replica
// applies committed commands into such an overlay and moves them into the engine in batches
// (replica.hpp, "flushes"): the state machine reads and applies through this view, so it never
// sees the difference. Writing to the base a key the overlay holds is the caller's mistake: the
// overlay would hide it (a replica clears its overlay before a snapshot replaces the state).
class layered_engine final : public kv_engine {
 public:
  explicit layered_engine(kv_engine& base) : base_(base) {}
  // REQUIRES: `overlay` outlives its use here; null removes it.
  void set_overlay(const batch_overlay* overlay) { overlay_ = overlay; }
  kv_engine& base() { return base_; }
  result<std::unique_ptr<kv_snapshot>> snapshot() override;
  status write(const kv_write_batch& batch, durability d) override { return base_.write(batch, d); }
  status sync() override { return base_.sync(); }

 private:
  kv_engine& base_;
  const batch_overlay* overlay_ = nullptr;
};

// An overlay_snapshot that owns its base: the state as if `overlay` (which must outlive it) had
// been applied to `base`. Applying a batch that is already in the base changes nothing, so it
// also reads right when the base was taken after the batch was written.
std::unique_ptr<kv_snapshot> overlay_on(std::unique_ptr<kv_snapshot> base,
                                        const batch_overlay& overlay);

}  // namespace meridian::storage
