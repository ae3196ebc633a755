#pragma once
// AnalysisResult -> JSON (docs/traffic.md, "Result"). The pieces are public for live workers that publish intervals,
// tracks and incidents as they come. Speeds in km/h, distances in m, times in ms on the analysis clock; numbers
// rounded to 0.01; unknown values null.
#include "traffic/AnalysisResult.hpp"

#include <boost/json/object.hpp>

namespace cityops::traffic {

class AnalysisResultCodec {
 public:
  static boost::json::object toJson(const AnalysisResult& r);
  static boost::json::object intervalJson(const IntervalMetrics& m);
  static boost::json::object lineTotalsJson(const LineTotals& t);
  static boost::json::object trackJson(const TrackSummary& t);
  static boost::json::object incidentJson(const Incident& i);
  /// {"two_wheeler": n, ...} with the classes that have a count.
  static boost::json::object countsJson(const ClassCounts& c);
};

}  // namespace cityops::traffic
