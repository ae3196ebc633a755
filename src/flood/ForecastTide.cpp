#include "flood/ForecastTide.hpp"

#include "flood/ForecastSeries.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cityops::flood {

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr size_t kPoly = 4;           // cubic
constexpr size_t kParams = kPoly + 4;

/// Phases from a fixed epoch so that the coefficients do not depend on the issue time.
double phase(int64_t tMs, double periodHours) {
  const double hours = static_cast<double>(tMs) / kHourMs;
  return kTwoPi * std::fmod(hours / periodHours, 1.0);
}

void regressors(int64_t tMs, int64_t nowMs, double* x) {
  const double tau = static_cast<double>(tMs - nowMs) / (24.0 * kHourMs);
  x[0] = 1;
  for (size_t k = 1; k < kPoly; ++k) x[k] = x[k - 1] * tau;
  const double p1 = phase(tMs, ForecastTide::kM2Hours), p2 = phase(tMs, ForecastTide::kK1Hours);
  x[kPoly + 0] = std::cos(p1);
  x[kPoly + 1] = std::sin(p1);
  x[kPoly + 2] = std::cos(p2);
  x[kPoly + 3] = std::sin(p2);
}

/// Weighted least squares on the first `m` regressors; false when singular.
bool solve(const TimeSeries& s, const std::vector<double>& w, int64_t nowMs, size_t m, std::vector<double>& beta) {
  std::vector<double> a(m * (m + 1), 0.0);  // the augmented normal equations, row-major
  double x[kParams];
  for (size_t i = 0; i < s.size(); ++i) {
    regressors(s[i].tMs, nowMs, x);
    for (size_t r = 0; r < m; ++r) {
      for (size_t c = 0; c < m; ++c) a[r * (m + 1) + c] += w[i] * x[r] * x[c];
      a[r * (m + 1) + m] += w[i] * x[r] * s[i].v;
    }
  }
  for (size_t col = 0; col < m; ++col) {  // Gaussian elimination, partial pivoting
    size_t pivot = col;
    for (size_t r = col + 1; r < m; ++r)
      if (std::abs(a[r * (m + 1) + col]) > std::abs(a[pivot * (m + 1) + col])) pivot = r;
    if (std::abs(a[pivot * (m + 1) + col]) < 1e-12) return false;
    if (pivot != col)
      for (size_t c = 0; c <= m; ++c) std::swap(a[col * (m + 1) + c], a[pivot * (m + 1) + c]);
    for (size_t r = 0; r < m; ++r) {
      if (r == col) continue;
      const double f = a[r * (m + 1) + col] / a[col * (m + 1) + col];
      for (size_t c = col; c <= m; ++c) a[r * (m + 1) + c] -= f * a[col * (m + 1) + c];
    }
  }
  beta.assign(m, 0.0);
  for (size_t r = 0; r < m; ++r) beta[r] = a[r * (m + 1) + m] / a[r * (m + 1) + r];
  return true;
}

/// Residuals of a fit with the first m regressors.
std::vector<double> residuals(const TimeSeries& s, int64_t nowMs, const std::vector<double>& beta) {
  std::vector<double> out;
  out.reserve(s.size());
  double x[kParams];
  for (const auto& p : s) {
    regressors(p.tMs, nowMs, x);
    double y = 0;
    for (size_t k = 0; k < beta.size(); ++k) y += beta[k] * x[k];
    out.push_back(p.v - y);
  }
  return out;
}

/// Weighted least squares, then two passes of Huber weights (k = 1.345 σ, σ = 1.4826·MAD).
bool robustFit(const TimeSeries& s, int64_t nowMs, size_t m, std::vector<double>& beta, std::vector<double>& w) {
  w.assign(s.size(), 1.0);
  if (!solve(s, w, nowMs, m, beta)) return false;
  for (int pass = 0; pass < 2; ++pass) {
    const auto r = residuals(s, nowMs, beta);
    const double sigma = std::max(ForecastSeries::robustSigma(r), 1e-6);
    for (size_t i = 0; i < r.size(); ++i) {
      const double u = std::abs(r[i]) / (1.345 * sigma);
      w[i] = u <= 1 ? 1.0 : 1.0 / u;
    }
    if (!solve(s, w, nowMs, m, beta)) return false;
  }
  return true;
}

double weightedSquares(const std::vector<double>& r, const std::vector<double>& w) {
  double sum = 0;
  for (size_t i = 0; i < r.size(); ++i) sum += w[i] * r[i] * r[i];
  return sum;
}

}  // namespace

double TideFit::at(int64_t tMs) const {
  const double p1 = phase(tMs, ForecastTide::kM2Hours), p2 = phase(tMs, ForecastTide::kK1Hours);
  return harmonics[0] * std::cos(p1) + harmonics[1] * std::sin(p1) + harmonics[2] * std::cos(p2) +
         harmonics[3] * std::sin(p2);
}

ForecastTide::ForecastTide(TideOptions options) : options_(options) {}

std::optional<TideFit> ForecastTide::fit(const TimeSeries& series, int64_t nowMs) const {
  const auto last = ForecastSeries::lastAtOrBefore(series, nowMs);
  if (!last) return std::nullopt;
  const TimeSeries s = ForecastSeries::cleaned(series, nowMs - options_.windowMs, nowMs);
  if (s.size() < std::max(options_.minPoints, kParams + 4)) return std::nullopt;
  if (s.back().tMs - s.front().tMs < options_.minSpanMs) return std::nullopt;

  const size_t m = options_.diurnal ? kParams : kParams - 2;
  std::vector<double> beta, w;
  if (!robustFit(s, nowMs, m, beta, w)) return std::nullopt;
  // The cubic alone on the same weights: what the harmonics remove of what the cubic leaves.
  const double withTide = weightedSquares(residuals(s, nowMs, beta), w);
  std::vector<double> polyBeta;
  if (!solve(s, w, nowMs, kPoly, polyBeta)) return std::nullopt;
  const double cubicOnly = weightedSquares(residuals(s, nowMs, polyBeta), w);

  TideFit f;
  for (size_t k = 0; kPoly + k < m; ++k) f.harmonics[k] = beta[kPoly + k];
  f.m2Amplitude = std::hypot(f.harmonics[0], f.harmonics[1]);
  f.k1Amplitude = std::hypot(f.harmonics[2], f.harmonics[3]);
  f.explained = cubicOnly > 0 ? 1.0 - withTide / cubicOnly : 0.0;
  if (f.m2Amplitude + f.k1Amplitude < options_.minAmplitude || f.explained < options_.minExplained)
    return std::nullopt;
  return f;
}

TimeSeries ForecastTide::detided(const TimeSeries& series, const TideFit& tide, int64_t fromMs, int64_t toMs) {
  TimeSeries out = ForecastSeries::cleaned(series, fromMs, toMs);
  for (auto& p : out) p.v -= tide.at(p.tMs);
  return out;
}

}  // namespace cityops::flood
