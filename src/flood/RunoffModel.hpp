#pragma once
// RunoffModel: rainfall → runoff → discharge → water level for a small catchment (Tam Kỳ), after USDA NRCS
// National Engineering Handbook Part 630: ch. 10 (curve number runoff), ch. 15 (lag = 0.6 Tc), ch. 16 (unit
// hydrograph). Every step is on a regular grid (15 minutes by default).
//
//   S  = 25400/CN − 254 (mm),  Ia = 0.2·S,  Q(P) = (P − Ia)²/(P − Ia + S) for P > Ia, else 0   (P, Q: mm)
//   P is the rain accumulated since the event began; the event ends (P and Q start again from 0) after a dry spell
//   of `dryResetHours` (less than 0.1 mm/h). The excess of a step is Q(P after) − Q(P before).
//   Tp = Δt/2 + 0.6·Tc; the dimensionless unit hydrograph (the curvilinear table 16-1, or the triangle with its
//   recession 1.67·Tp) is sampled at the grid times and scaled so that 1 mm of excess gives exactly 1 mm over the
//   catchment: Σ u·Δt = 1000·A m³ (A in km²). That scaling gives the peak factor 484 (0.208 in SI) of the table.
//   discharge(t) = baseflow + Σ excess_i · u(t − start_i)                                       (m³/s)
//   stage        = a·Q^b + h0 (a rating curve from configuration), or, without one, a straight line
//                  stage = α + β·Q fitted on the history (needs a flood in the history: R² and range checked).
// Forecast: the level change the model predicts, added to the last reading, which absorbs datum, tide state and
// baseflow errors:  value(t) = observed(t₀) + stage(Q(t)) − stage(Q(t₀)).
// Band: the same with CN − cnSpread and CN + cnSpread (antecedent moisture and CN choice being the largest
// uncertainty), widened by z·noiseSigma·√(hours since t₀).
// Only rain already fallen (readings at or before the issue time) is used: the catchment's lag is the lead time.
#include "common/Result.hpp"
#include "flood/ForecastTypes.hpp"

#include <optional>
#include <vector>

namespace cityops::flood {

enum class UnitHydrographShape { Curvilinear, Triangular };

/// stage = a·Q^b + h0 (Q in m³/s, stage in metres).
struct RatingCurve {
  double a = 0;
  double b = 0;
  double h0 = 0;
};

struct RunoffParams {
  double curveNumber = 75;         // CN (AMC II)
  double areaKm2 = 0;              // catchment area, km² (required)
  double tcHours = 0;              // time of concentration, hours (required); lag = 0.6·Tc
  double iaRatio = 0.2;            // Ia = ratio · S (NEH 630 ch. 10)
  double dryResetHours = 12;       // a dry spell this long ends the event
  UnitHydrographShape shape = UnitHydrographShape::Curvilinear;
  int64_t stepMs = 15 * kMinuteMs; // grid step Δt (keep Δt ≤ Tp/4)
  double baseflowM3s = 0;          // added to the direct runoff
  std::optional<RatingCurve> rating;
  double cnSpread = 5;             // band: runs with CN ± this
  double z = 1.96;
  double noiseSigma = 0.03;        // m per √hour, added to the band
  int64_t lookbackMs = 120 * kHourMs;   // rain history simulated (must cover the event)
  int64_t maxRainIntervalMs = kHourMs;  // a rain reading covers the time since the previous one, at most this
  int64_t maxAgeMs = 2 * kHourMs;       // the last level reading may be at most this old
  int64_t learnWindowMs = 72 * kHourMs; // without a rating: history used for stage = α + β·Q
  double learnMinR2 = 0.6;
  double learnMinRangeM3s = 5;          // the modelled discharge must vary this much in that history
};

class RunoffModel {
 public:
  explicit RunoffModel(RunoffParams params);

  /// Checks the parameters (CN in (0, 100], area and Tc positive, step positive, rating a > 0 and b > 0).
  static Status validate(const RunoffParams& p);
  /// S = 25400/CN − 254 (mm).
  static double retention(double curveNumber);
  /// Q (mm) for accumulated rain P (mm).
  static double excess(double rainMm, double curveNumber, double iaRatio = 0.2);

  /// Excess per grid step for rain per grid step (mm), with the dry-spell reset.
  std::vector<double> excessSteps(const std::vector<double>& rainPerStep, double curveNumber) const;
  /// Unit hydrograph ordinates u[m] (m³/s per mm of excess) at m·Δt after the start of an excess step; u[0] = 0.
  std::vector<double> unitHydrograph() const;
  /// Direct runoff (m³/s, no baseflow) at the grid times: with excess[i] falling in the step that starts at grid
  /// time i, out[j] = Σ_i excess[i]·u[j − i] is the discharge at grid time j. `length` values (default:
  /// excess.size()).
  std::vector<double> convolve(const std::vector<double>& excess, size_t length = 0) const;

  /// Rain readings of several gauges on the grid [startMs, startMs + n·Δt): the mean of the gauges covering each
  /// step (a reading of v mm at t spreads v evenly over (t − interval, t]). Only readings at or before nowMs.
  std::vector<double> rainOnGrid(const std::vector<const TimeSeries*>& gauges, int64_t startMs, size_t n,
                                 int64_t nowMs) const;

  /// Stage for a discharge (the rating curve); nothing without one.
  std::optional<double> ratingStage(double dischargeM3s) const;

  /// The forecast at nowMs + each lead. Errors ("unavailable"): no recent level reading, no rain reading in the
  /// lookback, no rating and no learnable stage–discharge line.
  Result<std::vector<ForecastPoint>> forecast(const TimeSeries& level, const std::vector<const TimeSeries*>& rain,
                                              int64_t nowMs, const std::vector<int64_t>& leadsMs) const;

  const RunoffParams& params() const { return params_; }

 private:
  RunoffParams params_;
};

}  // namespace cityops::flood
