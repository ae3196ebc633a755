#include "flood/CapMessage.hpp"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace cityops::flood {

using rules::Severity;

std::string_view capStatusName(CapStatus s) {
  switch (s) {
    case CapStatus::Actual: return "Actual";
    case CapStatus::Exercise: return "Exercise";
    case CapStatus::Test: return "Test";
  }
  return "Actual";
}

std::string_view capMsgTypeName(CapMsgType t) {
  switch (t) {
    case CapMsgType::Alert: return "Alert";
    case CapMsgType::Update: return "Update";
    case CapMsgType::Cancel: return "Cancel";
  }
  return "Alert";
}

namespace {

constexpr int64_t kMaxOffsetMinutes = 14 * 60;

bool senderChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

// Characters that make an http(s) URL unusable as xs:anyURI or an Atom href.
bool badUrlChar(unsigned char c) {
  return c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == '^' || c == '`' ||
         c == '|' || c == '{' || c == '}';
}

Status checkUrl(std::string_view name, std::string_view url, bool allowIdPlaceholder) {
  if (url.empty()) return {};
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return BadRequest("CAP setting " + std::string(name) + " must be an absolute http(s) URL");
  std::string rest(url);
  if (allowIdPlaceholder) {
    for (size_t p; (p = rest.find("{id}")) != std::string::npos;) rest.replace(p, 4, "1");
  }
  for (unsigned char c : rest)
    if (badUrlChar(c))
      return BadRequest("CAP setting " + std::string(name) + " holds a character not allowed in a URL");
  return {};
}

std::string trimSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct LocalTime {
  int64_t y;
  unsigned mo, d, h, mi, s;
};

LocalTime localTime(int64_t epochMs, int offsetMinutes) {
  const int64_t secs = floorDiv(epochMs, 1000) + static_cast<int64_t>(offsetMinutes) * 60;
  const int64_t days = floorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  LocalTime t{};
  civilFromDays(days, t.y, t.mo, t.d);
  t.h = static_cast<unsigned>(sod / 3600);
  t.mi = static_cast<unsigned>(sod / 60 % 60);
  t.s = static_cast<unsigned>(sod % 60);
  return t;
}

std::string offsetText(int offsetMinutes, bool utcAsMinus) {
  if (offsetMinutes == 0 && utcAsMinus) return "-00:00";
  const char sign = offsetMinutes < 0 ? '-' : '+';
  const int a = std::abs(offsetMinutes);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, a / 60, a % 60);
  return buf;
}

/// Shortest plain decimal of v rounded to `decimals` places: 15.562, 108.4, 2.7.
std::string num(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  double r = std::round(v * scale) / scale;
  if (r == 0) r = 0;  // no "-0"
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, r, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return std::string(buf, p);
}

std::string viNum(double v, int decimals) {
  std::string s = num(v, decimals);
  std::replace(s.begin(), s.end(), '.', ',');  // Vietnamese decimal comma: 2,72 m
  return s;
}

std::string_view roman(int level) {
  static constexpr std::string_view kRoman[] = {"", "I", "II", "III"};
  return level >= 1 && level <= 3 ? kRoman[level] : "";
}

std::string capSeverity(Severity s) {
  switch (s) {
    case Severity::Info: return "Minor";
    case Severity::Minor: return "Moderate";
    case Severity::Major: return "Severe";
    case Severity::Critical: return "Extreme";
  }
  return "Unknown";
}

std::string capUrgency(CapMsgType t, Severity s) {
  if (t == CapMsgType::Cancel) return "Past";
  return s >= Severity::Major ? "Immediate" : "Expected";
}

std::string capResponseType(CapMsgType t, Severity s) {
  if (t == CapMsgType::Cancel) return "AllClear";
  if (s == Severity::Critical) return "Evacuate";
  if (s == Severity::Info) return "Monitor";
  return "Prepare";
}

