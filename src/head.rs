//! Reading a request head: its lines, one by one, and the header lines.
//!
//! ```text
//! POST /messages HTTP/1.1          <- request line: method, target, version
//! Host: localhost:8000             <- header lines: name, colon, value
//! Content-Length: 11
//!                                  <- an empty line ends the head
//! message=Hi                       <- the body (read later, see body.rs)
//! ```
//!
//! The request line is taken apart in `request_line.rs`; which bytes each
//! part may hold (tokens, field values, host names) is in `grammar.rs`;
//! what the headers say about the body and the connection, in `framing.rs`.
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

use crate::grammar::{bad_request, is_host_char, parse_field_line};
use crate::request_line::{RequestLine, Version};
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

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Head {
    pub line: RequestLine,
    pub headers: Headers,
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
    let first = RequestLine::parse(request_line)?;

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
    check_host(first.version, &headers)?;
    Ok(Head {
        line: first,
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

/// For the parser's tests (here, in `request_line.rs` and in
/// `framing.rs`): a head read from text, or the status of its error.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// The head of `raw`, or the error it gets (status 0 for an I/O error).
    pub(crate) fn parse(raw: &str) -> Result<Head, HttpError> {
        let mut line = Vec::new();
        match read_head(&mut raw.as_bytes(), &Limits::default(), &mut line) {
            Ok(head) => Ok(head),
            Err(HeadError::Invalid(error)) => Err(error),
            Err(HeadError::Io(error)) => Err(HttpError::new(0, error.to_string())),
        }
    }

    /// The status `raw` is refused with, or 0 when it is accepted.
    pub(crate) fn status_of(raw: &str) -> u16 {
        match parse(raw) {
            Ok(_) => 0,
            Err(error) => error.status(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) use testing::{parse, status_of};

    #[test]
    fn parses_a_simple_request() {
        let head = parse("GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\n").unwrap();
        assert_eq!(head.line.method, "GET");
        assert_eq!(head.line.target, "/a?b=c");
        assert_eq!(head.line.version, Version::Http11);
        assert_eq!(head.line.version_text, "HTTP/1.1");
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
}
