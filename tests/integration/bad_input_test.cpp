// Bad input: every malformed or invalid request gets the right 4xx with {"error", "message"}, stores nothing
// (all or nothing, checked by querying afterwards), and leaves the server answering.
#include "Support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

namespace cityops::it {
namespace {

namespace json = boost::json;

constexpr const char* kType = "BadSensor";
const std::vector<std::string> kEntities = {"bad-e0", "bad-e1", "bad-e2"};

/// What must not change when a request is rejected.
struct Snapshot {
  std::vector<std::string> latest;    // sorted items of GET /api/v1/latest
  std::string entities;               // GET /api/v1/entities?limit=10000
  std::string totalCount;             // its X-Total-Count
  std::vector<std::string> perEntity; // GET /api/v1/entities/{id} (with its metrics)
  std::vector<size_t> rawCounts;      // raw points of every (entity, metric) seeded
  double observations = -1, batches = -1, series = -1, entitiesGauge = -1;

  bool operator==(const Snapshot&) const = default;
};

std::string describe(const Snapshot& s) {
  std::string out = "entities=" + s.totalCount + " observations_total=" + num(s.observations) +
                    " batches_total=" + num(s.batches) + " series=" + num(s.series) + " raw counts:";
  for (auto n : s.rawCounts) out += " " + std::to_string(n);
  out += "\nlatest:";
  for (const auto& l : s.latest) out += "\n  " + l;
  out += "\nentities:";
  for (const auto& e : s.perEntity) out += "\n  " + e;
  return out;
}

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess();
    ServerProcess::Options o;
    o.dataDir = dir_->path();
    o.threads = 2;
    if (!server_->start(o)) {
      setupError_ = server_->error();
      return;
    }
    HttpClient c(server_->port());
    json::array arr;
    for (const auto& id : kEntities) arr.push_back(json::object{{"id", id}, {"type", kType}, {"name", "Sensor " + id}});
    auto r = c.postJson("/api/v1/entities", json::serialize(arr));
    if (r.status != 201) setupError_ = "creating entities: " + r.describe();
    // Some data so that "unchanged" means something.
    std::vector<Obs> seed;
    for (int i = 0; i < 20; ++i)
      seed.push_back({kEntities[static_cast<size_t>(i % 2)], i % 4 < 2 ? "level" : "flow", seedBase_ + i * 60000,
                      1.5 * i, i % 5 == 0 ? Quality::Suspect : Quality::Good});
    r = c.postJson("/api/v1/observations", batchJson(seed));
    if (r.status != 200) setupError_ = "seeding observations: " + r.describe();
  }
  static void TearDownTestSuite() {
    if (server_ && server_->running()) {
      const int st = server_->terminate();
      if (!ServerProcess::exitedCleanly(st))
        ADD_FAILURE() << "SIGTERM after the bad-input tests: " << ServerProcess::describeStatus(st) << "\n"
                      << server_->tail();
    }
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(setupError_.empty()) << setupError_;
    ASSERT_TRUE(server_->running());
    before_ = take();
  }
  void TearDown() override {
    // Whatever the test sent, nothing was stored and the server still answers.
    if (!server_ || !server_->running()) return;
    auto h = httpGet(port(), "/healthz");
    EXPECT_EQ(h.status, 200) << "/healthz after the bad requests: " << h.describe() << "\n" << server_->tail();
    const Snapshot after = take();
    EXPECT_TRUE(after == before_) << "a rejected request changed the stored data\nbefore: " << describe(before_)
                                  << "\nafter: " << describe(after);
  }

  static uint16_t port() { return server_->port(); }

