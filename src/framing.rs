//! Framing: where a request's body ends, and whether the connection
//! carries another request after it. HTTP/1.1 has no end-of-message
//! marker, so both follow from the head: `Content-Length` or
//! `Transfer-Encoding: chunked` (RFC 9112, section 6), `Connection` and the
//! version (section 9.3), and `Expect: 100-continue` (RFC 9110, 10.1.1).

use crate::HttpError;
use crate::grammar::{bad_request, is_token};
use crate::head::{Head, Limits};
use crate::request_line::Version;

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
            if self.line.version == Version::Http10 {
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
        match self.line.version {
            Version::Http11 => !connection("close"),
            Version::Http10 => connection("keep-alive") && !connection("close"),
        }
    }

    /// Whether the client waits for `100 Continue` before sending its body.
    /// Any expectation other than `100-continue` gets `417` (RFC 9110,
    /// section 10.1.1); HTTP/1.0 clients' expectations are ignored.
    pub(crate) fn expects_continue(&self) -> Result<bool, HttpError> {
        if self.line.version == Version::Http10 {
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
    use crate::head::testing::parse;

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
