#pragma once
// Private to src/http/: the server's TLS context from PEM files. Include only from src/http/*.cpp (pulls in
// Asio and OpenSSL).
#include "common/Result.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace cityops::http::detail {

/// A TLS 1.2+ server context holding the certificate chain in `certFile` and the private key in `keyFile`.
/// Every failure (missing or unreadable file, not PEM, encrypted key, key not matching the certificate) is an
/// Error whose message names the file; nothing throws.
Result<std::unique_ptr<boost::asio::ssl::context>> makeTlsContext(const std::string& certFile,
                                                                  const std::string& keyFile);

}  // namespace cityops::http::detail
