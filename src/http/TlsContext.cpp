#include "http/TlsContext.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>

namespace cityops::http::detail {

namespace {

namespace ssl = boost::asio::ssl;

/// A missing or unreadable file is Unavailable (it may appear, permissions may be fixed); checked up front so
/// that the message says so instead of OpenSSL's "system lib".
std::optional<Error> checkReadable(const std::string& what, const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return Unavailable("TLS " + what + " file " + path + " does not exist");
  if (std::filesystem::is_directory(status)) return BadRequest("TLS " + what + " file " + path + " is a directory");
  if (!std::ifstream(path, std::ios::binary)) return Unavailable("cannot read TLS " + what + " file " + path);
  return std::nullopt;
}

std::string reason(const boost::system::error_code& ec) {
  ERR_clear_error();  // asio took the first entry into ec; the rest would linger in this thread's queue
  return ec.message();
}

}  // namespace

Result<std::unique_ptr<ssl::context>> makeTlsContext(const std::string& certFile, const std::string& keyFile) {
  if (auto e = checkReadable("certificate", certFile)) return *e;
  if (auto e = checkReadable("key", keyFile)) return *e;
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                     ec);
    if (ec || SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
      return Internal("cannot configure TLS: " + reason(ec));
    }
    // No client-initiated renegotiation: it lets one connection demand handshake after handshake.
    SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);

    if (ctx->use_certificate_chain_file(certFile, ec); ec) {
      return BadRequest("cannot load the TLS certificate from " + certFile + ": " + reason(ec));
    }
    // OpenSSL's default for an encrypted key is to prompt on the terminal, which would hang a service.
    // Answer with an empty passphrase instead, so the load fails, and remember that a passphrase was asked for.
    auto asked = std::make_shared<bool>(false);
    ctx->set_password_callback([asked](std::size_t, ssl::context::password_purpose) {
      *asked = true;
      return std::string();
    });
    ctx->use_private_key_file(keyFile, ssl::context::pem, ec);
    if (ec && *asked) {
      ERR_clear_error();
      return BadRequest("the TLS key in " + keyFile + " is encrypted; give an unencrypted PEM key");
    }
    const std::string mismatch = "the TLS key in " + keyFile + " does not match the certificate in " + certFile;
    if (ec) {
      // A key of the certificate's type is checked against it while loading.
      const auto code = static_cast<unsigned long>(ec.value());
      if (ec.category() == boost::asio::error::get_ssl_category() && ERR_GET_LIB(code) == ERR_LIB_X509 &&
          ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
        ERR_clear_error();
        return BadRequest(mismatch);
      }
      return BadRequest("cannot load the TLS key from " + keyFile + ": " + reason(ec));
    }
    // A key of another type than the certificate's loads without complaint; this catches it.
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
      ERR_clear_error();
      return BadRequest(mismatch);
    }
    return ctx;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return Internal(std::string("cannot create the TLS context: ") + e.what());
  }
}

}  // namespace cityops::http::detail
