#pragma once
// Detection: one object found in one frame, in source-frame pixels.
#include <opencv2/core/types.hpp>

#include <string>

namespace cityops::traffic {

struct Detection {
  cv::Rect2d box;          // source-frame pixels
  double score = 1.0;      // detector confidence in [0, 1] (1 for background subtraction)
  std::string label;       // a detector's own class ("car", "person"), "" when it has none (then size decides)
};

}  // namespace cityops::traffic
