#pragma once
#include "auth/AccountStore.hpp"
#include "common/Clock.hpp"
#include "store/SqliteDb.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>

namespace cityops::auth::testing {

inline constexpr int64_t kNow = 1764201600000;  // 2025-11-27T00:00:00Z

/// A real SQLite database file in a fresh temporary directory, migrated, with an AccountStore on it.
class AuthFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cityops-auth-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    open();
  }
  void TearDown() override {
    accounts_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open() {
    accounts_.reset();
    db_.reset();
    auto db = store::SqliteDb::open((dir_ / "cityops.db").string(), false, false);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    auto s = AccountStore::migrate(*db_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    accounts_ = std::make_unique<AccountStore>(*db_, clock_);
  }
  /// Every byte of every file in the directory (the database, its WAL and shared-memory files).
  std::string allBytes() const {
    std::string out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      std::ifstream in(e.path(), std::ios::binary);
      out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
  }

  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<AccountStore> accounts_;
};

}  // namespace cityops::auth::testing
