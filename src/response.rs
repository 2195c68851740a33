//! The response a handler writes: a status line, header lines, a blank line,
//! then the body.
//!
//! ```text
//! HTTP/1.1 200 OK                              <- send_response(200)
//! Content-Type: text/plain; charset=utf-8      <- send_header(...)
//! Content-Length: 13                           <- added by the server
//!                                              <- end_headers()
//! Hello, HTTP!                                 <- write_all(b"Hello, HTTP!\n")
//! ```
//!
//! Nothing is sent while the handler runs. The response is kept in memory
//! and sent in one piece when the handler returns, which lets the server
//! fill in `Content-Length`, drop the body of a `HEAD` answer, and still
//! answer `500` if the handler fails halfway through.
//!
//! A large body (a file) need not fit in memory: `send_body_from` gives the
//! server a reader and a length, and the server copies from the reader to
//! the connection through a small buffer once the handler returns.

use std::fmt;
use std::io::{self, Read, Write};

use crate::grammar::{is_field_value_byte, is_token};
use crate::reason_phrase;
use crate::status::forbids_body;

/// A body sent from a reader, such as a file.
pub(crate) struct Streamed {
    pub(crate) source: Box<dyn Read + Send>,
    pub(crate) length: u64,
}

impl fmt::Debug for Streamed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Streamed")
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// A response under construction, in the order HTTP sends it.
///
/// Call [`send_response`](Response::send_response) with a status code, then
/// [`send_header`](Response::send_header) for each header, then
/// [`end_headers`](Response::end_headers), then write the body with the
/// [`Write`] methods (`write_all`, `write!`). These are the steps, and the
/// names, of Python's `BaseHTTPRequestHandler`.
///
/// A step out of order (a header after the body, a body before
/// `end_headers`) or a header that would break the response (a line break
/// in a value) is a bug in the handler: the server does not send what it
/// got, but a `500 Internal Server Error` that names the mistake, and it
/// logs the same words for you.
///
/// ```
/// use http_server::Response;
/// use std::io::Write;
///
/// let mut response = Response::new();
/// response.send_response(200);
/// response.send_header("Content-Type", "text/plain; charset=utf-8");
/// response.end_headers();
/// response.write_all("Hello, HTTP!\n".as_bytes())?;
///
/// assert_eq!(response.status(), Some(200));
/// assert_eq!(response.header("content-type"), Some("text/plain; charset=utf-8"));
/// assert_eq!(response.body(), b"Hello, HTTP!\n");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct Response {
    pub(crate) status: Option<u16>,
    /// The status line and header lines, exactly as they will be sent.
    pub(crate) head: Vec<u8>,
    pub(crate) headers_ended: bool,
    pub(crate) body: Vec<u8>,
    /// A body to copy from a reader, instead of `body`.
    pub(crate) streamed: Option<Streamed>,
    /// A `Content-Length` the handler set itself.
    pub(crate) content_length: Option<u64>,
    pub(crate) has_date: bool,
    pub(crate) has_server: bool,
    /// The handler asked to close the connection (`Connection: close`).
    pub(crate) closes: bool,
    /// The first thing the handler did wrong, if anything.
    pub(crate) mistake: Option<String>,
}

impl Response {
    /// An empty response: no status yet, no headers, no body. The server
    /// makes one for each request; you need this only in tests.
    ///
    /// ```
    /// assert_eq!(http_server::Response::new().status(), None);
    /// ```
    pub fn new() -> Response {
        Response::default()
    }

    /// Starts the response with a status line, such as `HTTP/1.1 200 OK`.
    ///
    /// ```
    /// let mut response = http_server::Response::new();
    /// response.send_response(404);
    /// assert_eq!(response.status(), Some(404));
    /// ```
    pub fn send_response(&mut self, code: u16) {
        if self.status.is_some() {
            return self.mistake("send_response() was called twice");
        }
        if !(200..=599).contains(&code) {
            return self.mistake(&format!(
                "send_response({code}): a final status code is a number from 200 to 599"
            ));
        }
        self.status = Some(code);
        self.head.reserve(128);
        let _ = write!(self.head, "HTTP/1.1 {code} ");
        self.head.extend_from_slice(reason_phrase(code).as_bytes());
        self.head.extend_from_slice(b"\r\n");
    }

