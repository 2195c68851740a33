//! What the integration tests share: a raw TCP client that reads responses
//! strictly, so that a framing mistake in the server (a missing length, a
//! body too long, a stray line break) fails a test instead of being tidied
//! away, as a client library would.
//!
//! Every read has a timeout, so no test can hang on a silent server.

#![allow(dead_code)] // each test file uses a different part of it

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// How long a client waits for the server before calling it a failure. Far
/// longer than any answer takes; it only stops a broken test from hanging.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// A complete `GET` for `path`.
pub fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n")
}

/// Bytes as a readable string: `\r\n` and other control bytes escaped, as
/// `printf` would take them. Long input is shortened.
pub fn show(bytes: &[u8]) -> String {
    let shown: String = bytes
        .iter()
        .take(300)
        .flat_map(|&byte| std::ascii::escape_default(byte))
        .map(char::from)
        .collect();
    if bytes.len() > 300 {
        format!("{shown}... ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// One response as it arrived.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The value of the header `name` (any case); the test fails if it
    /// appears more than once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str());
        let first = values.next();
        assert!(values.next().is_none(), "{name} sent twice: {self:?}");
        first
    }

    /// Whether the server announced that it closes the connection.
    pub fn closes(&self) -> bool {
        self.header("Connection")
            .is_some_and(|value| value.eq_ignore_ascii_case("close"))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One connection to the server under test.
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    /// Connects, with [`PATIENCE`] for every read.
    pub fn connect(address: SocketAddr) -> Client {
        Client::connect_with_patience(address, PATIENCE)
    }

    /// Connects, waiting at most `patience` for the connection and for
    /// every read.
    pub fn connect_with_patience(address: SocketAddr, patience: Duration) -> Client {
        let stream = TcpStream::connect_timeout(&address, patience)
            .unwrap_or_else(|error| panic!("cannot connect to {address}: {error}"));
        stream.set_read_timeout(Some(patience)).unwrap();
        stream.set_write_timeout(Some(patience)).unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    pub fn stream(&self) -> &TcpStream {
        self.reader.get_ref()
    }

    /// Sends bytes exactly as given.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        self.reader.get_mut().write_all(bytes.as_ref())
    }

    /// Closes the sending side: "no more bytes are coming".
    pub fn half_close(&mut self) {
        let _ = self.reader.get_ref().shutdown(Shutdown::Write);
    }

    /// Sends a request and reads the response.
    pub fn exchange(&mut self, request: impl AsRef<[u8]>) -> Result<Reply, String> {
        self.send(request)
            .map_err(|error| format!("cannot send: {error}"))?;
        self.response()
    }

    /// Reads one response (an interim `1xx` counts as one).
    pub fn response(&mut self) -> Result<Reply, String> {
        read_response(&mut self.reader, false)
    }

    /// Reads the response to a `HEAD`, which has no body.
    pub fn response_to_head(&mut self) -> Result<Reply, String> {
        read_response(&mut self.reader, true)
    }

    /// Checks that the server closed the connection and sent nothing more.
    pub fn expect_closed(&mut self) -> Result<(), String> {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) if rest.is_empty() => Ok(()),
            Ok(_) => Err(format!("bytes after the last response: {}", show(&rest))),
            Err(error) if is_timeout(&error) => Err(format!(
                "the connection stayed open ({} s without a close)",
                PATIENCE.as_secs()
            )),
            Err(error) => Err(format!("the connection broke instead of closing: {error}")),
        }
    }
}

pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Reads one line ending in CRLF, without the ending.
fn read_line(reader: &mut impl BufRead, what: &str) -> Result<String, String> {
    let mut line = Vec::new();
    let read = reader.by_ref().take(16 * 1024).read_until(b'\n', &mut line);
    match read {
        Ok(0) => return Err(format!("the connection closed before {what}")),
        Ok(_) => {}
        Err(error) if is_timeout(&error) => return Err(format!("no {what} arrived in time")),
        Err(error) => return Err(format!("reading {what}: {error}")),
    }
    let Some(text) = line.strip_suffix(b"\r\n") else {
        return Err(format!("{what} does not end in CRLF: {}", show(&line)));
    };
    if text
        .iter()
        .any(|&byte| byte == b'\r' || byte == b'\n' || byte == 0)
    {
        return Err(format!("{what} holds a line break or NUL: {}", show(&line)));
    }
    String::from_utf8(text.to_vec()).map_err(|_| format!("{what} is not UTF-8: {}", show(&line)))
}

/// Reads one response and checks its form: `HTTP/1.1 NNN Reason`, header
/// lines `Name: value` with a token for a name, the `Date`, `Server` and
/// (unless the status forbids a body) `Content-Length` headers the server
/// promises, and exactly `Content-Length` bytes of body.
pub fn read_response(reader: &mut impl BufRead, to_head: bool) -> Result<Reply, String> {
    let status_line = read_line(reader, "a status line")?;
    let status = parse_status_line(&status_line)?;
    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, "a header line")?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(": ") else {
            return Err(format!("malformed header line {line:?}"));
        };
        let is_token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(is_token_char) {
            return Err(format!("header name {name:?} is not a token"));
        }
        if headers.len() == 100 {
            return Err("more than 100 header lines".into());
        }
        headers.push((name.to_owned(), value.to_owned()));
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    if status < 200 {
        return if reply.headers.is_empty() {
            Ok(reply)
        } else {
            Err(format!("an interim {status} with headers: {reply:?}"))
        };
    }
    for required in ["Date", "Server"] {
        if reply.header(required).is_none() {
            return Err(format!("no {required} header: {reply:?}"));
        }
    }
    if reply.header("Transfer-Encoding").is_some() {
        return Err(format!("unexpected Transfer-Encoding: {reply:?}"));
    }
    let length = reply.header("Content-Length");
    if status == 204 || status == 304 {
        return match length {
            Some(_) if status == 204 => Err(format!("a 204 with a Content-Length: {reply:?}")),
            _ => Ok(reply),
        };
    }
    let Some(length) = length else {
        return Err(format!("no Content-Length: {reply:?}"));
    };
    let length: usize = match length.parse() {
        Ok(number) if length.bytes().all(|byte| byte.is_ascii_digit()) => number,
        _ => return Err(format!("bad Content-Length {length:?}")),
    };
    if to_head {
        return Ok(reply);
    }
    reply.body = vec![0; length];
    if let Err(error) = reader.read_exact(&mut reply.body) {
        return Err(format!(
            "the body ended early ({error}); Content-Length was {length}"
        ));
    }
    Ok(reply)
}

fn parse_status_line(line: &str) -> Result<u16, String> {
    let bad = || format!("malformed status line {line:?}");
    let rest = line.strip_prefix("HTTP/1.1 ").ok_or_else(bad)?;
    let (code, reason) = rest.split_once(' ').ok_or_else(bad)?;
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if reason.is_empty() || !reason.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
        return Err(bad());
    }
    let code: u16 = code.parse().map_err(|_| bad())?;
    if !(100..=599).contains(&code) {
        return Err(bad());
    }
    Ok(code)
}
