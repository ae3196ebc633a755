#include "http/Message.hpp"

#include <boost/json/object.hpp>
#include "common/JsonText.hpp"
#include <boost/json/serialize.hpp>

namespace cityops::http {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return {};
}

std::string Request::contentType() const {
  std::string_view v = header("Content-Type");
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  std::string out(v);
  for (char& c : out) c = lower(c);
  return out;
}

Response Response::json(int status, const boost::json::value& v) {
  Response r;
  r.status = status;
  r.contentType = "application/json";
  r.body = toJsonText(v);
  return r;
}

Response Response::text(int status, std::string body, std::string contentType) {
  Response r;
  r.status = status;
  r.contentType = std::move(contentType);
  r.body = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view code, std::string_view message) {
  boost::json::object o;
  o["error"] = code;
  o["message"] = message;
  return json(status, o);
}

Response Response::streaming(std::string contentType, std::shared_ptr<BodyStream> stream) {
  Response r;
  r.status = 200;
  r.contentType = std::move(contentType);
  r.stream = std::move(stream);
  return r;
}

}  // namespace cityops::http
