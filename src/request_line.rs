//! The request line, the first line of a request: what to do (the method),
//! to what (the target), and in which version of HTTP.
//!
//! ```text
//! GET /messages?page=2 HTTP/1.1
//! ```
//!
//! Its grammar comes from RFC 9112, section 3. Each part is checked
//! strictly: a request line that two programs could read in two ways is
//! refused with `400 Bad Request`.

use crate::HttpError;
use crate::grammar::{bad_request, is_host_char, is_target_char, is_token};

/// A request line, taken apart and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestLine {
    /// Such as `GET`: a token, case-sensitive.
    pub method: String,
    /// Such as `/messages?page=2`.
    pub target: String,
    pub version: Version,
    /// The version exactly as sent, such as `HTTP/1.1`.
    pub version_text: String,
}

impl RequestLine {
    /// Reads `method SP request-target SP HTTP-version` (without its CRLF).
    pub(crate) fn parse(line: &[u8]) -> Result<RequestLine, HttpError> {
        parse_request_line(line)
    }
}

/// The HTTP version of a request. HTTP/1.0 and 1.1 differ in their defaults:
/// a 1.1 connection stays open unless told to close, a 1.0 one the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    Http10,
    Http11,
}

/// `method SP request-target SP HTTP-version`, with exactly one space
/// between the parts.
fn parse_request_line(line: &[u8]) -> Result<RequestLine, HttpError> {
    let mut parts = line.split(|&byte| byte == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad_request(
            "the request line must be METHOD TARGET VERSION, e.g. GET / HTTP/1.1",
        ));
    };
    let parsed_version = parse_version(version)?;
    if !is_token(method) {
        return Err(bad_request("the method is not a valid token"));
    }
    let target = parse_target(method, target)?;
    // Every part was checked to be ASCII, so these conversions cannot fail.
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok(RequestLine {
        method: text(method),
        target,
        version: parsed_version,
        version_text: text(version),
    })
}

/// `HTTP/x.y`, with one digit each side of the dot. This server speaks
/// HTTP/1.x; other major versions get `505 HTTP Version Not Supported`.
fn parse_version(version: &[u8]) -> Result<Version, HttpError> {
    let [b'H', b'T', b'T', b'P', b'/', major, b'.', minor] = *version else {
        return Err(bad_request("the HTTP version must look like HTTP/1.1"));
    };
    if !major.is_ascii_digit() || !minor.is_ascii_digit() {
        return Err(bad_request("the HTTP version must look like HTTP/1.1"));
    }
    match (major, minor) {
        (b'1', b'0') => Ok(Version::Http10),
        (b'1', _) => Ok(Version::Http11),
        _ => Err(HttpError::new(
            505,
            "this server speaks HTTP/1.0 and HTTP/1.1",
        )),
    }
}

/// The request target: where the request is going (RFC 9112, section 3.2).
///
/// It must be made of the characters a URI allows, with well-formed `%XX`
/// escapes. Four forms exist: `/path?query` (the usual one),
/// `http://host/path` (what proxies get; we keep its path), `*` (only for
/// `OPTIONS`) and `host:port` (only for `CONNECT`).
fn parse_target(method: &[u8], target: &[u8]) -> Result<String, HttpError> {
    if target.is_empty() {
        return Err(bad_request("the request target is empty"));
    }
    for (index, &byte) in target.iter().enumerate() {
        match byte {
            b'#' => return Err(bad_request("the request target contains '#'")),
            b'%' => {
                let escape = target.get(index + 1..index + 3).unwrap_or_default();
                if escape.len() != 2 || !escape.iter().all(u8::is_ascii_hexdigit) {
                    return Err(bad_request("the request target has an invalid %-escape"));
                }
            }
            _ if is_target_char(byte) => {}
            _ => {
                return Err(bad_request(
                    "the request target contains a character that must be %-escaped (a space, a control character, non-ASCII, or one of \" < >)",
                ));
            }
        }
    }
    // Every byte was checked to be ASCII, so this conversion changes nothing.
    let text = String::from_utf8_lossy(target).into_owned();
    if method == b"CONNECT" {
        return parse_authority_form(text);
    }
    if target[0] == b'/' {
        return Ok(text);
    }
    if target == b"*" && method == b"OPTIONS" {
        return Ok(text);
    }
    let lower = text.to_ascii_lowercase();
    for scheme in ["http://", "https://"] {
        if let Some(rest) = lower.strip_prefix(scheme) {
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            // RFC 9110, section 4.2.1: an http URI with an empty host is
            // invalid; section 4.2.4: a user name in it is to be treated as
            // an error (it is a classic way to disguise where a link goes).
            let authority = &rest[..authority_end];
            if authority.is_empty() || authority.contains('@') {
                return Err(bad_request(
                    "an absolute target must name a host, and no user name",
                ));
            }
            let path = &text[scheme.len() + authority_end..];
            return Ok(match path.as_bytes().first() {
                Some(b'/') => path.to_owned(),
                _ => format!("/{path}"),
            });
        }
    }
    Err(bad_request("the request target must start with '/'"))
}

