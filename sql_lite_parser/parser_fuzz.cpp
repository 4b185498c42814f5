// libFuzzer target for the SQL parser: any bytes must give either a syntax tree whose canonical
// printout re-parses to the same printout, or an error value whose position lies inside the
// input and agrees with its message. Built only with -DMERIDIAN_FUZZ=ON (clang); run as
//   ./parser_fuzz -dict=sql_lite_parser/parser_fuzz.dict -max_total_time=60
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sql_lite_parser/parser.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "parser_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meridian::sql;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  source_pos pos;
  auto script = parse_script(text, &pos);
  if (!script.ok()) {
    const std::string& message = script.err().message();
    if (pos.offset > size || !(position_of_offset(text, pos.offset) == pos)) {
      fail("error position is not a position in the input", message);
    }
    std::string prefix =
        "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": ";
    if (message.rfind(prefix, 0) != 0 || message.back() != '^') {
      fail("error message lacks its position or caret", message);
    }
    return 0;
  }
  for (const statement& s : *script) {
    std::string printed = to_string(s);
    auto again = parse_statement(printed);
    if (!again.ok()) fail("the canonical printout does not parse", printed);
    if (to_string(*again) != printed) fail("the canonical printout changes on re-parsing", printed);
  }
  return 0;
}
