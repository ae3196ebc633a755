#pragma once
// Reading credentials off a request: the Authorization header's Bearer token. Pure parsing, no I/O.
#include "common/Result.hpp"

#include <string>
#include <string_view>

namespace cityops::auth {

/// The error of every failed login, authenticate and bearerToken (code "unauthenticated"); the message never says why
/// and never repeats a credential.
Error Unauthenticated(std::string msg);

/// The token of an HTTP Authorization header value "Bearer <token>" (RFC 6750 section 2.1): the scheme in any case,
/// one or more spaces or tabs, the token, optional trailing spaces or tabs (leading ones are tolerated too: they are
/// not part of a field value, RFC 9110 section 5.5). The token must be Tokens::wellFormed (a session token or a
/// device key). Returns a view into `authorizationHeader`.
///
/// Errors have code "unauthenticated" and one of two fixed messages, neither of which repeats any part of the
/// header: "expected Authorization: Bearer <token>" (empty, another scheme, no token) or "malformed bearer token".
/// An empty header is an error too: callers that treat an absent header differently check for it first.
Result<std::string_view> bearerToken(std::string_view authorizationHeader);

}  // namespace cityops::auth