    /// Adds a header line, `name: value`.
    ///
    /// The server adds `Content-Length`, `Date`, `Server` and, when needed,
    /// `Connection` itself, unless the handler sent them. A name that is not
    /// a valid token, or a value with a line break or another control
    /// character, is refused: a line break would let the value end the
    /// header early and add lines of its own ("response splitting").
    ///
    /// ```
    /// let mut response = http_server::Response::new();
    /// response.send_response(303);
    /// response.send_header("Location", "/");
    /// assert_eq!(response.header("Location"), Some("/"));
    /// ```
    pub fn send_header(&mut self, name: &str, value: &str) {
        if self.status.is_none() {
            return self.mistake(&format!(
                "send_header(\"{name}\", ...) came before send_response(): the status line goes first"
            ));
        }
        if self.headers_ended {
            return self.mistake(&format!(
                "send_header(\"{name}\", ...) came after end_headers(): headers go before the blank line"
            ));
        }
        if !is_token(name.as_bytes()) {
            return self.mistake(&format!(
                "send_header: {name:?} is not a valid header name (letters, digits and -, no spaces)"
            ));
        }
        if !value.bytes().all(is_field_value_byte) {
            return self.mistake(&format!(
                "send_header(\"{name}\", {value:?}): a header value may not contain a line break or control character (it would split the response), so it was not sent"
            ));
        }
        if name.eq_ignore_ascii_case("Content-Length") {
            // Exactly one, and only digits: a client that gets two lengths,
            // or `+5`, cannot tell where this response ends.
            if self.content_length.is_some() {
                return self.mistake("send_header: Content-Length was sent twice");
            }
            match value.parse() {
                Ok(length) if value.bytes().all(|byte| byte.is_ascii_digit()) => {
                    self.content_length = Some(length);
                }
                _ => {
                    return self.mistake(&format!(
                        "send_header: Content-Length {value:?} is not a number of bytes"
                    ));
                }
            }
        } else if name.eq_ignore_ascii_case("Transfer-Encoding") {
            return self.mistake(
                "do not send Transfer-Encoding: the server sends the body in one piece with a Content-Length",
            );
        } else if name.eq_ignore_ascii_case("Connection") {
            self.closes |= value
                .split(',')
                .any(|token| token.trim().eq_ignore_ascii_case("close"));
        } else if name.eq_ignore_ascii_case("Date") {
            self.has_date = true;
        } else if name.eq_ignore_ascii_case("Server") {
            self.has_server = true;
        }
        self.head.extend_from_slice(name.as_bytes());
        self.head.extend_from_slice(b": ");
        self.head.extend_from_slice(value.as_bytes());
        self.head.extend_from_slice(b"\r\n");
    }

