// Keyword lookup and the names error messages give to tokens. The keyword table is built once,
// bucketed by length, and only read afterwards (thread-safe static initialisation), so lookups
// from any thread share it.
#include "sql_lite_parser/token.hpp"

#include <array>

namespace meridian::sql {
namespace {

struct keyword_row {
  keyword kw;
  std::string_view spelling;
  bool reserved;
};

constexpr keyword_row keyword_rows[] = {
#define MERIDIAN_SQL_KEYWORD_ROW(name, spelling, reserved) {keyword::name, spelling, reserved},
    MERIDIAN_SQL_KEYWORDS(MERIDIAN_SQL_KEYWORD_ROW)
#undef MERIDIAN_SQL_KEYWORD_ROW
};

constexpr std::size_t keyword_count = std::size(keyword_rows);
constexpr std::size_t longest_keyword = 11;  // TRANSACTION

// Rows grouped by spelling length: a lookup compares against a handful of candidates.
struct keyword_index {
  std::array<std::array<std::uint8_t, keyword_count>, longest_keyword + 1> rows{};
  std::array<std::uint8_t, longest_keyword + 1> counts{};

  keyword_index() {
    for (std::size_t i = 0; i < keyword_count; ++i) {
      std::size_t n = keyword_rows[i].spelling.size();
      rows[n][counts[n]++] = static_cast<std::uint8_t>(i);
    }
  }
};

const keyword_index& index() {
  static const keyword_index built;
  return built;
}


}  // namespace

// At most 32 bytes (cut at a code point, marked "..."), control characters escaped.
std::string shorten(std::string_view text) {
  constexpr std::size_t max_shown = 32;
  std::size_t end = text.size();
  if (end > max_shown) {
    end = max_shown;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  std::string out;
  for (std::size_t i = 0; i < end; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (end < text.size()) out += "...";
  return out;
}

keyword lookup_keyword(std::string_view word) {
  std::size_t n = word.size();
  if (n == 0 || n > longest_keyword) return keyword::none;
  char upper[longest_keyword];
  for (std::size_t i = 0; i < n; ++i) {
    char c = word[i];
    upper[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const keyword_index& idx = index();
  for (std::size_t k = 0; k < idx.counts[n]; ++k) {
    const keyword_row& row = keyword_rows[idx.rows[n][k]];
    std::size_t i = 0;
    while (i < n && row.spelling[i] == upper[i]) ++i;  // shorter than a call to memcmp
    if (i == n) return row.kw;
  }
  return keyword::none;
}

std::string_view keyword_spelling(keyword kw) {
  if (kw == keyword::none) return {};
  return keyword_rows[static_cast<std::size_t>(kw) - 1].spelling;
}

bool is_reserved(keyword kw) {
  if (kw == keyword::none) return false;
  return keyword_rows[static_cast<std::size_t>(kw) - 1].reserved;
}

std::string describe_found(const token& t) {
  switch (t.kind) {
    case token_kind::end_of_input: return "end of input";
    case token_kind::error: return "an invalid token";
    case token_kind::word:
      if (t.kw != keyword::none) return "keyword " + std::string(keyword_spelling(t.kw));
      return "identifier " + shorten(t.text);
    case token_kind::quoted_identifier: return "identifier " + shorten(t.text);
    case token_kind::integer:
    case token_kind::exact_numeric:
    case token_kind::float_number: return "number " + shorten(t.text);
    case token_kind::string: return "string " + shorten(t.text);
    case token_kind::placeholder: return "placeholder " + shorten(t.text);
    default: return "'" + std::string(t.text) + "'";
  }
}

std::string describe_after(const token& t) {
  switch (t.kind) {
    case token_kind::word:
      if (t.kw != keyword::none) return std::string(keyword_spelling(t.kw));
      return shorten(t.text);
    case token_kind::end_of_input:
    case token_kind::error:
    case token_kind::quoted_identifier:
    case token_kind::integer:
    case token_kind::exact_numeric:
    case token_kind::float_number:
    case token_kind::string:
    case token_kind::placeholder: return shorten(t.text);
    default: return "'" + std::string(t.text) + "'";
  }
}

}  // namespace meridian::sql
