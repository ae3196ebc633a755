#include "traffic/IncidentLog.hpp"

#include <algorithm>

namespace cityops::traffic {

Incident* IncidentLog::find(uint64_t id) {
  for (auto it = all_.rbegin(); it != all_.rend(); ++it)
    if (it->id == id) return &*it;
  return nullptr;
}

uint64_t IncidentLog::open(Incident incident) {
  incident.id = nextId_++;
  all_.push_back(std::move(incident));
  changed_.push_back(all_.back().id);
  return all_.back().id;
}

void IncidentLog::close(uint64_t id, int64_t endMs) {
  Incident* i = find(id);
  if (!i || i->endMs >= 0) return;
  i->endMs = std::max(endMs, i->startMs);
  changed_.push_back(id);
}

void IncidentLog::update(uint64_t id, double value, std::string details) {
  Incident* i = find(id);
  if (!i || i->endMs >= 0) return;
  i->value = value;
  i->details = std::move(details);
}

std::vector<Incident> IncidentLog::takeChanges() {
  std::vector<Incident> out;
  for (size_t k = 0; k < changed_.size(); ++k) {
    const uint64_t id = changed_[k];
    if (std::find(changed_.begin(), changed_.begin() + static_cast<std::ptrdiff_t>(k), id) !=
        changed_.begin() + static_cast<std::ptrdiff_t>(k))
      continue;  // already taken in its current state
    if (const Incident* i = find(id)) out.push_back(*i);
  }
  changed_.clear();
  return out;
}

void IncidentLog::trim(size_t keep) {
  size_t closed = 0;
  for (const auto& i : all_) closed += i.endMs >= 0 ? 1 : 0;
  while (closed > keep && !all_.empty()) {
    auto it = std::find_if(all_.begin(), all_.end(), [](const Incident& i) { return i.endMs >= 0; });
    if (it == all_.end()) break;
    all_.erase(it);
    --closed;
  }
}

}  // namespace cityops::traffic
