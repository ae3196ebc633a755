#include "traffic/SyntheticScene.hpp"

#include <boost/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace cityops::traffic {

namespace json = boost::json;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kScheme = "synthetic:";
constexpr double kRowY[4] = {0.19, 0.37, 0.63, 0.81};
constexpr double kGapM = 4.0;       // free road between a vehicle and the one ahead when it enters
constexpr double kClearMs = 500;    // a reserved row stays empty this long after its vehicle left

Result<double> number(std::string_view key, std::string_view text, double lo, double hi) {
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v))
    return BadRequest("synthetic source: " + std::string(key) + " must be a number, got '" + std::string(text) + "'");
  if (v < lo || v > hi)
    return BadRequest("synthetic source: " + std::string(key) + " must be in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got " + std::string(text));
  return v;
}

const cv::Scalar kPalette[] = {{40, 40, 220}, {220, 70, 40}, {40, 210, 240}, {25, 25, 25},
                               {60, 190, 60}, {200, 60, 200}, {0, 140, 255}, {140, 30, 90}};

}  // namespace

Result<SyntheticOptions> SyntheticOptions::parse(std::string_view source) {
  if (!source.starts_with(kScheme)) return BadRequest("a synthetic source starts with 'synthetic:'");
  std::string_view rest = source.substr(kScheme.size());
  if (!rest.empty() && rest.front() == '?') rest.remove_prefix(1);
  SyntheticOptions o;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return BadRequest("synthetic source: '" + std::string(pair) + "' is not key=value");
    const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
    struct Field {
      std::string_view key;
      double* target;
      double lo, hi;
    };
    double width = o.width, height = o.height, seed = static_cast<double>(o.seed);
    const Field fields[] = {{"vehicles_per_min", &o.vehiclesPerMin, 0, 600},
                            {"seed", &seed, 0, 9007199254740992.0},
                            {"width", &width, 64, 3840},
                            {"height", &height, 64, 2160},
                            {"fps", &o.fps, 1, 60},
                            {"two_wheeler_share", &o.twoWheelerShare, 0, 1},
                            {"bus_share", &o.busShare, 0, 1},
                            {"stop_first_s", &o.stopFirstS, 0, 1e7},
                            {"stop_every_s", &o.stopEveryS, 0, 1e7},
                            {"stop_s", &o.stopS, 0, 86400},
                            {"wrong_way_every_s", &o.wrongWayEveryS, 0, 1e7},
                            {"noise", &o.noise, 0, 20},
                            {"scene_width_m", &o.sceneWidthM, 5, 200}};
    const Field* f = nullptr;
    for (const auto& candidate : fields)
      if (candidate.key == key) f = &candidate;
    if (!f) {
      std::string known;
      for (const auto& candidate : fields) known += (known.empty() ? "" : ", ") + std::string(candidate.key);
      return BadRequest("synthetic source: unknown parameter '" + std::string(key) + "' (known: " + known + ")");
    }
    auto v = number(key, value, f->lo, f->hi);
    if (!v) return v.error();
    *f->target = *v;
    o.width = static_cast<int>(width);
    o.height = static_cast<int>(height);
    o.seed = static_cast<uint64_t>(seed);
    if ((key == "width" || key == "height" || key == "seed") && std::floor(*v) != *v)
      return BadRequest("synthetic source: " + std::string(key) + " must be a whole number");
  }
  if (o.twoWheelerShare + o.busShare > 1.0) return BadRequest("synthetic source: two_wheeler_share + bus_share exceeds 1");
  return o;
}

double SyntheticVehicle::left(double tMs, int frameWidth) const {
  const double dt = tMs - entryMs;
  if (direction < 0) return frameWidth - pxPerMs * dt;
  double x = -w + pxPerMs * dt;
  if (stops() && x > stopLeft) {
    const double reach = entryMs + (stopLeft + w) / pxPerMs;
    x = tMs <= reach + stopMs ? stopLeft : stopLeft + pxPerMs * (tMs - reach - stopMs);
  }
  return x;
}

double SyntheticVehicle::exitMs(int frameWidth) const {
  return entryMs + (frameWidth + w) / pxPerMs + (stops() ? stopMs : 0);
}

