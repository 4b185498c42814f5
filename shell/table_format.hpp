// Renders a statement's result the way a person reads it in a terminal: an aligned table with a
// header rule (numbers right-aligned, NULL shown as NULL), then a footer with the row count, the
// time and the round trips the statement paid. Pure: text in, text out.
#pragma once

#include <string>

#include "api/session.hpp"

namespace meridian::shell {

// Text of one value as the shell shows it (and as sqllogictest compares it).
std::string format_value(const datum& d);

struct format_options {
  bool show_timing = true;
  bool show_round_trips = true;
  std::size_t max_column_width = 100;  // longer values are cut with an ellipsis
};

std::string format_result(const api::statement_result& r, const format_options& options = {});

}  // namespace meridian::shell
