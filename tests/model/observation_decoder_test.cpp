// ObservationDecoder: JSON array / single object / NDJSON bodies, all or nothing, errors naming the first bad item.
#include <gtest/gtest.h>

#include <string>

#include "model/ObservationDecoder.hpp"

namespace cityops::model {
namespace {

constexpr int64_t kNow = 1761735600000;  // 2025-10-29T11:00:00Z
constexpr int64_t kDay = 86400000;

std::string item(std::string_view entity = "tk-wl-01", std::string_view value = "1.25",
                 std::string_view time = "1761735600000") {
  return R"({"entity":")" + std::string(entity) + R"(","metric":"water_level","time":)" + std::string(time) +
         R"(,"value":)" + std::string(value) + "}";
}

Result<std::vector<Observation>> json(std::string_view body) { return ObservationDecoder::decode(body, false, kNow); }
Result<std::vector<Observation>> ndjson(std::string_view body) { return ObservationDecoder::decode(body, true, kNow); }

// Expects failure with code bad_request and a message starting with "item <index>: " and containing `why`.
void failsAt(const Result<std::vector<Observation>>& r, size_t index, std::string_view why) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  const std::string prefix = "item " + std::to_string(index) + ": ";
  EXPECT_EQ(r.error().message.substr(0, prefix.size()), prefix) << r.error().message;
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

TEST(ObservationDecoder, Array) {
  auto r = json(R"([
    {"entity":"tk-wl-01","metric":"water_level","time":"2025-10-29T18:00:00+07:00","value":1.25},
    {"entity":"tk-aq-02","metric":"pm2_5","time":1761735660000,"value":35,"quality":"suspect"},
    {"entity":"tk-aq-02","metric":"pm2_5","time":1761735720000.0,"value":-0.5,"quality":"bad","unit":"ug/m3"}
  ])");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  const auto& o = *r;
  EXPECT_EQ(o[0].entity, "tk-wl-01");
  EXPECT_EQ(o[0].metric, "water_level");
  EXPECT_EQ(o[0].time, 1761735600000);
  EXPECT_EQ(o[0].value, 1.25);
  EXPECT_EQ(o[0].quality, Quality::Good);  // default
  EXPECT_EQ(o[1].time, 1761735660000);
  EXPECT_EQ(o[1].value, 35.0);
  EXPECT_EQ(o[1].quality, Quality::Suspect);
  EXPECT_EQ(o[2].time, 1761735720000);  // integral double accepted
  EXPECT_EQ(o[2].value, -0.5);
  EXPECT_EQ(o[2].quality, Quality::Bad);
}

TEST(ObservationDecoder, EmptyArrayIsAccepted) {
  auto r = json("[]");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(ObservationDecoder, SingleObject) {
  auto r = json(item());
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value, 1.25);
  failsAt(json(item("bad id")), 0, "entity");
}

TEST(ObservationDecoder, NdjsonWithBlankLinesAndCrlf) {
  const std::string body = item("a", "1") + "\r\n\r\n" + "  " + item("b", "2") + " \t\r\n" + "\n" + "\t" +
                           item("c", "3") + "\n\n";
  auto r = ndjson(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].entity, "a");
  EXPECT_EQ((*r)[1].entity, "b");
  EXPECT_EQ((*r)[2].entity, "c");
  EXPECT_EQ((*r)[2].value, 3.0);
  auto noFinalNewline = ndjson(item("a") + "\n" + item("b"));
  ASSERT_TRUE(noFinalNewline.ok());
  EXPECT_EQ(noFinalNewline->size(), 2u);
}

TEST(ObservationDecoder, NdjsonIndexCountsItemsNotLines) {
  // Blank lines are skipped and not counted: the bad line is the third item.
  const std::string body = item("a") + "\n\n\r\n" + item("b") + "\n\n" + item("c", "\"high\"") + "\n" + item("d");
  failsAt(ndjson(body), 2, "value must be a number");
}

TEST(ObservationDecoder, NdjsonMalformedLine) {
  failsAt(ndjson(item("a") + "\n{\"entity\":\n" + item("b")), 1, "malformed JSON");
  failsAt(ndjson(item("a") + "\n" + item("b") + " " + item("c")), 1, "malformed JSON");  // two objects, one line
  failsAt(ndjson(item("a") + "\n[" + item("b") + "]"), 1, "must be an object");
}

TEST(ObservationDecoder, EmptyBody) {
  // An empty JSON body is not JSON.
  for (const char* body : {"", "   ", "\r\n"}) {
    auto r = json(body);
    ASSERT_FALSE(r.ok()) << "'" << body << "'";
    EXPECT_EQ(r.error().code, "bad_request");
    EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos) << r.error().message;
  }
  // An NDJSON body without lines holds no observation, like "[]" (docs/api.md: answers {"accepted":0}).
  for (const char* body : {"", "\n", "\n\r\n  \n\t\n", "\r\n"}) {
    auto r = ndjson(body);
    ASSERT_TRUE(r.ok()) << "'" << body << "': " << r.error().message;
    EXPECT_TRUE(r->empty());
  }
}