double SyntheticVehicle::crossingMs(double lineX, int frameWidth) const {
  if (direction < 0) return entryMs + (frameWidth - lineX + w / 2.0) / pxPerMs;
  double t = entryMs + (lineX + w / 2.0) / pxPerMs;
  if (stops() && stopLeft + w / 2.0 < lineX) t += stopMs;  // stands before the line
  return t;
}

SyntheticScene::SyntheticScene(SyntheticOptions options) : o_(options), rng_(options.seed) {
  for (int i = 0; i < 4; ++i) {
    rows_[static_cast<size_t>(i)].index = i;
    rows_[static_cast<size_t>(i)].cy = static_cast<int>(std::lround(kRowY[i] * o_.height));
    rows_[static_cast<size_t>(i)].direction = i < 2 ? -1 : 1;
  }
  const int W = o_.width, H = o_.height;
  // The street: textured asphalt, lighter pavements, lane markings.
  cv::Mat grey(H, W, CV_8UC1);
  cv::RNG rng(static_cast<uint64_t>(o_.seed) * 7919 + 17);
  rng.fill(grey, cv::RNG::UNIFORM, 70, 170);
  cv::GaussianBlur(grey, grey, cv::Size(0, 0), 1.5);
  cv::Mat street;
  cv::cvtColor(grey, street, cv::COLOR_GRAY2BGR);
  const auto y = [H](double f) { return static_cast<int>(std::lround(f * H)); };
  const int thick = std::max(2, H / 120);
  for (const auto& band : {cv::Rect(0, 0, W, y(0.04)), cv::Rect(0, y(0.96), W, H - y(0.96))}) {
    cv::Mat pavement = street(band);
    pavement.convertTo(pavement, -1, 0.6, 90);
  }
  const int dash = std::max(8, W / 20);
  for (double f : {0.28, 0.72})
    for (int x = 0; x < W; x += 2 * dash)
      cv::rectangle(street, cv::Rect(x, y(f) - thick / 2, dash, thick), cv::Scalar(225, 225, 225), cv::FILLED);
  for (double f : {0.49, 0.51})
    cv::rectangle(street, cv::Rect(0, y(f) - thick / 2, W, thick), cv::Scalar(40, 200, 230), cv::FILLED);
  // A few noise patterns, cycled frame by frame (noise on every frame as a sensor has, without its cost).
  cv::RNG noiseRng(static_cast<uint64_t>(o_.seed) * 104729 + 3);
  for (int i = 0; i < 4; ++i) {
    cv::Mat noisy;
    if (o_.noise > 0) {
      cv::Mat noise(street.size(), CV_16SC3), wide;
      noiseRng.fill(noise, cv::RNG::NORMAL, 0, o_.noise);
      street.convertTo(wide, CV_16SC3);
      wide += noise;
      wide.convertTo(noisy, CV_8UC3);
    } else {
      noisy = street.clone();
    }
    backgrounds_.push_back(noisy);
  }
  const double perMin = o_.vehiclesPerMin;
  nextArrival_ = perMin > 0 ? exponentialMs(60000.0 / perMin) : kInf;
  nextStop_ = o_.stopS > 0 ? o_.stopFirstS * 1000.0 : kInf;
  nextWrongWay_ = o_.wrongWayEveryS > 0 ? o_.wrongWayEveryS * 1000.0 : kInf;
}

double SyntheticScene::uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

double SyntheticScene::exponentialMs(double meanMs) { return -std::log(1.0 - uniform()) * meanMs; }

SyntheticVehicle SyntheticScene::makeVehicle(VehicleClass cls, int direction, double kmh) {
  const double mpp = metersPerPixel();
  double lengthM = 4.4, widthM = 1.8;
  switch (cls) {
    case VehicleClass::TwoWheeler:
      lengthM = 1.8 + 0.3 * uniform();
      widthM = 0.8 + 0.2 * uniform();
      break;
    case VehicleClass::BusTruck:
      lengthM = 10.0 + 2.0 * uniform();
      widthM = 2.5 + 0.1 * uniform();
      break;
    default:
      lengthM = 4.0 + 0.8 * uniform();
      widthM = 1.7 + 0.2 * uniform();
      break;
  }
  SyntheticVehicle v;
  v.id = nextId_++;
  v.cls = cls;
  v.direction = direction;
  v.w = std::max(2, static_cast<int>(std::lround(lengthM / mpp)));
  v.h = std::max(2, static_cast<int>(std::lround(widthM / mpp)));
  v.pxPerMs = kmh / 3.6 / mpp / 1000.0;
  v.colour = kPalette[static_cast<size_t>(rng_() % std::size(kPalette))];
  return v;
}

