// Linearizability of a history of single-key registers (DESIGN.md workload `register`):
// f = read | write | cas, value [k, v] (cas: [k, [old, new]]), reads return [k, v]. Each key is
// checked on its own (linearizability is compositional) with the Wing–Gong search as improved by
// Lowe (memoizing (linearized set, state) pairs). `fail` operations did not happen; `info`
// operations may or may not have happened, at any time after their invocation.
#pragma once

#include "check/history.hpp"

namespace meridian::check {

struct register_options {
  // Search steps per key before giving up: the result is then undecided (not valid, since an
  // unchecked history proves nothing, but no violation either).
  std::size_t max_steps_per_key = 20'000'000;
};

check_result check_registers(const history& h, const register_options& options = {});

}  // namespace meridian::check
