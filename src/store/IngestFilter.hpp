#pragma once
// The quality-control stage of ingest: ingest → validate → filter (QC) → commit → sinks. A filter sees every batch
// on the writer thread, after validation (every entity exists) and before the batch is written, and may set quality
// flags. It never changes values, times, entities or metrics, and never rejects: a reading is kept, only flagged.
#include "model/Entity.hpp"
#include "model/Observation.hpp"

#include <functional>
#include <memory>
#include <span>
#include <string_view>

namespace cityops::store {

class IngestFilter {
 public:
  using EntityLookup = std::function<std::shared_ptr<const model::Entity>(std::string_view id)>;
  virtual ~IngestFilter() = default;
  /// Writer thread only. `entityOf` answers from the store's in-memory catalog (null for an unknown id).
  virtual void inspect(std::span<model::Observation> batch, const EntityLookup& entityOf) = 0;
};

}  // namespace cityops::store
