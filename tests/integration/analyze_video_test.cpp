// `cityops analyze-video` as a user runs it: a video drawn here (traffic::SyntheticScene, 25 s at 10 fps, written
// as MJPG), its camera file, the binary run on them. The result JSON counts the vehicles the scene drew crossing the
// line, by class and direction; the last line on stderr reports the frames per second; bad input exits 2.
#include "Support.hpp"

#include "traffic/SyntheticScene.hpp"

#include <opencv2/videoio.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

namespace cityops::it {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

struct Run {
  int status = -1;  // exit code, -1 when it did not exit normally
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// `cityops <args...>`, stdout and stderr into files under `scratch`, killed after `timeout`.
Run runCityops(const std::vector<std::string>& args, const std::string& scratch,
               std::chrono::seconds timeout = std::chrono::seconds(120)) {
  Run r;
  const std::string outPath = scratch + "/cmd.stdout", errPath = scratch + "/cmd.stderr";
  std::vector<std::string> argv = {cityopsBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    r.err = "posix_spawn failed: " + std::to_string(rc);
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int st = 0;
  for (;;) {
    if (::waitpid(pid, &st, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
      r.err = "timed out\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
  r.out = slurp(outPath);
  r.err += slurp(errPath);
  EXPECT_EQ(r.err.find("runtime error:"), std::string::npos) << r.err;  // UndefinedBehaviorSanitizer
  return r;
}

constexpr int kFrames = 250;  // 25 s at 10 fps

class AnalyzeVideo : public ::testing::Test {
 protected:
  void SetUp() override {
    auto o = traffic::SyntheticOptions::parse("synthetic:?vehicles_per_min=30&seed=11&stop_first_s=8&stop_s=8");
    ASSERT_TRUE(o) << o.error().message;
    scene_ = std::make_unique<traffic::SyntheticScene>(*o);
    video_ = (fs::path(dir_.path()) / "street.avi").string();
    cv::VideoWriter writer(video_, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, scene_->size());
    ASSERT_TRUE(writer.isOpened());
    cv::Mat frame;
    for (int i = 0; i < kFrames; ++i) {
      scene_->render(i, frame);
      writer.write(frame);
    }
    writer.release();
    json::object camera = scene_->cameraJson();
    camera["id"] = "cam-test";
    camera["interval_s"] = 5;
    camera["stopped_after_s"] = 4;
    cameraFile_ = (fs::path(dir_.path()) / "camera.json").string();
    std::ofstream(cameraFile_) << json::serialize(camera);
  }

  TempDir dir_;
  std::unique_ptr<traffic::SyntheticScene> scene_;
  std::string video_, cameraFile_;
};

TEST_F(AnalyzeVideo, CountsTheVehiclesAndReportsFramesPerSecond) {
  const std::string out = (fs::path(dir_.path()) / "result.json").string();
  const std::string annotated = (fs::path(dir_.path()) / "annotated.avi").string();
  auto r = runCityops({"analyze-video", video_, "--camera", cameraFile_, "--out", out, "--annotate", annotated},
                      dir_.path());
  ASSERT_EQ(r.status, 0) << r.err;
  // The last line: "analyze-video: 250 frames (25.0 s of video) in 1.23 s: 203.4 frames per second".
  static const std::regex fpsLine(
      R"(analyze-video: 250 frames \(25\.0 s of video\) in [0-9]+\.[0-9]+ s: ([0-9]+\.[0-9]) frames per second\n$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, fpsLine)) << r.err;
  EXPECT_GT(std::stod(m[1]), 0.0);
  EXPECT_TRUE(r.out.empty()) << "the result went to --out";
  EXPECT_GT(fs::file_size(annotated), 10000u);

  const json::value result = json::parse(slurp(out));
  EXPECT_EQ(result.at("camera"), "cam-test");
  EXPECT_EQ(result.at("frames"), kFrames);
  EXPECT_EQ(result.at("frame_size"), json::parse("[640, 360]"));
  EXPECT_EQ(result.at("annotated"), json::value(annotated));
  ASSERT_EQ(result.at("intervals").as_array().size(), 5u);  // 0-5, ..., 20-25 s

  // Every crossing the scene drew, once, with its class and direction (those in the last second may still be
  // tentative when the video ends).
  std::map<std::string, int> expected, late;
  for (const auto& c : scene_->crossings(0, 24000)) ++expected[std::string(traffic::className(c.cls)) + (c.forward ? "+" : "-")];
  for (const auto& c : scene_->crossings(24000, 25000)) ++late[std::string(traffic::className(c.cls)) + (c.forward ? "+" : "-")];
  const auto& line = result.at("lines").at(0);
  EXPECT_EQ(line.at("id"), "stop_line");
  int total = 0;
  for (const char* cls : {"two_wheeler", "car", "bus_truck"}) {
    for (const auto& [dir, sign] : {std::pair{"forward", "+"}, std::pair{"backward", "-"}}) {
      const auto& byClass = line.at(dir).at("by_class").as_object();
      const int counted = byClass.contains(cls) ? static_cast<int>(byClass.at(cls).as_int64()) : 0;
      const std::string key = std::string(cls) + sign;
      EXPECT_GE(counted, expected[key]) << key;
      EXPECT_LE(counted, expected[key] + late[key]) << key;
      total += expected[key];
    }
  }
  EXPECT_GE(total, 8) << "a scene with some traffic";
  bool stopped = false;
  for (const auto& i : result.at("incidents").as_array()) stopped = stopped || i.at("kind") == "stopped_vehicle";
  EXPECT_TRUE(stopped) << "the car standing 8 s past the line";
}

TEST_F(AnalyzeVideo, ResultOnStandardOutput) {
  auto r = runCityops({"analyze-video", video_, "--camera", cameraFile_}, dir_.path());
  ASSERT_EQ(r.status, 0) << r.err;
  const json::value result = json::parse(r.out);
  EXPECT_EQ(result.at("frames"), kFrames);
  EXPECT_NE(r.err.find("frames per second"), std::string::npos);
}

TEST_F(AnalyzeVideo, BadInputExitsTwo) {
  auto noCamera = runCityops({"analyze-video", video_, "--camera", dir_.path() + "/missing.json"}, dir_.path());
  EXPECT_EQ(noCamera.status, 2) << noCamera.err;
  EXPECT_NE(noCamera.err.find("analyze-video:"), std::string::npos);
  auto noVideo = runCityops({"analyze-video", dir_.path() + "/missing.mp4", "--camera", cameraFile_}, dir_.path());
  EXPECT_EQ(noVideo.status, 2) << noVideo.err;
  EXPECT_NE(noVideo.err.find("no such video"), std::string::npos) << noVideo.err;
  auto usage = runCityops({"analyze-video", video_}, dir_.path());  // --camera is required
  EXPECT_NE(usage.status, 0);
}

}  // namespace
}  // namespace cityops::it
