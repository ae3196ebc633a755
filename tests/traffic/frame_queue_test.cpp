// FrameQueue: bounded, drops the oldest frame when full and counts it, hands frames over between threads, and
// close() releases a waiting reader.
#include <gtest/gtest.h>

#include "traffic/FrameQueue.hpp"

#include <thread>

namespace cityops::traffic {
namespace {

using namespace std::chrono_literals;

QueuedFrame frameAt(int64_t t) { return {cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(static_cast<double>(t))), t}; }

TEST(FrameQueue, DropsTheOldestWhenFullAndCountsIt) {
  FrameQueue q(3);
  for (int64_t t = 1; t <= 3; ++t) EXPECT_TRUE(q.push(frameAt(t)));
  EXPECT_FALSE(q.push(frameAt(4)));  // 1 is dropped
  EXPECT_FALSE(q.push(frameAt(5)));  // 2 is dropped
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.pushed(), 5u);
  EXPECT_EQ(q.dropped(), 2u);
  for (int64_t t : {3, 4, 5}) {
    auto f = q.pop(0ms);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->tMs, t);
    EXPECT_EQ(f->image.at<cv::Vec3b>(0, 0)[0], t);
  }
  EXPECT_FALSE(q.pop(1ms));
  EXPECT_EQ(q.dropped(), 2u);
}

TEST(FrameQueue, CapacityIsAtLeastOne) {
  FrameQueue q(0);
  EXPECT_EQ(q.capacity(), 1u);
  EXPECT_TRUE(q.push(frameAt(1)));
  EXPECT_FALSE(q.push(frameAt(2)));
  EXPECT_EQ(q.pop(0ms)->tMs, 2);
}

TEST(FrameQueue, AReaderGetsFramesFromAnotherThreadInOrder) {
  FrameQueue q(1000);
  std::thread producer([&] {
    for (int64_t t = 0; t < 500; ++t) q.push(frameAt(t));
  });
  int64_t expected = 0;
  while (expected < 500) {
    auto f = q.pop(5s);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->tMs, expected++);
  }
  producer.join();
  EXPECT_EQ(q.dropped(), 0u);
}

TEST(FrameQueue, ASlowReaderLosesFramesNotTime) {
  FrameQueue q(2);
  for (int64_t t = 0; t < 100; ++t) q.push(frameAt(t));  // the reader never kept up
  EXPECT_EQ(q.dropped(), 98u);
  EXPECT_EQ(q.pop(0ms)->tMs, 98);  // what it reads next is recent
}

TEST(FrameQueue, CloseWakesAWaitingReaderAndRefusesMore) {
  FrameQueue q(2);
  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    q.close();
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.pop(10s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  closer.join();
  EXPECT_FALSE(q.push(frameAt(1)));
  EXPECT_FALSE(q.pop(0ms));
}

}  // namespace
}  // namespace cityops::traffic
