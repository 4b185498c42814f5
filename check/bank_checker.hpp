// The bank workload's checker (issue 5): every successful read of all accounts sums to the
// configured total and shows no negative balance. Reads are `f = read` with value
// {account: balance}; transfers are `f = transfer` and are not checked directly (a lost or
// doubled transfer shows up as a wrong total).
#pragma once

#include "check/history.hpp"

namespace meridian::check {

struct bank_options {
  std::int64_t total = 100;
  std::size_t accounts = 8;
};

check_result check_bank(const history& h, const bank_options& options = {});

}  // namespace meridian::check