/// Characters of a request target: what RFC 3986 allows in a path and a
/// query (letters, digits, `-._~!$&'()*+,;=:@/?` and `%` escapes), plus
/// `host:port`, the only target `CONNECT` takes (RFC 9112, section 3.2.3).
fn parse_authority_form(target: String) -> Result<String, HttpError> {
    let valid = match target.rsplit_once(':') {
        Some((host, port)) => {
            !host.is_empty()
                && !port.is_empty()
                && port.bytes().all(|byte| byte.is_ascii_digit())
                && host.bytes().all(is_host_char)
        }
        None => false,
    };
    if !valid {
        return Err(bad_request("a CONNECT target must be host:port"));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The request line of `raw` (its first line), taken apart.
    fn parse(raw: &str) -> Result<RequestLine, HttpError> {
        let line = raw.split("\r\n").next().unwrap_or_default();
        RequestLine::parse(line.as_bytes())
    }

    /// The status the request line of `raw` is refused with, or 0.
    fn status_of(raw: &str) -> u16 {
        parse(raw).map_or_else(|error| error.status(), |_| 0)
    }

    #[test]
    fn refuses_malformed_request_lines() {
        for raw in [
            "GARBAGE\r\n\r\n",
            "GET /\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1 \r\nHost: x\r\n\r\n",
            "GET / http/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.32\r\nHost: x\r\n\r\n",
            "GET / HTTP/1\r\nHost: x\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET relative HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /%4 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /caf\u{e9} HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /a\0 HTTP/1.1\r\nHost: x\r\n\r\n",
        ] {
            assert_eq!(status_of(raw), 400, "{raw:?}");
        }
    }

    #[test]
    fn refuses_other_major_versions_with_505() {
        assert_eq!(status_of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);
        assert_eq!(status_of("GET / HTTP/0.9\r\n\r\n"), 505);
        assert_eq!(status_of("GET / HTTP/3.0\r\n\r\n"), 505);
    }

    #[test]
    fn treats_later_minor_versions_as_1_1() {
        assert_eq!(
            parse("GET / HTTP/1.7\r\nHost: x\r\n\r\n").unwrap().version,
            Version::Http11
        );
    }

    #[test]
    fn accepts_the_other_target_forms() {
        let absolute = parse("GET http://example.com:80/a?b HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(absolute.unwrap().target, "/a?b");
        let bare = parse("GET HTTP://example.com?q HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(bare.unwrap().target, "/?q");
        assert_eq!(
            parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap()
                .target,
            "*"
        );
        let connect = parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n");
        assert_eq!(connect.unwrap().target, "example.com:443");
        let browser = parse("GET /a|b?q={x}[1]^\\` HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(browser.unwrap().target, "/a|b?q={x}[1]^\\`");
    }

    #[test]
    fn refuses_targets_outside_the_uri_grammar() {
        for target in [
            "/a\"b",
            "/<script>",
            "/a>b",
            "http:///no-host",
            "http://user@example.com/",
            "ftp://example.com/",
            "example.com:443",
        ] {
            let raw = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
            assert_eq!(status_of(&raw), 400, "{target:?}");
        }
        for target in [
            "/",
            "example.com",
            "example.com:",
            ":443",
            "a/b:443",
            "x:44a",
        ] {
            let raw = format!("CONNECT {target} HTTP/1.1\r\nHost: x\r\n\r\n");
            assert_eq!(status_of(&raw), 400, "CONNECT {target:?}");
        }
    }

    #[test]
    fn takes_a_request_line_apart() {
        let line = RequestLine::parse(b"OPTIONS * HTTP/1.0").unwrap();
        assert_eq!(line.method, "OPTIONS");
        assert_eq!(line.target, "*");
        assert_eq!(line.version, Version::Http10);
        assert_eq!(line.version_text, "HTTP/1.0");
    }
}
