// The guest's end of the sandbox's lookup cache (libos/abi/proto.h,
// "Lookup cache"): a read-only mapping of the supervisor's memfd for this
// process's class of credentials, shared with the other processes of that
// class (fork children inherit it, an exec keeps it), from which a process
// answers repeated lookups without a round trip (ShmControl::lookup_tag).
#pragma once

#include "libos/channel.hpp"

namespace lb::lookup {

// Maps the memfd that came with the hello reply and closes it. False if
// it cannot be mapped (every lookup is then asked). Called before any
// other thread exists.
bool map(int fd);
// The answer to `r` from the cache, if it holds one now for this
// process's tag (page::lookup_tag(); 0: none): true with *result,
// r.payload and r.payload_len set as a reply would. Under the channel
// lock.
bool answer(Rpc& r, uint32_t tag, long* result);
// After a request that may have changed this process's credentials:
// `fd` (>= 0) is its new class's cache, mapped over the old one; else,
// with `tag` 0, the old mapping is replaced by empty memory (it holds what
// the old class may look up, see rootfs/lookup_cache.hpp). The caller
// holds the channel lock, under which answer() runs (no reader sees half
// of each mapping).
void credentials_changed(uint32_t tag, int fd = -1);

}  // namespace lb::lookup
