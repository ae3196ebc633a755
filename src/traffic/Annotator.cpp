#include "traffic/Annotator.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>

namespace cityops::traffic {

namespace {

cv::Point px(const Point2& p) { return {static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))}; }

cv::Scalar colourOf(VehicleClass c) {
  switch (c) {
    case VehicleClass::TwoWheeler: return {255, 200, 0};   // light blue
    case VehicleClass::Car: return {0, 220, 0};            // green
    case VehicleClass::BusTruck: return {0, 165, 255};     // orange
    case VehicleClass::Person: return {255, 0, 255};       // magenta
  }
  return {0, 220, 0};
}

void label(cv::Mat& img, const std::string& text, cv::Point at, double scale, const cv::Scalar& colour) {
  int base = 0;
  const int thick = std::max(1, static_cast<int>(std::lround(scale * 2)));
  const cv::Size sz = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thick, &base);
  at.x = std::clamp(at.x, 0, std::max(0, img.cols - sz.width));
  at.y = std::clamp(at.y, sz.height + 2, std::max(sz.height + 2, img.rows - 2));
  cv::rectangle(img, {at.x, at.y - sz.height - 2}, {at.x + sz.width, at.y + base}, cv::Scalar(0, 0, 0), cv::FILLED);
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv::LINE_AA);
}

int64_t sum(const ClassCounts& c) { return c.total(); }

constexpr int64_t kEpochFloorMs = 946684800000;  // 2000-01-01: times above are wall-clock times

}  // namespace

void Annotator::draw(cv::Mat& frame, const FrameResult& r, const std::vector<LineTotals>& totals) const {
  if (frame.empty() || frame.type() != CV_8UC3) return;
  const double scale = std::max(0.35, frame.cols / 1600.0);
  const int thick = std::max(1, frame.cols / 640);

  std::vector<char> occupied(spec_.lanes.size(), 0);
  for (const auto& t : r.tracks)
    if (t.lane >= 0) occupied[static_cast<size_t>(t.lane)] = 1;
  for (size_t i = 0; i < spec_.lanes.size(); ++i) {
    const auto& lane = spec_.lanes[i];
    std::vector<cv::Point> poly;
    for (const auto& p : lane.polygon) poly.push_back(px(p));
    const cv::Scalar colour = occupied[i] ? cv::Scalar(0, 200, 255) : cv::Scalar(200, 200, 0);
    cv::polylines(frame, poly, true, colour, thick, cv::LINE_AA);
    label(frame, lane.id, poly.front() + cv::Point(4, 16), scale, colour);
  }
  for (size_t i = 0; i < spec_.lines.size(); ++i) {
    const auto& l = spec_.lines[i];
    cv::line(frame, px(l.a), px(l.b), cv::Scalar(0, 255, 255), thick + 1, cv::LINE_AA);
    const cv::Point mid((px(l.a) + px(l.b)) / 2);
    const double fl = std::hypot(l.forward.x, l.forward.y);
    const cv::Point tip = mid + cv::Point(static_cast<int>(l.forward.x / fl * 30), static_cast<int>(l.forward.y / fl * 30));
    cv::arrowedLine(frame, mid, tip, cv::Scalar(0, 255, 255), thick, cv::LINE_AA, 0, 0.3);
    std::string text = l.id;
    if (i < totals.size())
      text += " +" + std::to_string(sum(totals[i].forward)) + " -" + std::to_string(sum(totals[i].backward));
    label(frame, text, px(l.a) + cv::Point(4, 16), scale, cv::Scalar(0, 255, 255));
  }
  for (const auto& t : r.tracks) {
    cv::Scalar colour = colourOf(t.cls);
    if (t.stopped) colour = cv::Scalar(0, 0, 255);
    if (t.wrongWay) colour = cv::Scalar(255, 0, 200);
    const cv::Rect box(static_cast<int>(t.box.x), static_cast<int>(t.box.y), static_cast<int>(t.box.width),
                       static_cast<int>(t.box.height));
    cv::rectangle(frame, box, colour, thick + (t.stopped || t.wrongWay ? 1 : 0));
    std::string text = "#" + std::to_string(t.id) + " " + std::string(className(t.cls));
    if (t.speedKmh) {
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.0f km/h", *t.speedKmh);
      text += buf;
    }
    if (t.stopped) text += " STOPPED";
    if (t.wrongWay) text += " WRONG WAY";
    label(frame, text, box.tl() - cv::Point(0, 3), scale, colour);
  }
  // Video time in seconds; a live camera's epoch time as UTC date and time.
  char when[48];
  if (r.tMs >= kEpochFloorMs) {
    const std::time_t secs = static_cast<std::time_t>(r.tMs / 1000);
    std::tm utc{};
    gmtime_r(&secs, &utc);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &utc);
  } else {
    std::snprintf(when, sizeof when, "t=%.1fs", r.tMs / 1000.0);
  }
  char status[192];
  std::snprintf(status, sizeof status, "%s  %s  tracks=%zu%s%s%s", spec_.id.c_str(), when, r.tracks.size(),
                r.health.dark ? "  DARK" : "", r.health.blurred ? "  BLURRED" : "", r.health.frozen ? "  FROZEN" : "");
  label(frame, status, cv::Point(4, frame.rows - 6), scale, cv::Scalar(255, 255, 255));
}

}  // namespace cityops::traffic
