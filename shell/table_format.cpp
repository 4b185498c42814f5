// Result rendering; see table_format.hpp.
#include "shell/table_format.hpp"

#include <cstdio>

#include "common/time_text.hpp"

namespace meridian::shell {
namespace {

bool is_numeric(const datum& d) {
  return std::holds_alternative<std::int64_t>(d) || std::holds_alternative<std::uint64_t>(d) ||
         std::holds_alternative<double>(d) || std::holds_alternative<decimal>(d);
}

// Display width in terminal columns: count UTF-8 code points, not bytes.
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string cut(const std::string& s, std::size_t width) {
  if (display_width(s) <= width) return s;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n > width - 1) break;
    out.push_back(s[i]);
  }
  return out + "…";
}

// The length of a UTF-8 sequence at `at` that a terminal would act on: a C1 control (U+0080 to
// U+009F, e.g. U+009B, an escape-sequence opener) or a bidirectional override or isolate
// (U+202A to U+202E, U+2066 to U+2069), which reorders what follows it. 0 otherwise.
std::size_t hidden_control(const std::string& s, std::size_t at, std::uint32_t& code) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  if (byte(at) == 0xC2 && at + 1 < s.size() && byte(at + 1) >= 0x80 && byte(at + 1) <= 0x9F) {
    code = byte(at + 1);
    return 2;
  }
  if (byte(at) == 0xE2 && at + 2 < s.size()) {
    code = 0x2000 | ((byte(at + 1) & 0x3Fu) << 6) | (byte(at + 2) & 0x3Fu);
    if ((code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069)) return 3;
  }
  return 0;
}

// Control characters shown as escapes (\n, \t, \x1b, \u009b...): a value must not move the
// cursor, clear the screen, reorder the line or break the table's lines. A backslash itself
// prints as it is, as psql prints it.
std::string visible(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t at = 0; at < s.size(); ++at) {
    unsigned char c = static_cast<unsigned char>(s[at]);
    std::uint32_t code = 0;
    if (std::size_t n = c >= 0x80 ? hidden_control(s, at, code) : 0; n > 0) {
      char buf[12];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(code));
      out += buf;
      at += n - 1;
    } else if (c >= 0x20 && c != 0x7F) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  std::size_t w = display_width(s);
  std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string footer(const api::statement_result& r, const format_options& o) {
  std::string out = r.columns.empty() ? r.tag
                                      : "(" + std::to_string(r.rows.size()) +
                                            (r.rows.size() == 1 ? " row" : " rows");
  std::string extra;
  if (o.show_timing) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", r.elapsed_ms);
    extra += buf;
  }
  if (o.show_round_trips && (r.ledger.total_round_trips() > 0 || r.ledger.local_reads > 0)) {
    extra += (extra.empty() ? "" : ", ") + r.ledger.to_string();
  }
  if (r.columns.empty()) return extra.empty() ? out : out + " (" + extra + ")";
  return out + (extra.empty() ? "" : ", " + extra) + ")";
}

}  // namespace

std::string format_value(const datum& d) {
  switch (d.index()) {
    case 0:
      return "NULL";
    case 1:
      return std::get<bool>(d) ? "true" : "false";
    case 4:
      return double_text(std::get<double>(d));
    case 6:
      return format_timestamp(std::get<timestamp_value>(d).micros);
    case 7:
      return std::get<std::string>(d);
    default:
      return debug_string(d);
  }
}

// Lines end without the padding of their last cell.
static std::string trim_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + (end < text.size() ? "\n" : "");
    start = end + 1;
  }
  return out;
}

std::string format_result(const api::statement_result& r, const format_options& o) {
  std::string out;
  // A notice comes before the footer; a result with rows (EXPLAIN's plan too) shows the rows.
  if (r.columns.empty() && !r.explanation.empty()) {
    out += r.explanation + (r.explanation.back() == '\n' ? "" : "\n");
  }
  if (r.columns.empty()) return out + footer(r, o) + "\n";
  std::size_t n = r.columns.size();
  std::vector<std::size_t> width(n);
  std::vector<bool> right(n, false);
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < n; ++c) {
    names.push_back(cut(visible(r.columns[c].name), o.max_column_width));
    width[c] = display_width(names.back());
  }
  for (const auto& row : r.rows) {
    std::vector<std::string> texts;
    for (std::size_t c = 0; c < n && c < row.size(); ++c) {
      texts.push_back(cut(visible(format_value(row[c])), o.max_column_width));
      width[c] = std::max(width[c], display_width(texts.back()));
      if (is_numeric(row[c])) right[c] = true;
    }
    cells.push_back(std::move(texts));
  }
  for (std::size_t c = 0; c < n; ++c) {
    out += (c ? " | " : " ") + pad(names[c], width[c], false);
  }
  out += "\n";
  for (std::size_t c = 0; c < n; ++c) out += (c ? "-+-" : "-") + std::string(width[c], '-');
  out += "\n";
  for (const auto& row : cells) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += (c ? " | " : " ") + pad(row[c], width[c], right[c]);
    }
    out += "\n";
  }
  return trim_lines(out) + footer(r, o) + "\n";
}

}  // namespace meridian::shell
