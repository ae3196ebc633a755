#include "flood/AtomFeed.hpp"

#include <algorithm>

namespace cityops::flood {

namespace {

constexpr std::string_view kAtomNamespace = "http://www.w3.org/2005/Atom";

bool digitsAt(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool validTagDate(std::string_view d) {
  if (d.size() != 4 && d.size() != 7 && d.size() != 10) return false;
  if (!digitsAt(d, 0, 4)) return false;
  if (d.size() >= 7 && (d[4] != '-' || !digitsAt(d, 5, 2))) return false;
  if (d.size() == 10 && (d[7] != '-' || !digitsAt(d, 8, 2))) return false;
  return true;
}

/// RFC 3339 at the city's offset; "Z" for UTC (CAP's "-00:00" means "offset unknown" in RFC 3339).
std::string atomTime(int64_t ms, int offsetMinutes) {
  std::string t = capTime(ms, offsetMinutes);
  if (offsetMinutes == 0) t.replace(t.size() - 6, 6, "Z");
  return t;
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

std::string trimSlashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

bool inAtomFeed(const alerts::Alert& a, int64_t nowMs, const AtomSettings& s) {
  if (a.state != alerts::State::Resolved) return true;
  const int64_t at = a.resolvedMs.value_or(a.updatedMs);
  return at >= nowMs - s.resolvedWithinMs;
}

std::string atomEntryId(const CapSettings& cap, const AtomSettings& s, int64_t alertId, size_t version) {
  return "tag:" + cap.sender + "," + s.tagDate + ":alert:" + std::to_string(alertId) + ":" + std::to_string(version);
}

Result<std::string> atomFeed(const std::vector<CapInput>& alerts, const CapSettings& cap, const AtomSettings& s,
                             int64_t nowMs) {
  if (auto st = validateCapSettings(cap); !st) return st.error();
  if (!validTagDate(s.tagDate)) return BadRequest("feed setting tag_date must be YYYY, YYYY-MM or YYYY-MM-DD");
  if (s.selfPath.empty() || s.selfPath.front() != '/') return BadRequest("feed setting self_path must start with /");
  for (char c : s.selfPath)
    if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '"' || c == '\\')
      return BadRequest("feed setting self_path holds a character not allowed in a URL");
  if (s.resolvedWithinMs < 0) return BadRequest("feed setting resolved_within must not be negative");

  std::vector<CapMessage> msgs;
  for (const auto& in : alerts) {
    if (!inAtomFeed(in.alert, nowMs, s)) continue;
    auto m = capMessage(in, cap, 0);
    if (!m) return m.error();
    msgs.push_back(std::move(*m));
  }
  std::stable_sort(msgs.begin(), msgs.end(), [](const CapMessage& a, const CapMessage& b) {
    if (a.version.atMs != b.version.atMs) return a.version.atMs > b.version.atMs;
    return a.alertId > b.alertId;
  });

  const int off = cap.utcOffsetMinutes;
  const std::string base = trimSlashes(cap.webBase);
  std::string x;
  x.reserve(1024 + msgs.size() * 2048);
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<feed xmlns=\"";
  x += kAtomNamespace;
  x += "\" xmlns:cap=\"";
  x += kCapNamespace;
  x += "\">\n";
  element(x, 2, "id", "tag:" + cap.sender + "," + s.tagDate + ":alerts");
  element(x, 2, "title", s.title);
  element(x, 2, "updated", atomTime(msgs.empty() ? nowMs : msgs.front().version.atMs, off));
  x += "  <author>\n";
  element(x, 4, "name", cap.senderName.empty() ? cap.sender : cap.senderName);
  if (!base.empty()) element(x, 4, "uri", base);
  x += "  </author>\n";
  x += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + xmlEscape(base + s.selfPath) + "\"/>\n";
  element(x, 2, "generator", "cityops");
  for (const auto& m : msgs) {
    const auto& vi = m.info[0];
    const auto& en = m.info[1];
    x += "  <entry>\n";
    element(x, 4, "id", atomEntryId(cap, s, m.alertId, m.version.version));
    element(x, 4, "title", vi.headline + " / " + en.headline);
    element(x, 4, "updated", atomTime(m.version.atMs, off));
    element(x, 4, "summary", vi.description + "\n" + en.description);
    const std::string href = base + "/api/v1/alerts/" + std::to_string(m.alertId) +
                             "/cap?version=" + std::to_string(m.version.version);
    x += "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"" + xmlEscape(href) + "\"/>\n";
    // A few CAP fields for readers that filter without fetching the message (as the NWS Atom feeds do).
    element(x, 4, "cap:identifier", m.identifier);
    element(x, 4, "cap:sent", m.sent);
    element(x, 4, "cap:status", m.status);
    element(x, 4, "cap:msgType", m.msgType);
    element(x, 4, "cap:event", en.event);
    element(x, 4, "cap:urgency", m.urgency);
    element(x, 4, "cap:severity", m.severity);
    element(x, 4, "cap:certainty", m.certainty);
    if (!m.expires.empty()) element(x, 4, "cap:expires", m.expires);
    element(x, 4, "cap:areaDesc", vi.areaDesc);
    x += "  </entry>\n";
  }
  x += "</feed>\n";
  return x;
}

}  // namespace cityops::flood
