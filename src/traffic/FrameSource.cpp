#include "traffic/FrameSource.hpp"

#include "traffic/CaptureSource.hpp"
#include "traffic/SyntheticSource.hpp"

namespace cityops::traffic {

Result<std::unique_ptr<FrameSource>> makeFrameSource(const std::string& source, const CaptureOptions& options) {
  if (source.starts_with("synthetic:")) {
    auto o = SyntheticOptions::parse(source);
    if (!o) return o.error();
    return std::unique_ptr<FrameSource>(std::make_unique<SyntheticSource>(*o));
  }
  if (source.empty()) return BadRequest("empty camera source");
  return std::unique_ptr<FrameSource>(std::make_unique<CaptureSource>(source, options));
}

std::string redactSource(std::string_view source) {
  const size_t scheme = source.find("://");
  if (scheme == std::string_view::npos) return std::string(source);
  const size_t hostStart = scheme + 3;
  const size_t pathStart = source.find('/', hostStart);
  const std::string_view authority = source.substr(hostStart, pathStart == std::string_view::npos
                                                                   ? std::string_view::npos
                                                                   : pathStart - hostStart);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(source);
  return std::string(source.substr(0, hostStart)) + "***" + std::string(source.substr(hostStart + at));
}

}  // namespace cityops::traffic
