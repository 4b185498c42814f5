// The meta shard's state machine; see meta_machine.hpp. Layout in the `data` family:
//   "dir/" + 8-byte id -> shard record;  "tso_hw" -> 8-byte mark;
//   "gc/active/" + 8-byte node -> oldest active start_ts, reported_at;  "gc/safe_point" -> 8 bytes.
#include "actors/meta_machine.hpp"

#include "storage/key_codec.hpp"
#include "storage/memory_engine.hpp"
#include "storage/overlay.hpp"
#include "storage/partition_snapshot.hpp"

namespace meridian::actors {
namespace {

constexpr std::string_view hw_key = "tso_hw";
constexpr std::string_view next_id_key = "next_shard_id";
const std::string dir_prefix = "dir/";

const std::string gc_report_prefix = "gc/active/";
constexpr std::string_view gc_safe_point_key = "gc/safe_point";

std::string record_key(shard_id id) {
  std::string k = dir_prefix;
  storage::codec::append_u64_be(k, id);
  return k;
}

std::string report_key(node_id node) {
  std::string k = gc_report_prefix;
  storage::codec::append_u64_be(k, node);
  return k;
}

std::uint64_t u64_at(std::string_view bytes, std::size_t i) {
  return storage::codec::decode_u64_be(bytes.substr(i * 8, 8));
}

// A stored 8-byte number, 0 when absent.
result<std::uint64_t> stored_u64(storage::kv_snapshot& view, std::string_view key) {
  auto v = view.get(storage::cf::data, key);
  if (!v) return v.err();
  return v->has_value() ? storage::codec::decode_u64_be(**v) : 0;
}

// Garbage collection's commands: 'A' a node's report, 'S' the safe point. Both keep the newer
// value, so a delayed or duplicated command changes nothing.
status apply_gc(char tag, std::string_view body, storage::kv_snapshot& view,
                storage::kv_write_batch& b) {
  if (tag == 'A') {
    std::string key = report_key(u64_at(body, 0));
    auto current = view.get(storage::cf::data, key);
    if (!current) return current.err();
    if (!current->has_value() || u64_at(**current, 1) < u64_at(body, 2)) {
      b.put(storage::cf::data, key, body.substr(8));
    }
    return ok_status();
  }
  auto current = stored_u64(view, gc_safe_point_key);
  if (!current) return current.err();
  if (u64_at(body, 0) > *current) b.put(storage::cf::data, gc_safe_point_key, body);
  return ok_status();
}

// gc_state_query's answer: the safe point, then (node, oldest_active, reported_at) per node.
result<std::string> gc_state_answer(storage::kv_snapshot& snap) {
  auto sp = stored_u64(snap, gc_safe_point_key);
  if (!sp) return sp.err();
  std::string out;
  storage::codec::append_u64_be(out, *sp);
  auto c = snap.cursor(storage::cf::data);
  if (!c) return c.err();
  MERIDIAN_TRY((*c)->seek(gc_report_prefix));
  while ((*c)->valid() && (*c)->key().substr(0, gc_report_prefix.size()) == gc_report_prefix &&
         (*c)->value().size() == 16) {
    out.append((*c)->key().substr(gc_report_prefix.size(), 8));
    out.append((*c)->value());
    MERIDIAN_TRY((*c)->next());
  }
  return out;
}

// The record stored for `id`, if any.
result<std::optional<shard_record>> stored_record(storage::kv_snapshot& view, shard_id id) {
  auto v = view.get(storage::cf::data, record_key(id));
  if (!v) return v.err();
  if (!v->has_value()) return std::optional<shard_record>();
  auto r = decode_record(**v);
  if (!r) return r.err();
  return std::optional<shard_record>(std::move(*r));
}

// 'P' and 'F': record changes decided against the stored record, so that a leader publishing its
// new epoch and a placement setting a preference never undo each other (each read the directory
// at another moment). False when the command is malformed.
result<bool> guarded_record_change(char kind, std::string_view body, storage::kv_snapshot& view,
                                   storage::kv_write_batch& b) {
  if (kind == 'P') {
    auto mine = decode_record(body);
    if (!mine) return false;
    auto known = stored_record(view, mine->id);
    if (!known) return known.err();
    if (*known && (*known)->epoch >= mine->epoch) return true;  // the directory is as new
    if (*known) mine->preferred_dc = (*known)->preferred_dc;  // the placement's, not the leader's
    b.put(storage::cf::data, record_key(mine->id), encode_record(*mine));
    return true;
  }
  if (body.size() < 8) return false;
  auto known = stored_record(view, storage::codec::decode_u64_be(body.substr(0, 8)));
  if (!known) return known.err();
  if (!*known) return true;  // the shard is gone (merged away): nothing to prefer
  (*known)->preferred_dc = std::string(body.substr(8));
  b.put(storage::cf::data, record_key((*known)->id), encode_record(**known));
  return true;
}

}  // namespace

std::string meta_machine::publish_record_command(const shard_record& r) {
  return "P" + encode_record(r);
}

std::string meta_machine::prefer_command(shard_id id, const std::string& dc) {
  std::string out = "F";
  storage::codec::append_u64_be(out, id);
  return out + dc;
}

std::string meta_machine::put_records_command(const std::vector<shard_record>& records) {
  return "M" + encode_directory(records);
}

std::string meta_machine::raise_hw_command(std::uint64_t hw) {
  std::string out = "H";
  storage::codec::append_u64_be(out, hw);
  return out;
}

std::string meta_machine::allocate_shard_id_command() { return "N"; }

std::string meta_machine::report_active_command(const txn::gc_report& r) {
  std::string out = "A";
  storage::codec::append_u64_be(out, r.node);
  storage::codec::append_u64_be(out, r.oldest_active);
  storage::codec::append_u64_be(out, r.reported_at);
  return out;
}

std::string meta_machine::raise_safe_point_command(std::uint64_t safe_point) {
  std::string out = "S";
  storage::codec::append_u64_be(out, safe_point);
  return out;
}

std::string meta_machine::gc_state_query() { return "g"; }

result<meta_machine::gc_state> meta_machine::decode_gc_state(std::string_view bytes) {
  if (bytes.size() < 8 || (bytes.size() - 8) % 24 != 0) {
    return error(errc::invalid_argument, "malformed GC state from the meta shard");
  }
  gc_state st;
  st.safe_point = u64_at(bytes, 0);
  for (std::size_t i = 1; i * 8 < bytes.size(); i += 3) {
    st.reports.push_back({u64_at(bytes, i), u64_at(bytes, i + 1), u64_at(bytes, i + 2)});
  }
  return st;
}

std::string meta_machine::directory_query() { return "d"; }

result<std::string> meta_machine::initial_partition(const std::vector<shard_record>& records) {
  storage::memory_engine scratch;
  storage::kv_write_batch b;
  for (const auto& r : records) b.put(storage::cf::data, record_key(r.id), encode_record(r));
  MERIDIAN_TRY(scratch.write(b, storage::durability::sync));
  return storage::export_partition(scratch, storage::state_machine_families());
}
std::string meta_machine::hw_query() { return "h"; }

namespace {

// The next shard id: above every shard in the directory and every id handed out before.
result<std::string> allocate_shard_id(storage::kv_snapshot& view, storage::kv_write_batch& b) {
  auto stored = view.get(storage::cf::data, next_id_key);
  if (!stored) return stored.err();
  std::uint64_t next = stored->has_value() ? storage::codec::decode_u64_be(**stored) : 1;
  auto c = view.cursor(storage::cf::data);
  if (!c) return c.err();
  MERIDIAN_TRY((*c)->seek(dir_prefix));
  while ((*c)->valid() && (*c)->key().substr(0, dir_prefix.size()) == dir_prefix) {
    auto r = decode_record((*c)->value());
    if (r) next = std::max(next, r->id + 1);
    MERIDIAN_TRY((*c)->next());
  }
  std::string v;
  storage::codec::append_u64_be(v, next + 1);
  b.put(storage::cf::data, next_id_key, v);
  std::string answer;
  storage::codec::append_u64_be(answer, next);
  return answer;
}

// One command's writes into `b` and its output: "E" for a malformed command (which writes
// nothing), the new id for 'N', empty otherwise. An error is a storage failure.
result<std::string> apply_meta_command(std::string_view data, storage::kv_snapshot& view,
                                       storage::kv_write_batch& b) {
  const std::string malformed = "E";
  char kind = data[0];
  std::string_view body = data.substr(1);
  switch (kind) {
    case 'D': {  // one record, written as is (logs from before 'P' and 'F')
      auto r = decode_record(body);
      if (!r) return malformed;
      b.put(storage::cf::data, record_key(r->id), body);
      return std::string();
    }
    case 'M': {
      auto records = decode_directory(body);
      if (!records) return malformed;
      for (const auto& r : *records) b.put(storage::cf::data, record_key(r.id), encode_record(r));
      return std::string();
    }
    case 'N':
      if (!body.empty()) return malformed;
      return allocate_shard_id(view, b);
    case 'P':
    case 'F': {
      auto changed = guarded_record_change(kind, body, view, b);
      if (!changed) return changed.err();
      return *changed ? std::string() : malformed;
    }
    case 'H': {
      if (body.size() != 8) return malformed;
      auto current = view.get(storage::cf::data, hw_key);
      if (!current) return current.err();
      std::uint64_t now = current->has_value() ? storage::codec::decode_u64_be(**current) : 0;
      // The mark only rises: a stale raise (from a deposed leader) changes nothing.
      if (storage::codec::decode_u64_be(body) > now) b.put(storage::cf::data, hw_key, body);
      return std::string();
    }
    case 'A':
    case 'S':
      if (body.size() != (kind == 'A' ? 24u : 8u)) return malformed;
      MERIDIAN_TRY(apply_gc(kind, body, view, b));
      return std::string();
    default:
      return malformed;
  }
}

}  // namespace

result<std::vector<std::string>> meta_machine::apply(
    const std::vector<storage::log_entry>& entries, const std::optional<raft::conf_state>& conf,
    storage::kv_write_batch& batch) {
  auto base = state_.engine().snapshot();
  if (!base) return base.err();
  storage::batch_overlay overlay;
  std::vector<std::string> outputs;
  for (const auto& e : entries) {
    outputs.emplace_back();
    if (e.type != static_cast<std::uint8_t>(raft::entry_type::normal) || e.data.empty()) continue;
    storage::overlay_snapshot view(**base, overlay);
    storage::kv_write_batch b;
    auto out = apply_meta_command(e.data, view, b);
    if (!out) return out.err();
    outputs.back() = std::move(*out);
    overlay.add(b);  // empty for a malformed command
  }
  batch.append(overlay.batch());
  state_.record(batch, entries.back().index, entries.back().term, conf);
  return outputs;
}

result<std::string> meta_machine::query(const std::string& request) {
  auto snap = state_.read_view();
  if (!snap) return snap.err();
  if (request == hw_query()) {
    auto v = (*snap)->get(storage::cf::data, hw_key);
    if (!v) return v.err();
    std::string out;
    storage::codec::append_u64_be(out, v->has_value() ? storage::codec::decode_u64_be(**v) : 0);
    return out;
  }
  if (request == gc_state_query()) return gc_state_answer(**snap);
  if (request != directory_query()) return error(errc::invalid_argument, "unknown meta query");
  auto c = (*snap)->cursor(storage::cf::data);
  if (!c) return c.err();
  std::vector<shard_record> records;
  MERIDIAN_TRY((*c)->seek(dir_prefix));
  while ((*c)->valid() && (*c)->key().substr(0, dir_prefix.size()) == dir_prefix) {
    auto r = decode_record((*c)->value());
    if (!r) return r.err();
    records.push_back(std::move(*r));
    MERIDIAN_TRY((*c)->next());
  }
  return encode_directory(records);
}

}  // namespace meridian::actors
