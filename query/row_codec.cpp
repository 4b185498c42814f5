// Row and value encoding; see row_codec.hpp. Integers are zigzag varints (small ids and counts
// take a byte or two); doubles and decimals are fixed-width little-endian.
#include "query/row_codec.hpp"

#include <cstring>

namespace meridian::query {
namespace {

constexpr std::uint8_t row_format = 1;

enum value_tag : std::uint8_t {
  tag_null = 0,
  tag_false = 1,
  tag_true = 2,
  tag_int = 3,
  tag_double = 4,
  tag_decimal = 5,
  tag_timestamp = 6,
  tag_text = 7,
  tag_bytes = 8,
  tag_uint = 9,
};

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void append_fixed(std::string& out, const void* p, std::size_t n) {
  out.append(static_cast<const char*>(p), n);
}

error corrupt(const char* what) {
  return error(errc::storage_corrupt, std::string("malformed row value: ") + what);
}

bool read_fixed(byte_reader& in, void* p, std::size_t n) {
  std::string_view rest = in.rest();
  if (rest.size() < n) return false;
  std::memcpy(p, rest.data(), n);
  std::uint8_t skip;
  for (std::size_t i = 0; i < n; ++i) in.u8(skip);
  return true;
}

}  // namespace

void append_value(std::string& out, const datum& value) {
  byte_writer w(out);
  switch (value.index()) {
    case 0: w.u8(tag_null); break;
    case 1: w.u8(std::get<bool>(value) ? tag_true : tag_false); break;
    case 2:
      w.u8(tag_int);
      w.varint(zigzag(std::get<std::int64_t>(value)));
      break;
    case 3:
      w.u8(tag_uint);
      w.varint(std::get<std::uint64_t>(value));
      break;
    case 4: {
      w.u8(tag_double);
      double d = std::get<double>(value);
      append_fixed(out, &d, sizeof d);
      break;
    }
    case 5: {
      const auto& d = std::get<decimal>(value);
      w.u8(tag_decimal);
      w.u8(static_cast<std::uint8_t>(d.scale()));
      __int128 u = d.unscaled();
      append_fixed(out, &u, sizeof u);
      break;
    }
    case 6:
      w.u8(tag_timestamp);
      w.varint(zigzag(std::get<timestamp_value>(value).micros));
      break;
    case 7:
      w.u8(tag_text);
      w.bytes(std::get<std::string>(value));
      break;
    default:
      w.u8(tag_bytes);
      w.bytes(std::get<bytes_value>(value).data);
      break;
  }
}

result<datum> read_value(byte_reader& in) {
  std::uint8_t tag = 0;
  if (!in.u8(tag)) return corrupt("truncated value");
  std::uint64_t v = 0;
  switch (tag) {
    case tag_null: return datum(null_value{});
    case tag_false: return datum(false);
    case tag_true: return datum(true);
    case tag_int:
      if (!in.varint(v)) return corrupt("truncated integer");
      return datum(unzigzag(v));
    case tag_uint:
      if (!in.varint(v)) return corrupt("truncated integer");
      return datum(v);
    case tag_double: {
      double d = 0;
      if (!read_fixed(in, &d, sizeof d)) return corrupt("truncated double");
      return datum(d);
    }
    case tag_decimal: {
      std::uint8_t scale = 0;
      __int128 u = 0;
      if (!in.u8(scale) || !read_fixed(in, &u, sizeof u)) return corrupt("truncated decimal");
      constexpr __int128 limit = static_cast<__int128>(10'000'000'000'000'000'000ULL) *
                                 static_cast<__int128>(10'000'000'000'000'000'000ULL);
      if (scale > decimal::max_scale || u >= limit || u <= -limit) return corrupt("decimal range");
      return datum(decimal(u, scale));
    }
    case tag_timestamp:
      if (!in.varint(v)) return corrupt("truncated timestamp");
      return datum(timestamp_value{unzigzag(v)});
    case tag_text: {
      std::string s;
      if (!in.bytes(s)) return corrupt("truncated text");
      return datum(std::move(s));
    }
    case tag_bytes: {
      std::string s;
      if (!in.bytes(s)) return corrupt("truncated bytes");
      return datum(bytes_value{std::move(s)});
    }
    default: return corrupt("unknown value tag");
  }
}

std::string encode_row(const table_descriptor& table, const row& values) {
  MERIDIAN_ASSERT(values.size() == table.columns.size(), "row width differs from the table's");
  std::string out;
  out.reserve(1 + values.size() * 10);
  out.push_back(static_cast<char>(row_format));
  byte_writer w(out);
  for (std::size_t i = 0; i < values.size(); ++i) {
    w.varint(table.columns[i].id);
    append_value(out, values[i]);
  }
  return out;
}

result<row> decode_row(const table_descriptor& table, std::string_view encoded) {
  if (encoded.empty() || static_cast<std::uint8_t>(encoded[0]) != row_format) {
    return corrupt("unknown row format");
  }
  byte_reader in(encoded.substr(1));
  row out;
  out.reserve(table.columns.size());
  std::size_t next = 0;  // the next column position to fill
  while (!in.done()) {
    std::uint64_t id = 0;
    if (!in.varint(id)) return corrupt("truncated column id");
    while (next < table.columns.size() && table.columns[next].id < id) {
      out.push_back(table.columns[next].absent_value);
      ++next;
    }
    if (next == table.columns.size() || table.columns[next].id != id) {
      return corrupt("column id not in the table (or out of order)");
    }
    auto value = read_value(in);
    if (!value) return value.err();
    // Operators rely on values having their column's type.
    if (!value_has_type(*value, table.columns[next].type)) return corrupt("value of the wrong type");
    out.push_back(std::move(*value));
    ++next;
  }
  for (; next < table.columns.size(); ++next) out.push_back(table.columns[next].absent_value);
  return out;
}

}  // namespace meridian::query
