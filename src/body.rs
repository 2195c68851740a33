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
use crate::framing::Framing;
use crate::grammar::parse_field_line;

/// Longest chunk-size line (the size may carry extensions we ignore).
const MAX_CHUNK_LINE: usize = 1024;
/// Most trailer lines after the last chunk.
const MAX_TRAILERS: usize = 32;
/// Most hex digits in a chunk size: 16 already make the largest `u64`, and
/// more (leading zeros) would only be a way to send a lot of nothing.
const MAX_CHUNK_SIZE_DIGITS: usize = 16;

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
                    let (size, extensions) = parse_chunk_size(&read_small_line(reader)?)?;
                    // Extensions are ignored, but not free: counting them
                    // against the limit stops a client from sending
                    // megabytes of them around a tiny body.
                    self.total = self.total.saturating_add(size).saturating_add(extensions);
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
                        let line = read_small_line(reader)?;
                        if line.is_empty() {
                            self.state = State::Done;
                            break;
                        }
                        // Trailers are thrown away, but they are header lines
                        // and must be well-formed like any other.
                        parse_field_line(&line).map_err(|error| bad_chunk(error.message()))?;
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

/// Reads a chunk-size or trailer line, which must end in CRLF. A bare LF is
/// refused as it is in the head (see parse.rs): a chunked body whose lines
/// two programs split differently is a classic way to smuggle a request.
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
    if line.pop() != Some(b'\r') {
        return Err(bad_chunk("a line ends with a bare LF instead of CR LF"));
    }
    Ok(line)
}

/// `1a` or `1a;name=value`: a size in hex, then extensions we ignore.
/// Returns the size and how many bytes the extensions took.
fn parse_chunk_size(line: &[u8]) -> Result<(u64, u64), HttpError> {
    let digits_end = line
        .iter()
        .position(|byte| !byte.is_ascii_hexdigit())
        .unwrap_or(line.len());
    let (digits, extensions) = line.split_at(digits_end);
    // Spaces or tabs may come before a `;` (RFC 9112, section 7.1.1), and
    // nowhere else.
    let after_spaces = extensions.trim_ascii_start();
    let well_formed = extensions.is_empty() || after_spaces.first() == Some(&b';');
    if digits.is_empty() || !well_formed {
        return Err(bad_chunk("a chunk size is not a hex number"));
    }
    if extensions
        .iter()
        .any(|&byte| (byte < b' ' && byte != b'\t') || byte == 0x7f)
    {
        return Err(bad_chunk("a chunk extension contains a control character"));
    }
    if digits.len() > MAX_CHUNK_SIZE_DIGITS {
        return Err(bad_chunk("a chunk size is too large"));
    }
    let digits = std::str::from_utf8(digits).unwrap_or_default();
    let size =
        u64::from_str_radix(digits, 16).map_err(|_| bad_chunk("a chunk size is too large"))?;
    Ok((size, extensions.len() as u64))
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
        assert_eq!(parse_chunk_size(b"1A"), Ok((26, 0)));
        assert_eq!(parse_chunk_size(b"0"), Ok((0, 0)));
        assert_eq!(parse_chunk_size(b"10 ; name=value"), Ok((16, 13)));
        assert_eq!(parse_chunk_size(b"0000000000000005"), Ok((5, 0)));
        for bad in [
            &b"0x10"[..],
            b"5 ",
            b"5\tx",
            b"5;a\rb",
            b"5;\x0c",
            b"00000000000000005",
        ] {
            assert!(parse_chunk_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn chunk_lines_must_end_in_crlf() {
        for raw in [
            &b"5\nHello\r\n0\r\n\r\n"[..],
            b"5\r\nHello\n0\r\n\r\n",
            b"5\r\nHello\r\n0\n\r\n",
            b"5\r\nHello\r\n0\r\n\n",
            b"5\r\nHello\r\n0\r\nX: y\n\r\n",
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
    fn trailers_must_be_header_lines() {
        let (body, _) = read_all(Framing::Chunked, b"1\r\na\r\n0\r\nno colon\r\n\r\n");
        assert_eq!(body, Err(400));
    }

    #[test]
    fn chunk_extensions_count_against_the_body_limit() {
        let extensions = format!("1;{e}\r\na\r\n1;{e}\r\na\r\n0\r\n\r\n", e = "e".repeat(600));
        assert_eq!(
            read_all(Framing::Chunked, extensions.as_bytes()).0,
            Err(413)
        );
    }
}
