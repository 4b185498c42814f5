// A runner for sqllogictest files (SQLite's format, as used by many SQL engines):
//   statement ok | statement error [name, code or message substring]   then the SQL
//   query <types> [nosort|rowsort|valuesort] [label]   then the SQL, "----", expected values
//   hash-threshold N, halt, skipif/onlyif <engine> (this runner is "meridian")
// Records are separated by blank lines; lines starting with '#' are comments. Expected values
// are one per line in row-major order (or one row per line, values separated by spaces), or
// "N values hashing to <md5>". Each file runs against a fresh database from the factory.
// Values print as: integers plainly, DECIMAL with its scale, DOUBLE with up to 15
// significant digits, NULL as NULL, empty text as (empty), BOOL as true/false, TIMESTAMP as
// YYYY-MM-DD HH:MM:SS[.ffffff]. Runs on the caller's thread (statements block it).
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/local_database.hpp"

namespace meridian::query {

// A fresh database per file.
using engine_factory = std::function<result<std::unique_ptr<sql_database>>()>;

// Local databases over a memory partition or a temporary LMDB directory.
engine_factory local_engine_factory(local_database::storage_kind kind);

struct sqllogictest_summary {
  int passed = 0;
  int failed = 0;
  bool halted = false;
};

// Runs the records of one file's text against `db`, printing each failure (file:line, SQL,
// expected, actual) to `out`.
sqllogictest_summary run_sqllogictest_text(std::string_view file_name, std::string_view text,
                                           sql_database& db, std::ostream& out);

// Runs every file (a fresh database each), prints failures and "N passed, M failed" to `out`.
// Returns 0 when everything passed, 1 otherwise (also when a file cannot be read or a
// database cannot be created).
int run_sqllogictest(const std::vector<std::string>& files, const engine_factory& factory,
                     std::ostream& out);
int run_sqllogictest(const std::vector<std::string>& files, const engine_factory& factory);

// One value as the runner prints it.
std::string format_value(const datum& value);

}  // namespace meridian::query