  Snapshot take() {
    Snapshot s;
    HttpClient c(port());
    auto r = c.get("/api/v1/latest");
    EXPECT_EQ(r.status, 200) << r.describe();
    auto v = r.json();
    if (v.is_array())
      for (const auto& x : v.get_array()) s.latest.push_back(json::serialize(x));
    std::sort(s.latest.begin(), s.latest.end());
    r = c.get("/api/v1/entities?limit=10000");
    EXPECT_EQ(r.status, 200) << r.describe();
    s.entities = r.body;
    s.totalCount = r.header("X-Total-Count");
    for (const auto& id : kEntities) {
      r = c.get("/api/v1/entities/" + id);
      s.perEntity.push_back(std::to_string(r.status) + " " + r.body);
    }
    for (const auto& id : kEntities)
      for (const char* m : {"level", "flow", "fresh"})
        s.rawCounts.push_back(queryRaw(c, id, m, 0, nowMs() + 86400000).size());
    r = c.get("/metrics");
    EXPECT_EQ(r.status, 200) << r.describe();
    s.observations = scrape(r.body, "cityops_ingest_observations_total").value_or(-1);
    s.batches = scrape(r.body, "cityops_ingest_batches_total").value_or(-1);
    s.series = scrape(r.body, "cityops_series").value_or(-1);
    s.entitiesGauge = scrape(r.body, "cityops_entities").value_or(-1);
    return s;
  }

  HttpResponse postObs(const std::string& body, const std::string& type = "application/json") {
    HttpClient c(port());
    return c.request("POST", "/api/v1/observations", body, type);
  }
  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::string& type = "application/json") {
    HttpClient c(port());
    return c.request(method, target, body, body.empty() ? std::string() : type);
  }

  static std::string item(const std::string& entity, const std::string& metric, const std::string& time,
                          const std::string& value, const std::string& extra = {}) {
    return "{\"entity\":" + entity + ",\"metric\":" + metric + ",\"time\":" + time + ",\"value\":" + value + extra +
           "}";
  }
  static std::string good(int i = 0) {
    return item("\"bad-e0\"", "\"level\"", std::to_string(seedBase_ + 1000 + i), std::to_string(i));
  }
  /// [good, good, ..., bad at `at`, good, ...]
  static std::string batchWith(size_t n, size_t at, const std::string& bad) {
    std::string s = "[";
    for (size_t i = 0; i < n; ++i) {
      if (i) s += ',';
      s += i == at ? bad : good(static_cast<int>(i));
    }
    return s + "]";
  }

  static inline TempDir* dir_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline std::string setupError_;
  static inline const int64_t seedBase_ = nowMs() - 3600000;
  Snapshot before_;
};

TEST_F(BadInput, MalformedAndTruncatedJson) {
  EXPECT_TRUE(isError(postObs("[" + good() + ",,]"), 400, "bad_request"));
  EXPECT_TRUE(isError(postObs("[{\"entity\":\"bad-e0\" \"metric\":\"level\"}]"), 400, "bad_request"));
  const std::string full = batchWith(5, 99, "");
  for (size_t cut : {size_t{1}, full.size() / 3, full.size() / 2, full.size() - 1})
    EXPECT_TRUE(isError(postObs(full.substr(0, cut)), 400, "bad_request")) << "truncated at " << cut;
  EXPECT_TRUE(isError(postObs(full + " x"), 400, "bad_request")) << "trailing garbage";
  EXPECT_TRUE(isError(postObs(""), 400, "bad_request")) << "empty body";
  EXPECT_TRUE(isError(postObs("42"), 400, "bad_request")) << "a number, not a batch";
  EXPECT_TRUE(isError(postObs("\"hello\""), 400, "bad_request")) << "a string, not a batch";
  EXPECT_TRUE(isError(postObs("{}"), 400, "bad_request")) << "an object without fields";
  EXPECT_TRUE(isError(postObs("[" + good() + ", 17]"), 400, "bad_request", "item 1"));
  // NDJSON: a broken line rejects the whole body.
  EXPECT_TRUE(isError(postObs(good(1) + "\n" + good(2) + "\n{\"entity\":\n" + good(3) + "\n", "application/x-ndjson"),
                      400, "bad_request", "item 2"));
  // No observation at all is not an error (docs/api.md: "[]" or an NDJSON body without lines answer
  // {"accepted":0}), and stores nothing either.
  for (const auto& [body, type] : std::vector<std::pair<std::string, std::string>>{
           {"[]", "application/json"}, {"\n\n", "application/x-ndjson"}, {"\r\n  \n", "application/x-ndjson"}}) {
    auto r = postObs(body, type);
    EXPECT_EQ(r.status, 200) << type << " '" << body << "': " << r.describe();
    EXPECT_EQ(r.json(), json::parse(R"({"accepted":0})")) << r.body;
  }
}

