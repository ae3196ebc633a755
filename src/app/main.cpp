// cityops: the Intelligent Operations Center server.
#include "api/Api.hpp"
#include "api/StreamEndpoint.hpp"
#include "common/Clock.hpp"
#include "config/CityConfig.hpp"
#include "http/HttpServer.hpp"
#include "sim/Simulator.hpp"
#include "store/SqliteStore.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <iostream>

using namespace cityops;

namespace {

struct ServeArgs {
  std::string config, listen, data, logLevel = "info";
  int threads = 0;
  bool demo = false;
  bool fullSync = false;
};

bool splitListen(const std::string& s, std::string& host, uint16_t& port) {
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = s.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    const int p = std::stoi(s.substr(colon + 1));
    if (p < 0 || p > 65535) return false;
    port = static_cast<uint16_t>(p);
  } catch (...) {
    return false;
  }
  return true;
}

int serve(const ServeArgs& args) {
  spdlog::set_level(spdlog::level::from_str(args.logLevel));
  SystemClock clock;
  config::CityConfig cfg;
  if (!args.config.empty()) {
    auto loaded = config::CityConfig::load(args.config, clock.nowMs());
    if (!loaded) {
      spdlog::error("{}", loaded.error().message);
      return 2;
    }
    cfg = std::move(*loaded);
  } else if (args.demo) {
    spdlog::error("--demo needs --config (e.g. examples/tamky/cityops.toml)");
    return 2;
  }
  if (!args.listen.empty()) cfg.listen = args.listen;
  if (!args.data.empty()) cfg.dataDir = args.data;
  if (args.threads > 0) cfg.threads = args.threads;
  if (args.fullSync) cfg.fullSync = true;

  http::HttpServer::Options httpOptions;
  if (!splitListen(cfg.listen, httpOptions.host, httpOptions.port)) {
    spdlog::error("--listen must be HOST:PORT, got '{}'", cfg.listen);
    return 2;
  }
  httpOptions.threads = cfg.threads;

  // Block the stop signals before any thread starts, so that only sigwait() below receives them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  metrics::Registry registry;
  stream::Hub hub;
  store::SqliteStore::Options storeOptions;
  storeOptions.dataDir = cfg.dataDir;
  storeOptions.fullSync = cfg.fullSync;
  auto opened = store::SqliteStore::open(storeOptions, clock, registry);
  if (!opened) {
    spdlog::error("cannot open the store in {}: {}", cfg.dataDir, opened.error().message);
    return 1;
  }
  auto store = std::move(*opened);
  store->addSink(&hub);
  if (!cfg.entities.empty()) {
    auto seeded = store->upsertEntities(cfg.entities);
    if (!seeded) {
      spdlog::error("cannot seed the city's entities: {}", seeded.error().message);
      return 1;
    }
    spdlog::info("{}: {} entities declared, {} created or updated", cfg.name, cfg.entities.size(), *seeded);
  }

  api::Api api(*store, hub, registry, clock);
  http::Router router;
  api.registerRoutes(router);
  router.addWebSocket("/api/v1/stream", std::make_shared<api::StreamEndpoint>(hub));
  http::HttpServer server(httpOptions, router, registry);
  if (auto s = server.start(); !s) {
    spdlog::error("cannot listen on {}: {}", cfg.listen, s.error().message);
    return 1;
  }
  spdlog::info("cityops serving {} on http://{}:{} (data in {})", cfg.name, httpOptions.host, server.port(),
               cfg.dataDir);

  std::unique_ptr<sim::Simulator> simulator;
  if (args.demo) {
    simulator = std::make_unique<sim::Simulator>(*store, clock, cfg.simulations, cfg.entities);
    if (auto s = simulator->backfill(24); !s) spdlog::warn("simulator: backfill failed: {}", s.error().message);
    simulator->start();
  }

  int sig = 0;
  sigwait(&stopSignals, &sig);
  spdlog::info("stopping (signal {})", sig);
  if (simulator) simulator->stop();
  server.stop();
  store->close();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cityops: an Intelligent Operations Center for cities"};
  app.require_subcommand(1);
  ServeArgs args;
  auto* serveCmd = app.add_subcommand("serve", "Run the server");
  serveCmd->add_option("--config", args.config, "City configuration (TOML), e.g. examples/tamky/cityops.toml");
  serveCmd->add_option("--listen", args.listen, "HOST:PORT to listen on (default from config, else 127.0.0.1:8080)");
  serveCmd->add_option("--data", args.data, "Data directory (default from config, else ./data)");
  serveCmd->add_option("--threads", args.threads, "HTTP I/O threads");
  serveCmd->add_flag("--demo", args.demo, "Also run the simulator that feeds live observations");
  serveCmd->add_flag("--full-sync", args.fullSync, "fsync every commit (survives power loss; slower)");
  serveCmd->add_option("--log-level", args.logLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);
  if (*serveCmd) return serve(args);
  return 0;
}
