#include "common/JsonText.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>

namespace cityops {

namespace {

void appendString(std::string& out, boost::json::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 15]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void appendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON has no NaN/Inf
    out += "null";
    return;
  }
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, p);
}

}  // namespace

void appendJsonText(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::double_: appendDouble(out, v.get_double()); break;
    case boost::json::kind::string: appendString(out, v.get_string()); break;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& x : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        appendJsonText(out, x);
      }
      out.push_back(']');
      break;
    }
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        appendString(out, kv.key());
        out.push_back(':');
        appendJsonText(out, kv.value());
      }
      out.push_back('}');
      break;
    }
  }
}

std::string toJsonText(const boost::json::value& v) {
  std::string out;
  appendJsonText(out, v);
  return out;
}

}  // namespace cityops
