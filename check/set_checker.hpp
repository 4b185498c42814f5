// The set workload's checker (Jepsen's set): unique elements are added, each at most once, by
// `f = add` with the element (a string) as value; `f = read` returns every element present as an
// array of strings. Against the last successful read, which must begin after every add ended:
// an acknowledged add is present exactly once (else lost or duplicated), a failed add is absent
// (a failure means it did not happen), and nothing is present that was never added. Adds with an
// unknown outcome (info) may go either way; how many survived is reported. Pure.
#pragma once

#include "check/history.hpp"

namespace meridian::check {

struct set_summary {
  std::size_t acknowledged = 0;  // ok adds
  std::size_t failed = 0;        // fail adds
  std::size_t unknown = 0;       // info adds
  std::size_t recovered = 0;     // info adds present in the final read
  std::size_t present = 0;       // elements in the final read
};

check_result check_set(const history& h, set_summary* summary = nullptr);

}  // namespace meridian::check
