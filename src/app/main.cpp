// cityops: the Intelligent Operations Center server.
#include "api/Api.hpp"
#include "alerts/AlertJson.hpp"
#include "alerts/AlertManager.hpp"
#include "api/AuthApi.hpp"
#include "api/CamerasApi.hpp"
#include "api/EnvironmentApi.hpp"
#include "api/FloodApi.hpp"
#include "api/RulesApi.hpp"
#include "api/SubscriptionsApi.hpp"
#include "api/UiApi.hpp"
#include "api/Auditor.hpp"
#include "api/StreamEndpoint.hpp"
#include "app/FloodCommand.hpp"
#include "app/ReplayCommand.hpp"
#include "app/UserCommand.hpp"
#include "auth/AccessPolicy.hpp"
#include "auth/AccountStore.hpp"
#include "auth/FirstRun.hpp"
#include "auth/Gatekeeper.hpp"
#include "auth/LoginThrottle.hpp"
#include "cameras/CameraManager.hpp"
#include "cameras/CameraRules.hpp"
#include "common/Clock.hpp"
#include "common/JsonText.hpp"
#include "common/Time.hpp"
#include "config/CityConfig.hpp"
#include "environment/AqiPublisher.hpp"
#include "flood/ForecastWarner.hpp"
#include "flood/QualityControl.hpp"
#include "flood/StationRules.hpp"
#include "http/HttpServer.hpp"
#include "notify/AlertNotifier.hpp"
#include "notify/Deliverer.hpp"
#include "notify/Outbox.hpp"
#include "notify/SubscriptionStore.hpp"
#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"
#include "sim/DemoClock.hpp"
#include "sim/Scenario.hpp"
#include "sim/Simulator.hpp"
#include "store/SqliteStore.hpp"
#include "traffic/AnalyzeVideoCommand.hpp"
#include "web/StaticSite.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>

using namespace cityops;

namespace {

struct ServeArgs {
  std::string config, listen, data, logLevel = "info";
  std::string web;  // the built dashboard (web/dist); overrides [server] web_root
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
  SystemClock wallClock;
  config::CityConfig cfg;
  if (!args.config.empty()) {
    auto loaded = config::CityConfig::load(args.config, wallClock.nowMs());
    if (!loaded) {
      spdlog::error("{}", loaded.error().message);
      return 2;
    }
    cfg = std::move(*loaded);
  } else if (args.demo) {
    spdlog::error("--demo needs --config (e.g. examples/tamky/cityops.toml)");
    return 2;
  }
  // --demo with a [demo] scenario: the whole server runs on the demo clock, which plays the scenario's hours of
  // event in a few minutes of wall time and then runs with the wall clock (sim/DemoClock.hpp).
  std::unique_ptr<sim::DemoClock> demoClock;
  std::optional<sim::Scenario> scenario;
  if (args.demo && !cfg.demo.scenario.empty()) {
    auto loaded = sim::Scenario::load(cfg.demo.scenario, cfg.demo.fromMs, cfg.demo.lengthMs);
    if (!loaded) {
      spdlog::error("demo: {}", loaded.error().message);
      return 2;
    }
    demoClock = std::make_unique<sim::DemoClock>(wallClock, cfg.demo.lengthMs, cfg.demo.wallMs);
    loaded->setStart(demoClock->startMs());
    std::vector<sim::ScenarioFault> faults;
    for (const auto& f : cfg.demo.faults) faults.push_back({f.entity, f.metric, f.atMs, f.value});
    loaded->setFaults(std::move(faults));
    scenario = std::move(*loaded);
    spdlog::info("demo: playing {} h of {} ({} series) in {} minutes; the server's clock starts at {} and meets the "
                 "wall clock at the end",
                 cfg.demo.lengthMs / 3600000, cfg.demo.scenario, scenario->seriesCount(), cfg.demo.wallMs / 60000,
                 formatTime(demoClock->startMs()));
  }
  const Clock& clock = demoClock ? static_cast<const Clock&>(*demoClock) : static_cast<const Clock&>(wallClock);
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
  // Quality control on every ingest path (HTTP, simulator, derived values): flags readings, keeps them.
  flood::QualityControl qualityControl(cfg.flood.qc);
  store->setIngestFilter(&qualityControl);
  if (!cfg.entities.empty()) {
    auto seeded = store->upsertEntities(cfg.entities);
    if (!seeded) {
      spdlog::error("cannot seed the city's entities: {}", seeded.error().message);
      return 1;
    }
    spdlog::info("{}: {} entities declared, {} created or updated", cfg.name, cfg.entities.size(), *seeded);
  }

