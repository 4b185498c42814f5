// Shared state-machine bookkeeping; see state_machine.hpp.
#include "actors/state_machine.hpp"

#include "common/byte_io.hpp"
#include "storage/mvcc.hpp"
#include "storage/partition_snapshot.hpp"

namespace meridian::actors {
namespace {

constexpr std::string_view conf_key = "conf_state";
constexpr std::string_view term_key = "applied_term";

}  // namespace

std::string encode_conf_state(const raft::conf_state& conf) {
  std::string out;
  byte_writer w(out);
  w.varint(conf.voters.size());
  for (auto v : conf.voters) w.varint(v);
  w.varint(conf.learners.size());
  for (auto l : conf.learners) w.varint(l);
  return out;
}

result<raft::conf_state> decode_conf_state(std::string_view bytes) {
  byte_reader r(bytes);
  raft::conf_state conf;
  std::uint64_t n = 0;
  auto list = [&](std::vector<raft::node_id>& out) {
    if (!r.varint(n) || n > 1024) return false;
    out.resize(n);
    for (auto& id : out) {
      if (!r.varint(id)) return false;
    }
    return true;
  };
  if (!list(conf.voters) || !list(conf.learners) || !r.done()) {
    return error(errc::storage_corrupt, "the stored membership is malformed");
  }
  return conf;
}

result<applied_state> engine_state::load() {
  auto snap = engine_.snapshot();
  if (!snap) return snap.err();
  storage::mvcc_reader reader(**snap);
  applied_state out;
  auto index = reader.applied_index();
  if (!index) return index.err();
  out.index = *index;
  auto term = (*snap)->get(storage::cf::meta, term_key);
  if (!term) return term.err();
  if (term->has_value()) {
    byte_reader r(**term);
    if (!r.varint(out.term)) return error(errc::storage_corrupt, "the applied term is malformed");
  }
  auto raw = (*snap)->get(storage::cf::meta, conf_key);
  if (!raw) return raw.err();
  if (raw->has_value()) {
    auto conf = decode_conf_state(**raw);
    if (!conf) return conf.err();
    out.conf = std::move(*conf);
  }
  return out;
}

void engine_state::record(storage::kv_write_batch& batch, std::uint64_t index,
                          std::uint64_t term, const std::optional<raft::conf_state>& conf) {
  storage::put_applied_index(batch, index);
  std::string t;
  byte_writer(t).varint(term);
  batch.put(storage::cf::meta, term_key, t);
  if (conf) batch.put(storage::cf::meta, conf_key, encode_conf_state(*conf));
}

result<std::string> engine_state::snapshot_data() {
  return storage::export_partition(engine_, storage::state_machine_families());
}

status engine_state::restore(const raft::snapshot& snap) {
  if (snap.data.empty()) {
    // A bootstrap snapshot carries no state: start empty at its index with its membership.
    storage::kv_write_batch b;
    for (auto family : storage::state_machine_families()) {
      b.del_range(family, "", std::string(512, '\xff'));
    }
    record(b, snap.metadata.index, snap.metadata.term, snap.metadata.conf);
    return engine_.write(b, storage::durability::sync);
  }
  MERIDIAN_TRY(storage::import_partition(engine_, snap.data, storage::state_machine_families(),
                                         storage::durability::sync));
  // The imported meta carries the sender's applied index; the snapshot's metadata is the truth.
  storage::kv_write_batch b;
  record(b, snap.metadata.index, snap.metadata.term, snap.metadata.conf);
  return engine_.write(b, storage::durability::sync);
}

}  // namespace meridian::actors