TEST_F(BadInput, WrongTypes) {
  const std::string t = std::to_string(seedBase_ + 5000);
  struct Case {
    const char* what;
    std::string item;
  } cases[] = {
      {"value as string", item("\"bad-e0\"", "\"level\"", t, "\"1.5\"")},
      {"value as bool", item("\"bad-e0\"", "\"level\"", t, "true")},
      {"value null", item("\"bad-e0\"", "\"level\"", t, "null")},
      {"value as array", item("\"bad-e0\"", "\"level\"", t, "[1]")},
      {"time as bool", item("\"bad-e0\"", "\"level\"", "true", "1")},
      {"time as object", item("\"bad-e0\"", "\"level\"", "{}", "1")},
      {"time fractional", item("\"bad-e0\"", "\"level\"", t + ".5", "1")},
      {"time as free text", item("\"bad-e0\"", "\"level\"", "\"yesterday\"", "1")},
      {"entity as number", item("5", "\"level\"", t, "1")},
      {"metric null", item("\"bad-e0\"", "null", t, "1")},
      {"quality as number", item("\"bad-e0\"", "\"level\"", t, "1", ",\"quality\":1")},
      {"value missing", "{\"entity\":\"bad-e0\",\"metric\":\"level\",\"time\":" + t + "}"},
      {"time missing", "{\"entity\":\"bad-e0\",\"metric\":\"level\",\"value\":1}"},
      {"entity missing", "{\"metric\":\"level\",\"time\":" + t + ",\"value\":1}"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(isError(postObs(batchWith(4, 2, c.item)), 400, "bad_request", "item 2")) << c.what;
    EXPECT_TRUE(isError(postObs(c.item), 400, "bad_request")) << c.what << " (single object)";
  }
}

TEST_F(BadInput, NonFiniteNumbers) {
  const std::string t = std::to_string(seedBase_ + 6000);
  for (const char* v : {"NaN", "nan", "Infinity", "-Infinity", "inf", "1e999", "-1e999", "1e400"}) {
    EXPECT_TRUE(isError(postObs(batchWith(3, 1, item("\"bad-e0\"", "\"level\"", t, v))), 400, "bad_request"))
        << "value " << v;
    EXPECT_TRUE(isError(postObs(item("\"bad-e0\"", "\"level\"", t, v) + "\n", "application/x-ndjson"), 400,
                        "bad_request"))
        << "NDJSON value " << v;
  }
  EXPECT_TRUE(isError(postObs(batchWith(3, 1, item("\"bad-e0\"", "\"level\"", "1e999", "1"))), 400, "bad_request"))
      << "time 1e999";
}

TEST_F(BadInput, UnknownEntityInTheMiddleOfABatch) {
  const std::string t = std::to_string(seedBase_ + 7000);
  auto r = postObs(batchWith(6, 3, item("\"no-such-entity\"", "\"level\"", t, "1")));
  EXPECT_TRUE(isError(r, 422, "unknown_entity", "item 3"));
  EXPECT_NE(r.body.find("no-such-entity"), std::string::npos) << "the message names the entity: " << r.body;
  // The same as NDJSON, and with the earlier items creating a new series.
  std::string nd;
  for (int i = 0; i < 6; ++i)
    nd += (i == 3 ? item("\"no-such-entity\"", "\"fresh\"", t, "1")
                  : item("\"bad-e1\"", "\"fresh\"", std::to_string(seedBase_ + 8000 + i), "2")) +
          "\n";
  EXPECT_TRUE(isError(postObs(nd, "application/x-ndjson"), 422, "unknown_entity", "item 3"));
}

TEST_F(BadInput, BadMetricQualityAndTimes) {
  const std::string t = std::to_string(seedBase_ + 9000);
  const int64_t now = nowMs();
  struct Case {
    const char* what;
    std::string item;
  } cases[] = {
      {"metric with a dash", item("\"bad-e0\"", "\"water-level\"", t, "1")},
      {"metric upper case", item("\"bad-e0\"", "\"Level\"", t, "1")},
      {"metric empty", item("\"bad-e0\"", "\"\"", t, "1")},
      {"metric too long", item("\"bad-e0\"", "\"" + std::string(65, 'm') + "\"", t, "1")},
      {"entity id with a space", item("\"bad e0\"", "\"level\"", t, "1")},
      {"quality unknown", item("\"bad-e0\"", "\"level\"", t, "1", ",\"quality\":\"excellent\"")},
      {"quality upper case", item("\"bad-e0\"", "\"level\"", t, "1", ",\"quality\":\"GOOD\"")},
      {"time before 1970 (RFC 3339)", item("\"bad-e0\"", "\"level\"", "\"1969-12-31T23:59:59Z\"", "1")},
      {"time before 1970 (epoch ms)", item("\"bad-e0\"", "\"level\"", "-1", "1")},
      {"time > 1 day ahead (epoch ms)", item("\"bad-e0\"", "\"level\"", std::to_string(now + 86400000 + 3600000), "1")},
      {"time > 1 day ahead (RFC 3339)", item("\"bad-e0\"", "\"level\"", "\"" + rfc3339(now + 2 * 86400000) + "\"", "1")},
      {"time year 9999", item("\"bad-e0\"", "\"level\"", "\"9999-01-01T00:00:00Z\"", "1")},
      {"time without zone", item("\"bad-e0\"", "\"level\"", "\"2025-01-01T00:00:00\"", "1")},
      {"time 13th month", item("\"bad-e0\"", "\"level\"", "\"2025-13-01T00:00:00Z\"", "1")},
      {"time Feb 30", item("\"bad-e0\"", "\"level\"", "\"2024-02-30T00:00:00Z\"", "1")},
      {"time huge integer", item("\"bad-e0\"", "\"level\"", "18446744073709551615", "1")},
  };
  for (const auto& c : cases) EXPECT_TRUE(isError(postObs(batchWith(5, 4, c.item)), 400, "bad_request", "item 4")) << c.what;
}

TEST_F(BadInput, MoreThan100000Items) {
  std::string body = "[";
  std::string nd;
  const std::string one = good(1);
  body.reserve(100001 * (one.size() + 1));
  nd.reserve(100001 * (one.size() + 1));
  for (int i = 0; i < 100001; ++i) {
    if (i) body += ',';
    body += one;
    nd += one;
    nd += '\n';
  }
  body += ']';
  EXPECT_TRUE(isError(postObs(body), 413, "too_large"));
  EXPECT_TRUE(isError(postObs(nd, "application/x-ndjson"), 413, "too_large"));
}

/// Streams a request with a body of `bodySize` bytes over a raw socket (Content-Length or chunked) while another
/// thread reads the answer, and stops sending once the answer is complete. Returns the raw answer.
std::string streamHugeBody(uint16_t port, size_t bodySize, bool chunked, std::string& note) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string head = "POST /api/v1/observations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  // An authenticated client (the admin), so that it is the body that gets refused.
  if (const auto token = defaultToken(port); !token.empty()) head += "Authorization: Bearer " + token + "\r\n";
  head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: " + std::to_string(bodySize) + "\r\n\r\n";
  std::atomic<bool> answered{false};
  std::atomic<size_t> sent{0};
  std::thread writer([&] {
    auto sendAll = [&](const char* p, size_t n) {
      while (n > 0 && !answered.load()) {
        const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        p += k;
        n -= static_cast<size_t>(k);
      }
      return !answered.load();
    };
    if (!sendAll(head.data(), head.size())) return;
    // A valid-looking batch, 1 MiB at a time, generated on the fly.
    const std::string unit = ",{\"entity\":\"bad-e0\",\"metric\":\"level\",\"time\":1000,\"value\":1}";
    std::string chunk;
    while (chunk.size() < 1024 * 1024) chunk += unit;
    chunk[0] = '[';
    size_t left = bodySize;
    bool first = true;
    while (left > 0) {
      const size_t n = std::min(left, chunk.size());
      std::string piece = chunk.substr(0, n);
      if (!first) piece[0] = ',';
      first = false;
      if (chunked) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", n);
        piece = size + piece + "\r\n";
      }
      if (!sendAll(piece.data(), piece.size())) return;
      left -= n;
      sent += n;
    }
    if (chunked) sendAll("0\r\n\r\n", 5);
  });
  std::string in;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  char buf[65536];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      note = "no complete answer within 120 s";
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000))) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n < 0) note = std::string("recv: ") + std::strerror(errno);
      break;
    }
    in.append(buf, static_cast<size_t>(n));
    const auto end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      const auto cl = in.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) {
        const size_t len = std::stoul(in.substr(cl + 16));
        if (in.size() >= end + 4 + len) break;
      }
    }
  }
  answered = true;
  ::shutdown(fd, SHUT_RDWR);
  writer.join();
  ::close(fd);
  note += " (sent " + std::to_string(sent.load()) + " body bytes before the answer)";
  return in;
}