  // Accounts live in the same database file, on a connection of their own.
  const std::string dbPath = (std::filesystem::path(cfg.dataDir) / "cityops.db").string();
  auto accountsDb = store::SqliteDb::open(dbPath, false, cfg.fullSync);
  if (!accountsDb) {
    spdlog::error("cannot open the account tables in {}: {}", dbPath, accountsDb.error().message);
    return 1;
  }
  if (auto s = auth::AccountStore::migrate(**accountsDb); !s) {
    spdlog::error("cannot prepare the account tables: {}", s.error().message);
    return 1;
  }
  auth::AccountStore accounts(**accountsDb, clock);
  (void)accounts.purgeSessions(clock.nowMs());
  api::Auditor auditor(accounts);
  auto firstAdmin = auth::FirstRun::ensureAdmin(accounts, std::getenv("CITYOPS_ADMIN_PASSWORD"));
  if (!firstAdmin) {
    spdlog::error("{}", firstAdmin.error().message);
    return 1;
  }
  if (firstAdmin->created) {
    auditor.recordAs("cityops", "", "user.create", "user:admin", {}, R"({"username":"admin","role":"admin","via":"first run"})");
    if (!firstAdmin->generatedPassword.empty()) {
      // Printed once, on standard output only (not through the log): it is not stored anywhere in clear.
      std::cout << "\n  First run: created the user 'admin' with the password\n\n      "
                << firstAdmin->generatedPassword
                << "\n\n  It is shown only this once. Set CITYOPS_ADMIN_PASSWORD before the first start to choose it.\n\n"
                << std::flush;
    } else {
      spdlog::info("first run: created the user 'admin' with the password from CITYOPS_ADMIN_PASSWORD");
    }
  }
  if (args.demo) {
    auto demoLogin = auth::FirstRun::ensureDemoOperator(accounts, cfg.dataDir);
    if (!demoLogin) {
      spdlog::error("cannot create the demo operator: {}", demoLogin.error().message);
      return 1;
    }
    if (*demoLogin) {
      std::cout << "\n  Demo login: operator / " << **demoLogin << "   (kept in " << cfg.dataDir
                << "/demo-login.txt)\n\n" << std::flush;
    }
  }

