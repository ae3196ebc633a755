#include "traffic/AnalyzeVideoCommand.hpp"

#include "common/JsonText.hpp"
#include "traffic/AnalysisResultCodec.hpp"
#include "traffic/CameraSpecCodec.hpp"
#include "traffic/VideoAnalyzer.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace cityops::traffic {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

int exitCodeFor(const Error& e) { return e.code == "bad_request" || e.code == "not_found" ? 2 : 1; }

}  // namespace

int runAnalyzeVideo(const AnalyzeVideoArgs& args) {
  return runAnalyzeVideo(args, std::cout, std::cerr, ::isatty(STDERR_FILENO) != 0);
}

int runAnalyzeVideo(const AnalyzeVideoArgs& args, std::ostream& out, std::ostream& err, bool errIsTerminal) {
  auto spec = CameraSpecCodec::load(args.cameraFile);
  if (!spec) {
    err << "analyze-video: " << spec.error().message << "\n";
    return 2;
  }
  std::ofstream file;
  if (!args.outFile.empty()) {
    file.open(args.outFile, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "analyze-video: cannot write " << args.outFile << "\n";
      return 2;
    }
  }

  AnalyzeOptions options;
  options.input = args.input;
  options.camera = *spec;
  options.annotatePath = args.annotateFile;
  double lastLine = -1e9;
  if (args.progress) {
    options.progressEveryS = errIsTerminal ? 0.5 : 5.0;
    options.progress = [&](const AnalyzeProgress& p) {
      std::string line = "analyze-video: " + std::to_string(p.frames);
      if (p.totalFrames > 0) {
        line += "/" + std::to_string(p.totalFrames) + " frames (" +
                fixed(100.0 * static_cast<double>(p.frames) / static_cast<double>(p.totalFrames), 0) + " %)";
      } else {
        line += " frames";
      }
      line += ", " + fixed(p.mediaMs / 1000.0, 1) + " s of video, " + fixed(p.framesPerSecond, 1) + " frames/s";
      if (errIsTerminal) {
        err << "\r" << line << "\x1b[K" << std::flush;
      } else if (p.elapsedS - lastLine >= 5.0) {
        err << line << "\n";
        lastLine = p.elapsedS;
      }
    };
  }

  auto result = analyzeVideo(std::move(options));
  if (args.progress && errIsTerminal) err << "\n";
  if (!result) {
    err << "analyze-video: " << result.error().message << "\n";
    return exitCodeFor(result.error());
  }
  const std::string text = toJsonText(AnalysisResultCodec::toJson(*result)) + "\n";
  if (file.is_open()) {
    file << text;
    file.close();
    if (!file) {
      err << "analyze-video: writing " << args.outFile << " failed\n";
      return 1;
    }
  } else {
    out << text << std::flush;
  }
  err << "analyze-video: " << result->frames << " frames (" << fixed(result->durationS, 1) << " s of video) in "
      << fixed(result->elapsedS, 2) << " s: " << fixed(result->processingFps, 1) << " frames per second\n";
  return 0;
}

}  // namespace cityops::traffic
