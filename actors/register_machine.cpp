// The register state machine; see register_machine.hpp.
#include "actors/register_machine.hpp"

#include <map>

#include "common/byte_io.hpp"

namespace meridian::actors {
namespace {

std::string encode_optional(const std::optional<std::string>& v) {
  std::string out;
  byte_writer w(out);
  w.u8(v ? 1 : 0);
  if (v) w.bytes(*v);
  return out;
}

}  // namespace

std::string register_machine::write_command(const std::string& key, const std::string& value) {
  std::string out;
  byte_writer w(out);
  w.u8('W');
  w.bytes(key);
  w.bytes(value);
  return out;
}

std::string register_machine::cas_command(const std::string& key,
                                          const std::optional<std::string>& expected,
                                          const std::string& value) {
  std::string out;
  byte_writer w(out);
  w.u8('C');
  w.bytes(key);
  w.u8(expected ? 1 : 0);
  if (expected) w.bytes(*expected);
  w.bytes(value);
  return out;
}

std::string register_machine::read_query(const std::string& key) {
  std::string out;
  byte_writer w(out);
  w.u8('R');
  w.bytes(key);
  return out;
}

result<std::optional<std::string>> register_machine::decode_read(const std::string& output) {
  byte_reader r(output);
  std::uint8_t present = 0;
  std::string value;
  if (!r.u8(present) || (present == 1 && !r.bytes(value)) || !r.done()) {
    return error(errc::invalid_argument, "malformed register read answer");
  }
  if (present == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::move(value));
}

result<std::vector<std::string>> register_machine::apply(
    const std::vector<storage::log_entry>& entries, const std::optional<raft::conf_state>& conf,
    storage::kv_write_batch& batch) {
  std::vector<std::string> outputs;
  std::map<std::string, std::string> written;  // this batch's writes, seen by later commands
  auto snap = state_.engine().snapshot();
  if (!snap) return snap.err();
  auto current = [&](const std::string& key) -> result<std::optional<std::string>> {
    if (auto it = written.find(key); it != written.end()) return std::optional<std::string>(it->second);
    auto v = (*snap)->get(storage::cf::data, key);
    if (!v) return v.err();
    if (!v->has_value()) return std::optional<std::string>();
    return std::optional<std::string>(std::string(**v));
  };
  for (const auto& e : entries) {
    outputs.emplace_back();
    if (e.type != static_cast<std::uint8_t>(raft::entry_type::normal) || e.data.empty()) continue;
    byte_reader r(e.data);
    std::uint8_t op = 0;
    std::string key, value, expected;
    std::uint8_t has_expected = 0;
    if (!r.u8(op) || !r.bytes(key)) continue;  // malformed commands change nothing
    if (op == 'W' && r.bytes(value)) {
      written[key] = value;
    } else if (op == 'C' && r.u8(has_expected) && (has_expected == 0 || r.bytes(expected)) &&
               r.bytes(value)) {
      auto now = current(key);
      if (!now) return now.err();
      bool match = has_expected ? (now->has_value() && **now == expected) : !now->has_value();
      if (match) written[key] = value;
      outputs.back() = match ? "1" : "0";
    }
  }
  for (const auto& [k, v] : written) batch.put(storage::cf::data, k, v);
  state_.record(batch, entries.back().index, entries.back().term, conf);
  return outputs;
}

result<std::string> register_machine::query(const std::string& request) {
  byte_reader r(request);
  std::uint8_t op = 0;
  std::string key;
  if (!r.u8(op) || op != 'R' || !r.bytes(key)) {
    return error(errc::invalid_argument, "malformed register query");
  }
  auto snap = state_.read_view();
  if (!snap) return snap.err();
  auto v = (*snap)->get(storage::cf::data, key);
  if (!v) return v.err();
  if (!v->has_value()) return encode_optional(std::nullopt);
  return encode_optional(std::string(**v));
}

}  // namespace meridian::actors