  // Rules and alerts: each on a connection of its own to the same file. The engine listens to committed
  // observations and reports verdict changes to the alert manager; alert changes go to the stream's "alerts" topic.
  auto rulesDb = store::SqliteDb::open(dbPath, false, cfg.fullSync);
  auto alertsDb = store::SqliteDb::open(dbPath, false, cfg.fullSync);
  if (!rulesDb || !alertsDb) {
    spdlog::error("cannot open the rule and alert tables in {}", dbPath);
    return 1;
  }
  if (auto s = rules::RuleStore::migrate(**rulesDb); !s) {
    spdlog::error("cannot prepare the rule table: {}", s.error().message);
    return 1;
  }
  if (auto s = alerts::AlertManager::migrate(**alertsDb); !s) {
    spdlog::error("cannot prepare the alert tables: {}", s.error().message);
    return 1;
  }
  rules::RuleStore ruleStore(**rulesDb);
  auto alertManager = alerts::AlertManager::open(**alertsDb, clock);
  if (!alertManager) {
    spdlog::error("cannot load the open alerts: {}", alertManager.error().message);
    return 1;
  }
  // Webhooks: every alert change is written to the outbox in the alert's own transaction (a killed process loses
  // no notification), then delivered by one worker per subscription.
  auto notifyDb = store::SqliteDb::open(dbPath, false, cfg.fullSync);
  if (!notifyDb) {
    spdlog::error("cannot open the subscription tables in {}", dbPath);
    return 1;
  }
  if (auto s = notify::Outbox::migrate(**notifyDb); !s) {
    spdlog::error("cannot prepare the subscription tables: {}", s.error().message);
    return 1;
  }
  auto subscriptions = notify::SubscriptionStore::open(**notifyDb, clock);
  if (!subscriptions) {
    spdlog::error("cannot load the subscriptions: {}", subscriptions.error().message);
    return 1;
  }
  // Subscriptions declared in the configuration (webhooks, MQTT), by URL: the file wins over API edits of the same URL.
  for (const auto& declared : cfg.subscriptions) {
    auto s = (*subscriptions)->declare(declared);
    if (!s) {
      spdlog::error("cannot declare the subscription from the configuration: {}", s.error().message);
      return 1;
    }
    spdlog::info("notifications: subscription {} to {} from the configuration", s->id, s->url);
  }
  notify::Outbox outbox(**subscriptions, clock);
  notify::Deliverer deliverer(**subscriptions, outbox, clock);
  notify::AlertNotifier notifier(**subscriptions, *store, clock);
  notifier.attach(**alertManager);
  (*alertManager)->addListener([&deliverer](const alerts::Alert&, const alerts::HistoryEntry&) { deliverer.wake(); });
  deliverer.start();

  (*alertManager)->addListener([&hub](const alerts::Alert& a, const alerts::HistoryEntry& t) {
    auto data = alerts::alertJson(a, false);
    data["transition"] = t.action;
    hub.publish("alerts", data);
  });
  rules::RuleEngine engine(*store, clock, [&am = **alertManager](const rules::Change& c) {
    auto r = am.apply(alerts::Condition{c.rule, c.entity, c.metric, c.severity, c.value, c.timeMs, c.message});
    if (!r) spdlog::error("alerts: cannot apply {} on {}: {}", c.rule, c.entity, r.error().message);
  });
  {
    auto stored = ruleStore.list();
    if (!stored) {
      spdlog::error("cannot load the rules: {}", stored.error().message);
      return 1;
    }
    // Rules declared in the configuration are written to the store at each start (the file wins over API edits
    // of the same id); rules created through the API live on.
    for (const auto& declared : cfg.rules) {
      auto saved = ruleStore.put(declared, clock.nowMs());
      if (!saved) {
        spdlog::error("cannot store rule {} from the configuration: {}", declared.id, saved.error().message);
        return 1;
      }
    }
    if (!cfg.rules.empty()) {
      stored = ruleStore.list();
      if (!stored) return 1;
    }
    for (const auto& r : *stored) engine.upsert(r);
    for (const auto& a : (*alertManager)->openAlerts()) engine.resume(a.rule, a.entity, a.severity, a.value, a.updatedMs);
    spdlog::info("rules: {} loaded, {} alerts open", stored->size(), (*alertManager)->openAlerts().size());
  }
  store->addSink(&engine);
  engine.start();
  // Alarm-level rules of the water-level stations, kept in step with their bd1..bd3 attributes.
  flood::StationRules stationRules(*store, ruleStore, engine, clock, cfg.flood.stationRules);
  if (auto r = stationRules.reconcile(); !r) spdlog::error("flood: cannot set up the station rules: {}", r.error().message);
  stationRules.start(5000);
  // Live traffic cameras (TrafficCamera entities with a `source`): one worker each, and their incident rules.
  cameras::CameraRules cameraRules(*store, ruleStore, engine, clock);
  if (auto r = cameraRules.reconcile(); !r) spdlog::error("cameras: cannot set up the camera rules: {}", r.error().message);
  cameraRules.start(5000);
  cameras::WorkerOptions cameraOptions;
  cameraOptions.snapshotsDir = (std::filesystem::path(cfg.dataDir) / "snapshots").string();
  // Frames are analysed in real time (wallClock) and their results written on the server's clock.
  cameras::CameraManager cameraManager(*store, clock, cameraOptions, &registry, &wallClock);
  // Forecasts every 15 minutes: the highest level within the horizon, for the stations' forecast rules.
  flood::ForecastWarner forecastWarner(*store, clock, {cfg.flood.forecastEveryMs, cfg.flood.forecastHorizonMs});
  // Hourly VN_AQI / US AQI of every air-quality station, written as observations as each hour closes.
  environment::AqiPublisher aqiPublisher(*store, clock);

