#include "environment/AqiCodec.hpp"

#include "environment/AqiCalculator.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <string>

namespace cityops::environment {

namespace json = boost::json;

namespace {

std::string shown(std::string_view key) {
  std::string s = "'";
  s += key.substr(0, 64);
  s += key.size() > 64 ? "...'" : "'";
  return s;
}

std::string_view kindOf(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

/// A number rounded to `decimals` places for the reply; null when not finite (JSON has no Inf/NaN).
json::value rounded(double x, int decimals) {
  if (!std::isfinite(x)) return nullptr;
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(x * scale) / scale;
  return std::isfinite(r) ? r : x;
}

Result<std::string_view> text(const json::object& o, std::string_view key, std::string_view expected) {
  const json::value* v = o.if_contains(key);
  if (!v) return BadRequest(std::string(key) + " is required: " + std::string(expected));
  if (!v->is_string())
    return BadRequest(std::string(key) + " must be " + std::string(expected) + ", not " + std::string(kindOf(*v)));
  return std::string_view(v->get_string());
}

Result<HourlySeries> series(Pollutant p, const json::value& v, Period period) {
  const std::string name = "hourly." + std::string(pollutantName(p));
  const json::array* a = v.if_array();
  if (!a)
    return BadRequest(name + " must be an array of hourly means in µg/m³ (null for a missing hour), not " +
                      std::string(kindOf(v)));
  if (auto st = checkSeriesLength(p, a->size(), period); !st) return st.error();
  HourlySeries out;
  out.reserve(a->size());
  for (size_t i = 0; i < a->size(); ++i) {
    const json::value& e = (*a)[i];
    if (e.is_null()) {
      out.emplace_back(std::nullopt);
      continue;
    }
    double d = 0;
    if (e.is_double()) d = e.get_double();
    else if (e.is_int64()) d = static_cast<double>(e.get_int64());
    else if (e.is_uint64()) d = static_cast<double>(e.get_uint64());
    else return BadRequest(name + "[" + std::to_string(i) + "] must be a number or null, not " +
                           std::string(kindOf(e)));
    if (auto st = checkSeriesValue(p, i, d); !st) return st.error();
    out.emplace_back(d);
  }
  return out;
}

json::object texts(const Texts& t) { return {{"vi", t.vi}, {"en", t.en}}; }

json::object subIndexJson(const SubIndex& s) {
  json::object o;
  o["aqi"] = s.aqi;
  o["index"] = rounded(s.index, 2);
  o["basis"] = basisName(s.basis);
  for (const auto& [b, value] : s.stats) o[basisName(b)] = rounded(value, 4);
  o["unit"] = "µg/m³";
  if (s.epaConcentration) {
    o["epa_concentration"] = rounded(*s.epaConcentration, 6);
    o["epa_unit"] = s.epaUnit;
  }
  o["valid_hours"] = s.validHours;
  o["capped"] = s.capped;
  return o;
}

}  // namespace

Result<AqiRequest> AqiCodec::decodeRequest(const json::value& body) {
  const json::object* o = body.if_object();
  if (!o) return BadRequest("the request must be a JSON object with standard, period and hourly");
  for (const auto& kv : *o) {
    const std::string_view k = kv.key();
    if (k != "standard" && k != "period" && k != "hourly")
      return BadRequest("unknown field " + shown(k) + " (expected standard, period and hourly)");
  }
  AqiRequest r;
  auto standard = text(*o, "standard", "\"vn\" or \"us\"");
  if (!standard) return standard.error();
  auto st = parseStandard(*standard);
  if (!st) return st.error();
  r.standard = *st;
  auto period = text(*o, "period", "\"hour\" or \"day\"");
  if (!period) return period.error();
  auto pe = parsePeriod(*period);
  if (!pe) return pe.error();
  r.period = *pe;

  const json::value* h = o->if_contains("hourly");
  if (!h) return BadRequest("hourly is required: an object of pollutant series such as {\"pm25\": [12.5, null, 14]}");
  const json::object* ho = h->if_object();
  if (!ho)
    return BadRequest("hourly must be an object of pollutant series such as {\"pm25\": [12.5, null, 14]}, not " +
                      std::string(kindOf(*h)));
  if (ho->empty()) return BadRequest("hourly has no pollutant series");
  for (const auto& kv : *ho) {
    auto p = parsePollutant(kv.key());
    if (!p) return BadRequest("hourly: " + p.error().message);
    auto s = series(*p, kv.value(), r.period);
    if (!s) return s.error();
    r.hourly[*p] = std::move(*s);
  }
  if (r.standard == Standard::Vn && !r.hourly.count(Pollutant::Pm25) && !r.hourly.count(Pollutant::Pm10))
    return BadRequest("VN_AQI needs PM2.5 or PM10 (Decision 1459/QĐ-TCMT): hourly has neither pm25 nor pm10");
  return r;
}

Result<AqiRequest> AqiCodec::parseRequest(std::string_view textBody) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(textBody.data(), textBody.size()), ec);
  if (ec) return BadRequest("the body is not valid JSON: " + ec.message());
  return decodeRequest(v);
}

json::object AqiCodec::encodeRequest(const AqiRequest& request) {
  json::object hourly;
  for (const auto& [p, s] : request.hourly) {
    json::array a;
    a.reserve(s.size());
    for (const auto& v : s) {
      if (v) a.emplace_back(*v);
      else a.emplace_back(nullptr);
    }
    hourly[pollutantName(p)] = std::move(a);
  }
  return {{"standard", standardName(request.standard)},
          {"period", periodName(request.period)},
          {"hourly", std::move(hourly)}};
}

json::object AqiCodec::encodeReport(const AqiReport& report) {
  const AqiCategory& c = report.category ? *report.category
                                         : (report.standard == Standard::Us ? AqiCategory::us(report.aqi)
                                                                            : AqiCategory::vn(report.aqi));
  json::object o;
  o["standard"] = standardName(report.standard);
  o["period"] = periodName(report.period);
  o["aqi"] = report.aqi;
  o["level"] = c.level;
  o["dominant"] = pollutantName(report.dominant);
  o["category"] = report.standard == Standard::Us ? c.name.en : c.name.vi;
  o["category_en"] = c.name.en;
  o["category_vi"] = c.name.vi;
  o["colour"] = c.colour.en;
  o["colour_vi"] = c.colour.vi;
  o["colour_hex"] = c.hex;
  o["colour_rgb"] = json::array{c.rgb.r, c.rgb.g, c.rgb.b};
  o["health"] = texts(c.health);
  o["advice"] = json::object{
      {"vi", json::object{{"general", c.adviceGeneral.vi}, {"sensitive", c.adviceSensitive.vi}}},
      {"en", json::object{{"general", c.adviceGeneral.en}, {"sensitive", c.adviceSensitive.en}}}};
  json::object subs;
  for (const auto& s : report.subIndices) subs[pollutantName(s.pollutant)] = subIndexJson(s);
  o["sub_indices"] = std::move(subs);
  json::object missing;
  for (const auto& u : report.unavailable) missing[pollutantName(u.pollutant)] = u.reason;
  o["unavailable"] = std::move(missing);
  return o;
}

Result<json::object> AqiCodec::compute(const json::value& body) {
  auto request = decodeRequest(body);
  if (!request) return request.error();
  auto report = AqiCalculator::compute(*request);
  if (!report) return report.error();
  return encodeReport(*report);
}

}  // namespace cityops::environment
