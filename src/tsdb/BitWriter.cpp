#include "tsdb/BitWriter.hpp"

namespace cityops::tsdb {

void BitWriter::flushWord() {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(acc_ >> (56 - 8 * i));
  out_.append(buf, 8);
  bits_ += 64;
}

void BitWriter::writeVarBits(uint64_t v, unsigned group) {
  const uint64_t mask = (uint64_t{1} << group) - 1;
  for (;;) {
    const uint64_t rest = v >> group;
    write(((v & mask) << 1) | (rest != 0 ? 1 : 0), group + 1);
    if (rest == 0) return;
    v = rest;
  }
}

void BitWriter::finish() {
  const unsigned bytes = (used_ + 7) / 8;
  for (unsigned i = 0; i < bytes; ++i) out_.push_back(static_cast<char>(acc_ >> (56 - 8 * i)));
  bits_ += used_;
  acc_ = 0;
  used_ = 0;
}

}  // namespace cityops::tsdb
