// Fuzz target: the binary decoders that read stored blobs (tsdb chunks, rollups, WAL batches) on arbitrary bytes.
// A successful decode must give valid data that survives a re-encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzCheck.hpp"
#include "store/WalBatchCodec.hpp"
#include "tsdb/ChunkCodec.hpp"
#include "tsdb/RollupCodec.hpp"
#include "tsdb/Varint.hpp"

using namespace cityops;

namespace {

void chunk(std::string_view blob) {
  auto r = tsdb::decodeChunk(blob);
  auto h = tsdb::peekChunk(blob);
  if (!r.ok()) {
    FUZZ_CHECK(r.error().code == "corrupt", "chunk: error code is not corrupt");
    return;
  }
  const auto& s = *r;
  FUZZ_CHECK(h.ok(), "chunk decodes but its header does not");
  FUZZ_CHECK(h->count == s.size(), "chunk: header count differs");
  if (!s.empty()) FUZZ_CHECK(h->firstT == s.front().t && h->lastT == s.back().t, "chunk: header times differ");
  for (size_t i = 0; i < s.size(); ++i) {
    FUZZ_CHECK(s[i].t >= 0, "chunk: negative time");
    FUZZ_CHECK(s[i].q <= tsdb::kMaxQuality, "chunk: bad quality");
    if (i > 0) FUZZ_CHECK(s[i].t > s[i - 1].t, "chunk: times not increasing");
  }
  const std::string again = tsdb::encodeChunk(s);
  auto back = tsdb::decodeChunk(again);
  FUZZ_CHECK(back.ok(), "chunk: re-encoded blob does not decode");
  FUZZ_CHECK(*back == s, "chunk: round trip changed the samples");
  FUZZ_CHECK(tsdb::encodeChunk(*back) == again, "chunk: encoder is not deterministic");
  FUZZ_CHECK(again.size() <= blob.size() + 8, "chunk: re-encoding is much larger than the input");
  // decodeChunkInto appends and leaves existing samples alone.
  std::vector<tsdb::Sample> out{tsdb::Sample{1, 2.0, 0}};
  FUZZ_CHECK(tsdb::decodeChunkInto(blob, out).ok() && out.size() == s.size() + 1 && out[0].t == 1, "decodeChunkInto");
}

void rollups(std::string_view blob) {
  auto r = tsdb::decodeRollups(blob);
  if (!r.ok()) {
    FUZZ_CHECK(r.error().code == "corrupt", "rollups: error code is not corrupt");
    return;
  }
  const auto& b = *r;
  for (size_t i = 0; i < b.size(); ++i) {
    FUZZ_CHECK(b[i].start >= 0, "rollups: negative start");
    FUZZ_CHECK(b[i].lastT >= b[i].start, "rollups: lastT before start");
    if (i > 0) FUZZ_CHECK(b[i].start > b[i - 1].start, "rollups: starts not increasing");
  }
  auto back = tsdb::decodeRollups(tsdb::encodeRollups(b));
  FUZZ_CHECK(back.ok(), "rollups: re-encoded blob does not decode");
  FUZZ_CHECK(*back == b, "rollups: round trip changed the buckets");
}

bool sameEntry(const store::WalEntry& a, const store::WalEntry& b) {
  return a.series == b.series && a.sample == b.sample;
}

void wal(std::string_view blob) {
  std::vector<store::WalEntry> got;
  auto st = store::WalBatchCodec::decode(blob, [&](const store::WalEntry& e) { got.push_back(e); });
  FUZZ_CHECK(got.size() <= blob.size() / 10, "wal: more entries than bytes allow");
  if (!st.ok()) {
    FUZZ_CHECK(st.error().code == "corrupt", "wal: error code is not corrupt");
    return;
  }
  for (const auto& e : got) {
    FUZZ_CHECK(e.sample.q <= tsdb::kMaxQuality, "wal: bad quality");
    FUZZ_CHECK(e.sample.t >= 0, "wal: negative time");
  }
  std::vector<store::WalEntry> again;
  auto st2 = store::WalBatchCodec::decode(store::WalBatchCodec::encode(got),
                                          [&](const store::WalEntry& e) { again.push_back(e); });
  FUZZ_CHECK(st2.ok(), "wal: re-encoded batch does not decode");
  FUZZ_CHECK(again.size() == got.size(), "wal: round trip changed the count");
  for (size_t i = 0; i < got.size(); ++i) FUZZ_CHECK(sameEntry(got[i], again[i]), "wal: round trip changed an entry");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view blob(reinterpret_cast<const char*>(data), size);
  chunk(blob);
  rollups(blob);
  wal(blob);
  return 0;
}
