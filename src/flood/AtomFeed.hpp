#pragma once
// An Atom 1.0 feed (RFC 4287) of the current CAP messages: one entry per open alert (its latest message) and per
// alert resolved within a window (its Cancel). Entries link to the CAP document (rel="alternate",
// type="application/cap+xml") instead of embedding it, like the Google Public Alerts and WMO alert hub feeds.
// Details: docs/cap.md.
#include "flood/CapMessage.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cityops::flood {

struct AtomSettings {
  std::string title = "Cảnh báo lũ – Tam Kỳ / Flood alerts – Tam Kỳ";
  /// The feed's own path under CapSettings::webBase (rel="self").
  std::string selfPath = "/api/v1/cap/feed.atom";
  /// The date in the tag: URIs (RFC 4151) of the feed and its entries: YYYY, YYYY-MM or YYYY-MM-DD, a date at
  /// which the sender's domain was held. Never change it once published.
  std::string tagDate = "2025";
  /// Resolved alerts stay in the feed, as their Cancel, for this long after the resolve.
  int64_t resolvedWithinMs = 24LL * 3600 * 1000;
};

/// Whether an alert belongs in the feed at `nowMs`: open, or resolved at most resolvedWithinMs ago.
bool inAtomFeed(const alerts::Alert& a, int64_t nowMs, const AtomSettings& s);

/// "tag:<sender>,<tagDate>:alert:<id>:<version>": the entry id of a CAP message.
std::string atomEntryId(const CapSettings& cap, const AtomSettings& s, int64_t alertId, size_t version);

/// The feed over `alerts` (those not inAtomFeed are left out), newest message first (then by alert id, highest
/// first). `updated` of the feed is its newest entry's, or nowMs when it has none. "bad_request" for invalid
/// settings or an alert whose CAP message cannot be built.
Result<std::string> atomFeed(const std::vector<CapInput>& alerts, const CapSettings& cap, const AtomSettings& s,
                             int64_t nowMs);

}  // namespace cityops::flood