std::optional<std::string> stringAttr(const model::Entity* e, std::string_view key) {
  if (!e) return std::nullopt;
  const auto* v = e->attributes.if_contains(key);
  if (!v || !v->is_string() || v->get_string().empty()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<double> numberValue(const boost::json::value* v) {
  if (!v || !v->is_number()) return std::nullopt;
  const double d = v->to_number<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

/// BĐ I, II, III from bd1..bd3 or alarm_levels_m [I, II, III]; a missing or non-number level is unknown.
std::array<std::optional<double>, 3> stationLevels(const model::Entity* e) {
  std::array<std::optional<double>, 3> bd;
  if (!e) return bd;
  static constexpr std::string_view kKeys[] = {"bd1", "bd2", "bd3"};
  for (size_t i = 0; i < 3; ++i) bd[i] = numberValue(e->attributes.if_contains(kKeys[i]));
  if (const auto* arr = e->attributes.if_contains("alarm_levels_m"); arr && arr->is_array()) {
    const auto& a = arr->get_array();
    for (size_t i = 0; i < 3 && i < a.size(); ++i)
      if (!bd[i]) bd[i] = numberValue(&a[i]);
  }
  return bd;
}

/// The alarm level a value reaches: 3..1, 0 below BĐ I; none when a level in between is unknown.
std::optional<int> levelFromValue(double value, const std::array<std::optional<double>, 3>& bd) {
  for (int k = 3; k >= 1; --k) {
    const auto& b = bd[static_cast<size_t>(k - 1)];
    if (!b) return std::nullopt;
    if (value >= *b) return k;
  }
  return 0;
}

std::optional<int> levelFromSeverity(Severity s) {
  switch (s) {
    case Severity::Minor: return 1;
    case Severity::Major: return 2;
    case Severity::Critical: return 3;
    case Severity::Info: return std::nullopt;
  }
  return std::nullopt;
}

struct RiskColour {
  std::string_view vi, en;
};
RiskColour riskColour(int level) {
  static constexpr RiskColour kColours[] = {
      {"xanh dương nhạt", "light blue"}, {"vàng nhạt", "light yellow"}, {"da cam", "orange"}, {"đỏ", "red"},
      {"tím", "purple"}};
  return kColours[std::clamp(level, 1, 5) - 1];
}

std::string polygonText(const std::vector<model::LonLat>& ring) {
  std::vector<model::LonLat> pts = ring;
  if (!pts.empty() && pts.front() != pts.back()) pts.push_back(pts.front());
  std::string out;
  for (const auto& p : pts) {
    if (!out.empty()) out += ' ';
    out += num(p[1], 6);
    out += ',';
    out += num(p[0], 6);
  }
  return out;
}

size_t distinctPoints(const std::vector<model::LonLat>& ring) {
  std::vector<model::LonLat> v = ring;
  std::sort(v.begin(), v.end());
  return static_cast<size_t>(std::unique(v.begin(), v.end()) - v.begin());
}

void element(std::string& out, int indent, std::string_view name, std::string_view text) {
  out.append(static_cast<size_t>(indent), ' ');
  out += '<';
  out += name;
  out += '>';
  out += xmlEscape(text);
  out += "</";
  out += name;
  out += ">\n";
}

}  // namespace

Status validateCapSettings(const CapSettings& s) {
  if (s.sender.empty() || s.sender.size() > 128)
    return BadRequest("CAP setting sender must be 1 to 128 characters");
  for (char c : s.sender)
    if (!senderChar(c))
      return BadRequest("CAP setting sender may hold only letters, digits and . _ @ - (e.g. ioc.tamky.danang.gov.vn)");
  if (auto st = checkUrl("web_base", s.webBase, false); !st) return st;
  if (auto st = checkUrl("web_page", s.webPage, true); !st) return st;
  if (s.utcOffsetMinutes < -kMaxOffsetMinutes || s.utcOffsetMinutes > kMaxOffsetMinutes)
    return BadRequest("CAP setting utc_offset must be within -14:00 and +14:00");
  if (s.expiresAfterMs < 0) return BadRequest("CAP setting expires_after must not be negative");
  return {};
}

CapZone capZoneFromEntity(const model::Entity& e) {
  CapZone z;
  z.name = e.name.empty() ? e.id : e.name;
  z.nameEn = stringAttr(&e, "name_en").value_or("");
  if (e.geometry && e.geometry->kind == model::Geometry::Kind::Polygon && !e.geometry->rings.empty())
    z.rings.push_back(e.geometry->rings.front());  // the outer ring; CAP has no holes
  return z;
}

std::vector<CapZone> capZonesFor(const model::Entity& station, const std::vector<model::Entity>& candidates) {
  std::vector<const model::Entity*> hits;
  for (const auto& c : candidates) {
    if (c.type != "Zone") continue;
    if (stringAttr(&c, "watch_station") == station.id) hits.push_back(&c);
  }
  std::sort(hits.begin(), hits.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
  std::vector<CapZone> out;
  for (const auto* h : hits) out.push_back(capZoneFromEntity(*h));
  return out;
}

std::vector<CapVersion> capVersions(const alerts::Alert& a) {
  std::vector<CapVersion> out;
  if (a.history.empty()) {
    CapVersion v;
    v.version = 1;
    v.msgType = CapMsgType::Alert;
    v.action = "raise";
    v.atMs = a.raisedMs;
    v.severity = a.severity;
    if (a.state != alerts::State::Resolved) v.value = a.value;
    out.push_back(v);
    if (a.state == alerts::State::Resolved) {
      CapVersion c;
      c.version = 2;
      c.msgType = CapMsgType::Cancel;
      c.action = "resolve";
      c.atMs = a.resolvedMs.value_or(a.updatedMs);
      c.severity = a.severity;
      c.value = a.value;
      out.push_back(c);
    }
    return out;
  }
  for (const auto& h : a.history) {
    const bool relevant =
        h.action == "raise" || h.action == "escalate" || h.action == "deescalate" || h.action == "resolve";
    if (!relevant) continue;
    CapVersion v;
    v.version = out.size() + 1;
    v.msgType = out.empty() ? CapMsgType::Alert : h.action == "resolve" ? CapMsgType::Cancel : CapMsgType::Update;
    v.action = h.action;
    v.atMs = h.atMs;
    v.severity = h.severity;
    v.value = h.value;
    v.byOperator = h.by != "rule";
    out.push_back(v);
    if (h.action == "resolve") break;  // nothing after a Cancel (only comments follow a resolve)
  }
  return out;
}

std::string capIdentifier(const CapSettings& s, int64_t alertId, size_t version) {
  return s.sender + ":alert:" + std::to_string(alertId) + ":" + std::to_string(version);
}

std::string capTime(int64_t epochMs, int utcOffsetMinutes) {
  const LocalTime t = localTime(epochMs, utcOffsetMinutes);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u", static_cast<long long>(t.y), t.mo, t.d, t.h,
                t.mi, t.s);
  return std::string(buf) + offsetText(utcOffsetMinutes, /*utcAsMinus=*/true);
}

std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed in XML 1.0
        if (c == 0x7f) break;
        out += ch;
    }
  }
  return out;
}

