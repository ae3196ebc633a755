#pragma once
// Annotator: the overlays of an annotated frame - lanes (with occupancy colour when occupied), counting lines with
// their forward/backward totals, track boxes coloured by class with id and speed, stopped and wrong-way tracks
// highlighted, and a status line (time, health problems).
#include "traffic/CameraPipeline.hpp"
#include "traffic/CameraSpec.hpp"
#include "traffic/IntervalMetrics.hpp"

#include <opencv2/core/mat.hpp>

#include <vector>

namespace cityops::traffic {

class Annotator {
 public:
  explicit Annotator(const CameraSpec& spec) : spec_(spec) {}
  /// Draws on `frame` (8-bit BGR, source size) in place.
  void draw(cv::Mat& frame, const FrameResult& r, const std::vector<LineTotals>& totals) const;

 private:
  CameraSpec spec_;
};

}  // namespace cityops::traffic
