// IncidentArchive: numbered records with pictures on disk, bounded, read back after a restart.
#include "cameras/IncidentArchive.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <random>

namespace cityops::cameras {
namespace {

namespace fs = std::filesystem;

class IncidentArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cityops-incidents-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(std::random_device{}()));
  }
  void TearDown() override { fs::remove_all(dir_); }
  static traffic::Incident incident(const std::string& kind, int64_t start, int64_t end = -1) {
    traffic::Incident i;
    i.kind = kind;
    i.startMs = start;
    i.endMs = end;
    i.camera = "cam.1";
    i.lane = "east";
    i.track = 7;
    i.value = 31.5;
    i.details = "vehicle 7 (car) stopped in lane east for 31.5 s";
    return i;
  }
  fs::path dir_;
};

TEST_F(IncidentArchiveTest, NumbersKeepsPicturesAndReadsThemBack) {
  {
    IncidentArchive a((dir_ / "cam.1").string(), 10);
    a.load(1000);
    EXPECT_EQ(a.add(incident("stopped_vehicle", 100), "\xFF\xD8jpeg-1", 130), 1);
    EXPECT_EQ(a.add(incident("camera_offline", 200), "", 0), 2);
    auto closed = incident("stopped_vehicle", 100, 500);
    a.update(1, closed);
    ASSERT_TRUE(a.get(1));
    EXPECT_EQ(a.get(1)->endMs, 500);
    EXPECT_TRUE(a.get(1)->snapshot);
    EXPECT_FALSE(a.get(2)->snapshot);
    EXPECT_EQ(*a.jpeg(1), "\xFF\xD8jpeg-1");
    EXPECT_FALSE(a.jpeg(2));
    EXPECT_FALSE(a.jpeg(3));
  }
  // A restart: the records come back, the open one closed at the restart, numbering goes on.
  IncidentArchive b((dir_ / "cam.1").string(), 10);
  b.load(9000);
  const auto all = b.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].n, 1);
  EXPECT_EQ(all[0].endMs, 500);
  EXPECT_EQ(all[0].lane, "east");
  EXPECT_EQ(all[0].track, 7);
  EXPECT_EQ(all[0].snapshotMs, 130);
  EXPECT_EQ(all[1].kind, "camera_offline");
  EXPECT_EQ(all[1].endMs, 9000);
  EXPECT_EQ(*b.jpeg(1), "\xFF\xD8jpeg-1");
  EXPECT_EQ(b.add(incident("wrong_way", 300), "x", 300), 3);
}

TEST_F(IncidentArchiveTest, KeepsOnlyTheNewest) {
  IncidentArchive a((dir_ / "cam.1").string(), 3);
  a.load(0);
  for (int i = 0; i < 5; ++i) a.add(incident("stopped_vehicle", i), "pic" + std::to_string(i), i);
  const auto all = a.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().n, 3);
  EXPECT_FALSE(a.jpeg(2));
  EXPECT_FALSE(fs::exists(dir_ / "cam.1" / "1.jpg"));
  EXPECT_FALSE(fs::exists(dir_ / "cam.1" / "2.json"));
  EXPECT_TRUE(fs::exists(dir_ / "cam.1" / "5.jpg"));
}

TEST_F(IncidentArchiveTest, InMemoryWithoutADirectory) {
  IncidentArchive a("", 5);
  a.load(0);
  EXPECT_EQ(a.add(incident("stopped_vehicle", 1), "pic", 1), 1);
  EXPECT_FALSE(a.get(1)->snapshot);
  EXPECT_FALSE(a.jpeg(1));
}

TEST(IncidentArchiveNames, DotsAreEscaped) {
  EXPECT_EQ(IncidentArchive::dirName("cam.1"), "cam.1");
  EXPECT_EQ(IncidentArchive::dirName(".."), "%2E%2E");
  EXPECT_EQ(IncidentArchive::dirName("."), "%2E");
}

}  // namespace
}  // namespace cityops::cameras
