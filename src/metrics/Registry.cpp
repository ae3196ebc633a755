#include "metrics/Registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

namespace cityops::metrics {

namespace {

// Go's strconv.FormatFloat(v, 'g', -1, 64), which Prometheus clients use: shortest round-trip digits,
// exponent form when exp < -4 || exp >= 6.
std::string formatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char sci[64];
  auto [end, ec] = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";
  std::string_view s(sci, static_cast<size_t>(end - sci));
  const auto e = s.find('e');
  int exp = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exp);
  if (exp < -4 || exp >= 6) return std::string(s);
  char fixed[512];
  auto [fend, fec] = std::to_chars(fixed, fixed + sizeof fixed, v, std::chars_format::fixed);
  if (fec != std::errc()) return std::string(s);
  return std::string(fixed, fend);
}

std::string escapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string escapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

// Label pairs rendered inside braces, without the braces; `extra` is appended last (used for le).
std::string labelBody(const Labels& labels, const std::pair<std::string, std::string>* extra = nullptr) {
  std::string out;
  auto add = [&out](const std::string& k, const std::string& v) {
    if (!out.empty()) out += ',';
    out += k;
    out += "=\"";
    out += escapeLabelValue(v);
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (extra) add(extra->first, extra->second);
  return out;
}

std::string braces(const std::string& body) { return body.empty() ? std::string() : "{" + body + "}"; }

// Order-insensitive identity of a label set.
std::string labelKey(const Labels& labels) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string key;
  for (const auto& [k, v] : sorted) {
    key += k;
    key += '\0';
    key += v;
    key += '\0';
  }
  return key;
}

}  // namespace

// ---- Histogram ----

Histogram::Histogram(std::vector<double> upperBounds) {
  upperBounds.erase(std::remove_if(upperBounds.begin(), upperBounds.end(),
                                   [](double b) { return std::isnan(b) || std::isinf(b); }),
                    upperBounds.end());
  std::sort(upperBounds.begin(), upperBounds.end());
  upperBounds.erase(std::unique(upperBounds.begin(), upperBounds.end()), upperBounds.end());
  bounds_ = std::move(upperBounds);
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double seconds) {
  if (std::isnan(seconds)) return;
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), seconds);  // first bound >= v (le)
  buckets_[static_cast<size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  // Sum kept as signed nanoseconds in two's complement so negative observations add correctly.
  constexpr double kMax = 9.2e18;
  const double nanos = std::clamp(seconds * 1e9, -kMax, kMax);
  sumNanos_.fetch_add(static_cast<uint64_t>(static_cast<int64_t>(std::llround(nanos))), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

double Histogram::sum() const {
  return static_cast<double>(static_cast<int64_t>(sumNanos_.load(std::memory_order_relaxed))) / 1e9;
}

// ---- Registry ----

struct Registry::Family {
  std::string name;
  std::string help;
  std::string type;   // "counter", "gauge", "histogram"
  bool hidden = false;  // same name registered earlier with another type: kept usable but not rendered
  struct Child {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  std::deque<Child> children;
  std::map<std::string, size_t> index;  // labelKey -> position in children

  Child* find(const Labels& labels) {
    auto it = index.find(labelKey(labels));
    return it == index.end() ? nullptr : &children[it->second];
  }
  Child& add(const Labels& labels) {
    index.emplace(labelKey(labels), children.size());
    children.push_back(Child{labels, nullptr, nullptr, nullptr});
    return children.back();
  }
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::family(const std::string& name, const std::string& help, const char* type) {
  bool nameTaken = false;
  for (auto& f : families_) {
    if (f->name != name) continue;
    if (f->type == type) return *f;
    nameTaken = true;
  }
  auto f = std::make_unique<Family>();
  f->name = name;
  f->help = help;
  f->type = type;
  f->hidden = nameTaken;
  families_.push_back(std::move(f));
  return *families_.back();
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family& f = family(name, help, "counter");
  if (auto* c = f.find(labels)) return *c->counter;
  auto& c = f.add(labels);
  c.counter = std::make_unique<Counter>();
  return *c.counter;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  Family& f = family(name, help, "gauge");
  if (auto* c = f.find(labels)) return *c->gauge;
  auto& c = f.add(labels);
  c.gauge = std::make_unique<Gauge>();
  return *c.gauge;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                               std::vector<double> upperBounds) {
  std::lock_guard lock(mu_);
  Family& f = family(name, help, "histogram");
  if (auto* c = f.find(labels)) return *c->histogram;
  auto& c = f.add(labels);
  c.histogram = std::make_unique<Histogram>(std::move(upperBounds));
  return *c.histogram;
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& f : families_) {
    if (f->hidden) continue;
    out += "# HELP " + f->name + " " + escapeHelp(f->help) + "\n";
    out += "# TYPE " + f->name + " " + f->type + "\n";
    for (const auto& c : f->children) {
      const std::string labels = braces(labelBody(c.labels));
      if (c.counter) {
        out += f->name + labels + " " + std::to_string(c.counter->value()) + "\n";
      } else if (c.gauge) {
        out += f->name + labels + " " + formatDouble(c.gauge->value()) + "\n";
      } else if (c.histogram) {
        const Histogram& h = *c.histogram;
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.bounds().size(); ++i) {
          cumulative += h.bucketCount(i);
          const std::pair<std::string, std::string> le{
              "le", i < h.bounds().size() ? formatDouble(h.bounds()[i]) : std::string("+Inf")};
          out += f->name + "_bucket{" + labelBody(c.labels, &le) + "} " + std::to_string(cumulative) + "\n";
        }
        out += f->name + "_sum" + labels + " " + formatDouble(h.sum()) + "\n";
        // _count equals the +Inf bucket even while observations race with rendering.
        out += f->name + "_count" + labels + " " + std::to_string(cumulative) + "\n";
      }
    }
  }
  return out;
}

std::vector<double> Registry::defaultLatencyBounds() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,    5,    10};
}

}  // namespace cityops::metrics
