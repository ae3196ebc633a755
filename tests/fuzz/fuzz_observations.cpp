// Fuzz target: ObservationDecoder::decode on arbitrary bytes, as a JSON body and as NDJSON.
// On success every observation must satisfy the documented contract; on failure the error is a client error.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "FuzzCheck.hpp"
#include "model/Names.hpp"
#include "model/ObservationDecoder.hpp"

using cityops::model::ObservationDecoder;

namespace {

constexpr int64_t kNow = 1761735600000;  // 2025-10-29T11:00:00Z

void decodeAndCheck(std::string_view body, bool ndjson) {
  auto r = ObservationDecoder::decode(body, ndjson, kNow);
  if (!r.ok()) {
    const auto& e = r.error();
    FUZZ_CHECK(e.code == "bad_request" || e.code == "too_large", "unexpected error code");
    FUZZ_CHECK(!e.message.empty(), "empty error message");
    FUZZ_CHECK(e.message.size() < 1024, "error message echoes too much of the body");
    return;
  }
  const auto& obs = *r;
  FUZZ_CHECK(obs.size() <= ObservationDecoder::kMaxItems, "more than kMaxItems accepted");
  // Each item costs at least the bytes of {"entity":"x","metric":"m","time":0,"value":0} minus a few.
  FUZZ_CHECK(obs.size() <= body.size() / 30 + 1, "more observations than the body can hold");
  for (const auto& o : obs) {
    FUZZ_CHECK(cityops::model::isValidEntityId(o.entity), "invalid entity id accepted");
    FUZZ_CHECK(cityops::model::isValidMetric(o.metric), "invalid metric accepted");
    FUZZ_CHECK(o.time >= 0, "time before 1970 accepted");
    FUZZ_CHECK(o.time <= kNow + ObservationDecoder::kMaxFutureMs, "time too far ahead accepted");
    FUZZ_CHECK(std::isfinite(o.value), "non-finite value accepted");
    FUZZ_CHECK(static_cast<unsigned>(o.quality) <= 2, "bad quality accepted");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  decodeAndCheck(body, false);
  decodeAndCheck(body, true);
  return 0;
}
