// Bounded whole-file reads: a file within the bound is read whole; /dev/zero (endless) and a
// missing path fail with invalid_argument instead of reading until memory runs out.
#include "common/file_text.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace meridian;

TEST_CASE("read_file_bounded: whole within the bound, an error past it or for no file") {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("meridian-file-text-" + std::to_string(::getpid()))).string();
  std::ofstream(path, std::ios::binary) << std::string(100'000, 'x');
  auto whole = read_file_bounded(path, 100'000, "test file");
  REQUIRE(whole.ok());
  CHECK(whole->size() == 100'000);
  auto over = read_file_bounded(path, 99'999, "test file");
  REQUIRE_FALSE(over.ok());
  CHECK(over.err().code() == errc::invalid_argument);
  std::remove(path.c_str());
  auto endless = read_file_bounded("/dev/zero", 1 << 20, "history file");
  REQUIRE_FALSE(endless.ok());
  CHECK(endless.err().message().find("larger than 1 MiB") != std::string::npos);
  CHECK_FALSE(read_file_bounded(path, 10, "test file").ok());  // gone now
}