  auth::Gatekeeper::Options gateOptions;
  gateOptions.perCredential.ratePerSecond = cfg.security.rateLimit;
  gateOptions.perCredential.burst = std::max(cfg.security.rateBurst, 1.0);
  gateOptions.perAddress.ratePerSecond = cfg.security.anonymousRateLimit;
  gateOptions.perAddress.burst = std::max(cfg.security.anonymousBurst, 1.0);
  gateOptions.corsOrigins = cfg.security.corsOrigins;
  gateOptions.hsts = !cfg.security.tlsCert.empty();
  if (auto tiles = web::cspOriginOf(cfg.ui.tileUrl)) gateOptions.imgSources.push_back(*tiles);  // the basemap
  const auth::AccessPolicy& policy = auth::AccessPolicy::cityopsDefault();
  auth::Gatekeeper gate(accounts, policy, clock, registry, gateOptions);
  auth::LoginThrottle throttle(clock);

  api::Api api(*store, hub, registry, clock);
  api.setAuditor(&auditor);
  api::AuthApi::Options authOptions;
  authOptions.sessionTtlMs = cfg.security.sessionMinutes * 60 * 1000;
  api::AuthApi authApi(accounts, gate, throttle, auditor, clock, authOptions);
  api::RulesApi rulesApi(ruleStore, engine, **alertManager, *store, &auditor, clock);
  api::SubscriptionsApi subscriptionsApi(**subscriptions, &auditor, [&deliverer] { deliverer.wake(); });
  http::Router router;
  api.registerRoutes(router);
  authApi.registerRoutes(router);
  rulesApi.registerRoutes(router);
  subscriptionsApi.registerRoutes(router);
  api::EnvironmentApi environmentApi(*store, clock, cfg.utcOffsetMinutes);
  environmentApi.registerRoutes(router);
  flood::CapSettings capSettings = cfg.flood.cap;
  if (!cfg.flood.capStatusSet && args.demo) capSettings.status = flood::CapStatus::Exercise;  // simulated data
  api::FloodApi floodApi(*store, **alertManager, qualityControl, clock, capSettings, flood::AtomSettings{});
  floodApi.setRuleKindOf([&ruleStore](const std::string& id) -> std::optional<rules::Kind> {
    auto r = ruleStore.get(id);
    return r ? std::optional<rules::Kind>(r->kind) : std::nullopt;
  });
  floodApi.registerRoutes(router);
  api::CamerasApi camerasApi(*store, cameraManager, **alertManager, clock);
  camerasApi.registerRoutes(router);
  // The web dashboard: "/" (operators), "/public" (residents), "/assets/..." and its settings.
  api::UiApi uiApi(api::UiSettings{cfg.name, cfg.centerLat, cfg.centerLon, static_cast<int>(cfg.ui.zoom),
                                   cfg.ui.tileUrl, cfg.ui.tileAttribution, cfg.timezone, cfg.utcOffsetMinutes,
                                   cfg.ui.language});
  uiApi.registerRoutes(router);
  web::StaticSite site(web::StaticSite::findRoot(args.web.empty() ? cfg.webRoot : args.web));
  site.registerRoutes(router);
  if (site.built()) spdlog::info("web: the dashboard from {}", site.root());
  else spdlog::warn("web: the dashboard is not built (run `make build`, or set --web / [server] web_root); / answers 404");
  const auto* streamRule = policy.find("GET", "/api/v1/stream");
  auto streamEndpoint = std::make_shared<api::StreamEndpoint>(
      hub, [&gate](std::string_view token) { return gate.authenticate(token); },
      streamRule ? streamRule->roles : std::vector<auth::Role>{}, &clock);
  gate.onInvalidate([weak = std::weak_ptr<api::StreamEndpoint>(streamEndpoint)] {
    if (auto s = weak.lock()) s->revalidate();
  });
  router.addWebSocket("/api/v1/stream", streamEndpoint);
  for (const auto& [method, pattern] : router.routes()) {
    if (!policy.find(method, pattern))  // it would be refused to everyone: a route added without a rule
      spdlog::warn("route {} {} has no access rule: refused to everyone", method, pattern);
  }
  httpOptions.gate = &gate;
  httpOptions.tlsCert = cfg.security.tlsCert;
  httpOptions.tlsKey = cfg.security.tlsKey;
  http::HttpServer server(httpOptions, router, registry);
  if (auto s = server.start(); !s) {
    spdlog::error("cannot listen on {}: {}", cfg.listen, s.error().message);
    return 1;
  }
  const char* scheme = cfg.security.tlsCert.empty() ? "http" : "https";
  spdlog::info("cityops serving {} on {}://{}:{} (data in {})", cfg.name, scheme, httpOptions.host, server.port(),
               cfg.dataDir);