Result<CapMessage> capMessage(const CapInput& in, const CapSettings& s, size_t version) {
  if (auto st = validateCapSettings(s); !st) return st.error();
  if (in.riskLevel && (*in.riskLevel < 1 || *in.riskLevel > 5))
    return BadRequest("the disaster risk level (Decision 18/2021/QĐ-TTg) must be 1 to 5");
  const alerts::Alert& a = in.alert;
  const auto versions = capVersions(a);
  if (version == 0) version = versions.size();
  if (version < 1 || version > versions.size())
    return NotFound("alert " + std::to_string(a.id) + " has " + std::to_string(versions.size()) +
                    " CAP message(s); there is no version " + std::to_string(version));

  CapMessage m;
  m.alertId = a.id;
  m.version = versions[version - 1];
  m.versionCount = versions.size();
  const CapVersion& v = m.version;
  const int off = s.utcOffsetMinutes;
  const std::string base = trimSlashes(s.webBase);

  m.identifier = capIdentifier(s, a.id, version);
  m.sender = s.sender;
  m.sent = capTime(v.atMs, off);
  m.status = std::string(capStatusName(s.status));
  m.msgType = std::string(capMsgTypeName(v.msgType));
  for (size_t i = 0; i + 1 < version; ++i) {
    if (!m.references.empty()) m.references += ' ';
    m.references += s.sender + "," + capIdentifier(s, a.id, i + 1) + "," + capTime(versions[i].atMs, off);
  }
  const bool cancel = v.msgType == CapMsgType::Cancel;
  const bool forecast = in.forecast || a.rule.rfind("forecast", 0) == 0;
  m.responseType = capResponseType(v.msgType, v.severity);
  m.urgency = capUrgency(v.msgType, v.severity);
  m.severity = capSeverity(v.severity);
  m.certainty = forecast ? "Likely" : "Observed";
  m.effective = m.sent;
  m.onset = capTime(a.raisedMs, off);
  if (s.expiresAfterMs > 0) m.expires = capTime(v.atMs + s.expiresAfterMs, off);
  if (!s.webPage.empty()) {
    m.web = s.webPage;
    for (size_t p; (p = m.web.find("{id}")) != std::string::npos;) m.web.replace(p, 4, std::to_string(a.id));
  } else if (!base.empty()) {
    m.web = base + "/api/v1/alerts/" + std::to_string(a.id) + "/cap";
  }
  m.contact = s.contact;

  // The station, its river and the alarm level the value reaches.
  const model::Entity* e = in.entity;
  const std::string nameVi = e && !e->name.empty() ? e->name : a.entity;
  const std::string nameEn = stringAttr(e, "name_en").value_or(nameVi);
  const auto river = stringAttr(e, "river");
  const std::string riverEn = stringAttr(e, "river_en").value_or(river.value_or(""));
  const rules::Kind kind =
      in.ruleKind.value_or(a.rule.rfind("rise.", 0) == 0 ? rules::Kind::Rate : rules::Kind::Threshold);
  const bool onLevel = a.metric == "water_level_m";
  const bool waterLevel = onLevel && kind == rules::Kind::Threshold;  // the value is a water level
  const bool rise = onLevel && kind == rules::Kind::Rate;             // the value is metres per hour
  const auto bd = stationLevels(e);
  std::optional<int> level;
  if (waterLevel && v.value) level = levelFromValue(*v.value, bd);
  if (waterLevel && !level && !cancel) level = levelFromSeverity(v.severity);

  if (level) m.parameters.emplace_back("alarm_level", std::to_string(*level));
  if (v.value)
    m.parameters.emplace_back(rise ? std::string("water_level_rise_m_per_h") : a.metric.empty() ? "value" : a.metric,
                              num(*v.value, 3));
  if (in.riskLevel && !cancel) {
    m.parameters.emplace_back("disaster_risk_level", std::to_string(*in.riskLevel));
    m.parameters.emplace_back("disaster_risk_colour", std::string(riskColour(*in.riskLevel).en));
  }
  m.parameters.emplace_back("station_id", a.entity);

  // Polygons, one per ring with at least three distinct points.
  std::string areaVi, areaEn;
  for (const auto& z : in.zones) {
    for (const auto& ring : z.rings) {
      for (const auto& p : ring)
        if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90)
          return BadRequest("zone '" + z.name + "' has a position outside WGS84 longitude/latitude");
      if (distinctPoints(ring) >= 3) m.polygons.push_back(polygonText(ring));
    }
    if (!areaVi.empty()) areaVi += "; ", areaEn += "; ";
    areaVi += z.name;
    areaEn += z.nameEn.empty() ? z.name : z.nameEn;
  }
  if (areaVi.empty()) {
    areaVi = river ? nameVi + " (sông " + *river + ")" : nameVi;
    areaEn = river ? nameEn + " (" + riverEn + " river)" : nameEn;
  }

  // Texts.
  const LocalTime lt = localTime(v.atMs, off);
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02u:%02u", lt.h, lt.mi);
  char dateVi[24];
  std::snprintf(dateVi, sizeof dateVi, "%02u/%02u/%04lld", lt.d, lt.mo, static_cast<long long>(lt.y));
  const std::string whenVi = std::string(hm) + " ngày " + dateVi;
  const std::string whenEn = std::string(hm) + " on " + std::to_string(lt.d) + " " +
                             std::string(kMonths[lt.mo - 1]) + " " + std::to_string(lt.y) + " (UTC" +
                             (off == 0 ? std::string() : offsetText(off, false)) + ")";

  std::string levelVi, levelEn;  // ", đạt mức báo động III (BĐ III: 2,7 m)"
  if (level && *level >= 1) {
    const auto& b = bd[static_cast<size_t>(*level - 1)];
    levelVi = ", đạt mức báo động " + std::string(roman(*level));
    levelEn = ", at alarm level " + std::string(roman(*level));
    if (b && waterLevel) {
      levelVi += " (BĐ " + std::string(roman(*level)) + ": " + viNum(*b, 3) + " m)";
      levelEn += " (" + num(*b, 3) + " m)";
    }
  } else if (level && *level == 0 && bd[0]) {
    levelVi = ", dưới mức báo động I (BĐ I: " + viNum(*bd[0], 3) + " m)";
    levelEn = ", below alarm level I (" + num(*bd[0], 3) + " m)";
  }

  std::string descVi, descEn;
  if (v.value) {
    if (waterLevel) {
      descVi = nameVi + ": " + (forecast ? "dự báo mực nước" : "mực nước") + (river ? " sông " + *river : "") +
               " lúc " + whenVi + " là " + viNum(*v.value, 3) + " m" + levelVi + ".";
      descEn = nameEn + ": " + (forecast ? "the forecast water level" : "the water level") +
               (river ? " of the " + riverEn + " river" : "") + " at " + whenEn + " is " + num(*v.value, 3) +
               " m" + levelEn + ".";
    } else if (rise) {
      descVi = nameVi + ": tốc độ lên của mực nước" + (river ? " sông " + *river : "") + " lúc " + whenVi + " là " +
               viNum(*v.value, 3) + " m/giờ.";
      descEn = nameEn + ": the rate of rise of the " + (river ? riverEn + " river" : "water level") + " at " +
               whenEn + " is " + num(*v.value, 3) + " m per hour.";
    } else {
      descVi = nameVi + ": " + a.metric + " lúc " + whenVi + " là " + viNum(*v.value, 3) + ".";
      descEn = nameEn + ": " + a.metric + " at " + whenEn + " is " + num(*v.value, 3) + ".";
    }
  } else {
    descVi = nameVi + ", " + whenVi + ".";  // a dateline: the transition carries no value (an operator's)
    descEn = nameEn + ", " + whenEn + ".";
  }
  if (v.action == "escalate") {
    descVi += " Lũ đang lên; cảnh báo được nâng mức.";
    descEn += " The flood is rising; the warning has been raised.";
  } else if (v.action == "deescalate") {
    descVi += " Lũ đang xuống; cảnh báo được hạ mức.";
    descEn += " The flood is falling; the warning has been lowered.";
  } else if (cancel) {
    if (v.byOperator) {
      descVi += " Trung tâm điều hành đã kết thúc cảnh báo lũ.";
      descEn += " The operations centre has ended the flood warning.";
    } else {
      descVi += " Kết thúc cảnh báo lũ.";
      descEn += " The flood warning has ended.";
    }
  }
  if (in.riskLevel && !cancel) {
    const auto c = riskColour(*in.riskLevel);
    descVi += " Cấp độ rủi ro thiên tai do lũ: cấp " + std::to_string(*in.riskLevel) + " (màu " + std::string(c.vi) +
              ") theo Quyết định 18/2021/QĐ-TTg.";
    descEn += " Flood disaster risk level " + std::to_string(*in.riskLevel) + " (" + std::string(c.en) +
              ") under Decision 18/2021/QĐ-TTg.";
  }

  std::string headVi, headEn;
  if (cancel) {
    headVi = "Hết cảnh báo lũ tại " + nameVi;
    headEn = "Flood warning lifted at " + nameEn;
  } else {
    const std::string kindVi = forecast ? "Dự báo lũ" : "Cảnh báo lũ";
    const std::string kindEn = forecast ? "Flood forecast" : "Flood warning";
    if (level && *level >= 1) {
      headVi = kindVi + ": báo động " + std::string(roman(*level)) + " tại " + nameVi;
      headEn = kindEn + ": alarm level " + std::string(roman(*level)) + " at " + nameEn;
    } else if (rise) {
      headVi = kindVi + ": nước lên nhanh tại " + nameVi;
      headEn = kindEn + ": fast rise at " + nameEn;
    } else {
      headVi = kindVi + " tại " + nameVi;
      headEn = kindEn + " at " + nameEn;
    }
  }

  std::string instrVi, instrEn;
  if (cancel) {
    if (level && *level == 0) {
      instrVi = "Mực nước đã xuống dưới mức báo động. Khi trở về nhà, kiểm tra an toàn điện, nước sạch và vệ sinh "
                "môi trường; tiếp tục theo dõi thông tin từ chính quyền địa phương.";
      instrEn = "The water is below the alarm levels. When returning home, check electrical safety, clean water "
                "and sanitation; keep following official updates.";
    } else {
      instrVi = "Tiếp tục theo dõi thông tin từ chính quyền địa phương.";
      instrEn = "Keep following official updates.";
    }
  } else {
    switch (v.severity) {
      case Severity::Info:
        instrVi = "Theo dõi thông tin từ chính quyền địa phương.";
        instrEn = "Follow official updates.";
        break;
      case Severity::Minor:
        instrVi = "Theo dõi mực nước và thông tin từ chính quyền địa phương; chuẩn bị phương án phòng tránh lũ, "
                  "kê cao tài sản.";
        instrEn = "Watch the water level and official updates; get ready to protect your home and move belongings "
                  "to higher places.";
        break;
      case Severity::Major:
        instrVi = "Di chuyển tài sản lên cao, sẵn sàng sơ tán khỏi vùng trũng thấp; không đi qua đường ngập, "
                  "ngầm, tràn.";
        instrEn = "Move belongings to higher places and be ready to leave low-lying areas; do not cross flooded "
                  "roads, fords or spillways.";
        break;
      case Severity::Critical:
        instrVi = "Sơ tán ngay khỏi vùng trũng thấp ven sông theo hướng dẫn của chính quyền; tránh xa dòng nước "
                  "chảy xiết.";
        instrEn = "Evacuate low-lying riverside areas now as directed by the authorities; keep away from "
                  "fast-flowing water.";
        break;
    }
  }

  m.info[0] = {"vi-VN", "Lũ", s.senderName, headVi, descVi, instrVi, areaVi};
  m.info[1] = {"en-US", "Flood", s.senderNameEn, headEn, descEn, instrEn, areaEn};
  return m;
}

