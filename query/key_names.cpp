// Readable key paths; see key_names.hpp.
#include "query/key_names.hpp"

#include <optional>
#include <variant>
#include <vector>

#include "query/value_ops.hpp"
#include "storage/key_codec.hpp"
#include "txn/outcome.hpp"

namespace meridian::query {
namespace {

// The whole key as a tuple, or nothing when it is not one.
std::optional<tuple> as_tuple(std::string_view key) {
  if (key.empty()) return std::nullopt;
  auto t = storage::codec::decode(key);
  if (!t) return std::nullopt;
  return std::move(*t);
}

// A value as a SQL literal, with control characters (a range end such as 'ap-south' followed by
// a NUL) shown as \xNN so that the line stays printable.
std::string literal(const datum& d) {
  const auto* text = std::get_if<std::string>(&d);
  if (!text) return sql_literal(d);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "'";
  for (char ch : *text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    } else {
      out.push_back(ch);
      if (ch == '\'') out.push_back(ch);
    }
  }
  return out + "'";
}

bool is_text(const datum& d, std::string_view s) {
  const auto* v = std::get_if<std::string>(&d);
  return v && *v == s;
}

bool is_table_key(const tuple& t) {
  return t.size() >= 2 && is_text(t[0], "t") && std::holds_alternative<std::int64_t>(t[1]);
}

// Not a table's key, or the key of a table `tables` names.
bool names_known_table(const tuple& t, const std::map<std::int64_t, std::string>& tables) {
  return !is_table_key(t) || tables.count(std::get<std::int64_t>(t[1])) > 0;
}

std::string path_of(const tuple& t, const std::map<std::int64_t, std::string>& tables) {
  std::string out;
  std::size_t from = 0;
  if (is_table_key(t)) {
    auto id = std::get<std::int64_t>(t[1]);
    auto name = tables.find(id);
    out = "/" + (name != tables.end() ? name->second : "table " + std::to_string(id));
    from = 2;
    if (t.size() > 2 && is_text(t[2], "r")) {
      from = 3;  // the row keys: what follows is the primary key
    } else if (t.size() > 3 && is_text(t[2], "i") && std::holds_alternative<std::int64_t>(t[3])) {
      out += "/index " + std::to_string(std::get<std::int64_t>(t[3]));
      from = 4;
    }
  } else if (!t.empty() && is_text(t[0], "m")) {
    out = "/catalog";
    from = 1;
    if (t.size() > 1 && std::holds_alternative<std::string>(t[1])) {
      out += "/" + std::get<std::string>(t[1]);
      from = 2;
    }
  }
  for (std::size_t i = from; i < t.size(); ++i) out += "/" + literal(t[i]);
  return out;
}

}  // namespace

std::string describe_key(std::string_view key, const std::map<std::int64_t, std::string>& tables) {
  auto whole = as_tuple(key);
  // A range end is often the prefix_end of a tuple: its last byte one higher. The end of table
  // 2's keys is also where table 3's would start: the name of a table that exists wins.
  std::optional<tuple> below;
  if (!key.empty() && static_cast<std::uint8_t>(key.back()) != 0) {
    std::string before(key);
    before.back() = static_cast<char>(static_cast<std::uint8_t>(before.back()) - 1);
    below = as_tuple(before);
  }
  bool below_wins = below && (!whole || (!names_known_table(*whole, tables) &&
                                          names_known_table(*below, tables)));
  if (below_wins) return path_of(*below, tables) + "/PrefixEnd";
  if (whole) return path_of(*whole, tables);
  return txn::printable_key(key);
}

}  // namespace meridian::query
