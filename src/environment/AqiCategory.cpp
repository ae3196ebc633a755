#include "environment/AqiCategory.hpp"

namespace cityops::environment {

namespace {

// Decision 1459/QĐ-TCMT: Table 1 (ranges, names, colours, RGB); Table 4 (health) and Table 5 (advice), paraphrased.
constexpr std::array<AqiCategory, 6> kVn{{
    {1, 0, 50, {"Tốt", "Good"}, {"Xanh", "green"}, {0, 228, 0}, "#00E400",
     {"Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe.", "Air quality is good and poses no health risk."},
     {"Tự do hoạt động ngoài trời.", "Enjoy outdoor activities."},
     {"Tự do hoạt động ngoài trời.", "Enjoy outdoor activities."}},
    {2, 51, 100, {"Trung bình", "Moderate"}, {"Vàng", "yellow"}, {255, 255, 0}, "#FFFF00",
     {"Chất lượng không khí chấp nhận được; người nhạy cảm có thể chịu một số tác động tới sức khỏe.",
      "Air quality is acceptable; sensitive people may feel some effects."},
     {"Tự do hoạt động ngoài trời.", "Outdoor activities are fine."},
     {"Vẫn có thể hoạt động ngoài trời nhưng nên theo dõi các triệu chứng như ho hoặc khó thở.",
      "Outdoor activities are still fine; watch for symptoms such as coughing or shortness of breath."}},
    {3, 101, 150, {"Kém", "Poor"}, {"Da cam", "orange"}, {255, 126, 0}, "#FF7E00",
     {"Người nhạy cảm gặp vấn đề về sức khỏe; người bình thường ít bị ảnh hưởng.",
      "Sensitive people experience health effects; the general public is less likely to be affected."},
     {"Nếu thấy đau mắt, ho hoặc đau họng, hãy cân nhắc giảm hoạt động ngoài trời; học sinh vẫn có thể ra ngoài "
      "nhưng nên bớt tập thể dục kéo dài.",
      "If you notice sore eyes, coughing or a sore throat, consider cutting down outdoor activities; pupils may go "
      "outside but should limit prolonged exercise."},
     {"Giảm hoạt động gắng sức và thời gian ở ngoài trời; người bị hen suyễn có thể cần dùng thuốc thường xuyên hơn.",
      "Reduce strenuous activities and time spent outdoors; people with asthma may need their medication more "
      "often."}},
    {4, 151, 200, {"Xấu", "Bad"}, {"Đỏ", "red"}, {255, 0, 0}, "#FF0000",
     {"Mọi người bắt đầu bị ảnh hưởng tới sức khỏe; người nhạy cảm có thể gặp vấn đề nghiêm trọng hơn.",
      "Everyone may begin to feel health effects; sensitive people may experience more serious effects."},
     {"Giảm hoạt động gắng sức ngoài trời, tránh tập thể dục kéo dài và nghỉ ngơi trong nhà nhiều hơn.",
      "Reduce strenuous outdoor activities, avoid prolonged exercise and spend more time resting indoors."},
     {"Ở trong nhà và giảm hoạt động gắng sức; nếu phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
      "Stay indoors and reduce strenuous activities; if you must go out, wear a certified mask."}},
    {5, 201, 300, {"Rất xấu", "Very bad"}, {"Tím", "purple"}, {143, 63, 151}, "#8F3F97",
     {"Cảnh báo sức khỏe: mọi người bị ảnh hưởng nghiêm trọng hơn.",
      "Health warning: everyone may experience more serious health effects."},
     {"Hạn chế tối đa hoạt động ngoài trời, chuyển các hoạt động vào trong nhà; nếu phải ra ngoài, hãy đeo khẩu "
      "trang đạt tiêu chuẩn.",
      "Keep outdoor activities to a minimum and move activities indoors; if you must go out, wear a certified mask."},
     {"Ở trong nhà và giảm hoạt động gắng sức.", "Stay indoors and reduce strenuous activities."}},
    {6, 301, 500, {"Nguy hại", "Hazardous"}, {"Nâu", "brown"}, {126, 0, 35}, "#7E0023",
     {"Cảnh báo khẩn cấp: toàn bộ dân số bị ảnh hưởng nghiêm trọng tới sức khỏe.",
      "Health emergency: the whole population is seriously affected."},
     {"Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ; nếu phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
      "Everyone should stay indoors with doors and windows closed; if you must go out, wear a certified mask."},
     {"Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ; nếu phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
      "Everyone should stay indoors with doors and windows closed; if you must go out, wear a certified mask."}},
}};

// EPA-454/B-24-002: Table 1 (names, colours), Table 2 (RGB); advice paraphrases the general cautionary statements.
// Vietnamese texts: this project's translation.
constexpr std::array<AqiCategory, 6> kUs{{
    {1, 0, 50, {"Tốt", "Good"}, {"Xanh lá", "green"}, {0, 228, 0}, "#00E400",
     {"Chất lượng không khí tốt; ô nhiễm gây ít hoặc không gây rủi ro.",
      "Air quality is satisfactory; air pollution poses little or no risk."},
     {"Thời điểm tốt để hoạt động ngoài trời.", "A good day to be active outdoors."},
     {"Thời điểm tốt để hoạt động ngoài trời.", "A good day to be active outdoors."}},
    {2, 51, 100, {"Trung bình", "Moderate"}, {"Vàng", "yellow"}, {255, 255, 0}, "#FFFF00",
     {"Chất lượng không khí chấp nhận được; một số người đặc biệt nhạy cảm có thể gặp rủi ro.",
      "Air quality is acceptable; some people who are unusually sensitive to air pollution may be at risk."},
     {"Có thể hoạt động ngoài trời bình thường.", "Outdoor activities are fine."},
     {"Người đặc biệt nhạy cảm nên cân nhắc giảm gắng sức kéo dài hoặc nặng ngoài trời và theo dõi các triệu chứng "
      "như ho, khó thở.",
      "Unusually sensitive people should consider reducing prolonged or heavy exertion outdoors and watch for "
      "symptoms such as coughing or shortness of breath."}},
    {3, 101, 150, {"Không tốt cho nhóm nhạy cảm", "Unhealthy for Sensitive Groups"}, {"Da cam", "orange"},
     {255, 126, 0}, "#FF7E00",
     {"Nhóm nhạy cảm có thể bị ảnh hưởng sức khỏe; công chúng ít có khả năng bị ảnh hưởng.",
      "Members of sensitive groups may experience health effects; the general public is less likely to be "
      "affected."},
     {"Phần lớn mọi người vẫn có thể hoạt động ngoài trời.", "Outdoor activities are fine for most people."},
     {"Giảm gắng sức kéo dài hoặc nặng ngoài trời, nghỉ giải lao nhiều hơn; người bị hen suyễn nên mang theo thuốc "
      "cắt cơn.",
      "Reduce prolonged or heavy exertion outdoors and take more breaks; people with asthma should keep their "
      "quick-relief medicine at hand."}},
    {4, 151, 200, {"Có hại cho sức khỏe", "Unhealthy"}, {"Đỏ", "red"}, {255, 0, 0}, "#FF0000",
     {"Một số người có thể bị ảnh hưởng sức khỏe; nhóm nhạy cảm có thể bị ảnh hưởng nghiêm trọng hơn.",
      "Some members of the general public may experience health effects; sensitive groups may experience more "
      "serious effects."},
     {"Giảm gắng sức kéo dài hoặc nặng ngoài trời và nghỉ giải lao nhiều hơn.",
      "Reduce prolonged or heavy exertion outdoors and take more breaks."},
     {"Tránh gắng sức kéo dài hoặc nặng ngoài trời; chuyển hoạt động vào trong nhà hoặc dời lịch.",
      "Avoid prolonged or heavy exertion outdoors; move activities indoors or reschedule them."}},
    {5, 201, 300, {"Rất có hại cho sức khỏe", "Very Unhealthy"}, {"Tím", "purple"}, {143, 63, 151}, "#8F3F97",
     {"Cảnh báo sức khỏe: nguy cơ bị ảnh hưởng tăng lên đối với mọi người.",
      "Health alert: the risk of health effects is increased for everyone."},
     {"Tránh gắng sức kéo dài hoặc nặng ngoài trời; cân nhắc chuyển hoạt động vào trong nhà.",
      "Avoid prolonged or heavy exertion outdoors; consider moving activities indoors."},
     {"Tránh mọi hoạt động thể chất ngoài trời; ở trong nhà và giữ mức hoạt động nhẹ.",
      "Avoid all physical activity outdoors; stay indoors and keep activity levels low."}},
    {6, 301, 500, {"Nguy hại", "Hazardous"}, {"Nâu đỏ", "maroon"}, {126, 0, 35}, "#7E0023",
     {"Cảnh báo khẩn cấp: mọi người đều có khả năng bị ảnh hưởng sức khỏe.",
      "Health warning of emergency conditions: everyone is more likely to be affected."},
     {"Tránh mọi hoạt động thể chất ngoài trời.", "Avoid all physical activity outdoors."},
     {"Ở trong nhà và giữ mức hoạt động nhẹ.", "Remain indoors and keep activity levels low."}},
}};

const AqiCategory& find(const std::array<AqiCategory, 6>& all, int aqi) {
  for (const auto& c : all)
    if (aqi <= c.high) return c;
  return all.back();
}

}  // namespace

const AqiCategory& AqiCategory::vn(int aqi) { return find(kVn, aqi); }
const AqiCategory& AqiCategory::us(int aqi) { return find(kUs, aqi); }
const std::array<AqiCategory, 6>& AqiCategory::vnAll() { return kVn; }
const std::array<AqiCategory, 6>& AqiCategory::usAll() { return kUs; }

}  // namespace cityops::environment
