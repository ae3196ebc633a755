#include "store/Series.hpp"

#include "tsdb/Rollup.hpp"

#include <algorithm>
#include <mutex>

namespace cityops::store {

void Series::append(const tsdb::Sample& s) {
  std::unique_lock lock(mu_);
  if (head_.empty() || head_.back().t < s.t) {
    head_.push_back(s);
  } else {
    auto it = std::lower_bound(head_.begin(), head_.end(), s.t, [](const tsdb::Sample& a, int64_t t) { return a.t < t; });
    if (it != head_.end() && it->t == s.t) *it = s;
    else head_.insert(it, s);
  }
  if (!hasLatest_ || s.t >= latest_.t) {
    latest_ = s;
    hasLatest_ = true;
  }
}

std::shared_ptr<const std::string> Series::type() const {
  std::shared_lock lock(mu_);
  return type_;
}

void Series::setType(std::shared_ptr<const std::string> type) {
  std::unique_lock lock(mu_);
  type_ = std::move(type);
}

void Series::clearHead() {
  std::unique_lock lock(mu_);
  head_.clear();
  head_.shrink_to_fit();
}

void Series::setLatest(const tsdb::Sample& s) {
  std::unique_lock lock(mu_);
  if (!hasLatest_ || s.t >= latest_.t) {
    latest_ = s;
    hasLatest_ = true;
  }
}

std::vector<tsdb::Sample> Series::headRange(int64_t from, int64_t to) const {
  std::shared_lock lock(mu_);
  auto lo = std::lower_bound(head_.begin(), head_.end(), from, [](const tsdb::Sample& a, int64_t t) { return a.t < t; });
  auto hi = std::upper_bound(lo, head_.end(), to, [](int64_t t, const tsdb::Sample& a) { return t < a.t; });
  return {lo, hi};
}

void Series::rollupHead(int64_t from, int64_t to, int64_t res, int64_t sealedTo, std::vector<tsdb::Bucket>& out,
                        std::vector<int64_t>& lateStarts) const {
  std::shared_lock lock(mu_);
  auto lo = std::lower_bound(head_.begin(), head_.end(), from, [](const tsdb::Sample& a, int64_t t) { return a.t < t; });
  for (auto it = lo; it != head_.end() && it->t <= to; ++it) {
    if (it->t <= sealedTo) {
      const int64_t start = tsdb::bucketStart(it->t, res);
      if (lateStarts.empty() || lateStarts.back() != start) lateStarts.push_back(start);
      continue;
    }
    if (it->q != tsdb::kBad) tsdb::accumulate(out, *it, res);
  }
}

std::vector<tsdb::Sample> Series::headCopy() const {
  std::shared_lock lock(mu_);
  return head_;
}

size_t Series::headSize() const {
  std::shared_lock lock(mu_);
  return head_.size();
}

bool Series::latest(tsdb::Sample& out) const {
  std::shared_lock lock(mu_);
  if (!hasLatest_) return false;
  out = latest_;
  return true;
}

}  // namespace cityops::store