    /// Ends the headers (the blank line); what is written next is the body.
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// let mut response = http_server::Response::new();
    /// response.send_response(200);
    /// response.end_headers();
    /// response.write_all(b"body")?;
    /// assert_eq!(response.body(), b"body");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn end_headers(&mut self) {
        if self.status.is_none() {
            return self.mistake("end_headers() came before send_response()");
        }
        if self.headers_ended {
            return self.mistake("end_headers() was called twice");
        }
        self.headers_ended = true;
    }

    /// Sends the body from `source`, which must give exactly `length` bytes:
    /// a file, say, which then never has to fit in memory. The server sets
    /// `Content-Length: length` and, after the handler returns, copies the
    /// body to the client through a 64 KiB buffer. An answer to `HEAD`
    /// sends the length and no body, and `source` is not read.
    ///
    /// Call it after [`end_headers`](Response::end_headers), instead of
    /// writing the body. If `source` ends early, the connection is closed
    /// (the client can tell the body is incomplete) and the log says so.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    ///
    /// struct Download;
    ///
    /// impl Handler for Download {
    ///     fn do_get(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         // In a real server: let file = std::fs::File::open(path)?;
    ///         // and the length from file.metadata()?.len().
    ///         let file = std::io::Cursor::new(vec![b'x'; 100_000]);
    ///         response.send_response(200);
    ///         response.send_header("Content-Type", "application/octet-stream");
    ///         response.end_headers();
    ///         response.send_body_from(file, 100_000);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let got = call(&Download, TestRequest::get("/big"));
    /// assert_eq!(got.header("Content-Length"), Some("100000"));
    /// assert_eq!(got.body().len(), 100_000);
    ///
    /// let head = call(&Download, TestRequest::head("/big"));
    /// assert_eq!(head.header("Content-Length"), Some("100000"));
    /// assert!(head.body().is_empty());
    /// ```
    pub fn send_body_from(&mut self, source: impl Read + Send + 'static, length: u64) {
        if !self.headers_ended {
            return self.mistake("send_body_from() came before end_headers()");
        }
        if !self.body.is_empty() || self.streamed.is_some() {
            return self.mistake("send_body_from(): the response already has a body");
        }
        self.streamed = Some(Streamed {
            source: Box::new(source),
            length,
        });
    }

    /// Adds a `Set-Cookie` header: the browser keeps the cookie and sends
    /// it back on later requests.
    ///
    /// ```
    /// use http_server::{Response, SetCookie};
    ///
    /// let mut response = Response::new();
    /// response.send_response(303);
    /// response.set_cookie(&SetCookie::new("yourname", "Ada").path("/"));
    /// assert_eq!(response.header("Set-Cookie"), Some("yourname=Ada; Path=/"));
    /// ```
    pub fn set_cookie(&mut self, cookie: &crate::SetCookie) {
        self.send_header("Set-Cookie", &cookie.to_string());
    }

    /// Replaces whatever the response holds with a complete error response:
    /// the status, a plain-text body that explains it, and the headers for
    /// that body. Named after Python's `send_error`.
    ///
    /// ```
    /// let mut response = http_server::Response::new();
    /// response.send_error(400, "the form has no 'message' field");
    /// assert_eq!(response.status(), Some(400));
    /// assert_eq!(response.body(), b"400 Bad Request\n\nthe form has no 'message' field\n");
    /// ```
    pub fn send_error(&mut self, code: u16, message: &str) {
        *self = Response::new();
        self.send_response(code);
        self.send_header("Content-Type", "text/plain; charset=utf-8");
        self.end_headers();
        let reason = reason_phrase(code);
        self.body = format!("{code} {reason}\n\n{message}\n").into_bytes();
    }

    /// The status code sent so far, if any.
    ///
    /// ```
    /// assert_eq!(http_server::Response::new().status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The value of the first header called `name` (any case) sent so far.
    ///
    /// ```
    /// let mut response = http_server::Response::new();
    /// response.send_response(200);
    /// response.send_header("Content-Type", "text/html");
    /// assert_eq!(response.header("CONTENT-TYPE"), Some("text/html"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        let head = std::str::from_utf8(&self.head).ok()?;
        head.split("\r\n").skip(1).find_map(|line| {
            let (field, value) = line.split_once(": ")?;
            field.eq_ignore_ascii_case(name).then_some(value)
        })
    }

    /// The body written so far (a body given to
    /// [`send_body_from`](Response::send_body_from) is not in memory, and
    /// not part of it).
    ///
    /// ```
    /// assert!(http_server::Response::new().body().is_empty());
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    fn mistake(&mut self, what: &str) {
        if self.mistake.is_none() {
            self.mistake = Some(what.to_owned());
        }
    }

    /// What is wrong with this response, if it cannot be sent as it is.
    pub(crate) fn problem(&self, head_request: bool) -> Option<String> {
        if let Some(mistake) = &self.mistake {
            return Some(mistake.clone());
        }
        let Some(status) = self.status else {
            return Some("the handler sent no response: call send_response() first".to_owned());
        };
        if !self.headers_ended {
            return Some("the handler never called end_headers()".to_owned());
        }
        if forbids_body(status) && (!self.body.is_empty() || self.streamed.is_some()) {
            return Some(format!("a {status} response cannot have a body"));
        }
        let length = self.body_length();
        match self.content_length {
            Some(declared) if declared != length && !(head_request && length == 0) => {
                Some(format!(
                    "the handler sent Content-Length: {declared} but wrote {length} bytes of body"
                ))
            }
            _ => None,
        }
    }

    pub(crate) fn body_length(&self) -> u64 {
        match &self.streamed {
            Some(streamed) => streamed.length,
            None => self.body.len() as u64,
        }
    }

    /// Whether the handler asked for the connection to be closed.
    pub(crate) fn closes_connection(&self) -> bool {
        self.closes
    }
}

impl Write for Response {
    /// Adds to the body. Writing before [`end_headers`](Response::end_headers)
    /// is a mistake, and fails.
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.streamed.is_some() {
            self.mistake("the body was written after send_body_from()");
            return Err(io::Error::other(
                "the body was written after send_body_from()",
            ));
        }
        if !self.headers_ended {
            self.mistake("the body was written before end_headers()");
            return Err(io::Error::other(
                "the body was written before end_headers()",
            ));
        }
        self.body.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
