#include "traffic/VehicleClass.hpp"

namespace cityops::traffic {

std::string_view className(VehicleClass c) {
  switch (c) {
    case VehicleClass::TwoWheeler: return "two_wheeler";
    case VehicleClass::Car: return "car";
    case VehicleClass::BusTruck: return "bus_truck";
    case VehicleClass::Person: return "person";
  }
  return "car";
}

std::optional<VehicleClass> parseClassName(std::string_view name) {
  for (auto c : kAllClasses)
    if (className(c) == name) return c;
  return std::nullopt;
}

VehicleClass classify(double groundAreaM2, Classes classes, const ClassSizes& sizes) {
  if (classes == Classes::People) return VehicleClass::Person;
  if (groundAreaM2 <= sizes.twoWheelerMaxM2) return VehicleClass::TwoWheeler;
  if (groundAreaM2 <= sizes.carMaxM2) return VehicleClass::Car;
  return VehicleClass::BusTruck;
}

std::optional<VehicleClass> classFromLabel(std::string_view label) {
  if (label == "person" || label == "pedestrian") return VehicleClass::Person;
  if (label == "motorcycle" || label == "motorbike" || label == "bicycle" || label == "two_wheeler")
    return VehicleClass::TwoWheeler;
  if (label == "car" || label == "van") return VehicleClass::Car;
  if (label == "bus" || label == "truck" || label == "bus_truck") return VehicleClass::BusTruck;
  return std::nullopt;
}

}  // namespace cityops::traffic