  // Optionally /metrics on an address of its own, without login (for a Prometheus on the operations network).
  std::unique_ptr<http::Router> metricsRouter;
  std::unique_ptr<http::HttpServer> metricsServer;
  if (!cfg.security.metricsListen.empty()) {
    http::HttpServer::Options metricsOptions;
    if (!splitListen(cfg.security.metricsListen, metricsOptions.host, metricsOptions.port)) {
      spdlog::error("metrics_listen must be HOST:PORT, got '{}'", cfg.security.metricsListen);
      return 2;
    }
    metricsOptions.threads = 1;
    metricsRouter = std::make_unique<http::Router>();
    api.registerMetricsRoute(*metricsRouter);
    metricsServer = std::make_unique<http::HttpServer>(metricsOptions, *metricsRouter, registry);
    if (auto s = metricsServer->start(); !s) {
      spdlog::error("cannot listen on {} for /metrics: {}", cfg.security.metricsListen, s.error().message);
      return 1;
    }
    spdlog::info("metrics on http://{}:{}/metrics", metricsOptions.host, metricsServer->port());
  }

  std::unique_ptr<sim::Simulator> simulator;
  if (args.demo) {
    simulator = std::make_unique<sim::Simulator>(*store, clock, cfg.simulations, cfg.entities);
    if (scenario) simulator->setScenario(&*scenario);
    if (auto s = simulator->backfill(24); !s) spdlog::warn("simulator: backfill failed: {}", s.error().message);
    simulator->start();
  }
  aqiPublisher.start();  // after the demo's backfill, so the last day's hourly indices exist at once
  forecastWarner.start();
  cameraManager.start(5000);  // the cameras start now, then follow their entities every 5 s

