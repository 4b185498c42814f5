// The set checker (Jepsen's set workload, which `meridian sim shards` records): an acknowledged
// add must survive exactly once, a failed add must not appear, nothing may appear that was
// never added, and adds of unknown outcome may go either way.
#include <doctest/doctest.h>

#include "check/set_checker.hpp"

using namespace meridian;
using namespace meridian::check;

namespace {

struct set_history {
  history h;
  std::int64_t t = 0;
  void add(int process, const std::string& element, op_type outcome) {
    h.push_back(operation{process, op_type::invoke, "add", json(element), ++t});
    h.push_back(operation{process, outcome, "add", json(element), ++t});
  }
  void read(std::vector<std::string> elements) {
    json::array a;
    for (auto& e : elements) a.push_back(json(std::move(e)));
    h.push_back(operation{99, op_type::invoke, "read", json(), ++t});
    h.push_back(operation{99, op_type::ok, "read", json(std::move(a)), ++t});
  }
};

bool mentions(const check_result& r, const std::string& word) {
  for (const auto& a : r.anomalies) {
    if (a.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("set: acknowledged adds present once, failed absent, unknown either way is valid") {
  set_history s;
  s.add(1, "a", op_type::ok);
  s.add(1, "b", op_type::fail);
  s.add(2, "c", op_type::info);
  s.add(3, "d", op_type::info);
  s.read({"a", "c"});
  set_summary sum;
  auto r = check_set(s.h, &sum);
  CHECK(r.valid);
  CHECK(sum.acknowledged == 1);
  CHECK(sum.failed == 1);
  CHECK(sum.unknown == 2);
  CHECK(sum.recovered == 1);
}

TEST_CASE("set: a lost acknowledged add, a duplicate, a failed add present, an unknown element") {
  set_history s;
  s.add(1, "a", op_type::ok);
  s.add(1, "b", op_type::ok);
  s.add(2, "c", op_type::fail);
  s.read({"a", "a", "c", "zz"});
  auto r = check_set(s.h);
  CHECK_FALSE(r.valid);
  CHECK(mentions(r, "lost: 'b'"));
  CHECK(mentions(r, "duplicated: 'a'"));
  CHECK(mentions(r, "failed but present: the add of 'c'"));
  CHECK(mentions(r, "unexpected: \"zz\""));
}

TEST_CASE("set: no final read proves nothing, and an element added twice is refused") {
  set_history s;
  s.add(1, "a", op_type::ok);
  auto unread = check_set(s.h);
  CHECK(mentions(unread, "no successful final read"));
  CHECK(unread.undecided());  // exit 3, not an anomaly (exit 1)
  s.add(2, "a", op_type::ok);
  s.read({"a"});
  auto twice = check_set(s.h);
  CHECK(mentions(twice, "added twice"));
  CHECK(twice.malformed == 1);  // the workload's promise, not the database's: exit 2
}
