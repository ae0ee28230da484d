// The OCI config parser and the translation to a sandbox spec (including
// the seccomp profile compiler) on arbitrary bytes: no crash, no leak, no
// undefined behaviour; and whatever parses survives a serialize/parse
// round trip unchanged (the parser's documented promise).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "oci/spec.hpp"
#include "oci/state.hpp"
#include "oci/to_sandbox.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto spec = litebox::oci::ParseSpec(text);
  if (spec.ok()) {
    auto again = litebox::oci::ParseSpec(litebox::oci::SerializeSpec(*spec));
    if (!again.ok() || !(*again == *spec)) abort();  // the round trip is part of the contract
    std::vector<std::string> ignored;
    (void)litebox::oci::ToSandboxSpec(*spec, "/bundle", "fuzz", &ignored);
  }
  (void)litebox::oci::ParseState(text);
  return 0;
}
