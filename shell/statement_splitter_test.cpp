// The splitter ends statements only at a ';' outside strings, quoted names and comments.
#include "shell/statement_splitter.hpp"

#include <doctest/doctest.h>

using meridian::shell::statement_splitter;
using v = std::vector<std::string>;

TEST_CASE("splitter: one line, several statements, and a statement over lines") {
  statement_splitter s;
  CHECK(s.feed("SELECT 1; SELECT 2;") == v{"SELECT 1", "SELECT 2"});
  CHECK_FALSE(s.pending());
  CHECK(s.feed("SELECT a") == v{});
  CHECK(s.pending());
  CHECK(s.feed("FROM t") == v{});
  CHECK(s.feed("WHERE a = 1;") == v{"SELECT a\nFROM t\nWHERE a = 1"});
  CHECK_FALSE(s.pending());
}

TEST_CASE("splitter: semicolons inside strings, names and comments do not end a statement") {
  statement_splitter s;
  CHECK(s.feed("INSERT INTO t VALUES ('a;b', 'it''s;');") ==
        v{"INSERT INTO t VALUES ('a;b', 'it''s;')"});
  CHECK(s.feed("SELECT \"we;ird\" FROM t;") == v{"SELECT \"we;ird\" FROM t"});
  CHECK(s.feed("SELECT 1 -- not the end;") == v{});
  CHECK(s.pending());
  CHECK(s.feed(";") == v{"SELECT 1 -- not the end;"});
  CHECK(s.feed("SELECT /* ; */ 2;") == v{"SELECT /* ; */ 2"});
  CHECK(s.feed("SELECT 'multi") == v{});
  CHECK(s.feed("line;';") == v{"SELECT 'multi\nline;'"});
}

TEST_CASE("splitter: comment-only lines and empty statements leave nothing pending") {
  statement_splitter s;
  CHECK(s.feed("-- just a comment") == v{});
  CHECK_FALSE(s.pending());
  CHECK(s.feed(";;  ;") == v{});
  CHECK(s.feed("SELECT 3") == v{});
  CHECK(s.flush() == "SELECT 3");
  CHECK_FALSE(s.pending());
}

TEST_CASE("splitter: a comment open at the end of input is handed on, not dropped") {
  // Its text reaches the parser, which reports the unterminated comment; before, the INSERT
  // inside it vanished and the script exited 0.
  statement_splitter s;
  CHECK(s.feed("/* start") == v{});
  CHECK(s.feed("INSERT INTO t VALUES (1);") == v{});
  CHECK(s.flush() == "/* start\nINSERT INTO t VALUES (1);");
  CHECK(s.feed("/* closed */") == v{});
  CHECK(s.flush().empty());
}

TEST_CASE("splitter: a meta-command runs at once, even after a ';' or with a statement pending") {
  statement_splitter s;
  CHECK(s.meta_line("  \\q  ") == std::optional<std::string>("\\q"));
  CHECK_FALSE(s.meta_line("SELECT 1"));
  // "SELECT 1; \q": the statement, then the meta-command (psql runs both).
  auto done = s.feed("SELECT 1; \\q");
  REQUIRE(done.size() == 1);
  CHECK(done[0] == "SELECT 1");
  CHECK(s.take_trailing_meta() == std::optional<std::string>("\\q"));
  CHECK_FALSE(s.pending());
  // A statement left without its ';' stays pending across a meta-command line.
  CHECK(s.feed("SELECT 2").empty());
  CHECK(s.meta_line("\\timing") == std::optional<std::string>("\\timing"));
  CHECK_FALSE(s.take_trailing_meta());  // "SELECT 2" is SQL, not a meta-command
  auto second = s.feed(";");
  REQUIRE(second.size() == 1);
  CHECK(second[0] == "SELECT 2");
  // Inside a string a backslash is text.
  CHECK(s.feed("SELECT 'a").empty());
  CHECK_FALSE(s.meta_line("\\q'"));
}
