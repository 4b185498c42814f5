// The LMDB engine; see lmdb_engine.hpp.
#include "storage/lmdb_engine.hpp"

#include "storage/key_codec.hpp"

namespace meridian::storage {

const char* cf_name(cf family) {
  switch (family) {
    case cf::data:
      return "data";
    case cf::lock:
      return "lock";
    case cf::write:
      return "write";
    case cf::meta:
      return "meta";
    case cf::raft_log:
      return "raft_log";
    case cf::raft_state:
      return "raft_state";
  }
  return "unknown";
}

namespace {

constexpr std::string_view format_key = format_version_key;

class lmdb_cursor final : public kv_cursor {
 public:
  explicit lmdb_cursor(lmdb::cursor c) : cursor_(std::move(c)) {}
  status seek(std::string_view key) override { return cursor_.seek(key); }
  status seek_for_prev(std::string_view key) override { return cursor_.seek_for_prev(key); }
  status first() override { return cursor_.first(); }
  status last() override { return cursor_.last(); }
  status next() override { return cursor_.next(); }
  status prev() override { return cursor_.prev(); }
  bool valid() const override { return cursor_.valid(); }
  std::string_view key() const override { return cursor_.key(); }
  std::string_view value() const override { return cursor_.value(); }

 private:
  lmdb::cursor cursor_;
};

}  // namespace

// Snapshot = one read-only LMDB transaction. Counts itself so the engine never resizes the map
// under an open reader.
class lmdb_snapshot_access final : public kv_snapshot {
 public:
  lmdb_snapshot_access(lmdb::txn t, const std::array<MDB_dbi, cf_count>& dbs,
                       std::atomic<int>& open)
      : txn_(std::move(t)), dbs_(dbs), open_(open) {
    open_.fetch_add(1);
  }
  ~lmdb_snapshot_access() override {
    txn_.abort();
    open_.fetch_sub(1);
  }
  result<std::optional<std::string_view>> get(cf family, std::string_view key) override {
    return txn_.get(dbs_[static_cast<std::size_t>(family)], key);
  }
  result<std::unique_ptr<kv_cursor>> cursor(cf family) override {
    auto c = lmdb::cursor::open(txn_, dbs_[static_cast<std::size_t>(family)]);
    if (!c) return c.err();
    return std::unique_ptr<kv_cursor>(new lmdb_cursor(std::move(*c)));
  }

 private:
  lmdb::txn txn_;
  const std::array<MDB_dbi, cf_count>& dbs_;
  std::atomic<int>& open_;
};

result<std::unique_ptr<lmdb_engine>> lmdb_engine::open(const std::string& directory,
                                                         const lmdb::env_options& options) {
  auto e = lmdb::env::open(directory, options);
  if (!e) return e.err();
  auto t = lmdb::txn::begin(*e, false);
  if (!t) return t.err();
  std::array<MDB_dbi, cf_count> dbs{};
  for (std::size_t i = 0; i < cf_count; ++i) {
    auto db = lmdb::open_database(*t, cf_name(static_cast<cf>(i)), true);
    if (!db) return db.err();
    dbs[i] = *db;
  }
  auto meta = dbs[static_cast<std::size_t>(cf::meta)];
  auto stored = t->get(meta, format_key);
  if (!stored) return stored.err();
  if (!stored->has_value()) {
    std::string v;
    codec::append_u64_be(v, format_version);
    MERIDIAN_TRY(t->put(meta, format_key, v));
  } else {
    std::uint64_t found = (*stored)->size() == 8 ? codec::decode_u64_be(**stored) : 0;
    if (found != format_version) {
      return error(errc::format_version_mismatch,
                   "the data directory " + directory + " has format version " +
                       std::to_string(found) + " but this build reads version " +
                       std::to_string(format_version) +
                       "; use the Meridian release that wrote it, or start from an empty "
                       "directory");
    }
  }
  MERIDIAN_TRY(t->commit());
  return std::unique_ptr<lmdb_engine>(new lmdb_engine(std::move(*e), dbs));
}

result<std::unique_ptr<kv_snapshot>> lmdb_engine::snapshot() {
  auto t = lmdb::txn::begin(env_, true);
  if (!t) return t.err();
  return std::unique_ptr<kv_snapshot>(new lmdb_snapshot_access(std::move(*t), dbs_,
                                                               open_snapshots_));
}

status lmdb_engine::write_once(const kv_write_batch& batch) {
  auto t = lmdb::txn::begin(env_, false);
  if (!t) return t.err();
  for (const auto& op : batch.ops()) {
    MDB_dbi db = dbs_[static_cast<std::size_t>(op.family)];
    switch (op.kind) {
      case kv_write_batch::op_kind::put:
        MERIDIAN_TRY(t->put(db, op.key, op.value));
        break;
      case kv_write_batch::op_kind::del:
        MERIDIAN_TRY(t->del(db, op.key));
        break;
      case kv_write_batch::op_kind::del_range: {
        // Collect first, then delete: simpler than reasoning about LMDB's cursor position
        // after mdb_cursor_del, and ranges deleted here (compacted log prefixes) are bounded.
        std::vector<std::string> doomed;
        {
          auto c = lmdb::cursor::open(*t, db);
          if (!c) return c.err();
          MERIDIAN_TRY(c->seek(op.key));
          while (c->valid() && c->key() < op.value) {
            doomed.emplace_back(c->key());
            MERIDIAN_TRY(c->next());
          }
        }
        for (const auto& k : doomed) MERIDIAN_TRY(t->del(db, k));
        break;
      }
    }
  }
  return t->commit();
}

status lmdb_engine::write(const kv_write_batch& batch, durability d) {
  bool want_meta_sync = d == durability::sync;
  if (want_meta_sync != meta_sync_) {
    MERIDIAN_TRY(env_.set_meta_sync(want_meta_sync));
    meta_sync_ = want_meta_sync;
  }
  for (;;) {
    status s = write_once(batch);
    if (s.ok() || !lmdb::is_map_full(s.err())) return s;  // a full disk is not a full map
    // MDB_MAP_FULL leaves the transaction unusable: it was aborted; grow the map and retry.
    if (open_snapshots_.load() > 0) {
      return error(errc::storage_full,
                   "the partition at " + env_.path() + " is full and cannot grow while " +
                       std::to_string(open_snapshots_.load()) + " read snapshots are open");
    }
    MERIDIAN_TRY(env_.grow_map());
  }
}

status lmdb_engine::sync() {
  if (int rc = mdb_env_sync(env_.get(), 1); rc != 0) {
    return lmdb::make_error("mdb_env_sync", rc, env_.path());
  }
  return ok_status();
}

std::size_t lmdb_engine::used_bytes() const {
  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(env_.get(), &info);
  mdb_env_stat(env_.get(), &st);
  return (info.me_last_pgno + 1) * st.ms_psize;
}

}  // namespace meridian::storage
