// The gen_id() generator; see id_generator.hpp.
#include "query/id_generator.hpp"

namespace meridian::query {

std::int64_t id_generator::next(std::uint64_t now_ms) {
  std::uint64_t ms = now_ms > epoch_ms ? now_ms - epoch_ms : 0;
  if (ms <= last_ms_) {
    ms = last_ms_;
    if (++sequence_ == (1u << sequence_bits)) {
      ++ms;  // borrow the next millisecond rather than repeat an id
      sequence_ = 0;
    }
  } else {
    sequence_ = 0;
  }
  last_ms_ = ms;
  std::uint64_t id = (ms << (salt_bits + sequence_bits)) |
                     (static_cast<std::uint64_t>(salt_) << sequence_bits) | sequence_;
  return static_cast<std::int64_t>(id & (~std::uint64_t{0} >> 1));
}

}  // namespace meridian::query
