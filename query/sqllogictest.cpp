// The sqllogictest runner; see sqllogictest.hpp.
#include "query/sqllogictest.hpp"

#include "common/file_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/time_text.hpp"
#include "query/md5.hpp"
#include "query/session.hpp"
#include "query/value_ops.hpp"

namespace meridian::query {
namespace {

enum class record_kind { statement_ok, statement_error, query };
enum class sort_mode { none, rows, values };

struct record {
  record_kind kind = record_kind::statement_ok;
  int line = 0;
  std::string sql;
  std::string error_pattern;  // statement error
  std::string types;          // query
  sort_mode sort = sort_mode::none;
  std::vector<std::string> expected;
};

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Blank as words() sees it: only whitespace (form feeds, vertical tabs and stray CRs too).
bool blank(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::string format_timestamp_full(std::int64_t micros) {
  std::string text = format_timestamp(micros);
  std::size_t dot = text.find('.');
  if (dot != std::string::npos) text.append(6 - (text.size() - dot - 1), '0');
  return text;
}

class file_runner {
 public:
  file_runner(std::string_view name, std::string_view text, sql_database& db, std::ostream& out)
      : name_(name), lines_(split_lines(text)), out_(out), session_(db.engine(), options(db)),
        engine_name_(db.engine_name()) {}

  sqllogictest_summary run();

 private:
  static session_options options(sql_database& db) {
    session_options o;
    o.placement = db.placement();
    o.cluster = db.cluster();
    return o;
  }
  // Reads the SQL of a record up to a blank line (or "----" for queries).
  std::string read_sql(bool query);
  void run_record(const record& r);
  void fail(const record& r, const std::string& what, const std::vector<std::string>& expected,
            const std::vector<std::string>& actual);
  std::vector<std::string> render(const record& r, const result_set& rs, std::string& problem);

  std::string name_;
  std::vector<std::string> lines_;
  std::size_t at_ = 0;
  std::ostream& out_;
  session session_;
  std::string engine_name_;  // matched by skipif/onlyif besides "meridian"
  sqllogictest_summary summary_;
  std::size_t hash_threshold_ = 0;
};

std::string file_runner::read_sql(bool query) {
  std::string sql;
  while (at_ < lines_.size() && !blank(lines_[at_]) && !(query && lines_[at_] == "----")) {
    if (!sql.empty()) sql += "\n";
    sql += lines_[at_++];
  }
  return sql;
}

sqllogictest_summary file_runner::run() {
  bool skip_next = false;
  while (at_ < lines_.size() && !summary_.halted) {
    const std::string& line = lines_[at_];
    if (blank(line) || line[0] == '#') {
      ++at_;
      continue;
    }
    auto w = words(line);
    int header_line = static_cast<int>(at_) + 1;
    ++at_;
    if (w[0] == "halt") {
      summary_.halted = true;
      break;
    }
    if (w[0] == "hash-threshold" && w.size() > 1) {
      hash_threshold_ = static_cast<std::size_t>(std::atol(w[1].c_str()));
      continue;
    }
    if ((w[0] == "skipif" || w[0] == "onlyif") && w.size() > 1) {
      // This runner answers to "meridian" and to its engine's name ("local", "cluster").
      bool ours = w[1] == "meridian" || w[1] == engine_name_;
      skip_next = w[0] == "skipif" ? ours : !ours;
      continue;
    }
    record r;
    r.line = header_line;
    if (w[0] == "statement" && w.size() > 1) {
      r.kind = w[1] == "ok" ? record_kind::statement_ok : record_kind::statement_error;
      std::size_t p = line.find("error");
      if (r.kind == record_kind::statement_error && p != std::string::npos) {
        r.error_pattern = line.substr(p + 5);
        r.error_pattern.erase(0, r.error_pattern.find_first_not_of(' '));
      }
      r.sql = read_sql(false);
    } else if (w[0] == "query" && w.size() > 1) {
      r.kind = record_kind::query;
      r.types = w[1];
      if (w.size() > 2) {
        r.sort = w[2] == "rowsort" ? sort_mode::rows : w[2] == "valuesort" ? sort_mode::values : sort_mode::none;
      }
      r.sql = read_sql(true);
      if (at_ < lines_.size() && lines_[at_] == "----") {
        ++at_;
        while (at_ < lines_.size() && !lines_[at_].empty()) r.expected.push_back(lines_[at_++]);
      }
    } else {
      out_ << name_ << ":" << header_line << ": unknown record '" << line << "'\n";
      ++summary_.failed;
      read_sql(false);
      continue;
    }
    if (skip_next) {
      skip_next = false;
      continue;
    }
    run_record(r);
  }
  return summary_;
}

void file_runner::fail(const record& r, const std::string& what,
                       const std::vector<std::string>& expected,
                       const std::vector<std::string>& actual) {
  ++summary_.failed;
  out_ << name_ << ":" << r.line << ": " << what << "\n  SQL: " << r.sql << "\n";
  if (!expected.empty() || !actual.empty()) {
    out_ << "  expected:\n";
    for (const auto& e : expected) out_ << "    " << e << "\n";
    out_ << "  actual:\n";
    for (const auto& a : actual) out_ << "    " << a << "\n";
  }
}

std::vector<std::string> file_runner::render(const record& r, const result_set& rs,
                                             std::string& problem) {
  if (rs.columns.size() != r.types.size()) {
    problem = "the query returns " + std::to_string(rs.columns.size()) + " columns but the record declares " +
              std::to_string(r.types.size());
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : rs.rows) {
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(format_value(v));
    rows.push_back(std::move(cells));
  }
  if (r.sort == sort_mode::rows) std::sort(rows.begin(), rows.end());
  std::vector<std::string> values;
  for (auto& row : rows) {
    for (auto& v : row) values.push_back(std::move(v));
  }
  if (r.sort == sort_mode::values) std::sort(values.begin(), values.end());
  return values;
}

void file_runner::run_record(const record& r) {
  auto result = session_.execute(r.sql);
  if (r.kind == record_kind::statement_ok) {
    if (result) return void(++summary_.passed);
    return fail(r, "statement failed: " + result.err().to_string(), {}, {});
  }
  if (r.kind == record_kind::statement_error) {
    if (result) return fail(r, "statement succeeded but an error was expected", {}, {});
    const error& e = result.err();
    std::string text = e.to_string();
    bool matches = r.error_pattern.empty() || r.error_pattern == e.name() ||
                   text.find(r.error_pattern) != std::string::npos;
    if (matches) return void(++summary_.passed);
    return fail(r, "wrong error: expected '" + r.error_pattern + "', got " + text, {}, {});
  }
  if (!result) return fail(r, "query failed: " + result.err().to_string(), r.expected, {});
  std::string problem;
  std::vector<std::string> values = render(r, *result, problem);
  std::vector<std::string> actual = values;
  if (hash_threshold_ > 0 && values.size() > hash_threshold_) {
    std::string all;
    for (const auto& v : values) all += v + "\n";
    actual = {std::to_string(values.size()) + " values hashing to " + md5_hex(all)};
  }
  bool same = actual == r.expected;
  if (!same && r.expected.size() == result->rows.size() && !result->columns.empty() &&
      r.sort != sort_mode::values && actual.size() != r.expected.size()) {
    // One row per line, values separated by single spaces.
    std::vector<std::string> joined;
    std::size_t width = result->columns.size();
    for (std::size_t i = 0; i + width <= values.size(); i += width) {
      std::string line;
      for (std::size_t j = 0; j < width; ++j) line += (j > 0 ? " " : "") + values[i + j];
      joined.push_back(std::move(line));
    }
    same = joined == r.expected;
  }
  if (!problem.empty()) return fail(r, problem, r.expected, actual);
  if (same) return void(++summary_.passed);
  fail(r, "query result differs", r.expected, actual);
}

}  // namespace

std::string format_value(const datum& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (s->empty()) return "(empty)";
    std::string out = *s;
    for (auto& c : out) {
      if (static_cast<unsigned char>(c) < 0x20) c = '@';
    }
    return out;
  }
  if (const auto* d = std::get_if<double>(&value)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", *d);
    return buf;
  }
  if (const auto* t = std::get_if<timestamp_value>(&value)) return format_timestamp_full(t->micros);
  return value_to_text(value);
}

engine_factory local_engine_factory(local_database::storage_kind kind) {
  return [kind]() -> result<std::unique_ptr<sql_database>> {
    auto db = local_database::open(kind);
    if (!db) return db.err();
    return std::unique_ptr<sql_database>(std::move(*db));
  };
}

sqllogictest_summary run_sqllogictest_text(std::string_view file_name, std::string_view text,
                                           sql_database& db, std::ostream& out) {
  file_runner runner(file_name, text, db, out);
  return runner.run();
}

int run_sqllogictest(const std::vector<std::string>& files, const engine_factory& factory,
                     std::ostream& out) {
  int passed = 0, failed = 0;
  for (const auto& file : files) {
    auto text = read_file_bounded(file, std::size_t{64} << 20, "sqllogictest file");
    if (!text) {
      out << file << ": " << text.err().to_string() << "\n";
      ++failed;
      continue;
    }
    auto db = factory();
    if (!db) {
      out << file << ": cannot create a database: " << db.err().to_string() << "\n";
      ++failed;
      continue;
    }
    auto summary = run_sqllogictest_text(file, *text, **db, out);
    passed += summary.passed;
    failed += summary.failed;
  }
  out << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

int run_sqllogictest(const std::vector<std::string>& files, const engine_factory& factory) {
  return run_sqllogictest(files, factory, std::cout);
}

}  // namespace meridian::query