HttpResponse parseRaw(const std::string& raw) {
  HttpResponse r;
  if (raw.compare(0, 9, "HTTP/1.1 ") != 0 || raw.size() < 12) {
    r.error = "no HTTP answer: '" + raw.substr(0, 200) + "'";
    return r;
  }
  r.status = std::stoi(raw.substr(9, 3));
  const auto end = raw.find("\r\n\r\n");
  size_t pos = raw.find("\r\n") + 2;
  while (end != std::string::npos && pos < end) {
    const auto eol = raw.find("\r\n", pos);
    const auto colon = raw.find(':', pos);
    if (colon != std::string::npos && colon < eol) {
      std::string v = raw.substr(colon + 1, eol - colon - 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers.emplace_back(raw.substr(pos, colon - pos), v);
    }
    pos = eol + 2;
  }
  if (end != std::string::npos) r.body = raw.substr(end + 4);
  return r;
}

TEST_F(BadInput, BodyOver64MiB) {
  const size_t size = 64u * 1024 * 1024 + 1024 * 1024;  // 65 MiB
  std::string note;
  auto r = parseRaw(streamHugeBody(port(), size, false, note));
  EXPECT_TRUE(isError(r, 413, "too_large")) << "Content-Length: 65 MiB" << note;
  note.clear();
  r = parseRaw(streamHugeBody(port(), size, true, note));
  EXPECT_TRUE(isError(r, 413, "too_large")) << "chunked, 65 MiB" << note;
}

TEST_F(BadInput, DeepNesting) {
  const std::string deep(10000, '[');
  EXPECT_TRUE(isError(postObs(deep), 400, "bad_request"));
  EXPECT_TRUE(isError(postObs(deep + std::string(10000, ']')), 400, "bad_request")) << "balanced";
  EXPECT_TRUE(isError(postObs(deep + "\n", "application/x-ndjson"), 400, "bad_request"));
  std::string deepField = ",\"extra\":";
  for (int i = 0; i < 5000; ++i) deepField += "{\"a\":";
  deepField += "1" + std::string(5000, '}');
  EXPECT_TRUE(isError(postObs(batchWith(3, 1, item("\"bad-e0\"", "\"level\"", std::to_string(seedBase_ + 11000), "1",
                                                   deepField))),
                      400, "bad_request"))
      << "deep extra field";
  EXPECT_TRUE(isError(request("POST", "/api/v1/entities", deep), 400, "bad_request"));
  EXPECT_TRUE(isError(request("PATCH", "/api/v1/entities/bad-e0", "{\"attributes\":" + deep), 400, "bad_request"));
}

TEST_F(BadInput, InvalidUtf8) {
  const std::string t = std::to_string(seedBase_ + 12000);
  for (const char* bad : {"\xff\xfe", "\xc3\x28", "\xc0\xaf", "\xed\xa0\x80", "abc\x80"}) {
    const std::string extra = std::string(",\"note\":\"") + bad + "\"";
    EXPECT_TRUE(isError(postObs(batchWith(3, 1, item("\"bad-e0\"", "\"level\"", t, "1", extra))), 400, "bad_request"))
        << "invalid UTF-8 in an extra field";
    EXPECT_TRUE(isError(postObs(item("\"bad-e0\"", "\"level\"", t, "1", extra) + "\n", "application/x-ndjson"), 400,
                        "bad_request"));
    EXPECT_TRUE(isError(request("POST", "/api/v1/entities",
                                std::string("{\"id\":\"utf8-bad\",\"type\":\"T\",\"name\":\"") + bad + "\"}"),
                        400, "bad_request"))
        << "invalid UTF-8 in an entity name";
    EXPECT_TRUE(isError(request("PATCH", "/api/v1/entities/bad-e1", std::string("{\"name\":\"") + bad + "\"}"), 400,
                        "bad_request"));
  }
}

TEST_F(BadInput, BadQueryParameters) {
  const std::string obs = "/api/v1/entities/bad-e0/observations?metric=level";
  const struct {
    std::string target;
    int status;
    const char* code;
    const char* mention;
  } cases[] = {
      {obs + "&limit=0", 400, "bad_request", "limit"},
      {obs + "&limit=abc", 400, "bad_request", "limit"},
      {obs + "&limit=-5", 400, "bad_request", "limit"},
      {obs + "&limit=100001", 400, "bad_request", "limit"},
      {obs + "&limit=1e3", 400, "bad_request", "limit"},
      {"/api/v1/entities?limit=10001", 400, "bad_request", "limit"},
      {"/api/v1/entities?limit=0", 400, "bad_request", "limit"},
      {"/api/v1/entities?offset=-1", 400, "bad_request", "offset"},
      {obs + "&from=2000&to=1000", 400, "bad_request", "from"},
      {obs + "&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z", 400, "bad_request", "from"},
      {obs + "&from=yesterday", 400, "bad_request", "from"},
      {obs + "&interval=7x", 400, "bad_request", "interval"},
      {obs + "&interval=0m", 400, "bad_request", "interval"},
      {obs + "&interval=m", 400, "bad_request", "interval"},
      {obs + "&interval=1.5h", 400, "bad_request", "interval"},
      {obs + "&interval=1h&agg=median", 400, "bad_request", "agg"},
      {"/api/v1/entities?bbox=1,2,3", 400, "bad_request", "bbox"},
      {"/api/v1/entities?bbox=1,2,3,4,5", 400, "bad_request", "bbox"},
      {"/api/v1/entities?bbox=a,b,c,d", 400, "bad_request", "bbox"},
      {"/api/v1/entities?bbox=10,10,0,0", 400, "bad_request", "bbox"},
      {"/api/v1/entities?near=15.5,108.5,-1", 400, "bad_request", "near"},
      {"/api/v1/entities?near=15.5,108.5,0", 400, "bad_request", "near"},
      {"/api/v1/entities?near=15.5,108.5", 400, "bad_request", "near"},
      {"/api/v1/entities?near=95,108.5,100", 400, "bad_request", "near"},
      {"/api/v1/entities?colour=red", 400, "bad_request", "colour"},
      {"/api/v1/latest?foo=1", 400, "bad_request", "foo"},
      {obs + "&bogus=1", 400, "bad_request", "bogus"},
      {"/api/v1/entities/bad-e0/observations", 400, "bad_request", "metric"},
      {"/api/v1/entities/no-such-entity/observations?metric=level", 404, "not_found", "no-such-entity"},
      {"/api/v1/entities/no-such-entity", 404, "not_found", "no-such-entity"},
  };
  HttpClient c(port());
  for (const auto& k : cases) EXPECT_TRUE(isError(c.get(k.target), k.status, k.code, k.mention)) << "GET " << k.target;
}

TEST_F(BadInput, UnknownRoutesAndWrongMethods) {
  HttpClient c(port());
  for (const char* t : {"/nope", "/api/v1/nope", "/api/v2/latest", "/api/v1/entities/bad-e0/nope",
                        "/api/v1/entities/bad-e0/observations/extra"})
    EXPECT_TRUE(isError(c.get(t), 404, "not_found")) << "GET " << t;
  const struct {
    const char* method;
    const char* target;
    const char* allow;
  } wrong[] = {
      {"PUT", "/api/v1/observations", "POST"},
      {"GET", "/api/v1/observations", "POST"},
      {"DELETE", "/api/v1/latest", "GET"},
      {"POST", "/healthz", "GET"},
      {"POST", "/api/v1/entities/bad-e0", "PATCH"},
      {"PUT", "/api/v1/entities/bad-e0", "DELETE"},
      {"DELETE", "/api/v1/entities", "POST"},
  };
  for (const auto& w : wrong) {
    auto r = c.request(w.method, w.target, std::string(w.method) == "GET" ? "" : "[]", "application/json");
    EXPECT_TRUE(isError(r, 405, "method_not_allowed")) << w.method << " " << w.target;
    EXPECT_NE(r.header("Allow").find(w.allow), std::string::npos)
        << w.method << " " << w.target << ": Allow: " << r.header("Allow");
  }
}

TEST_F(BadInput, BadEntities) {
  HttpClient c(port());
  auto create = [&](const std::string& body) { return c.postJson("/api/v1/entities", body); };
  EXPECT_TRUE(isError(create(R"({"id":"bad id!","type":"T"})"), 400, "bad_request", "id"));
  EXPECT_TRUE(isError(create(R"({"id":"","type":"T"})"), 400, "bad_request", "id"));
  EXPECT_TRUE(isError(create(R"({"id":")" + std::string(129, 'x') + R"(","type":"T"})"), 400, "bad_request", "id"));
  EXPECT_TRUE(isError(create(R"({"type":"T"})"), 400, "bad_request", "id"));
  EXPECT_TRUE(isError(create(R"({"id":"new-1"})"), 400, "bad_request", "type"));
  EXPECT_TRUE(isError(create(R"({"id":"new-1","type":"Bad Type"})"), 400, "bad_request", "type"));
  EXPECT_TRUE(isError(create(R"({"id":"new-1","type":"T","colour":"red"})"), 400, "bad_request", "colour"));
  EXPECT_TRUE(isError(create(R"({"id":"new-1","type":"T","tags":"x"})"), 400, "bad_request", "tags"));
  EXPECT_TRUE(isError(create(R"({"id":"new-1","type":"T","attributes":[1]})"), 400, "bad_request", "attributes"));
  EXPECT_TRUE(isError(create(R"({"id":"new-1","type":"T","geometry":{"type":"Polygon","coordinates":)"
                             R"([[[108.0,15.0],[108.1,15.0],[108.1,15.1],[108.0,15.1]]]}})"),
                      400, "bad_request", "closed"))
      << "unclosed polygon";
  EXPECT_TRUE(isError(create(R"({"id":"new-1","type":"T","geometry":{"type":"Point","coordinates":[15.5,108.5]}})"),
                      400, "bad_request"))
      << "latitude 108.5";
  EXPECT_TRUE(isError(create("[1,2]"), 400, "bad_request", "item 0"));
  EXPECT_TRUE(isError(create("\"entity\""), 400, "bad_request"));

  // Conflicts, all or nothing.
  EXPECT_TRUE(isError(create(R"({"id":"bad-e0","type":"T"})"), 409, "conflict", "bad-e0"));
  EXPECT_TRUE(isError(create(R"([{"id":"new-1","type":"T"},{"id":"bad-e1","type":"T"},{"id":"new-2","type":"T"}])"),
                      409, "conflict"));
  EXPECT_TRUE(isError(create(R"([{"id":"new-1","type":"T"},{"id":"new-1","type":"T"}])"), 409, "conflict", "new-1"));
  EXPECT_TRUE(isError(create(R"([{"id":"new-1","type":"T"},{"id":"new-2"},{"id":"new-3","type":"T"}])"), 400,
                      "bad_request", "item 1"));
  for (const char* id : {"new-1", "new-2", "new-3"})
    EXPECT_TRUE(isError(c.get(std::string("/api/v1/entities/") + id), 404, "not_found")) << id << " was created";

  // PATCH and DELETE.
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/bad-e0", R"({"id":"other"})", "application/json"), 400,
                      "bad_request", "id"));
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/bad-e0", R"({"type":"Bad Type"})", "application/json"), 400,
                      "bad_request", "type"));
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/bad-e0", R"({"colour":"red"})", "application/json"), 400,
                      "bad_request", "colour"));
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/no-such", R"({"name":"x"})", "application/json"), 404,
                      "not_found"));
  EXPECT_TRUE(isError(c.request("DELETE", "/api/v1/entities/no-such"), 404, "not_found", "no-such"));
  EXPECT_TRUE(isError(c.get("/api/v1/entities/other"), 404, "not_found"));
}

