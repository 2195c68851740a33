//! Reading a request body: exactly as many bytes as the head announced.
//!
//! A connection carries one request after another, so the server must know
//! where a body ends, or it would read the next request as part of this one.
//! There are two ways to say it (RFC 9112, section 6):
//!
//! - `Content-Length: 11`: eleven bytes follow;
//! - `Transfer-Encoding: chunked`: pieces follow, each after its size in
//!   hex on a line of its own, until a piece of size 0:
//!
//! ```text
//! 5\r\n
//! Hello\r\n
//! 0\r\n
//! \r\n
//! ```

use std::io::{self, BufRead, Read};

use crate::HttpError;
use crate::parse::Framing;

/// Longest chunk-size line (the size may carry extensions we ignore).
const MAX_CHUNK_LINE: usize = 1024;
/// Most trailer lines after the last chunk.
const MAX_TRAILERS: usize = 32;

/// Where a body reader stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a `Content-Length` body, or the data of one chunk.
    Data { left: u64, chunked: bool },
    /// At the start of a chunk: its size line comes next.
    ChunkSize,
    /// After the last chunk: trailer lines, up to an empty line.
    Trailers,
    /// The whole body has been read.
    Done,
}

/// Reads one request body from the connection, and no further.
#[derive(Debug)]
pub(crate) struct BodyReader {
    state: State,
    /// Bytes read so far, checked against `limit`.
    total: u64,
    limit: u64,
    /// Set when the body turned out to be broken; the server answers with it.
    failure: Option<HttpError>,
}

impl BodyReader {
    pub(crate) fn new(framing: Framing, limit: u64) -> BodyReader {
        let state = match framing {
            Framing::Empty => State::Done,
            Framing::Length(length) => State::Data {
                left: length,
                chunked: false,
            },
            Framing::Chunked => State::ChunkSize,
        };
        BodyReader {
            state,
            total: 0,
            limit,
            failure: None,
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Bytes still expected, when that is known in advance.
    pub(crate) fn known_remaining(&self) -> Option<u64> {
        match self.state {
            State::Data {
                left,
                chunked: false,
            } => Some(left),
            State::Done => Some(0),
            _ => None,
        }
    }

    pub(crate) fn failure(&self) -> Option<&HttpError> {
        self.failure.as_ref()
    }

    /// Reads body bytes into `buffer`; `Ok(0)` means the body is complete.
    pub(crate) fn read<R: BufRead>(
        &mut self,
        reader: &mut R,
        buffer: &mut [u8],
    ) -> io::Result<usize> {
        if let Some(failure) = &self.failure {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                failure.to_string(),
            ));
        }
        match self.read_inner(reader, buffer) {
            Ok(count) => Ok(count),
            Err(failure) => {
                let error = io::Error::new(io::ErrorKind::InvalidData, failure.to_string());
                self.failure = Some(failure);
                Err(error)
            }
        }
    }

    fn read_inner<R: BufRead>(
        &mut self,
        reader: &mut R,
        buffer: &mut [u8],
    ) -> Result<usize, HttpError> {
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Data {
                    left: 0,
                    chunked: false,
                } => self.state = State::Done,
                State::Data {
                    left: 0,
                    chunked: true,
                } => {
                    // Each chunk's data is followed by a line ending.
                    if !read_small_line(reader)?.is_empty() {
                        return Err(bad_chunk("a chunk is longer than its size says"));
                    }
                    self.state = State::ChunkSize;
                }
                State::Data { left, chunked } => {
                    if buffer.is_empty() {
                        return Ok(0);
                    }
                    let wanted = buffer
                        .len()
                        .min(usize::try_from(left).unwrap_or(usize::MAX));
                    let count = reader.read(&mut buffer[..wanted]).map_err(from_io)?;
                    if count == 0 {
                        return Err(HttpError::new(400, "the body is shorter than announced"));
                    }
                    self.state = State::Data {
                        left: left - count as u64,
                        chunked,
                    };
                    return Ok(count);
                }
                State::ChunkSize => {
                    let size = parse_chunk_size(&read_small_line(reader)?)?;
                    self.total = self.total.saturating_add(size);
                    if self.total > self.limit {
                        let message = format!("the body may be at most {} bytes", self.limit);
                        return Err(HttpError::new(413, message));
                    }
                    self.state = match size {
                        0 => State::Trailers,
                        size => State::Data {
                            left: size,
                            chunked: true,
                        },
                    };
                }
                State::Trailers => {
                    for _ in 0..MAX_TRAILERS {
                        if read_small_line(reader)?.is_empty() {
                            self.state = State::Done;
                            break;
                        }
                    }
                    if self.state != State::Done {
                        return Err(bad_chunk("too many trailer lines"));
                    }
                }
            }
        }
    }
}