double SyntheticScene::earliestEntry(const Row& row, const SyntheticVehicle& v, double atMs) const {
  double t = std::max(atMs, row.reservedUntil);
  if (!row.hasLast) return t;
  const SyntheticVehicle& last = row.last;
  if (last.direction != v.direction || v.wrongWay) return std::max(t, last.exitMs(o_.width) + kClearMs);
  const double gapPx = kGapM / metersPerPixel();
  // The vehicle ahead must have left `gapPx` of free road behind it at the entry edge.
  const auto clear = [&](double when) {
    const double l = last.left(when, o_.width);
    return last.direction > 0 ? l >= gapPx : l + last.w <= o_.width - gapPx;
  };
  if (clear(t)) return t;
  double lo = t, hi = last.exitMs(o_.width);
  for (int i = 0; i < 50 && hi - lo > 0.5; ++i) {
    const double mid = (lo + hi) / 2;
    (clear(mid) ? hi : lo) = mid;
  }
  return hi;
}

void SyntheticScene::place(Row& row, SyntheticVehicle v, double entryMs, bool reserve) {
  v.entryMs = entryMs;
  v.row = row.index;
  v.cy = row.cy;
  // Never faster than the vehicle ahead while it is in view: nobody catches up.
  if (row.hasLast && row.last.direction == v.direction && !v.wrongWay && row.last.exitMs(o_.width) > entryMs)
    v.pxPerMs = std::min(v.pxPerMs, row.last.pxPerMs);
  if (reserve) row.reservedUntil = v.exitMs(o_.width) + kClearMs;
  row.last = v;
  row.hasLast = true;
  vehicles_.push_back(std::move(v));
}

void SyntheticScene::scheduleNormal(double atMs) {
  const double u = uniform();
  const VehicleClass cls = u < o_.twoWheelerShare                 ? VehicleClass::TwoWheeler
                           : u < o_.twoWheelerShare + o_.busShare ? VehicleClass::BusTruck
                                                                  : VehicleClass::Car;
  const int direction = uniform() < 0.5 ? 1 : -1;
  const double kmh = cls == VehicleClass::TwoWheeler ? 25 + 15 * uniform()
                     : cls == VehicleClass::BusTruck ? 25 + 10 * uniform()
                                                     : 30 + 15 * uniform();
  SyntheticVehicle v = makeVehicle(cls, direction, kmh);
  // Buses keep to the outer rows (0 westbound, 3 eastbound); the others take the row they can enter first.
  std::vector<size_t> candidates;
  if (cls == VehicleClass::BusTruck) candidates = {direction > 0 ? 3u : 0u};
  else candidates = direction > 0 ? std::vector<size_t>{2, 3} : std::vector<size_t>{1, 0};
  const bool swap = uniform() < 0.5;
  if (swap && candidates.size() == 2) std::swap(candidates[0], candidates[1]);
  size_t best = candidates[0];
  double bestAt = earliestEntry(rows_[best], v, atMs);
  for (size_t i = 1; i < candidates.size(); ++i) {
    const double at = earliestEntry(rows_[candidates[i]], v, atMs);
    if (at < bestAt) {
      best = candidates[i];
      bestAt = at;
    }
  }
  place(rows_[best], std::move(v), bestAt, false);
}

void SyntheticScene::scheduleStop(double atMs) {
  SyntheticVehicle v = makeVehicle(VehicleClass::Car, 1, 30 + 10 * uniform());
  v.stopLeft = 0.62 * o_.width;
  v.stopMs = o_.stopS * 1000.0;
  Row& row = rows_[3];
  const double entry = earliestEntry(row, v, atMs);
  place(row, std::move(v), entry, true);
}

void SyntheticScene::scheduleWrongWay(double atMs) {
  SyntheticVehicle v = makeVehicle(VehicleClass::TwoWheeler, -1, 25 + 10 * uniform());
  v.wrongWay = true;
  Row& row = rows_[2];
  const double entry = earliestEntry(row, v, atMs);
  place(row, std::move(v), entry, true);
}

