#include "model/Observation.hpp"

namespace cityops::model {

std::string_view qualityName(Quality q) {
  switch (q) {
    case Quality::Good: return "good";
    case Quality::Suspect: return "suspect";
    case Quality::Bad: return "bad";
  }
  return "good";
}

bool parseQuality(std::string_view s, Quality& out) {
  if (s == "good") out = Quality::Good;
  else if (s == "suspect") out = Quality::Suspect;
  else if (s == "bad") out = Quality::Bad;
  else return false;
  return true;
}

}  // namespace cityops::model
