#pragma once
// A backtest report as a plain-text table (for `cityops flood backtest FILE.csv`) and as JSON (with --json).
// Times are shown at utcOffsetMinutes (420 for Asia/Ho_Chi_Minh; 0 prints UTC with a Z).
#include "flood/Backtest.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace cityops::flood {

/// Two tables: errors per station and lead; alarm-level warnings per station and level.
std::string formatReport(const BacktestReport& report, int utcOffsetMinutes = 0);

/// {"from", "to", "first_issue", "last_issue", "issue_every_minutes", "horizon_minutes", "step_minutes", "readings",
///  "skipped", "issues", "warnings": [..], "stations": [{"station", "upstream", "readings", "forecasts", "failures",
///  "methods": {"upstream": n, ...}, "peak": {"value", "time"} | null,
///  "leads": [{"lead_minutes", "n", "mae", "bias", "persistence_mae", "coverage"}],
///  "levels": [{"level", "threshold", "above_at_start", "observed", "warning", "predicted", "lead_minutes",
///              "upper_warning", "upper_lead_minutes", "warnings", "false_warnings", "upper_warnings",
///              "upper_false_warnings"}]}]}
/// Absent times and leads are null; errors are rounded to the millimetre.
boost::json::object backtestJson(const BacktestReport& report, int utcOffsetMinutes = 0);

}  // namespace cityops::flood
