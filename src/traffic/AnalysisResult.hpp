#pragma once
// AnalysisResult: everything one analysed video produced (AnalysisResultCodec renders it as the result JSON of
// docs/traffic.md).
#include "traffic/IncidentLog.hpp"
#include "traffic/IntervalMetrics.hpp"
#include "traffic/TrackSummary.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cityops::traffic {

struct AnalysisResult {
  std::string camera;
  std::string source;             // the input path or URL
  std::string annotated;          // the annotated video written, "" when none
  int width = 0;                  // source frame size
  int height = 0;
  double sourceFps = 0;           // as the source declares it (0 unknown)
  int64_t frames = 0;             // frames analysed
  double durationS = 0;           // of video analysed
  double elapsedS = 0;            // wall time
  double processingFps = 0;       // frames / elapsedS
  bool stopped = false;           // stopped early (VideoAnalyzer::stop, max frames)
  std::vector<IntervalMetrics> intervals;
  std::vector<LineTotals> lines;
  std::vector<TrackSummary> tracks;
  std::vector<Incident> incidents;
};

}  // namespace cityops::traffic