std::string toXml(const CapMessage& m) {
  std::string x;
  x.reserve(4096);
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<alert xmlns=\"";
  x += kCapNamespace;
  x += "\">\n";
  element(x, 2, "identifier", m.identifier);
  element(x, 2, "sender", m.sender);
  element(x, 2, "sent", m.sent);
  element(x, 2, "status", m.status);
  element(x, 2, "msgType", m.msgType);
  element(x, 2, "scope", "Public");
  if (!m.references.empty()) element(x, 2, "references", m.references);
  for (const auto& info : m.info) {
    x += "  <info>\n";
    element(x, 4, "language", info.language);
    element(x, 4, "category", m.category);
    element(x, 4, "event", info.event);
    element(x, 4, "responseType", m.responseType);
    element(x, 4, "urgency", m.urgency);
    element(x, 4, "severity", m.severity);
    element(x, 4, "certainty", m.certainty);
    element(x, 4, "effective", m.effective);
    element(x, 4, "onset", m.onset);
    if (!m.expires.empty()) element(x, 4, "expires", m.expires);
    if (!info.senderName.empty()) element(x, 4, "senderName", info.senderName);
    element(x, 4, "headline", info.headline);
    element(x, 4, "description", info.description);
    element(x, 4, "instruction", info.instruction);
    if (!m.web.empty()) element(x, 4, "web", m.web);
    if (!m.contact.empty()) element(x, 4, "contact", m.contact);
    for (const auto& [name, value] : m.parameters) {
      x += "    <parameter>\n";
      element(x, 6, "valueName", name);
      element(x, 6, "value", value);
      x += "    </parameter>\n";
    }
    x += "    <area>\n";
    element(x, 6, "areaDesc", info.areaDesc);
    for (const auto& p : m.polygons) element(x, 6, "polygon", p);
    x += "    </area>\n";
    x += "  </info>\n";
  }
  x += "</alert>\n";
  return x;
}

Result<std::string> capXml(const CapInput& in, const CapSettings& s, size_t version) {
  auto m = capMessage(in, s, version);
  if (!m) return m.error();
  return toXml(*m);
}

}  // namespace cityops::flood