void SyntheticScene::generateUntil(double tMs) {
  if (tMs <= generatedUntil_) return;
  for (;;) {
    const double next = std::min({nextArrival_, nextStop_, nextWrongWay_});
    if (next > tMs) break;
    if (next == nextStop_) {
      scheduleStop(next);
      nextStop_ = o_.stopEveryS > 0 ? nextStop_ + o_.stopEveryS * 1000.0 : kInf;
    } else if (next == nextWrongWay_) {
      scheduleWrongWay(next);
      nextWrongWay_ += o_.wrongWayEveryS * 1000.0;
    } else {
      scheduleNormal(next);
      nextArrival_ += exponentialMs(60000.0 / o_.vehiclesPerMin);
    }
  }
  generatedUntil_ = tMs;
}

const std::deque<SyntheticVehicle>& SyntheticScene::vehiclesUntil(double tMs) {
  generateUntil(tMs);
  return vehicles_;
}

std::vector<SyntheticCrossing> SyntheticScene::crossings(double fromMs, double toMs) {
  generateUntil(toMs);
  std::vector<SyntheticCrossing> out;
  for (const auto& v : vehicles_) {
    const double t = v.crossingMs(lineX(), o_.width);
    if (t >= fromMs && t < toMs) out.push_back({v.id, v.cls, v.direction > 0, t});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.tMs < b.tMs; });
  return out;
}

void SyntheticScene::forgetBefore(double tMs) {
  while (!vehicles_.empty() && vehicles_.front().exitMs(o_.width) < tMs) vehicles_.pop_front();
}

void SyntheticScene::drawVehicle(cv::Mat& img, const SyntheticVehicle& v, double tMs) const {
  const int x = static_cast<int>(std::lround(v.left(tMs, o_.width)));
  const cv::Rect box(x, v.cy - v.h / 2, v.w, v.h);
  cv::rectangle(img, box, v.colour, cv::FILLED);
  // A darker windscreen (cars, buses) or rider (two-wheelers) at the front, for the eye.
  const int front = v.direction > 0 ? box.x + box.width * 3 / 4 : box.x + box.width / 8;
  const cv::Rect detail(front, box.y + std::max(1, box.height / 6), std::max(1, box.width / 8),
                        std::max(1, box.height * 2 / 3));
  cv::rectangle(img, detail & cv::Rect(0, 0, img.cols, img.rows), v.colour * 0.45, cv::FILLED);
}

void SyntheticScene::render(int64_t index, cv::Mat& out) {
  const double t = static_cast<double>(index) * frameMs();
  generateUntil(t);
  backgrounds_[static_cast<size_t>(index % static_cast<int64_t>(backgrounds_.size()))].copyTo(out);
  for (const auto& v : vehicles_) {
    if (v.entryMs > t || v.exitMs(o_.width) <= t) continue;
    drawVehicle(out, v, t);
  }
}

json::object SyntheticScene::cameraJson() const {
  const double W = o_.width, H = o_.height;
  const auto pt = [](double x, double y) { return json::array{std::round(x), std::round(y)}; };
  json::object o;
  o["lines"] = json::array{json::object{
      {"id", "stop_line"}, {"a", pt(W / 2, 0.04 * H)}, {"b", pt(W / 2, 0.96 * H)}, {"forward", json::array{1, 0}}}};
  o["lanes"] = json::array{
      json::object{{"id", "westbound"},
                   {"polygon", json::array{pt(0, 0.06 * H), pt(W, 0.06 * H), pt(W, 0.47 * H), pt(0, 0.47 * H)}},
                   {"forward", json::array{-1, 0}}},
      json::object{{"id", "eastbound"},
                   {"polygon", json::array{pt(0, 0.53 * H), pt(W, 0.53 * H), pt(W, 0.94 * H), pt(0, 0.94 * H)}},
                   {"forward", json::array{1, 0}}}};
  o["calibration"] = json::object{{"meters_per_pixel", metersPerPixel()}};
  o["downscale_width"] = std::min(o_.width, 320);
  return o;
}

}  // namespace cityops::traffic