TEST(ObservationDecoder, MalformedJsonBody) {
  for (const char* body : {"[", "[{]", "{\"entity\":}", "[1,]", "nul", "[\"\\x\"]", "[] []"}) {
    auto r = json(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, "bad_request");
    EXPECT_NE(r.error().message.find("malformed JSON"), std::string::npos) << r.error().message;
  }
}

TEST(ObservationDecoder, BodyMustBeArrayOrObject) {
  for (const char* body : {"1", "\"x\"", "null", "true"}) {
    auto r = json(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.error().message.find("JSON array"), std::string::npos);
  }
}

TEST(ObservationDecoder, BadItemsNameTheirIndex) {
  const std::string ok = item();
  auto at2 = [&](const std::string& bad) { return json("[" + ok + "," + ok + "," + bad + "," + ok + "]"); };
  failsAt(at2("1"), 2, "must be an object");
  failsAt(at2("[]"), 2, "must be an object");
  failsAt(at2(item("tk", "1e999")), 2, "value must be finite");   // 1e999 parses as infinity
  failsAt(at2(item("tk", "-1e999")), 2, "value must be finite");
  failsAt(at2(item("tk", "\"1.5\"")), 2, "value must be a number");  // strings as values
  failsAt(at2(item("tk", "null")), 2, "value must be a number");
  failsAt(at2(item("tk", "true")), 2, "value must be a number");
  failsAt(at2(item("tk", "[1]")), 2, "value must be a number");
  failsAt(at2(item("tk id")), 2, "entity must be");
  failsAt(at2(item(std::string(129, 'e'))), 2, "entity must be");
  failsAt(at2(R"({"entity":"tk","metric":"Water_Level","time":0,"value":1})"), 2, "metric must match");
  failsAt(at2(R"({"entity":"tk","metric":5,"time":0,"value":1})"), 2, "metric must match");
  failsAt(at2(R"({"entity":1,"metric":"m","time":0,"value":1})"), 2, "entity must be");
  failsAt(at2(R"({"entity":"tk","metric":"m","time":0,"value":1,"quality":"ok"})"), 2, "quality must be");
  failsAt(at2(R"({"entity":"tk","metric":"m","time":0,"value":1,"quality":"Good"})"), 2, "quality must be");
  failsAt(at2(R"({"entity":"tk","metric":"m","time":0,"value":1,"quality":0})"), 2, "quality must be");
}

TEST(ObservationDecoder, MissingFields) {
  const std::string ok = item();
  failsAt(json("[" + ok + R"(,{"metric":"m","time":0,"value":1}])"), 1, "entity is missing");
  failsAt(json("[" + ok + R"(,{"entity":"e","time":0,"value":1}])"), 1, "metric is missing");
  failsAt(json("[" + ok + R"(,{"entity":"e","metric":"m","value":1}])"), 1, "time is missing");
  failsAt(json("[" + ok + R"(,{"entity":"e","metric":"m","time":0}])"), 1, "value is missing");
  failsAt(json("[" + ok + R"(,{}])"), 1, "missing");
}

TEST(ObservationDecoder, TimeForms) {
  auto t = [](std::string_view time) { return json(item("tk", "1", time)); };
  ASSERT_TRUE(t("0").ok());
  EXPECT_EQ((*t("0"))[0].time, 0);
  EXPECT_EQ((*t("\"1970-01-01T00:00:00Z\""))[0].time, 0);
  EXPECT_EQ((*t("\"2025-10-29T18:00:00.5+07:00\""))[0].time, 1761735600500);
  EXPECT_EQ((*t("\"1761735600000\""))[0].time, 1761735600000);  // epoch ms as text
  EXPECT_EQ((*t("1.7617356e12"))[0].time, 1761735600000);
  failsAt(t("1761735600000.5"), 0, "time must be");
  failsAt(t("1e999"), 0, "time must be");
  failsAt(t("null"), 0, "time must be");
  failsAt(t("true"), 0, "time must be");
  failsAt(t("\"yesterday\""), 0, "neither RFC 3339");
  failsAt(t("\"2023-02-29T00:00:00Z\""), 0, "neither RFC 3339");
  failsAt(t("18446744073709551615"), 0, "out of range");  // uint64
}

TEST(ObservationDecoder, TimeBefore1970) {
  auto t = [](std::string_view time) { return json("[" + item() + "," + item("tk", "1", time) + "]"); };
  failsAt(t("-1"), 1, "before 1970");
  failsAt(t("\"1969-12-31T23:59:59.999Z\""), 1, "before 1970");
  failsAt(t("\"1970-01-01T06:59:59+07:00\""), 1, "before 1970");
  failsAt(t("-9223372036854775808"), 1, "before 1970");
  failsAt(t("-1e15"), 1, "before 1970");
}

