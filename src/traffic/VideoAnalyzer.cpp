#include "traffic/VideoAnalyzer.hpp"

#include "traffic/Annotator.hpp"
#include "traffic/CameraPipeline.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

namespace cityops::traffic {

namespace {

using Steady = std::chrono::steady_clock;

bool isUrl(const std::string& s) { return s.find("://") != std::string::npos; }

int fourccFor(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".avi") return cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
  return cv::VideoWriter::fourcc('m', 'p', '4', 'v');
}

double seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Result<AnalysisResult> analyzeVideo(AnalyzeOptions options) { return VideoAnalyzer(std::move(options)).run(); }

Result<AnalysisResult> VideoAnalyzer::run() {
  const auto& spec = options_.camera;
  auto pipeline = CameraPipeline::create(
      spec, options_.detectorFactory ? options_.detectorFactory(spec) : std::unique_ptr<Detector>());
  if (!pipeline) return pipeline.error();
  CameraPipeline& pipe = **pipeline;

  if (options_.input.empty()) return BadRequest("no input video");
  if (!isUrl(options_.input) && !std::filesystem::exists(options_.input))
    return NotFound("no such video: " + options_.input);

  cv::VideoCapture capture;
  cv::VideoWriter writer;
  AnalysisResult result;
  result.camera = spec.id;
  result.source = options_.input;
  const Annotator annotator(spec);
  const auto started = Steady::now();
  try {
    if (!capture.open(options_.input, options_.videoBackend) || !capture.isOpened())
      return NotFound("cannot open the video " + options_.input);
    const double declared = capture.get(cv::CAP_PROP_FPS);
    result.sourceFps = std::isfinite(declared) && declared > 0 && declared < 1000 ? declared : 0;
    const double fps = options_.fps > 0 ? options_.fps : result.sourceFps;
    const double count = capture.get(cv::CAP_PROP_FRAME_COUNT);
    const int64_t totalFrames = std::isfinite(count) && count > 0 ? static_cast<int64_t>(count) : 0;

    auto lastProgress = started;
    std::optional<int64_t> lastSnapshotMs;
    int64_t tMs = options_.startMs;
    int64_t frameMs = fps > 0 ? static_cast<int64_t>(std::llround(1000.0 / fps)) : 0;
    cv::Mat frame, annotated;
    for (int64_t i = 0;; ++i) {
      if (stop_ || (options_.maxFrames > 0 && i >= options_.maxFrames)) {
        result.stopped = true;
        break;
      }
      if (!capture.read(frame) || frame.empty()) break;
      if (frame.depth() != CV_8U) return Internal("the video decodes to frames that are not 8-bit");
      if (frame.channels() == 1) cv::cvtColor(frame, frame, cv::COLOR_GRAY2BGR);
      else if (frame.channels() == 4) cv::cvtColor(frame, frame, cv::COLOR_BGRA2BGR);
      if (i == 0) {
        result.width = frame.cols;
        result.height = frame.rows;
      }
      tMs = fps > 0 ? options_.startMs + static_cast<int64_t>(std::llround(static_cast<double>(i) * 1000.0 / fps))
                    : options_.startMs + static_cast<int64_t>(seconds(Steady::now() - started) * 1000.0);

      auto r = pipe.process(frame, tMs);
      if (!r) return Error{r.error().code, "frame " + std::to_string(i) + ": " + r.error().message};
      result.frames = i + 1;

      const bool wantSnapshot =
          options_.snapshot && (!lastSnapshotMs || tMs - *lastSnapshotMs >= options_.snapshotEveryMs);
      if (!options_.annotatePath.empty() || wantSnapshot) {
        frame.copyTo(annotated);
        annotator.draw(annotated, *r, pipe.lineTotals());
        if (!options_.annotatePath.empty()) {
          if (!writer.isOpened()) {
            const double outFps = fps > 0 ? fps : 25.0;
            if (!writer.open(options_.annotatePath, fourccFor(options_.annotatePath), outFps, annotated.size()))
              return BadRequest("cannot write the annotated video " + options_.annotatePath);
            result.annotated = options_.annotatePath;
          }
          writer.write(annotated);
        }
        if (wantSnapshot) {
          options_.snapshot->update(annotated, tMs);
          lastSnapshotMs = tMs;
        }
      }
      if (options_.progress && seconds(Steady::now() - lastProgress) >= options_.progressEveryS) {
        lastProgress = Steady::now();
        const double el = seconds(lastProgress - started);
        options_.progress({result.frames, totalFrames, tMs - options_.startMs, el, el > 0 ? result.frames / el : 0});
      }
    }
    if (result.frames == 0 && !result.stopped) return BadRequest("no frame could be read from " + options_.input);
    if (frameMs == 0 && result.frames > 1) frameMs = (tMs - options_.startMs) / (result.frames - 1);
    pipe.finish(tMs + frameMs);
    result.durationS = result.frames > 0 ? static_cast<double>(tMs + frameMs - options_.startMs) / 1000.0 : 0;
    writer.release();
    capture.release();
  } catch (const cv::Exception& e) {
    return Internal(std::string("video analysis failed: ") + e.what());
  }
  result.elapsedS = seconds(Steady::now() - started);
  result.processingFps = result.elapsedS > 0 ? static_cast<double>(result.frames) / result.elapsedS : 0;
  if (options_.progress)
    options_.progress({result.frames, result.frames, static_cast<int64_t>(result.durationS * 1000), result.elapsedS,
                       result.processingFps});
  result.intervals = pipe.takeIntervals();
  result.lines = pipe.lineTotals();
  result.tracks = pipe.takeTracks();
  std::sort(result.tracks.begin(), result.tracks.end(),
            [](const TrackSummary& a, const TrackSummary& b) { return a.id < b.id; });
  result.incidents.assign(pipe.incidents().all().begin(), pipe.incidents().all().end());
  return result;
}

}  // namespace cityops::traffic
