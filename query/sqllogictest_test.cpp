// Runs every tests/sql/*.test file through the sqllogictest runner on the local engine, so
// `make test` checks the whole SQL suite; and checks the runner itself: it must count
// failures, match errors, and sort and hash results the way the format says.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "query/md5.hpp"
#include "query/sqllogictest.hpp"

namespace meridian::query {
namespace {

std::vector<std::string> suite_files() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(MERIDIAN_SQL_TEST_DIR)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_CASE("sqllogictest: every tests/sql file passes on the local engine (memory)") {
  auto files = suite_files();
  REQUIRE(!files.empty());
  for (const auto& file : files) {
    std::ostringstream out;
    int rc = run_sqllogictest({file}, local_engine_factory(local_database::storage_kind::memory), out);
    INFO(out.str());
    CHECK_MESSAGE(rc == 0, file);
  }
}

TEST_CASE("sqllogictest: every tests/sql file passes on the local engine (LMDB)") {
  std::ostringstream out;
  int rc = run_sqllogictest(suite_files(), local_engine_factory(local_database::storage_kind::lmdb), out);
  INFO(out.str());
  CHECK(rc == 0);
}

TEST_CASE("sqllogictest: md5 matches RFC 1321's test vectors") {
  CHECK(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
        "57edf4a22be3c955ac49da2e2107b67a");
}

sqllogictest_summary run_text(const std::string& text, std::string& output) {
  auto db = local_database::open(local_database::storage_kind::memory);
  REQUIRE(db.ok());
  std::ostringstream out;
  auto s = run_sqllogictest_text("inline.test", text, **db, out);
  output = out.str();
  return s;
}

TEST_CASE("sqllogictest: the runner counts passes and reports failures with file:line") {
  std::string out;
  auto s = run_text(
      "statement ok\nCREATE TABLE t (a INT PRIMARY KEY, b TEXT)\n\n"
      "statement ok\nINSERT INTO t VALUES (2, 'x'), (1, '')\n\n"
      "query IT rowsort\nSELECT a, b FROM t\n----\n1\n(empty)\n2\nx\n\n"
      "query I nosort\nSELECT a FROM t ORDER BY a\n----\n1\n3\n\n"
      "statement error sql_duplicate_key\nINSERT INTO t VALUES (1, 'y')\n\n"
      "statement error E5002\nSELECT * FROM nope\n\n"
      "statement error does not exist\nSELECT nope FROM t\n\n"
      "statement error\nSELECT 1\n",
      out);
  CHECK(s.passed == 6);
  CHECK(s.failed == 2);
  CHECK(out.find("inline.test:15: query result differs") != std::string::npos);
  CHECK(out.find("inline.test:30: statement succeeded") != std::string::npos);
}

TEST_CASE("sqllogictest: lines of form feeds, vertical tabs or stray CRs are blank, not records") {
  // Such a line once reached the record parser with no words and crashed it.
  std::string out;
  auto s = run_text("\f\n\v\r\r\nstatement ok\nCREATE TABLE t (a INT PRIMARY KEY)\n\f\n"
                    "query I nosort\nSELECT count(*) FROM t\n----\n0\n",
                    out);
  CHECK(s.passed == 2);
  CHECK(s.failed == 0);
}

TEST_CASE("sqllogictest: valuesort, one row per line, hash-threshold and halt") {
  std::string out;
  std::string all = "1\n2\n3\n";
  auto s = run_text(
      "query II valuesort\nSELECT 3, 1\n----\n1\n3\n\n"
      "query IT nosort\nSELECT 1, 'a'\n----\n1 a\n\n"
      "hash-threshold 2\n\n"
      "query III nosort\nSELECT 1, 2, 3\n----\n3 values hashing to " + md5_hex(all) + "\n\n"
      "halt\n\n"
      "query I nosort\nSELECT 1\n----\n2\n",
      out);
  CHECK(s.passed == 3);
  CHECK(s.failed == 0);
  CHECK(s.halted);
}

TEST_CASE("sqllogictest: values print in the documented forms") {
  CHECK(format_value(datum(null_value{})) == "NULL");
  CHECK(format_value(datum(std::int64_t{-7})) == "-7");
  CHECK(format_value(datum(*decimal::parse("10.50"))) == "10.50");
  CHECK(format_value(datum(0.1 + 0.2)) == "0.3");
  CHECK(format_value(datum(std::string())) == "(empty)");
  CHECK(format_value(datum(true)) == "true");
  CHECK(format_value(datum(timestamp_value{1'500'000})) == "1970-01-01 00:00:01.500000");
  CHECK(format_value(datum(timestamp_value{0})) == "1970-01-01 00:00:00");
}

}  // namespace
}  // namespace meridian::query
