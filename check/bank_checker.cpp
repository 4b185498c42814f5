// The bank checker; see bank_checker.hpp.
#include "check/bank_checker.hpp"

#include <cstdint>
#include <cstdlib>

namespace meridian::check {

namespace {

bool is_account(const json& v, std::size_t accounts) {
  return v.is_int() && v.as_int() >= 0 && static_cast<std::uint64_t>(v.as_int()) < accounts;
}

// A transfer's value names two accounts and an amount: anything else is not this workload's.
bool transfer_shaped(const json& v, std::size_t accounts) {
  if (!v.is_object()) return false;
  const auto& o = v.as_object();
  auto field = [&](const char* name) -> const json* {
    auto it = o.find(name);
    return it == o.end() ? nullptr : &it->second;
  };
  const json* from = field("from");
  const json* to = field("to");
  const json* amount = field("amount");
  // Between distinct accounts, a positive amount (DESIGN.md's bank workload).
  return from && to && amount && is_account(*from, accounts) && is_account(*to, accounts) &&
         !(*from == *to) && amount->is_int() && amount->as_int() > 0;
}

}  // namespace

check_result check_bank(const history& h, const bank_options& options) {
  check_result out;
  auto paired = pair_operations(h);
  if (!paired) {
    out.reject(paired.err().message());
    return out;
  }
  for (const auto& p : *paired) {
    ++out.operations;
    if (p.f != "read" && p.f != "transfer") {
      out.reject("operation '" + p.f + "' at line " + std::to_string(p.index + 1) +
                 " is not a bank operation (read or transfer)");
      continue;
    }
    if (p.f == "transfer") {
      if (!transfer_shaped(p.invoke_value, options.accounts)) {
        out.reject("transfer at line " + std::to_string(p.index + 1) +
                   " is not {\"from\": account, \"to\": another account, \"amount\": positive integer} (" +
                   p.invoke_value.dump().substr(0, 80) + ")");
      } else if (p.outcome == op_type::ok && !p.result_value.is_null() &&
                 !(p.result_value == p.invoke_value)) {
        out.reject("transfer completed at line " + std::to_string(p.complete_index + 1) +
                   " with " + p.result_value.dump().substr(0, 80) +
                   ", not the transfer it was invoked with");
      }
      continue;
    }
    if (p.outcome != op_type::ok) continue;
    const json& balances = p.result_value;
    std::string where = "read completed at line " + std::to_string(p.complete_index + 1);
    if (!balances.is_object()) {
      out.reject(where + ": the result is not an object of balances");
      continue;
    }
    // Accounts are named 0 .. accounts-1; balances are integers; the sum is checked without
    // overflow (a wrapped sum could equal the total).
    __int128 sum = 0;
    bool shaped = true;
    for (const auto& [account, balance] : balances.as_object()) {
      // Named exactly as the workload names them ("7", never "07" or "+7": an alias would
      // hide a missing account).
      char* end = nullptr;
      unsigned long long id = std::strtoull(account.c_str(), &end, 10);
      if (account.empty() || account != std::to_string(id) || id >= options.accounts) {
        out.reject(where + ": '" + account + "' is not an account (0 to " +
                   std::to_string(options.accounts - 1) + ")");
        shaped = false;
      }
      if (balance.is_null()) {
        // The workload reads an account it finds absent as null: money lost, not bad input.
        out.fail(where + ": account " + account + " is missing (null balance)");
        continue;
      }
      if (!balance.is_int()) {
        out.reject(where + ": account " + account + " has no integer balance (" +
                   balance.dump() + ")");
        shaped = false;
        continue;
      }
      if (balance.as_int() < 0) {
        out.fail(where + ": account " + account + " is negative (" +
                 std::to_string(balance.as_int()) + ")");
      }
      sum += balance.as_int();
    }
    if (!shaped) continue;
    if (balances.as_object().size() != options.accounts) {
      out.fail(where + ": saw " + std::to_string(balances.as_object().size()) +
               " accounts, expected " + std::to_string(options.accounts));
    }
    if (sum != options.total) {
      std::string shown = sum > INT64_MAX   ? std::string("more than a 64-bit integer holds")
                          : sum < INT64_MIN ? std::string("less than a 64-bit integer holds")
                                            : std::to_string(static_cast<std::int64_t>(sum));
      out.fail(where + ": balances sum to " + shown + ", expected " +
               std::to_string(options.total) + " " + balances.dump());
    }
  }
  return out;
}

}  // namespace meridian::check