  int sig = 0;
  sigwait(&stopSignals, &sig);
  spdlog::info("stopping (signal {})", sig);
  if (simulator) simulator->stop();
  aqiPublisher.stop();
  forecastWarner.stop();
  stationRules.stop();
  cameraManager.stop();
  cameraRules.stop();
  if (metricsServer) metricsServer->stop();
  server.stop();
  engine.stop();
  deliverer.stop();
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
  serveCmd->add_option("--web", args.web, "The built web dashboard (default: [server] web_root, else web/dist)");
  serveCmd->add_flag("--full-sync", args.fullSync, "fsync every commit (survives power loss; slower)");
  serveCmd->add_option("--log-level", args.logLevel, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  app::UserAddArgs userArgs;
  auto* userCmd = app.add_subcommand("user", "Manage user accounts");
  userCmd->require_subcommand(1);
  auto* userAdd = userCmd->add_subcommand("add", "Create a user (password from standard input or --password-file)");
  userAdd->add_option("name", userArgs.name, "User name")->required();
  userAdd->add_option("--role", userArgs.role, "admin, operator or viewer")
      ->check(CLI::IsMember({"admin", "operator", "viewer"}));
  userAdd->add_option("--data", userArgs.dataDir, "Data directory of the server (default ./data)");
  userAdd->add_option("--password-file", userArgs.passwordFile, "Read the password from the first line of FILE");

  app::ReplayArgs replayArgs;
  auto* replayCmd = app.add_subcommand(
      "replay", "Push historical readings (CSV: time,entity,metric,value[,quality]) through store, rules and alerts "
                "in data time, on a data directory whose server is stopped");
  replayCmd->add_option("file", replayArgs.file, "CSV file; time is RFC 3339 or epoch milliseconds")->required();
  replayCmd->add_option("--data", replayArgs.dataDir, "Data directory (stop its server first)")->required();
  replayCmd->add_option("--config", replayArgs.configFile, "City configuration (TOML): its entities and rules are stored first");
  replayCmd->add_option("--speed", replayArgs.speed, "N seconds of data per second of wall time (default: as fast as possible)")
      ->check(CLI::PositiveNumber);
  replayCmd->add_flag("--json", replayArgs.json, "Print {\"alerts\": [...]} (as the API shows them, with history)");

  app::FloodBacktestArgs backtestArgs;
  auto* floodCmd = app.add_subcommand("flood", "Flood tools");
  floodCmd->require_subcommand(1);
  auto* backtestCmd = floodCmd->add_subcommand(
      "backtest", "Replay an event (CSV: time,entity,metric,value) through the forecasters; print MAE at +1/+3/+6 h "
                  "and the warning lead time per alarm level");
  backtestCmd->add_option("file", backtestArgs.file, "CSV file; time is RFC 3339 or epoch milliseconds")->required();
  backtestCmd->add_option("--config", backtestArgs.configFile, "City configuration (TOML) with the stations")->required();
  backtestCmd->add_flag("--json", backtestArgs.json, "Print the report as JSON");

  traffic::AnalyzeVideoArgs videoArgs;
  auto* videoCmd = app.add_subcommand(
      "analyze-video", "Count, classify and time the traffic of a recorded video (or a stream URL) with a camera file; "
                       "print the result JSON (docs/traffic.md)");
  videoCmd->add_option("input", videoArgs.input, "Video file, or a URL (rtsp://, http://)")->required();
  videoCmd->add_option("--camera", videoArgs.cameraFile, "Camera file (JSON): lines, lanes, calibration, ...")->required();
  videoCmd->add_option("--out", videoArgs.outFile, "Write the result JSON here (default: standard output)");
  videoCmd->add_option("--annotate", videoArgs.annotateFile, "Also write an annotated copy of the video (.mp4, .avi)");

  CLI11_PARSE(app, argc, argv);
  if (*videoCmd) return traffic::runAnalyzeVideo(videoArgs);
  if (*backtestCmd) return app::runFloodBacktest(backtestArgs);
  if (*serveCmd) return serve(args);
  if (*userAdd) return app::runUserAdd(userArgs);
  if (*replayCmd) return app::runReplay(replayArgs);
  return 0;
}
