// Little helpers to serialize records: varints, fixed integers and length-prefixed bytes, with a
// reader that never reads past its input (malformed bytes are an error, not a crash).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meridian {

class byte_writer {
 public:
  explicit byte_writer(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void bytes(std::string_view b) {
    varint(b.size());
    out_.append(b);
  }

 private:
  std::string& out_;
};

class byte_reader {
 public:
  explicit byte_reader(std::string_view in) : in_(in) {}
  bool u8(std::uint8_t& v) {
    if (in_.empty()) return fail();
    v = static_cast<std::uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return fail();
      auto b = static_cast<std::uint8_t>(in_[0]);
      in_.remove_prefix(1);
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return fail();
  }
  bool bytes(std::string_view& b) {
    std::uint64_t n = 0;
    if (!varint(n) || n > in_.size()) return fail();
    b = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool bytes(std::string& b) {
    std::string_view v;
    if (!bytes(v)) return false;
    b.assign(v);
    return true;
  }
  bool done() const { return in_.empty(); }
  // The bytes not yet read.
  std::string_view rest() const { return in_; }
  bool ok() const { return ok_; }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace meridian
