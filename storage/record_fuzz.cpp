// libFuzzer target (make fuzz): every decoder of stored bytes must reject garbage with an error,
// never crash: tuple keys, ordered byte strings, lock and write records.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/key_codec.hpp"
#include "storage/mvcc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto t = meridian::storage::codec::decode(in);
  if (t.ok()) {
    // Whatever decodes must re-encode to something that decodes to the same tuple.
    auto again = meridian::storage::codec::decode(meridian::storage::codec::encode(*t));
    if (!again.ok() || meridian::compare(*again, *t) != 0) __builtin_trap();
  }
  std::string_view copy = in;
  (void)meridian::storage::codec::read_ordered_bytes(copy);
  (void)meridian::storage::decode_lock(in);
  (void)meridian::storage::decode_write(in);
  return 0;
}
