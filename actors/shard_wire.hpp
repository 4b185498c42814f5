// The byte-level reader and writer of the shard protocol's encodings, shared by the command and
// query encodings (shard_protocol.cpp) and the answers (shard_answers.cpp). Internal to actors/.
#pragma once

#include "actors/shard_protocol.hpp"
#include "common/byte_io.hpp"
#include "common/limits.hpp"

namespace meridian::actors::wire {

inline error malformed(const char* what) {
  return error(errc::invalid_argument, std::string("malformed shard ") + what);
}

struct writer {
  std::string out;
  byte_writer w{out};
  void u8(std::uint8_t v) { w.u8(v); }
  void u64(std::uint64_t v) { w.varint(v); }
  void flag(bool v) { w.u8(v ? 1 : 0); }
  void str(std::string_view s) { w.bytes(s); }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) str(s);
  }
  void read_options(const storage::read_options& o) {
    u64(o.read_ts);
    u64(o.bypass_locks.size());
    for (auto ts : o.bypass_locks) u64(ts);
  }
};

struct reader {
  explicit reader(std::string_view in) : r(in) {}
  byte_reader r;
  bool ok = true;
  std::uint8_t u8() {
    std::uint8_t v = 0;
    ok = ok && r.u8(v);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    ok = ok && r.varint(v);
    return v;
  }
  bool flag() { return u8() != 0; }
  std::string str() {
    std::string v;
    ok = ok && r.bytes(v);
    return v;
  }
  std::vector<std::string> strs(std::size_t max = limits::max_keys_per_command * 4) {
    std::uint64_t n = u64();
    std::vector<std::string> v;
    if (!ok || n > max) {
      ok = false;
      return v;
    }
    v.reserve(n);
    for (std::uint64_t i = 0; i < n && ok; ++i) v.push_back(str());
    return v;
  }
  storage::read_options read_options() {
    storage::read_options o;
    o.read_ts = u64();
    std::uint64_t n = u64();
    if (!ok || n > 1024) {
      ok = false;
      return o;
    }
    for (std::uint64_t i = 0; i < n && ok; ++i) o.bypass_locks.push_back(u64());
    return o;
  }
  bool done() const { return ok && r.done(); }
};

void write_lock(writer& w, const std::optional<storage::lock_record>& lock);
std::optional<storage::lock_record> read_lock(reader& r);
void write_locked_key(writer& w, const storage::locked_key& k);
std::optional<storage::locked_key> read_locked_key(reader& r);

}  // namespace meridian::actors::wire
