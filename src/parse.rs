//! Reading a request head: the request line and the header lines.
//!
//! ```text
//! POST /messages HTTP/1.1          <- request line: method, target, version
//! Host: localhost:8000             <- header lines: name, colon, value
//! Content-Length: 11
//!                                  <- an empty line ends the head
//! message=Hi                       <- the body (read later, see body.rs)
//! ```
//!
//! The grammar comes from RFC 9112. The parser accepts what the grammar
//! allows and refuses everything else with a `400 Bad Request` (or a more
//! precise 4xx/5xx), so a strange request can never be understood in two
//! ways. Where the RFC lets a server choose between strict and lenient, this
//! one is strict: a line must end with `\r\n`, not a bare `\n` (section
//! 2.2 only *allows* accepting that), because a server and a proxy in front
//! of it that disagree about where a line ends can be fooled into reading
//! two different requests. (Typing a request by hand? Use `nc -C`, which
//! sends `\r\n`.)

use std::io::{self, BufRead};

use crate::{Headers, HttpError};

/// How much a client may send before it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Longest request line, in bytes (longer: `414 URI Too Long`).
    pub request_line: usize,
    /// Longest header line, in bytes (longer: `431`).
    pub header_line: usize,
    /// Most header lines in one request (more: `431`).
    pub header_count: usize,
    /// Most bytes in all header lines together (more: `431`).
    pub header_bytes: usize,
    /// Largest request body, in bytes (larger: `413 Content Too Large`).
    pub body: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_line: 8 * 1024,
            header_line: 8 * 1024,
            header_count: 100,
            header_bytes: 64 * 1024,
            body: 1024 * 1024,
        }
    }
}

/// Empty lines ignored before a request line (RFC 9112, section 2.2: some
/// clients send a stray CRLF after a body).
const MAX_LEADING_EMPTY_LINES: usize = 4;

/// The HTTP version of a request. HTTP/1.0 and 1.1 differ in their defaults:
/// a 1.1 connection stays open unless told to close, a 1.0 one the opposite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    Http10,
    Http11,
}

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Head {
    pub method: String,
    pub target: String,
    pub version: Version,
    /// The version exactly as sent, such as `HTTP/1.1`.
    pub version_text: String,
    pub headers: Headers,
}

/// How the body of a request is delimited (RFC 9112, section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body at all.
    Empty,
    /// `Content-Length: n`: exactly n bytes follow the head.
    Length(u64),
    /// `Transfer-Encoding: chunked`: a series of sized chunks.
    Chunked,
}

/// Why reading a head stopped.
#[derive(Debug)]
pub(crate) enum HeadError {
    /// The request is not acceptable; answer with this status and close.
    Invalid(HttpError),
    /// The connection ended, failed or timed out.
    Io(io::Error),
}

impl From<io::Error> for HeadError {
    fn from(error: io::Error) -> HeadError {
        HeadError::Io(error)
    }
}

impl From<HttpError> for HeadError {
    fn from(error: HttpError) -> HeadError {
        HeadError::Invalid(error)
    }
}

fn bad_request(message: &str) -> HttpError {
    HttpError::new(400, message)
}

/// Reads a request head. `request_line` receives the raw first line, even
/// when it turns out to be invalid, so that it can be logged.
pub(crate) fn read_head<R: BufRead>(
    reader: &mut R,
    limits: &Limits,
    request_line: &mut Vec<u8>,
) -> Result<Head, HeadError> {
    let mut leading_empty_lines = 0;
    loop {
        match read_line(reader, limits.request_line, request_line)? {
            Line::Complete if request_line.is_empty() => {
                leading_empty_lines += 1;
                if leading_empty_lines > MAX_LEADING_EMPTY_LINES {
                    return Err(bad_request("too many empty lines before the request line").into());
                }
            }
            Line::Complete => break,
            Line::TooLong => return Err(HttpError::new(414, "the request line is too long").into()),
            Line::Ended if request_line.is_empty() => {
                return Err(HeadError::Io(io::ErrorKind::UnexpectedEof.into()));
            }
            Line::Ended => return Err(bad_request("the request ended before its head did").into()),
        }
    }
    let (method, target, version, version_text) = parse_request_line(request_line)?;

    let mut headers = Headers::new();
    let mut header_bytes = 0;
    let mut line = Vec::new();
    loop {
        match read_line(reader, limits.header_line, &mut line)? {
            Line::Complete if line.is_empty() => break,
            Line::Complete => {
                header_bytes += line.len();
                if headers.len() == limits.header_count {
                    return Err(HttpError::new(431, "too many header lines").into());
                }
                if header_bytes > limits.header_bytes {
                    return Err(HttpError::new(431, "the header lines are too large").into());
                }
                let (name, value) = parse_field_line(&line)?;
                headers.push(name, value);
            }
            Line::TooLong => return Err(HttpError::new(431, "a header line is too long").into()),
            Line::Ended => return Err(bad_request("the request ended before its head did").into()),
        }
    }
    check_host(version, &headers)?;
    Ok(Head {
        method,
        target,
        version,
        version_text,
        headers,
    })
}

