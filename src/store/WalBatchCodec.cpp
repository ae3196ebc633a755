#include "store/WalBatchCodec.hpp"

#include "tsdb/Varint.hpp"

#include <cstring>

namespace cityops::store {

namespace {
constexpr char kVersion = 1;
uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
}  // namespace

WalBatchCodec::Encoder::Encoder(size_t count) {
  out_.reserve(count * 14 + 8);
  out_.push_back(kVersion);
  tsdb::putUvarint(out_, count);
}

void WalBatchCodec::Encoder::add(const WalEntry& e) {
  tsdb::putUvarint(out_, (static_cast<uint64_t>(e.series) << 2) | (e.sample.q & 3));
  tsdb::putUvarint(out_, zigzag(e.sample.t - prevT_));
  prevT_ = e.sample.t;
  char raw[8];
  std::memcpy(raw, &e.sample.v, 8);
  out_.append(raw, 8);
}

std::string WalBatchCodec::encode(const std::vector<WalEntry>& entries) {
  Encoder enc(entries.size());
  for (const auto& e : entries) enc.add(e);
  return enc.finish();
}

Status WalBatchCodec::decode(std::string_view blob, const std::function<void(const WalEntry&)>& each) {
  auto corrupt = [] { return Error{"corrupt", "malformed log record"}; };
  if (blob.empty() || blob[0] != kVersion) return corrupt();
  size_t pos = 1;
  uint64_t n = 0;
  if (!tsdb::getUvarint(blob, pos, n) || n > blob.size()) return corrupt();
  int64_t prevT = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t head = 0, dt = 0;
    if (!tsdb::getUvarint(blob, pos, head) || !tsdb::getUvarint(blob, pos, dt) || pos + 8 > blob.size())
      return corrupt();
    WalEntry e;
    e.series = static_cast<uint32_t>(head >> 2);
    e.sample.q = static_cast<uint8_t>(head & 3);
    if (__builtin_add_overflow(prevT, unzigzag(dt), &e.sample.t) || e.sample.t < 0) return corrupt();
    prevT = e.sample.t;
    std::memcpy(&e.sample.v, blob.data() + pos, 8);
    pos += 8;
    if (e.sample.q > tsdb::kMaxQuality) return corrupt();
    each(e);
  }
  return {};
}

}  // namespace cityops::store
