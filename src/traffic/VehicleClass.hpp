#pragma once
// VehicleClass: what a track is, from the ground-plane area of its box (or the detector's own label).
#include "traffic/CameraSpec.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace cityops::traffic {

enum class VehicleClass { TwoWheeler, Car, BusTruck, Person };

inline constexpr std::array<VehicleClass, 4> kAllClasses{VehicleClass::TwoWheeler, VehicleClass::Car,
                                                         VehicleClass::BusTruck, VehicleClass::Person};

/// "two_wheeler", "car", "bus_truck", "person".
std::string_view className(VehicleClass c);
std::optional<VehicleClass> parseClassName(std::string_view name);
/// Up to twoWheelerMaxM2 a two-wheeler, up to carMaxM2 a car, else a bus or truck; always a person when the camera
/// counts people.
VehicleClass classify(double groundAreaM2, Classes classes, const ClassSizes& sizes);
/// A detector label ("car", "motorcycle", "bus", "truck", "bicycle", "person", ...) as a class, if it names one.
std::optional<VehicleClass> classFromLabel(std::string_view label);

}  // namespace cityops::traffic
