#pragma once
// Shared by cap_test.cpp and atom_test.cpp: a Tam Kỳ flood alert with its history, the station and its zone, and
// xmllint (schema validation of CAP messages, well-formedness of the Atom feed).
#include "alerts/Alert.hpp"
#include "flood/CapMessage.hpp"
#include "model/Entity.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace cityops::flood::testing {

namespace fs = std::filesystem;
using alerts::Alert;
using alerts::HistoryEntry;
using alerts::State;
using rules::Severity;

// The transitions of the test alert (UTC epoch ms; Tam Kỳ local time is UTC+07:00).
inline constexpr int64_t kRaise = 1761728400000;       // 2025-10-29T09:00:00Z = 16:00+07:00, minor 1.85 m
inline constexpr int64_t kAck = 1761729600000;         // 2025-10-29T09:20:00Z, ack (no CAP message)
inline constexpr int64_t kToMajor = 1761732000000;     // 2025-10-29T10:00:00Z = 17:00+07:00, major 2.31 m
inline constexpr int64_t kToCritical = 1761735600000;  // 2025-10-29T11:00:00Z = 18:00+07:00, critical 2.72 m
inline constexpr int64_t kComment = 1761737400000;     // 2025-10-29T11:30:00Z, comment (no CAP message)
inline constexpr int64_t kDownMajor = 1761786000000;   // 2025-10-30T01:00:00Z = 08:00+07:00, major 2.60 m
inline constexpr int64_t kDownMinor = 1761800400000;   // 2025-10-30T05:00:00Z = 12:00+07:00, minor 2.12 m
inline constexpr int64_t kResolve = 1761814800000;     // 2025-10-30T09:00:00Z = 16:00+07:00, cleared 1.62 m

inline HistoryEntry entry(int64_t id, int64_t at, std::string action, State st, Severity sev,
                          std::optional<double> value, std::string by = "rule", std::string comment = "") {
  HistoryEntry h;
  h.id = id;
  h.atMs = at;
  h.action = std::move(action);
  h.state = st;
  h.severity = sev;
  h.value = value;
  h.by = std::move(by);
  h.comment = std::move(comment);
  return h;
}

/// Alert 42 on wl.tamky after `steps` of its 8 history entries (raise, ack, escalate, escalate, comment,
/// deescalate, deescalate, resolve); the row matches the last entry.
inline Alert tamkyAlert(size_t steps = 8, int64_t id = 42) {
  std::vector<HistoryEntry> all = {
      entry(1, kRaise, "raise", State::Active, Severity::Minor, 1.85),
      entry(2, kAck, "ack", State::Acknowledged, Severity::Minor, std::nullopt, "lan"),
      entry(3, kToMajor, "escalate", State::Active, Severity::Major, 2.31),
      entry(4, kToCritical, "escalate", State::Active, Severity::Critical, 2.72),
      entry(5, kComment, "comment", State::Active, Severity::Critical, std::nullopt, "lan", "đã báo phường"),
      entry(6, kDownMajor, "deescalate", State::Active, Severity::Major, 2.60),
      entry(7, kDownMinor, "deescalate", State::Active, Severity::Minor, 2.12),
      entry(8, kResolve, "resolve", State::Resolved, Severity::Minor, 1.62),
  };
  Alert a;
  a.id = id;
  a.rule = "levels.tamky";
  a.entity = "wl.tamky";
  a.metric = "water_level_m";
  a.raisedMs = kRaise;
  a.history.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(steps));
  const auto& last = a.history.back();
  a.severity = last.severity;
  a.state = last.state;
  a.updatedMs = last.atMs;
  for (const auto& h : a.history)
    if (h.value) a.value = *h.value;
  a.message = "Trạm thủy văn Tam Kỳ: " + std::to_string(a.value) + " m";
  if (a.state == State::Resolved) a.resolvedMs = last.atMs;
  return a;
}

inline model::Entity tamkyStation(std::string name = "Trạm thủy văn Tam Kỳ") {
  model::Entity e;
  e.id = "wl.tamky";
  e.type = "WaterLevelStation";
  e.name = std::move(name);
  e.attributes["name_en"] = "Tam Kỳ hydrological station";
  e.attributes["river"] = "Tam Kỳ";
  e.attributes["bd1"] = 1.7;
  e.attributes["bd2"] = 2.2;
  e.attributes["bd3"] = 2.7;
  return e;
}

