#pragma once
// JSON text for the wire: like boost::json::serialize, but numbers in their shortest plain form
// (1.7, 108.47, 1e-07) instead of Boost 1.81's scientific "1.7E0".
#include <boost/json/value.hpp>

#include <string>

namespace cityops {

std::string toJsonText(const boost::json::value& v);
void appendJsonText(std::string& out, const boost::json::value& v);

}  // namespace cityops
