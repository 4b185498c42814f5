// The order-preserving key codec; see key_codec.hpp for the contract.
//
// DECIMAL is encoded from its normalized form (trailing fractional zeros removed) as a sign
// class, a decimal exponent and the significant digits, so 1.5 and 1.50 encode the same and
// values of any scale order correctly. Negative values invert every byte after the sign class.
// Doubles flip the sign bit (positives) or all bits (negatives); -0.0 is stored as +0.0 and
// every NaN as one canonical NaN, which sorts above +inf.
#include "storage/key_codec.hpp"

#include <cmath>
#include <cstring>

namespace meridian::storage::codec {
namespace {

constexpr std::size_t group_bytes = 8;
constexpr std::uint8_t group_marker = 0xFF;

error corrupt(const char* what) {
  return error(errc::storage_corrupt, std::string("malformed encoded key: ") + what);
}

std::uint64_t double_to_ordered(double v) {
  if (std::isnan(v)) return ~std::uint64_t{0};  // above the encoding of +inf
  if (v == 0) v = 0.0;                          // folds -0.0 into +0.0
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits & (std::uint64_t{1} << 63)) ? ~bits : bits | (std::uint64_t{1} << 63);
}

double ordered_to_double(std::uint64_t u) {
  if (u == ~std::uint64_t{0}) return std::nan("");
  std::uint64_t bits = (u & (std::uint64_t{1} << 63)) ? u & ~(std::uint64_t{1} << 63) : ~u;
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// Decimal sign classes.
constexpr std::uint8_t dec_negative = 0x01;
constexpr std::uint8_t dec_zero = 0x02;
constexpr std::uint8_t dec_positive = 0x03;

void append_decimal(std::string& out, const decimal& value) {
  decimal n = value.normalized();
  if (n.sign() == 0) {
    out.push_back(static_cast<char>(dec_zero));
    return;
  }
  bool negative = n.sign() < 0;
  std::string digits = i128_to_string(negative ? -n.unscaled() : n.unscaled());
  // value = 0.d1d2...dk * 10^exponent; exponent in [-37, 38] for 38-digit decimals.
  int exponent = static_cast<int>(digits.size()) - n.scale();
  auto put = [&](std::uint8_t b) { out.push_back(static_cast<char>(negative ? ~b : b)); };
  out.push_back(static_cast<char>(negative ? dec_negative : dec_positive));
  put(static_cast<std::uint8_t>(exponent + 128));
  for (char c : digits) put(static_cast<std::uint8_t>(c - '0' + 1));
  put(0x00);  // terminator: sorts below every digit, so a shorter mantissa sorts first
}

result<decimal> read_decimal(std::string_view& in) {
  if (in.empty()) return corrupt("truncated decimal");
  auto sign_class = static_cast<std::uint8_t>(in[0]);
  in.remove_prefix(1);
  if (sign_class == dec_zero) return decimal();
  if (sign_class != dec_negative && sign_class != dec_positive) return corrupt("decimal sign");
  bool negative = sign_class == dec_negative;
  auto get = [&](std::size_t i) {
    auto b = static_cast<std::uint8_t>(in[i]);
    return negative ? static_cast<std::uint8_t>(~b) : b;
  };
  if (in.empty()) return corrupt("truncated decimal exponent");
  int exponent = static_cast<int>(get(0)) - 128;
  __int128 unscaled = 0;
  int count = 0;
  std::size_t i = 1;
  for (;; ++i) {
    if (i >= in.size()) return corrupt("unterminated decimal");
    std::uint8_t b = get(i);
    if (b == 0) break;
    if (b < 1 || b > 10 || ++count > decimal::max_precision) return corrupt("decimal digit");
    unscaled = unscaled * 10 + (b - 1);
  }
  in.remove_prefix(i + 1);
  int scale = count - exponent;
  if (scale < 0) {
    if (count - scale > decimal::max_precision) return corrupt("decimal exponent");
    unscaled *= pow10_i128(-scale);
    scale = 0;
  }
  if (scale > decimal::max_scale) return corrupt("decimal scale");
  return decimal(negative ? -unscaled : unscaled, scale);
}

}  // namespace

void append_u64_be(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

std::uint64_t decode_u64_be(std::string_view b) {
  MERIDIAN_ASSERT(b.size() >= 8, "decode_u64_be needs 8 bytes");
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(b[i]);
  return v;
}

void append_ts_desc(std::string& out, std::uint64_t ts) { append_u64_be(out, ~ts); }
std::uint64_t decode_ts_desc(std::string_view b) { return ~decode_u64_be(b); }

std::size_t ordered_bytes_size(std::size_t raw_bytes) {
  return (raw_bytes / group_bytes + 1) * (group_bytes + 1);
}

void append_ordered_bytes(std::string& out, std::string_view raw) {
  out.reserve(out.size() + ordered_bytes_size(raw.size()));
  std::size_t i = 0;
  for (;; i += group_bytes) {
    std::size_t n = std::min(group_bytes, raw.size() - i);
    out.append(raw.data() + i, n);
    out.append(group_bytes - n, '\0');
    out.push_back(static_cast<char>(group_marker - (group_bytes - n)));
    if (n < group_bytes) break;
  }
}

result<std::string> read_ordered_bytes(std::string_view& in) {
  std::string raw;
  std::size_t pos = 0;
  for (;;) {
    if (in.size() - pos < group_bytes + 1) return corrupt("truncated byte group");
    auto marker = static_cast<std::uint8_t>(in[pos + group_bytes]);
    std::size_t pad = group_marker - marker;
    if (pad > group_bytes) return corrupt("byte group marker");
    raw.append(in.data() + pos, group_bytes - pad);
    for (std::size_t j = group_bytes - pad; j < group_bytes; ++j) {
      if (in[pos + j] != '\0') return corrupt("byte group padding");
    }
    pos += group_bytes + 1;
    if (pad != 0) break;
  }
  in.remove_prefix(pos);
  return raw;
}

void append(std::string& out, const datum& value) {
  switch (value.index()) {
    case 0:
      out.push_back(static_cast<char>(tag_null));
      return;
    case 1:
      out.push_back(static_cast<char>(tag_bool));
      out.push_back(std::get<bool>(value) ? 1 : 0);
      return;
    case 2:
      out.push_back(static_cast<char>(tag_int64));
      append_u64_be(out, static_cast<std::uint64_t>(std::get<std::int64_t>(value)) ^
                             (std::uint64_t{1} << 63));
      return;
    case 3:
      out.push_back(static_cast<char>(tag_uint64));
      append_u64_be(out, std::get<std::uint64_t>(value));
      return;
    case 4:
      out.push_back(static_cast<char>(tag_double));
      append_u64_be(out, double_to_ordered(std::get<double>(value)));
      return;
    case 5:
      out.push_back(static_cast<char>(tag_decimal));
      append_decimal(out, std::get<decimal>(value));
      return;
    case 6:
      out.push_back(static_cast<char>(tag_timestamp));
      append_u64_be(out, static_cast<std::uint64_t>(std::get<timestamp_value>(value).micros) ^
                             (std::uint64_t{1} << 63));
      return;
    case 7:
      out.push_back(static_cast<char>(tag_string));
      append_ordered_bytes(out, std::get<std::string>(value));
      return;
    default:
      out.push_back(static_cast<char>(tag_bytes));
      append_ordered_bytes(out, std::get<bytes_value>(value).data);
      return;
  }
}

void append_tuple(std::string& out, const tuple& values) {
  for (const auto& v : values) append(out, v);
}

std::string encode(const tuple& values) {
  std::string out;
  append_tuple(out, values);
  return out;
}

result<datum> read_datum(std::string_view& in) {
  if (in.empty()) return corrupt("missing type tag");
  auto t = static_cast<std::uint8_t>(in[0]);
  in.remove_prefix(1);
  auto fixed8 = [&](std::uint64_t& v) -> status {
    if (in.size() < 8) return corrupt("truncated 8-byte value");
    v = decode_u64_be(in);
    in.remove_prefix(8);
    return ok_status();
  };
  std::uint64_t v = 0;
  switch (t) {
    case tag_null:
      return datum{null_value{}};
    case tag_bool:
      if (in.empty() || static_cast<std::uint8_t>(in[0]) > 1) return corrupt("bool");
      v = static_cast<std::uint8_t>(in[0]);
      in.remove_prefix(1);
      return datum{v == 1};
    case tag_int64:
      MERIDIAN_TRY(fixed8(v));
      return datum{static_cast<std::int64_t>(v ^ (std::uint64_t{1} << 63))};
    case tag_uint64:
      MERIDIAN_TRY(fixed8(v));
      return datum{v};
    case tag_double:
      MERIDIAN_TRY(fixed8(v));
      return datum{ordered_to_double(v)};
    case tag_decimal: {
      auto d = read_decimal(in);
      if (!d) return d.err();
      return datum{*d};
    }
    case tag_timestamp:
      MERIDIAN_TRY(fixed8(v));
      return datum{timestamp_value{static_cast<std::int64_t>(v ^ (std::uint64_t{1} << 63))}};
    case tag_string: {
      auto s = read_ordered_bytes(in);
      if (!s) return s.err();
      return datum{std::move(*s)};
    }
    case tag_bytes: {
      auto s = read_ordered_bytes(in);
      if (!s) return s.err();
      return datum{bytes_value{std::move(*s)}};
    }
    default:
      return corrupt("unknown type tag");
  }
}

result<tuple> decode(std::string_view in) {
  tuple out;
  while (!in.empty()) {
    auto d = read_datum(in);
    if (!d) return d.err();
    out.push_back(std::move(*d));
  }
  return out;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<std::uint8_t>(end.back());
    if (last != 0xFF) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace meridian::storage::codec
