#pragma once
#include "common/Clock.hpp"
#include "metrics/Registry.hpp"
#include "store/SqliteStore.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace cityops::store::testing {

inline constexpr int64_t kNow = 1764201600000;  // 2025-11-27T00:00:00Z

/// A real SQLite store in a fresh temporary directory.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cityops-store-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen(std::string dir = {}) {
    store_.reset();
    SqliteStore::Options o;
    o.dataDir = dir.empty() ? dir_.string() : dir;
    auto s = SqliteStore::open(o, clock_, metrics_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  model::Entity entity(const std::string& id, const std::string& type = "Sensor") {
    model::Entity e;
    e.id = id;
    e.type = type;
    e.name = id;
    e.createdMs = e.updatedMs = kNow;
    return e;
  }

  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  metrics::Registry metrics_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace cityops::store::testing