TEST(ObservationDecoder, TimeAtMostOneDayAhead) {
  auto t = [](int64_t ms) { return json("[" + item() + "," + item("tk", "1", std::to_string(ms)) + "]"); };
  EXPECT_TRUE(t(kNow + kDay).ok());
  failsAt(t(kNow + kDay + 1), 1, "more than one day in the future");
  failsAt(t(9223372036854775807), 1, "future");
  failsAt(json(item("tk", "1", "\"2025-10-30T11:00:00.001Z\"")), 0, "future");
  EXPECT_TRUE(json(item("tk", "1", "\"2025-10-30T18:00:00+07:00\"")).ok());  // exactly now + 1 day
}

TEST(ObservationDecoder, NdjsonBadCasesNameTheirIndex) {
  const std::string ok = item();
  failsAt(ndjson(ok + "\n" + item("tk", "1e999")), 1, "finite");
  failsAt(ndjson(ok + "\r\n" + ok + "\r\n" + item("tk", "1", "-5")), 2, "before 1970");
  failsAt(ndjson(ok + "\n" + R"({"entity":"tk","metric":"m","time":0,"value":1,"quality":"meh"})"), 1, "quality");
  failsAt(ndjson("\n\n" + std::string(R"({"entity":"tk","metric":"m","value":1})")), 0, "time is missing");
}

std::string nested(int depth) {
  // An observation whose extra member nests arrays so that the whole body has `depth` levels.
  const int inner = depth - 2;  // body array + observation object
  return R"([{"entity":"tk","metric":"m","time":0,"value":1,"extra":)" + std::string(inner, '[') +
         std::string(inner, ']') + "}]";
}

TEST(ObservationDecoder, NestingLimit) {
  EXPECT_TRUE(json(nested(16)).ok());
  auto r = json(nested(17));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");
  EXPECT_NE(r.error().message.find("too deep"), std::string::npos) << r.error().message;
  auto deep = json(std::string(100000, '[') + std::string(100000, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().message.find("too deep"), std::string::npos);
  // NDJSON: each line is an item (its object is level 1).
  const std::string line = R"({"entity":"tk","metric":"m","time":0,"value":1,"extra":)";
  EXPECT_TRUE(ndjson(line + std::string(15, '[') + std::string(15, ']') + "}").ok());
  auto nd = ndjson(item() + "\n" + line + std::string(16, '[') + std::string(16, ']') + "}");
  failsAt(nd, 1, "too deep");
}

TEST(ObservationDecoder, TooManyItems) {
  const std::string one = R"({"entity":"e","metric":"m","time":0,"value":1})";
  std::string body = "[";
  for (size_t i = 0; i < ObservationDecoder::kMaxItems; ++i) body += (i ? "," : "") + one;
  auto atLimit = json(body + "]");
  ASSERT_TRUE(atLimit.ok()) << atLimit.error().message;
  EXPECT_EQ(atLimit->size(), ObservationDecoder::kMaxItems);
  auto over = json(body + "," + one + "]");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "too_large");
  // Even if the extra items are not observations, the count is checked first.
  auto overJunk = json(body + ",1]");
  ASSERT_FALSE(overJunk.ok());
  EXPECT_EQ(overJunk.error().code, "too_large");

  std::string lines;
  for (size_t i = 0; i < ObservationDecoder::kMaxItems; ++i) lines += one + "\n";
  auto ndAtLimit = ndjson(lines + "\n\n");
  ASSERT_TRUE(ndAtLimit.ok());
  EXPECT_EQ(ndAtLimit->size(), ObservationDecoder::kMaxItems);
  auto ndOver = ndjson(lines + one);
  ASSERT_FALSE(ndOver.ok());
  EXPECT_EQ(ndOver.error().code, "too_large");
}

TEST(ObservationDecoder, LargeIntegerValues) {
  auto r = json(item("tk", "18446744073709551615"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].value, 18446744073709551615.0);
  auto neg = json(item("tk", "-9223372036854775808"));
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ((*neg)[0].value, -9223372036854775808.0);
}

TEST(ObservationDecoder, QualityNames) {
  Quality q = Quality::Bad;
  EXPECT_TRUE(parseQuality("good", q));
  EXPECT_EQ(q, Quality::Good);
  EXPECT_TRUE(parseQuality("suspect", q));
  EXPECT_EQ(q, Quality::Suspect);
  EXPECT_FALSE(parseQuality("GOOD", q));
  EXPECT_FALSE(parseQuality("", q));
  EXPECT_EQ(q, Quality::Suspect);  // untouched on failure
  EXPECT_EQ(qualityName(Quality::Good), "good");
  EXPECT_EQ(qualityName(Quality::Suspect), "suspect");
  EXPECT_EQ(qualityName(Quality::Bad), "bad");
}

}  // namespace
}  // namespace cityops::model
