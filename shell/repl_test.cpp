// The shell's loop over a local session: backslash commands run where they appear, \timing
// switches the footer's time on, off, or toggles it without an argument (as psql's does), and a
// failed statement in a script makes the exit status 1.
#include "shell/repl.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "api/embedded.hpp"

using namespace meridian;

namespace {

struct run_result {
  int status = 0;
  std::string out, err;
};

run_result run_script(const std::string& script) {
  auto session = api::open_local_session("");
  REQUIRE(session.ok());
  std::istringstream in(script);
  std::ostringstream out, err;
  shell::repl_options o;
  o.interactive = false;
  o.format.show_timing = o.format.show_round_trips = false;
  int status = shell::run_repl(**session, in, out, err, o);
  return {status, out.str(), err.str()};
}

}  // namespace

TEST_CASE("repl: \\timing without an argument toggles the footer's time") {
  auto r = run_script("\\timing\nSELECT 1;\n\\timing\nSELECT 2;\n\\timing off\n");
  CHECK(r.status == 0);
  CHECK(r.out.find("timing on\n") != std::string::npos);
  CHECK(r.out.find("(1 row, ") != std::string::npos);  // timed
  CHECK(r.out.find("timing off\n") != std::string::npos);
  CHECK(r.out.find("(1 row)\n") != std::string::npos);  // not timed
  CHECK(r.err.empty());
}

TEST_CASE("repl: a failed statement or an unknown command makes a script's status 1") {
  CHECK(run_script("SELECT 1;\n").status == 0);
  auto bad = run_script("SELECT nope;\n");
  CHECK(bad.status == 1);
  CHECK(bad.err.find("E5003") != std::string::npos);
  CHECK(run_script("SELECT nope;\n\\q\n").status == 1);  // \q does not forgive it
  CHECK(run_script("SELECT 1;\n\\q\n").status == 0);
  auto unknown = run_script("\\frobnicate\n");
  CHECK(unknown.status == 1);
  CHECK(unknown.err.find("E1001 invalid_argument: unknown command \\frobnicate") !=
        std::string::npos);
  CHECK(run_script("\\timing maybe\n").err.find("E1001") != std::string::npos);
}

TEST_CASE("repl: a command given more arguments than it takes is refused, never half-run") {
  // "\d t; DROP TABLE t" once described t and dropped the rest silently; "\q now" quit.
  auto r = run_script("CREATE TABLE t (a INT PRIMARY KEY);\n\\d t; DROP TABLE t\n\\q now\n"
                      "\\cluster x\nSELECT count(*) FROM t;\n");
  CHECK(r.status == 1);
  CHECK(r.err.find("\\d takes at most one argument; remove 'DROP TABLE t'") != std::string::npos);
  CHECK(r.err.find("\\q takes no arguments") != std::string::npos);
  CHECK(r.err.find("\\cluster takes no arguments") != std::string::npos);
  CHECK(r.out.find("count") != std::string::npos);  // \q now did not quit
  auto semicolon = run_script("CREATE TABLE t (a INT PRIMARY KEY);\n\\d t;\n\\q;\nSELECT 12345;\n");
  CHECK(semicolon.status == 0);  // a trailing ';' is a habit, not an argument
  CHECK(semicolon.out.find("primary key column 1") != std::string::npos);
  CHECK(semicolon.out.find("12345") == std::string::npos);  // "\\q;" quit
}

TEST_CASE("repl: a script that ends inside BEGIN says its transaction was rolled back") {
  auto r = run_script("CREATE TABLE t (a INT PRIMARY KEY);\nBEGIN;\nINSERT INTO t VALUES (1);\n");
  CHECK(r.status == 1);
  CHECK(r.err.find("E4003") != std::string::npos);
  CHECK(r.err.find("rolled back") != std::string::npos);
  CHECK(run_script("BEGIN;\nCOMMIT;\n").status == 0);
}

TEST_CASE("repl: \\cluster's round-trip matrix lines up under the datacenter names") {
  api::cluster_info info;
  info.mode = "embedded";
  info.session_dc = "us-east";
  info.dcs = {{"us-east", {1, 75, 190}, true}, {"eu-west", {75, 1, 120}, false},
              {"ap-south", {190, 120, 1}, true}};
  std::string text = shell::format_cluster(info);
  CHECK(text.find("  eu-west (isolated):") != std::string::npos);
  CHECK(text.find("us-east (isolated)") == std::string::npos);
  // Each number ends where its column's name ends.
  std::istringstream lines(text);
  std::string line, header, east;
  while (std::getline(lines, line)) {
    if (line.find("ap-south") != std::string::npos && header.empty()) header = line;
    if (line.rfind("  us-east:", 0) == 0) east = line;
  }
  REQUIRE_FALSE(header.empty());
  REQUIRE_FALSE(east.empty());
  CHECK(header.size() == east.size());
  CHECK(header.find("eu-west") + std::string("eu-west").size() == east.find(" 75") + 3);
}
