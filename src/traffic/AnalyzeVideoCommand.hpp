#pragma once
// `cityops analyze-video INPUT --camera CAMERA.json [--out RESULT.json] [--annotate OUT.mp4]`: analyses a recorded
// video (or a stream URL until it ends or the process is interrupted) with a camera file and writes the result JSON
// (docs/traffic.md) to --out, or to stdout without it. Progress goes to stderr (a rewritten line on a terminal, a
// line every 5 s otherwise), and at the end one line with the frames analysed and the frames per second.
// The CLI parsing lives in app/main.cpp; this is the behaviour given the parsed arguments.
#include <iosfwd>
#include <string>

namespace cityops::traffic {

struct AnalyzeVideoArgs {
  std::string input;          // video file or URL
  std::string cameraFile;     // the camera JSON
  std::string outFile;        // "" : stdout
  std::string annotateFile;   // "" : no annotated video
  bool progress = true;       // progress lines on stderr
};

/// Returns the process exit code: 0 done, 2 bad input (camera file, unreadable video, output paths), 1 other.
int runAnalyzeVideo(const AnalyzeVideoArgs& args);
/// The same with explicit streams (tests).
int runAnalyzeVideo(const AnalyzeVideoArgs& args, std::ostream& out, std::ostream& err, bool errIsTerminal);

}  // namespace cityops::traffic