/// How a call to `read_line` ended.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// A whole line, without its line ending.
    Complete,
    /// The connection ended first (the line holds what came).
    Ended,
    /// The line is longer than allowed.
    TooLong,
}

/// Reads one line that ends in `\r\n` into `line`, without the ending. A
/// `\r` or `\n` anywhere else is refused (RFC 9112, section 2.2).
fn read_line<R: BufRead>(
    reader: &mut R,
    limit: usize,
    line: &mut Vec<u8>,
) -> Result<Line, HeadError> {
    line.clear();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(Line::Ended);
        }
        let (piece, found_end) = match available.iter().position(|&byte| byte == b'\n') {
            Some(end) => (&available[..end], true),
            None => (available, false),
        };
        if line.len() + piece.len() > limit {
            return Ok(Line::TooLong);
        }
        line.extend_from_slice(piece);
        let used = piece.len() + usize::from(found_end);
        reader.consume(used);
        if found_end {
            // Look before taking the CR off: with a bare LF the last byte is
            // part of the line, and the log must show it.
            if line.last() != Some(&b'\r') {
                return Err(bad_request(
                    "a line ends with a bare LF: HTTP lines end with CR LF (with nc, use nc -C)",
                )
                .into());
            }
            line.pop();
            if line.contains(&b'\r') {
                return Err(bad_request("a line contains a bare CR (carriage return)").into());
            }
            return Ok(Line::Complete);
        }
    }
}

/// A `tchar`: the characters allowed in methods, header names and other
/// tokens (RFC 9110, section 5.6.2).
fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&byte| is_token_char(byte))
}

