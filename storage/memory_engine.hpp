// The in-memory twin of lmdb_engine: same interface and the same test suite, no disk. It keeps
// what is durable apart from what is only written, so lose_power() can drop every write not yet
// made durable — the crash the simulator needs, which a SIGKILL cannot show (the page cache
// survives a process crash). Owned by one actor; snapshots are copy-on-write.
#pragma once

#include <array>
#include <map>

#include "storage/engine.hpp"

namespace meridian::storage {

class memory_engine final : public kv_engine {
 public:
  using table = std::map<std::string, std::string, std::less<>>;
  struct state {
    std::array<table, cf_count> families;
  };

  memory_engine();

  result<std::unique_ptr<kv_snapshot>> snapshot() override;
  status write(const kv_write_batch& batch, durability d) override;
  status sync() override;

  // Simulated power loss: everything not durable is gone, as after a machine crash.
  void lose_power();
  // Writes not yet durable (for tests).
  std::size_t unsynced_batches() const { return unsynced_.size(); }
  std::size_t approximate_bytes() const;

 private:
  static void apply(state& s, const kv_write_batch& batch);
  std::shared_ptr<state> current_;
  state durable_;
  std::vector<kv_write_batch> unsynced_;
};

}  // namespace meridian::storage
