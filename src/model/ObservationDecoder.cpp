#include "model/ObservationDecoder.hpp"

#include "common/Time.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace cityops::model {

namespace json = boost::json;

namespace {

constexpr int kMaxDepth = 16;

Error itemError(size_t i, const std::string& why) {
  return BadRequest("item " + std::to_string(i) + ": " + why);
}

Result<Observation> decodeItem(const json::value& v, size_t i, int64_t nowMs) {
  const auto* o = v.if_object();
  if (!o) return itemError(i, "must be an object {entity, metric, time, value[, quality]}");
  Observation ob;
  bool hasEntity = false, hasMetric = false, hasTime = false, hasValue = false;
  for (const auto& kv : *o) {
    const auto key = kv.key();
    const auto& x = kv.value();
    if (key == "entity") {
      if (!x.is_string() || !isValidEntityId(x.get_string()))
        return itemError(i, "entity must be an entity id string");
      ob.entity = x.get_string();
      hasEntity = true;
    } else if (key == "metric") {
      if (!x.is_string() || !isValidMetric(x.get_string()))
        return itemError(i, "metric must match [a-z0-9_]{1,64}");
      ob.metric = x.get_string();
      hasMetric = true;
    } else if (key == "time") {
      if (x.is_int64()) ob.time = x.get_int64();
      else if (x.is_uint64()) return itemError(i, "time is out of range");
      else if (x.is_string()) {
        auto t = parseTime(x.get_string());
        if (!t) return itemError(i, t.error().message);
        ob.time = *t;
      } else if (x.is_double() && std::trunc(x.get_double()) == x.get_double() && std::fabs(x.get_double()) < 9e15) {
        ob.time = static_cast<int64_t>(x.get_double());
      } else {
        return itemError(i, "time must be RFC 3339 text or integer epoch milliseconds");
      }
      hasTime = true;
    } else if (key == "value") {
      if (x.is_double()) ob.value = x.get_double();
      else if (x.is_int64()) ob.value = static_cast<double>(x.get_int64());
      else if (x.is_uint64()) ob.value = static_cast<double>(x.get_uint64());
      else return itemError(i, "value must be a number");
      if (!std::isfinite(ob.value)) return itemError(i, "value must be finite");
      hasValue = true;
    } else if (key == "quality") {
      if (!x.is_string() || !parseQuality(x.get_string(), ob.quality))
        return itemError(i, "quality must be \"good\", \"suspect\" or \"bad\"");
    }
    // Other keys are ignored so that producers may send extra context.
  }
  if (!hasEntity) return itemError(i, "entity is missing");
  if (!hasMetric) return itemError(i, "metric is missing");
  if (!hasTime) return itemError(i, "time is missing");
  if (!hasValue) return itemError(i, "value is missing");
  if (ob.time < 0) return itemError(i, "time is before 1970");
  if (ob.time > nowMs + ObservationDecoder::kMaxFutureMs) return itemError(i, "time is more than one day in the future");
  return ob;
}

Error parseError(const boost::system::error_code& ec, std::string_view where) {
  if (ec == json::error::too_deep) return BadRequest(std::string(where) + "nesting is too deep");
  return BadRequest(std::string(where) + "malformed JSON (" + ec.message() + ")");
}

json::parse_options options() {
  json::parse_options opt;
  opt.max_depth = kMaxDepth;
  return opt;
}

}  // namespace

Result<std::vector<Observation>> ObservationDecoder::decode(std::string_view body, bool ndjson, int64_t nowMs) {
  std::vector<Observation> out;
  unsigned char buffer[4096];
  if (!ndjson) {
    json::monotonic_resource mr(buffer, sizeof buffer);
    boost::system::error_code ec;
    json::value v = json::parse(body, ec, &mr, options());
    if (ec) return parseError(ec, "");
    if (v.is_object()) {  // a single observation is accepted too
      auto ob = decodeItem(v, 0, nowMs);
      if (!ob) return ob.error();
      out.push_back(std::move(*ob));
      return out;
    }
    const auto* a = v.if_array();
    if (!a) return BadRequest("body must be a JSON array of observations");
    if (a->size() > kMaxItems)
      return Error{"too_large", "at most " + std::to_string(kMaxItems) + " observations per request"};
    out.reserve(a->size());
    for (size_t i = 0; i < a->size(); ++i) {
      auto ob = decodeItem((*a)[i], i, nowMs);
      if (!ob) return ob.error();
      out.push_back(std::move(*ob));
    }
    return out;
  }
  json::monotonic_resource mr(buffer, sizeof buffer);
  json::parser p(&mr, options());
  size_t i = 0, pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    if (i >= kMaxItems) return Error{"too_large", "at most " + std::to_string(kMaxItems) + " observations per request"};
    p.reset(&mr);
    boost::system::error_code ec;
    p.write(line.data(), line.size(), ec);
    if (ec) return parseError(ec, "item " + std::to_string(i) + ": ");
    auto ob = decodeItem(p.release(), i, nowMs);
    if (!ob) return ob.error();
    out.push_back(std::move(*ob));
    ++i;
  }
  return out;
}

}  // namespace cityops::model
