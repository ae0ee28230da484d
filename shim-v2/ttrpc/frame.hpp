// ttrpc framing: a 10-byte big-endian header (length, stream id, type,
// flags) followed by `length` bytes of protobuf. No handshake.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace litebox::shim::ttrpc {

constexpr size_t kHeaderSize = 10;
constexpr uint32_t kMaxMessageSize = 4u << 20;  // larger frames: ResourceExhausted

enum MessageType : uint8_t { kTypeRequest = 1, kTypeResponse = 2, kTypeData = 3 };

struct FrameHeader {
  uint32_t length = 0;
  uint32_t stream_id = 0;
  uint8_t type = 0;
  uint8_t flags = 0;
};

void EncodeHeader(const FrameHeader& h, uint8_t out[kHeaderSize]);
FrameHeader DecodeHeader(const uint8_t in[kHeaderSize]);

enum class ReadStatus {
  kOk,
  kEof,       // clean end of stream before a header
  kTooLarge,  // header read, payload (> kMaxMessageSize) discarded from the stream
  kError,     // I/O error or a stream cut inside a frame; *err says which
};

// Reads one whole frame from a blocking fd.
ReadStatus ReadFrame(int fd, FrameHeader* header, std::string* payload, std::string* err);
// Writes header + payload with one writev-equivalent; the caller serializes writers.
bool WriteFrame(int fd, uint32_t stream_id, uint8_t type, uint8_t flags, std::string_view payload,
                std::string* err);

}  // namespace litebox::shim::ttrpc
