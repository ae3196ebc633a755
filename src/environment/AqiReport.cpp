#include "environment/AqiReport.hpp"

#include "environment/BreakpointTable.hpp"

namespace cityops::environment {

std::string_view basisName(Basis b) {
  switch (b) {
    case Basis::NowCast: return "nowcast";
    case Basis::Hour: return "value_1h";
    case Basis::NowCast8h: return "nowcast_8h";
    case Basis::Mean8h: return "mean_8h";
    case Basis::Mean24h: return "mean_24h";
    case Basis::Max1h: return "max_1h";
    case Basis::Max8h: return "max_8h";
  }
  return "value_1h";
}

const SubIndex* AqiReport::find(Pollutant p) const {
  for (const auto& s : subIndices)
    if (s.pollutant == p) return &s;
  return nullptr;
}

Result<AqiReport> AqiReport::assemble(Standard standard, Period period, std::vector<SubIndex> subIndices,
                                      std::vector<Unavailable> unavailable) {
  auto reasons = [&](bool particulateOnly) {
    std::string out;
    for (const auto& u : unavailable) {
      if (particulateOnly && !isParticulate(u.pollutant)) continue;
      out += out.empty() ? ": " : "; ";
      out += std::string(pollutantName(u.pollutant)) + ": " + u.reason;
    }
    return out;
  };
  if (standard == Standard::Vn) {
    bool pm = false;
    for (const auto& s : subIndices) pm = pm || isParticulate(s.pollutant);
    if (!pm)
      return BadRequest("VN_AQI needs a PM2.5 or PM10 sub-index (Decision 1459/QĐ-TCMT) and none could be computed" +
                        reasons(true));
  } else if (subIndices.empty()) {
    return BadRequest("no sub-index could be computed" + reasons(false));
  }

  AqiReport r;
  r.standard = standard;
  r.period = period;
  const SubIndex* top = &subIndices.front();
  for (const auto& s : subIndices)
    if (s.index > top->index) top = &s;
  r.aqi = standard == Standard::Us ? top->aqi : roundHalfUp(top->index);
  r.dominant = top->pollutant;
  r.category = standard == Standard::Us ? &AqiCategory::us(r.aqi) : &AqiCategory::vn(r.aqi);
  r.subIndices = std::move(subIndices);
  r.unavailable = std::move(unavailable);
  return r;
}

}  // namespace cityops::environment
