#pragma once
// The city's configuration file (TOML): server settings and the entities seeded at start.
#include "common/Result.hpp"
#include "model/Entity.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cityops::config {

/// How the demo simulator drives one metric of an entity (or of every entity of a type).
struct SimulationSpec {
  std::string entity;        // one entity, or
  std::string type;          // every entity of this type
  std::string metric;
  double base = 0;           // mean value
  double amplitude = 0;      // of the periodic part
  double periodMinutes = 1440;
  double noise = 0;          // standard deviation of the random walk step
  double min = -1e300, max = 1e300;
  int everySeconds = 10;
};

struct CityConfig {
  std::string name = "cityops";
  std::string timezone = "UTC";
  double centerLat = 0, centerLon = 0;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  std::string dataDir = "data";
  bool fullSync = false;
  std::vector<model::Entity> entities;
  std::vector<SimulationSpec> simulations;

  /// Parses and validates; errors name the file, the entry and the problem.
  static Result<CityConfig> load(const std::string& path, int64_t nowMs);
  static Result<CityConfig> parse(std::string_view toml, const std::string& sourceName, int64_t nowMs);
};

}  // namespace cityops::config