/// The riverside zone of examples/tamky/cityops.toml, its ring given open (the last point left out).
inline CapZone riversideZone() {
  CapZone z;
  z.name = "Vùng trũng ven sông Tam Kỳ";
  z.nameEn = "Low-lying Tam Kỳ riverside";
  z.rings = {{{108.4780, 15.5580}, {108.4930, 15.5560}, {108.5010, 15.5650}, {108.4950, 15.5740},
              {108.4820, 15.5700}}};
  return z;
}

inline CapSettings tamkySettings() {
  CapSettings s;
  s.sender = "ioc.tamky.danang.gov.vn";
  s.webBase = "https://ioc.tamky.danang.gov.vn";
  return s;
}

/// The CAP 1.2 schema: the project's copy (tests/data/cap, see its SOURCE.md), else $CITYOPS_CAP_XSD.
inline std::optional<fs::path> capXsd() {
  const fs::path here = fs::path(__FILE__).parent_path();
  const fs::path inProject = here / ".." / "data" / "cap" / "CAP-v1.2.xsd";
  std::error_code ec;
  if (here.is_absolute() && fs::is_regular_file(inProject, ec)) return fs::weakly_canonical(inProject, ec);
  if (const char* env = std::getenv("CITYOPS_CAP_XSD"); env && *env && fs::is_regular_file(env, ec))
    return fs::path(env);
  return std::nullopt;
}

/// A fresh directory for the files a test hands to xmllint; removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cityops-cap-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& content) const {
    fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  fs::path path_;
};

struct RunResult {
  int exitCode = -1;
  std::string output;  // stdout and stderr
};

inline std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline RunResult run(const std::string& command) {
  RunResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline constexpr const char* kXmllint = "/usr/bin/xmllint";

/// xmllint --noout --schema CAP-v1.2.xsd: success, or the tool's complaint and the document.
inline ::testing::AssertionResult validCap(const TempDir& dir, const std::string& name, const std::string& xml) {
  const auto xsd = capXsd();
  if (!xsd)
    return ::testing::AssertionFailure()
           << "CAP-v1.2.xsd not found in tests/data/cap nor in $CITYOPS_CAP_XSD";
  if (!fs::exists(kXmllint)) return ::testing::AssertionFailure() << kXmllint << " is not installed";
  const auto file = dir.write(name, xml);
  const auto r = run(std::string(kXmllint) + " --noout --schema " + shellQuote(xsd->string()) + " " +
                     shellQuote(file.string()));
  if (r.exitCode != 0)
    return ::testing::AssertionFailure() << "xmllint exit " << r.exitCode << ":\n" << r.output << "\n" << xml;
  return ::testing::AssertionSuccess();
}

/// xmllint --noout: well-formed XML.
inline ::testing::AssertionResult wellFormed(const TempDir& dir, const std::string& name, const std::string& xml) {
  if (!fs::exists(kXmllint)) return ::testing::AssertionFailure() << kXmllint << " is not installed";
  const auto file = dir.write(name, xml);
  const auto r = run(std::string(kXmllint) + " --noout " + shellQuote(file.string()));
  if (r.exitCode != 0)
    return ::testing::AssertionFailure() << "xmllint exit " << r.exitCode << ":\n" << r.output << "\n" << xml;
  return ::testing::AssertionSuccess();
}

/// The texts of every <tag>...</tag> in document order (no nesting of the same tag).
inline std::vector<std::string> texts(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t p = xml.find(open); p != std::string::npos; p = xml.find(open, p)) {
    const size_t start = p + open.size();
    const size_t end = xml.find(close, start);
    if (end == std::string::npos) break;
    out.push_back(xml.substr(start, end - start));
    p = end + close.size();
  }
  return out;
}

inline std::string text(const std::string& xml, const std::string& tag) {
  auto all = texts(xml, tag);
  return all.empty() ? std::string("<missing " + tag + ">") : all.front();
}

inline size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace cityops::flood::testing
