#pragma once
// `cityops flood backtest FILE.csv --config CITY.toml [--json]`: replays a recorded (or synthetic) event through the
// forecasters as if live and prints the forecast error (MAE at +1, +3, +6 h) and, per alarm level, the lead time
// between the first forecast warning and the observed crossing (docs/forecast.md).
#include <string>

namespace cityops::app {

struct FloodBacktestArgs {
  std::string file;
  std::string configFile;
  bool json = false;
};

/// 0 on success; 2 for unusable input (file, configuration, stations); prints to stdout, errors to stderr.
int runFloodBacktest(const FloodBacktestArgs& args);

}  // namespace cityops::app
