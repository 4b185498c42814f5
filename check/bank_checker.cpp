// The bank checker; see bank_checker.hpp.
#include "check/bank_checker.hpp"

#include <cstdint>
#include <cstdlib>

namespace meridian::check {

check_result check_bank(const history& h, const bank_options& options) {
  check_result out;
  auto paired = pair_operations(h);
  if (!paired) {
    out.fail("malformed history: " + paired.err().message());
    return out;
  }
  for (const auto& p : *paired) {
    ++out.operations;
    if (p.f != "read" && p.f != "transfer") {
      out.fail("operation '" + p.f + "' at line " + std::to_string(p.index + 1) +
               " is not a bank operation (read or transfer)");
      continue;
    }
    if (p.f != "read" || p.outcome != op_type::ok) continue;
    const json& balances = p.result_value;
    std::string where = "read at line " + std::to_string(p.index + 1);
    if (!balances.is_object()) {
      out.fail(where + ": the result is not an object of balances");
      continue;
    }
    // Accounts are named 0 .. accounts-1; balances are integers; the sum is checked without
    // overflow (a wrapped sum could equal the total).
    __int128 sum = 0;
    for (const auto& [account, balance] : balances.as_object()) {
      char* end = nullptr;
      unsigned long long id = std::strtoull(account.c_str(), &end, 10);
      if (account.empty() || *end != '\0' || account[0] == '-' || id >= options.accounts) {
        out.fail(where + ": '" + account + "' is not an account (0 to " +
                 std::to_string(options.accounts - 1) + ")");
      }
      if (!balance.is_int()) {
        out.fail(where + ": account " + account + " has no integer balance (" + balance.dump() +
                 ")");
        continue;
      }
      if (balance.as_int() < 0) {
        out.fail(where + ": account " + account + " is negative (" +
                 std::to_string(balance.as_int()) + ")");
      }
      sum += balance.as_int();
    }
    if (balances.as_object().size() != options.accounts) {
      out.fail(where + ": saw " + std::to_string(balances.as_object().size()) +
               " accounts, expected " + std::to_string(options.accounts));
    }
    if (sum != options.total) {
      std::string shown = sum > INT64_MAX || sum < INT64_MIN
                              ? std::string("more than a 64-bit integer holds")
                              : std::to_string(static_cast<std::int64_t>(sum));
      out.fail(where + ": balances sum to " + shown + ", expected " +
               std::to_string(options.total) + " " + balances.dump());
    }
  }
  return out;
}

}  // namespace meridian::check