TEST_F(BadInput, PatchBodyIsCheckedBeforeTheEntityIsLookedUp) {
  // docs/api.md, PATCH: "The body is checked before the entity is looked up: a bad body gets 400 even for an
  // unknown id."
  HttpClient c(port());
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/no-such", "{\"id\":", "application/json"), 400,
                      "bad_request"))
      << "malformed JSON";
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/no-such", "[1]", "application/json"), 400, "bad_request"))
      << "not an object";
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/no-such", R"({"colour":"red"})", "application/json"), 400,
                      "bad_request"))
      << "unknown field";
  EXPECT_TRUE(isError(c.request("PATCH", "/api/v1/entities/no-such", R"({"type":"Bad Type"})", "application/json"),
                      400, "bad_request"))
      << "invalid type";
}

TEST_F(BadInput, LargeBatchWithABadItemStoresNothing) {
  // 10 000 items for a new metric of bad-e1; item 5000 is bad. Nothing may be stored, not even the series.
  auto big = [](size_t bad, const std::string& badItem) {
    std::string s = "[";
    for (size_t i = 0; i < 10000; ++i) {
      if (i) s += ',';
      s += i == bad ? badItem
                    : item("\"bad-e1\"", "\"fresh\"", std::to_string(seedBase_ + 20000 + static_cast<int64_t>(i)),
                           num(static_cast<double>(i) / 4));
    }
    return s + "]";
  };
  const std::string t = std::to_string(seedBase_ + 19000);
  EXPECT_TRUE(isError(postObs(big(5000, item("\"bad-e1\"", "\"fresh\"", t, "\"x\""))), 400, "bad_request", "item 5000"));
  EXPECT_TRUE(isError(postObs(big(5000, item("\"no-such\"", "\"fresh\"", t, "1"))), 422, "unknown_entity", "item 5000"));
  EXPECT_TRUE(isError(postObs(big(9999, item("\"bad-e1\"", "\"fresh\"", "-5", "1"))), 400, "bad_request", "item 9999"));
  // NDJSON: a malformed line 5000.
  std::string nd;
  for (int i = 0; i < 10000; ++i)
    nd += (i == 5000 ? std::string("{\"entity\":\"bad-e1\",") : item("\"bad-e1\"", "\"fresh\"",
                                                                     std::to_string(seedBase_ + 40000 + i), "3")) +
          "\n";
  EXPECT_TRUE(isError(postObs(nd, "application/x-ndjson"), 400, "bad_request", "item 5000"));
  HttpClient c(port());
  auto e = c.get("/api/v1/entities/bad-e1");
  ASSERT_EQ(e.status, 200) << e.describe();
  EXPECT_EQ(e.body.find("fresh"), std::string::npos) << "a rejected batch left a series behind: " << e.body;
}

}  // namespace
}  // namespace cityops::it
