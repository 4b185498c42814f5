// Splits what a person types into complete SQL statements: a statement ends at a ';' that is
// not inside a string, a quoted identifier or a comment, so a statement may span lines and a
// line may hold several statements. Pure; owned by the shell's input loop.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace meridian::shell {

class statement_splitter {
 public:
  // Adds one line of input (without its newline); returns the statements it completed, each
  // without the terminating ';' and trimmed.
  std::vector<std::string> feed(const std::string& line);
  // True while a statement is incomplete (the shell shows its continuation prompt).
  bool pending() const;
  // The incomplete statement's text so far.
  const std::string& buffer() const { return buffer_; }
  // Hands back what is pending as a final statement (end of input without a ';').
  std::string flush();
  // Shell meta-commands start with '\' outside any string or comment, and run at once, as in
  // psql, even while a statement is pending (which stays pending). The meta-command `line` is,
  // if it is one (nothing when its '\' lies inside a pending string or comment).
  std::optional<std::string> meta_line(const std::string& line) const;
  // After feed(): a meta-command that followed the line's last ';' ("SELECT 1; \q"), taken out
  // of what is pending.
  std::optional<std::string> take_trailing_meta();
  void clear();

 private:
  enum class state { normal, single_quote, double_quote, line_comment, block_comment };
  std::string buffer_;
  state state_ = state::normal;
};

}  // namespace meridian::shell
