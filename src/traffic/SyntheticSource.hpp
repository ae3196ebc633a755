#pragma once
// SyntheticSource: a SyntheticScene as a camera: frame i is due i / fps seconds after open(); a reader that is
// late skips to the frame due now, as a live camera would not wait. open() starts the scene again from its start.
#include "traffic/FrameSource.hpp"
#include "traffic/SyntheticScene.hpp"

#include <memory>

namespace cityops::traffic {

class SyntheticSource final : public FrameSource {
 public:
  explicit SyntheticSource(SyntheticOptions options) : options_(options) {}

  Status open() override;
  Result<std::optional<SourceFrame>> read(int64_t elapsedMs) override;
  bool paced() const override { return true; }
  bool loops() const override { return false; }

 private:
  SyntheticOptions options_;
  std::unique_ptr<SyntheticScene> scene_;
  int64_t index_ = 0;
};

}  // namespace cityops::traffic
