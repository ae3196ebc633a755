#pragma once
// The webhook signature: X-Cityops-Signature: sha256=<lower-case hex of HMAC-SHA256(secret, body)>.
//
// A receiver recomputes HMAC-SHA256 over the raw request body with the subscription's secret (any length: HMAC
// hashes keys longer than 64 bytes) and compares in constant time. The timestamp header is not signed; receivers
// de-duplicate on X-Cityops-Delivery (the outbox row id, the same on every retry of one notification).
#include "common/Result.hpp"

#include <string>
#include <string_view>

namespace cityops::notify {

inline constexpr std::string_view kSignatureHeader = "X-Cityops-Signature";
inline constexpr std::string_view kDeliveryHeader = "X-Cityops-Delivery";
inline constexpr std::string_view kTimestampHeader = "X-Cityops-Timestamp";  // Unix epoch milliseconds of the attempt

/// "sha256=" + 64 lower-case hex digits, computed with libsodium's crypto_auth_hmacsha256_* (any key length).
/// "internal" only when libsodium cannot initialise.
Result<std::string> signatureHeader(std::string_view secret, std::string_view body);

}  // namespace cityops::notify