/// `method SP request-target SP HTTP-version`, with exactly one space
/// between the parts.
fn parse_request_line(line: &[u8]) -> Result<(String, String, Version, String), HttpError> {
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
    Ok((text(method), target, parsed_version, text(version)))
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
/// ``[ ] { } | ^ \ ` ``. The URI grammar forbids those, but browsers send
/// them unescaped in a query (the WHATWG URL standard leaves them alone), so
/// refusing them would refuse real browsers. What browsers always escape
/// (space, `"`, `<`, `>`, controls, non-ASCII) is refused.
fn is_target_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%[]{}|^\\`".contains(&byte)
}

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

/// `name: value`, where the name is a token right up to the colon and the
/// value is visible characters, spaces and tabs (RFC 9112, section 5). Used
/// for header lines and for the trailer lines of a chunked body.
pub(crate) fn parse_field_line(line: &[u8]) -> Result<(String, String), HttpError> {
    // A line that starts with whitespace continues the previous one ("obs-fold",
    // RFC 9112, section 5.2); a server must refuse it or unfold it. Refusing
    // is the choice that cannot be misread.
    if let Some(b' ' | b'\t') = line.first() {
        return Err(bad_request(
            "a header line starts with whitespace (obsolete line folding is not accepted)",
        ));
    }
    let Some(colon) = line.iter().position(|&byte| byte == b':') else {
        return Err(bad_request("a header line has no colon"));
    };
    let name = &line[..colon];
    if !is_token(name) {
        return Err(bad_request(
            "a header name is not a valid token (no spaces before the colon)",
        ));
    }
    let value = trim_whitespace(&line[colon + 1..]);
    if let Some(bad) = value
        .iter()
        .find(|&&byte| byte != b'\t' && (byte < b' ' || byte == 0x7f))
    {
        let message = format!("a header value contains the control character 0x{bad:02x}");
        return Err(bad_request(&message));
    }
    Ok((
        String::from_utf8_lossy(name).into_owned(),
        String::from_utf8_lossy(value).into_owned(),
    ))
}

/// Removes the spaces and tabs around a value. Only those two: HTTP's
/// "optional whitespace" is nothing else (RFC 9110, section 5.6.3), and a
/// form feed or vertical tab at the end of a value is a control character
/// to refuse, not to trim away.
fn trim_whitespace(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// HTTP/1.1 requests must name the host they are for, exactly once (RFC 9112,
/// section 3.2).
fn check_host(version: Version, headers: &Headers) -> Result<(), HttpError> {
    let mut hosts = headers.get_all("Host");
    match (hosts.next(), hosts.next()) {
        (None, _) if version == Version::Http11 => {
            Err(bad_request("an HTTP/1.1 request must have a Host header"))
        }
        (Some(_), Some(_)) => Err(bad_request("the request has more than one Host header")),
        (Some(host), None) if !host.bytes().all(is_host_char) => {
            Err(bad_request("the Host header is not a valid host name"))
        }
        _ => Ok(()),
    }
}

/// Characters of `host[:port]`, including IPv6 literals like `[::1]:8000`.
fn is_host_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]%".contains(&byte)
}

impl Head {
    /// Works out how the body is delimited, refusing every ambiguous case
    /// (RFC 9112, section 6.3): a request whose body length could be read in
    /// two ways is how request smuggling starts.
    pub(crate) fn framing(&self, limits: &Limits) -> Result<Framing, HttpError> {
        let mut lengths = self.headers.get_all("Content-Length");
        let length = lengths.next();
        if lengths.next().is_some() {
            return Err(bad_request("the request has more than one Content-Length"));
        }
        if self.headers.contains("Transfer-Encoding") {
            if length.is_some() {
                return Err(bad_request(
                    "the request has both Content-Length and Transfer-Encoding",
                ));
            }
            if self.version == Version::Http10 {
                return Err(bad_request(
                    "HTTP/1.0 requests cannot use Transfer-Encoding",
                ));
            }
            return self.transfer_coding();
        }
        let Some(length) = length else {
            return Ok(Framing::Empty);
        };
        if length.is_empty() || !length.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(bad_request(
                "Content-Length must be a number of bytes, like 42",
            ));
        }
        match length.parse::<u64>() {
            Ok(0) => Ok(Framing::Empty),
            Ok(length) if length <= limits.body => Ok(Framing::Length(length)),
            _ => Err(HttpError::new(
                413,
                format!("the body may be at most {} bytes", limits.body),
            )),
        }
    }

    /// Only `chunked` is understood, and it must come last.
    fn transfer_coding(&self) -> Result<Framing, HttpError> {
        let codings: Vec<&str> = self
            .headers
            .get_all("Transfer-Encoding")
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|coding| !coding.is_empty())
            .collect();
        let names = codings
            .iter()
            .map(|coding| coding.split(';').next().unwrap_or("").trim());
        if codings.is_empty() || names.clone().any(|name| !is_token(name.as_bytes())) {
            return Err(bad_request("the Transfer-Encoding header is malformed"));
        }
        let chunked = names
            .clone()
            .filter(|name| name.eq_ignore_ascii_case("chunked"))
            .count();
        let last_is_chunked = codings
            .last()
            .is_some_and(|last| last.eq_ignore_ascii_case("chunked"));
        if chunked != 1 || !last_is_chunked {
            return Err(bad_request(
                "Transfer-Encoding must end with chunked, exactly once",
            ));
        }
        if codings.len() > 1 {
            return Err(HttpError::new(
                501,
                "this server understands only the chunked transfer coding",
            ));
        }
        Ok(Framing::Chunked)
    }

    /// Whether the connection may stay open after this request.
    pub(crate) fn wants_keep_alive(&self) -> bool {
        let connection = |token| self.headers.has_token("Connection", token);
        match self.version {
            Version::Http11 => !connection("close"),
            Version::Http10 => connection("keep-alive") && !connection("close"),
        }
    }

    /// Whether the client waits for `100 Continue` before sending its body.
    /// Any expectation other than `100-continue` gets `417` (RFC 9110,
    /// section 10.1.1); HTTP/1.0 clients' expectations are ignored.
    pub(crate) fn expects_continue(&self) -> Result<bool, HttpError> {
        if self.version == Version::Http10 {
            return Ok(false);
        }
        let mut expects_continue = false;
        for expectation in self.headers.get_all("Expect") {
            if expectation.eq_ignore_ascii_case("100-continue") {
                expects_continue = true;
            } else {
                return Err(HttpError::new(
                    417,
                    "the only expectation understood is 100-continue",
                ));
            }
        }
        Ok(expects_continue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Head, HttpError> {
        let mut line = Vec::new();
        match read_head(&mut raw.as_bytes(), &Limits::default(), &mut line) {
            Ok(head) => Ok(head),
            Err(HeadError::Invalid(error)) => Err(error),
            Err(HeadError::Io(error)) => Err(HttpError::new(0, error.to_string())),
        }
    }

    fn status_of(raw: &str) -> u16 {
        match parse(raw) {
            Ok(_) => 0,
            Err(error) => error.status(),
        }
    }

    #[test]
    fn parses_a_simple_request() {
        let head = parse("GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\n").unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/a?b=c");
        assert_eq!(head.version, Version::Http11);
        assert_eq!(head.version_text, "HTTP/1.1");
        assert_eq!(head.headers.get("accept"), Some("*/*"));
    }

    #[test]
    fn accepts_leading_empty_lines() {
        assert!(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").is_ok());
    }

    #[test]
    fn refuses_a_bare_lf_anywhere_in_the_head() {
        for raw in [
            "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\n\n",
            "GET / HTTP/1.1\nHost: x\n\n",
        ] {
            assert_eq!(status_of(raw), 400, "{raw:?}");
        }
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
    fn trims_only_spaces_and_tabs_around_a_value() {
        let head = parse("GET / HTTP/1.1\r\nHost: x\r\nX: \t a b \t\r\n\r\n").unwrap();
        assert_eq!(head.headers.get("x"), Some("a b"));
        assert_eq!(
            status_of("GET / HTTP/1.1\r\nHost: x\r\nX: a\x0c\r\n\r\n"),
            400
        );
        assert_eq!(
            status_of("GET / HTTP/1.1\r\nHost: x\r\nX: \x0ba\r\n\r\n"),
            400
        );
    }

    #[test]
    fn refuses_malformed_header_lines() {
        for header in [
            "NoColon",
            "Space : before",
            " folded: line",
            "\tfolded: line",
            ": no name",
            "Bad\u{e9}Name: x",
            "Nul: a\0b",
            "Escape: a\x1bb",
            "Del: a\x7fb",
            "CR: a\rb",
        ] {
            let raw = format!("GET / HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n");
            assert_eq!(status_of(&raw), 400, "{header:?}");
        }
    }

    #[test]
    fn keeps_non_ascii_header_values_as_obs_text() {
        let head = parse("GET / HTTP/1.1\r\nHost: x\r\nX-Name: Ren\u{e9}\r\n\r\n").unwrap();
        assert_eq!(head.headers.get("x-name"), Some("Ren\u{e9}"));
    }

    #[test]
    fn enforces_the_size_limits() {
        let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(9000));
        assert_eq!(status_of(&long_target), 414);
        let long_header = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
            "a".repeat(9000)
        );
        assert_eq!(status_of(&long_header), 431);
        let many: String = (0..101).map(|n| format!("X-{n}: y\r\n")).collect();
        assert_eq!(
            status_of(&format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n")),
            431
        );
        let big: String = (0..20)
            .map(|n| format!("X-{n}: {}\r\n", "b".repeat(4000)))
            .collect();
        assert_eq!(
            status_of(&format!("GET / HTTP/1.1\r\nHost: x\r\n{big}\r\n")),
            431
        );
        assert_eq!(status_of(&"\r\n".repeat(10)), 400);
    }

    #[test]
    fn the_limits_are_exact_to_the_byte() {
        let limits = Limits {
            request_line: 30,
            header_line: 20,
            header_count: 3,
            header_bytes: 50,
            body: 10,
        };
        let status = |raw: &str| {
            let mut line = Vec::new();
            match read_head(&mut raw.as_bytes(), &limits, &mut line) {
                Ok(_) => 0,
                Err(HeadError::Invalid(error)) => error.status(),
                Err(HeadError::Io(_)) => 1,
            }
        };
        // The limits count every byte of a line but its final \n.
        let target = |length: usize| format!("/{}", "a".repeat(length - "GET / HTTP/1.1\r".len()));
        assert_eq!(
            status(&format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", target(30))),
            0
        );
        assert_eq!(
            status(&format!("GET {} HTTP/1.1\r\nHost: x\r\n\r\n", target(31))),
            414
        );
        let header = |length: usize| format!("X: {}\r\n", "b".repeat(length - "X: \r".len()));
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", header(20))),
            0
        );
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: x\r\n{}\r\n", header(21))),
            431
        );
        assert_eq!(
            status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n"),
            0
        );
        assert_eq!(
            status("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
            431
        );
        // Header bytes count the lines without their \r\n: 19 + 19 + 12 = 50.
        let host = format!("Host: {}", "h".repeat(13));
        let x = format!("X: {}", "x".repeat(16));
        let fifty = format!("GET / HTTP/1.1\r\n{host}\r\n{x}\r\nY: 123456789\r\n\r\n");
        assert_eq!(status(&fifty), 0);
        let fifty_one = fifty.replace("Y: 1", "Y: 01");
        assert_eq!(status(&fifty_one), 431);
    }

    #[test]
    fn requires_exactly_one_valid_host_in_http_1_1() {
        assert_eq!(status_of("GET / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(
            status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            400
        );
        assert_eq!(status_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
        assert_eq!(status_of("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), 400);
        assert!(parse("GET / HTTP/1.0\r\n\r\n").is_ok());
        assert!(parse("GET / HTTP/1.1\r\nHost: [::1]:8000\r\n\r\n").is_ok());
    }

    #[test]
    fn a_head_cut_short_is_a_bad_request_but_silence_is_not() {
        assert_eq!(status_of("GET / HTTP/1.1\r\nHost: x\r\n"), 400);
        assert_eq!(status_of("GET / HT"), 400);
        assert_eq!(status_of(""), 0, "an empty connection is just closed");
    }

    fn framing_of(headers: &str) -> Result<Framing, u16> {
        let head = parse(&format!("POST / HTTP/1.1\r\nHost: x\r\n{headers}\r\n")).unwrap();
        head.framing(&Limits::default())
            .map_err(|error| error.status())
    }

    #[test]
    fn works_out_the_body_framing() {
        assert_eq!(framing_of(""), Ok(Framing::Empty));
        assert_eq!(framing_of("Content-Length: 0\r\n"), Ok(Framing::Empty));
        assert_eq!(
            framing_of("Content-Length: 42\r\n"),
            Ok(Framing::Length(42))
        );
        assert_eq!(
            framing_of("Transfer-Encoding: chunked\r\n"),
            Ok(Framing::Chunked)
        );
        assert_eq!(
            framing_of("Transfer-Encoding: ChunKed\r\n"),
            Ok(Framing::Chunked)
        );
    }

    #[test]
    fn refuses_ambiguous_or_bad_lengths() {
        for (headers, status) in [
            ("Content-Length: -1\r\n", 400),
            ("Content-Length: +5\r\n", 400),
            ("Content-Length: 0x10\r\n", 400),
            ("Content-Length: \r\n", 400),
            ("Content-Length: 1 2\r\n", 400),
            ("Content-Length: 5, 5\r\n", 400),
            ("Content-Length: 5\r\nContent-Length: 5\r\n", 400),
            ("Content-Length: 5\r\nContent-Length: 6\r\n", 400),
            ("Content-Length: 99999999999999999999999\r\n", 413),
            ("Content-Length: 10485760\r\n", 413),
            ("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
            ("Transfer-Encoding: gzip\r\n", 400),
            ("Transfer-Encoding: chunked, gzip\r\n", 400),
            ("Transfer-Encoding: chunked, chunked\r\n", 400),
            ("Transfer-Encoding: gzip, chunked\r\n", 501),
            ("Transfer-Encoding: \r\n", 400),
            ("Transfer-Encoding: ch@nked\r\n", 400),
        ] {
            assert_eq!(framing_of(headers), Err(status), "{headers:?}");
        }
        let old = parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
        assert_eq!(
            old.framing(&Limits::default()).map_err(|e| e.status()),
            Err(400)
        );
    }

    #[test]
    fn decides_keep_alive_by_version_and_connection_header() {
        let keep = |raw: &str| parse(raw).unwrap().wants_keep_alive();
        assert!(keep("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(!keep(
            "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        ));
        assert!(!keep("GET / HTTP/1.0\r\n\r\n"));
        assert!(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    }

    #[test]
    fn understands_only_the_100_continue_expectation() {
        let expects = |value: &str| {
            let raw = format!("POST / HTTP/1.1\r\nHost: x\r\nExpect: {value}\r\n\r\n");
            parse(&raw)
                .unwrap()
                .expects_continue()
                .map_err(|error| error.status())
        };
        assert_eq!(expects("100-continue"), Ok(true));
        assert_eq!(expects("100-Continue"), Ok(true));
        assert_eq!(expects("teapot"), Err(417));
    }
}
