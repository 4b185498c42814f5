// Names for Raft's enums (for logs and test failures) and the byte encoding of a conf_change
// entry's payload. Pure functions.
#include "raft/types.hpp"

#include "common/byte_io.hpp"

namespace meridian::raft {

std::string encode_conf_change(const conf_change& change) {
  std::string out;
  byte_writer w(out);
  w.u8(static_cast<std::uint8_t>(change.type));
  w.varint(change.node);
  w.bytes(change.context);
  return out;
}

result<conf_change> decode_conf_change(const std::string& bytes) {
  byte_reader r(bytes);
  std::uint8_t type = 0;
  conf_change change;
  if (!r.u8(type) || !r.varint(change.node) || !r.bytes(change.context) || !r.done() ||
      type > static_cast<std::uint8_t>(conf_change_type::remove_node)) {
    return error(errc::invalid_argument, "the entry is not an encoded membership change");
  }
  change.type = static_cast<conf_change_type>(type);
  return change;
}

const char* to_string(message_type type) {
  switch (type) {
    case message_type::append: return "append";
    case message_type::append_response: return "append_response";
    case message_type::vote: return "vote";
    case message_type::vote_response: return "vote_response";
    case message_type::pre_vote: return "pre_vote";
    case message_type::pre_vote_response: return "pre_vote_response";
    case message_type::heartbeat: return "heartbeat";
    case message_type::heartbeat_response: return "heartbeat_response";
    case message_type::snapshot: return "snapshot";
    case message_type::timeout_now: return "timeout_now";
    case message_type::read_index: return "read_index";
    case message_type::read_index_response: return "read_index_response";
  }
  return "unknown";
}

const char* to_string(role r) {
  switch (r) {
    case role::follower: return "follower";
    case role::pre_candidate: return "pre_candidate";
    case role::candidate: return "candidate";
    case role::leader: return "leader";
  }
  return "unknown";
}

}  // namespace meridian::raft
