#include "app/FloodCommand.hpp"

#include "common/Clock.hpp"
#include "common/JsonText.hpp"
#include "config/CityConfig.hpp"
#include "flood/Backtest.hpp"
#include "flood/BacktestFormat.hpp"
#include "flood/ForecastStationConfig.hpp"

#include <fstream>
#include <iostream>

namespace cityops::app {

int runFloodBacktest(const FloodBacktestArgs& args) {
  SystemClock clock;
  auto cfg = config::CityConfig::load(args.configFile, clock.nowMs());
  if (!cfg) {
    std::cerr << "flood backtest: " << cfg.error().message << "\n";
    return 2;
  }
  std::vector<model::Entity> stations;
  for (const auto& e : cfg->entities)
    if (e.type == "WaterLevelStation") stations.push_back(e);
  auto parsed = flood::forecastStationsOf(stations);
  if (!parsed) {
    std::cerr << "flood backtest: " << parsed.error().message << "\n";
    return 2;
  }
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    std::cerr << "flood backtest: cannot read " << args.file << "\n";
    return 2;
  }
  flood::BacktestOptions o;
  o.stations = std::move(*parsed);
  auto report = flood::runBacktest(in, o);
  if (!report) {
    std::cerr << "flood backtest: " << report.error().message << "\n";
    return report.error().code == "bad_request" ? 2 : 1;
  }
  if (args.json) std::cout << toJsonText(flood::backtestJson(*report, cfg->utcOffsetMinutes)) << "\n";
  else std::cout << flood::formatReport(*report, cfg->utcOffsetMinutes);
  return 0;
}

}  // namespace cityops::app