fn bad_chunk(message: &str) -> HttpError {
    HttpError::new(400, format!("bad chunked body: {message}"))
}

/// A read that failed because the client was too slow is a `408`; any other
/// failure means the body never fully arrived.
fn from_io(error: io::Error) -> HttpError {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            HttpError::new(408, "the body did not arrive in time")
        }
        _ => HttpError::new(400, "the body is shorter than announced"),
    }
}

/// Reads a chunk-size or trailer line, which must end in CRLF (or LF).
fn read_small_line<R: BufRead>(reader: &mut R) -> Result<Vec<u8>, HttpError> {
    let mut line = Vec::new();
    let mut limited = reader.take(MAX_CHUNK_LINE as u64 + 1);
    limited.read_until(b'\n', &mut line).map_err(from_io)?;
    if line.last() != Some(&b'\n') {
        return Err(if line.len() > MAX_CHUNK_LINE {
            bad_chunk("a chunk line is too long")
        } else {
            HttpError::new(400, "the body is shorter than announced")
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

/// `1a` or `1a;name=value`: a size in hex, then extensions we ignore.
fn parse_chunk_size(line: &[u8]) -> Result<u64, HttpError> {
    let digits_end = line
        .iter()
        .position(|byte| !byte.is_ascii_hexdigit())
        .unwrap_or(line.len());
    let (digits, rest) = line.split_at(digits_end);
    let rest = rest.trim_ascii_start();
    if digits.is_empty() || !(rest.is_empty() || rest[0] == b';') {
        return Err(bad_chunk("a chunk size is not a hex number"));
    }
    if rest.iter().any(|&byte| byte < b' ' && byte != b'\t') {
        return Err(bad_chunk("a chunk extension contains a control character"));
    }
    let digits = std::str::from_utf8(digits).unwrap_or_default();
    u64::from_str_radix(digits, 16).map_err(|_| bad_chunk("a chunk size is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(framing: Framing, raw: &[u8]) -> (Result<Vec<u8>, u16>, usize) {
        let mut reader = raw;
        let mut body = BodyReader::new(framing, 1000);
        let mut out = Vec::new();
        let mut buffer = [0; 7];
        let result = loop {
            match body.read(&mut reader, &mut buffer) {
                Ok(0) => break Ok(out),
                Ok(count) => out.extend_from_slice(&buffer[..count]),
                Err(_) => break Err(body.failure().unwrap().status()),
            }
        };
        (result, reader.len())
    }

    #[test]
    fn reads_exactly_content_length_bytes() {
        let (body, left) = read_all(Framing::Length(5), b"HelloGET / HTTP/1.1");
        assert_eq!(body, Ok(b"Hello".to_vec()));
        assert_eq!(left, 14, "the next request is left unread");
    }

    #[test]
    fn a_short_body_is_a_bad_request() {
        assert_eq!(read_all(Framing::Length(10), b"Hello").0, Err(400));
    }

    #[test]
    fn decodes_chunks_and_trailers() {
        let raw = b"5\r\nHello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\nNEXT";
        let (body, left) = read_all(Framing::Chunked, raw);
        assert_eq!(body, Ok(b"Hello, world".to_vec()));
        assert_eq!(left, 4);
    }

    #[test]
    fn refuses_broken_chunked_bodies() {
        for raw in [
            &b"5\r\nHello, world\r\n0\r\n\r\n"[..],
            b"zz\r\nHello\r\n0\r\n\r\n",
            b"\r\nHello\r\n0\r\n\r\n",
            b"-5\r\nHello\r\n0\r\n\r\n",
            b"5\r\nHello\r\n",
            b"5\r\nHel",
            b"ffffffffffffffffffff\r\n",
        ] {
            assert_eq!(
                read_all(Framing::Chunked, raw).0,
                Err(400),
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn enforces_the_body_limit_on_chunks() {
        assert_eq!(read_all(Framing::Chunked, b"3e9\r\n").0, Err(413));
        let many = b"1f4\r\n"
            .iter()
            .chain(&[b'a'; 500])
            .chain(b"\r\n1f5\r\n")
            .copied()
            .collect::<Vec<_>>();
        assert_eq!(read_all(Framing::Chunked, &many).0, Err(413));
    }

    #[test]
    fn parses_chunk_sizes() {
        assert_eq!(parse_chunk_size(b"1A"), Ok(26));
        assert_eq!(parse_chunk_size(b"0"), Ok(0));
        assert_eq!(parse_chunk_size(b"10 ; name=value"), Ok(16));
        assert!(parse_chunk_size(b"0x10").is_err());
    }
}
