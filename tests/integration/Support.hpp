#pragma once
// Shared pieces of the integration tests: observation generation and JSON text, time formatting, raw series
// queries, /metrics scraping, error-body checks. Deliberately independent of the server's own code.
#include "Clients.hpp"
#include "ServerProcess.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cityops::it {

int64_t nowMs();
/// "2025-01-02T03:04:05.678Z"
std::string rfc3339(int64_t ms);
/// Parses the server's "YYYY-MM-DDTHH:MM:SS.mmmZ"; nullopt when it is not in that form.
std::optional<int64_t> parseServerTime(std::string_view s);
/// Shortest round-trip text of a finite double.
std::string num(double v);
std::string urlTimestamp(int64_t ms);

enum class Quality { Good, Suspect, Bad };
const char* qualityName(Quality q);

struct Obs {
  std::string entity, metric;
  int64_t time = 0;
  double value = 0;
  Quality quality = Quality::Good;
  bool sendQuality = true;   // false: omit the field (the server must default to "good")
  bool timeAsText = false;   // RFC 3339 instead of epoch milliseconds
};

std::string obsJson(const Obs& o);
std::string batchJson(const std::vector<Obs>& batch);
std::string batchNdjson(const std::vector<Obs>& batch);

/// A sensor-like value: at most 12 significant digits (exactly representable text, no parser ambiguity).
double randomValue(std::mt19937_64& rng);
Quality randomQuality(std::mt19937_64& rng);

/// Creates entities {id, type} with POST /api/v1/entities (array form); asserts 201.
void createEntities(HttpClient& c, const std::vector<std::pair<std::string, std::string>>& idsAndTypes);

struct Point {
  int64_t time;
  double value;
  std::string quality;
};
/// Raw points of one series in [from, to] (epoch ms); fails the test on a non-200 answer.
std::vector<Point> queryRaw(HttpClient& c, const std::string& entity, const std::string& metric, int64_t from,
                            int64_t to, size_t limit = 100000);

/// Sum of all samples of `name` in a Prometheus text exposition whose label text contains every one of
/// `labelParts` (e.g. {"route=\"/healthz\""}); nullopt when there is none.
std::optional<double> scrape(const std::string& exposition, const std::string& name,
                             const std::vector<std::string>& labelParts = {});

/// The answer is `status` with a JSON body {"error": code, "message": non-empty}; `messagePart` (if given)
/// must appear in the message.
::testing::AssertionResult isError(const HttpResponse& r, int status, const std::string& code,
                                   const std::string& messagePart = {});

/// TCP state (as in /proc/net/tcp: 1 ESTABLISHED, 4 FIN_WAIT1, 7 CLOSE, 8 CLOSE_WAIT, ...) of the socket
/// 127.0.0.1:localPort <-> 127.0.0.1:remotePort; nullopt when there is none.
std::optional<int> tcpState(uint16_t localPort, uint16_t remotePort);

/// Starts a server in `dir` or fails the current test (use with ASSERT_NO_FATAL_FAILURE).
void startServer(ServerProcess& s, const std::string& dir, int threads = 4);

/// The Tam Kỳ alarm levels as a rule body: wl.tamky, water_level_m above 1.7 / 2.2 / 2.7 m (minor / major /
/// critical), hysteresis 0.05 m.
extern const std::string kTamkyLevelsRule;

/// One server (2 I/O threads) in a fresh directory per test, stopped cleanly after it; seed() creates the entity
/// wl.tamky and the kTamkyLevelsRule rule through the API.
class TamkyLevelsServer : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  uint16_t port() const { return server_.port(); }
  void seed();

  TempDir dir_;
  ServerProcess server_;
};

}  // namespace cityops::it
