//! The request a handler answers: method, path, version, headers and body.

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::net::SocketAddr;

use crate::Headers;
use crate::body::BodyReader;
use crate::head::Head;
use crate::transport::Transport;

/// One HTTP request, as the server read it from the connection.
///
/// The request line and the headers have already been read and checked; the
/// body, if there is one, is still waiting on the connection. Read it with
/// [`read_body`](Request::read_body), or with the [`Read`] methods
/// (`read_exact`, `read_to_end`, ...): they stop at the end of this body, so
/// the next request on the connection is never read by mistake.
///
/// In Python's `http.server` these are the handler's attributes `command`,
/// `path`, `request_version`, `headers` and `rfile`.
///
/// ```
/// use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};
/// use std::io::Write;
///
/// struct Describe;
///
/// impl Handler for Describe {
///     fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
///         let body = request.read_body()?;
///         let text = format!(
///             "{} {} {}, {} bytes from a {}",
///             request.method(),
///             request.path(),
///             request.version(),
///             body.len(),
///             request.headers().get("User-Agent").unwrap_or("mystery client"),
///         );
///         response.send_response(200);
///         response.send_header("Content-Type", "text/plain; charset=utf-8");
///         response.end_headers();
///         response.write_all(text.as_bytes())?;
///         Ok(())
///     }
/// }
///
/// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Describe);
/// let reply = http_server::send_raw(
///     server.address(),
///     b"POST /notes HTTP/1.1\r\nHost: x\r\nUser-Agent: doc-test\r\nContent-Length: 5\r\n\r\nhello",
/// )?;
/// assert!(reply.ends_with("POST /notes HTTP/1.1, 5 bytes from a doc-test"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Request {
    method: String,
    path: String,
    version: String,
    headers: Headers,
    client: SocketAddr,
    body: BodyReader,
    reader: Source,
    /// The client sent `Expect: 100-continue` and waits for our go-ahead
    /// before sending the body; we give it when the handler starts reading.
    continue_pending: bool,
}

/// Where the body comes from: the connection, or memory in a test.
#[derive(Debug)]
pub(crate) enum Source {
    Network(BufReader<Transport>),
    Memory(Cursor<Vec<u8>>),
}

impl Read for Source {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Network(reader) => reader.read(buffer),
            Source::Memory(reader) => reader.read(buffer),
        }
    }
}

impl BufRead for Source {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self {
            Source::Network(reader) => reader.fill_buf(),
            Source::Memory(reader) => reader.fill_buf(),
        }
    }

    fn consume(&mut self, amount: usize) {
        match self {
            Source::Network(reader) => reader.consume(amount),
            Source::Memory(reader) => reader.consume(amount),
        }
    }
}

impl Request {
    pub(crate) fn new(
        head: Head,
        body: BodyReader,
        reader: Source,
        client: SocketAddr,
        expects_continue: bool,
    ) -> Request {
        let continue_pending = expects_continue && !body.is_done();
        Request {
            method: head.line.method,
            path: head.line.target,
            version: head.line.version_text,
            headers: head.headers,
            client,
            body,
            reader,
            continue_pending,
        }
    }

    /// The method, such as `GET` or `POST`. Methods are case-sensitive.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct ShowMethod;
    ///
    /// impl Handler for ShowMethod {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         response.write_all(request.method().as_bytes())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// assert_eq!(call(&ShowMethod, TestRequest::get("/")).body_text(), "GET");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path asked for, with its query string, exactly as it was sent:
    /// `/search?q=caf%C3%A9`. Escapes are not decoded: use
    /// [`percent_decode`](crate::percent_decode) or
    /// [`parse_qs`](crate::parse_qs) for that.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct ShowPath;
    ///
    /// impl Handler for ShowPath {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         response.write_all(request.path().as_bytes())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&ShowPath, TestRequest::get("/search?q=caf%C3%A9"));
    /// assert_eq!(reply.body_text(), "/search?q=caf%C3%A9");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The HTTP version the client speaks, such as `HTTP/1.1`.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};
    /// use std::io::Write;
    ///
    /// struct ShowVersion;
    ///
    /// impl Handler for ShowVersion {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         response.write_all(request.version().as_bytes())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(ShowVersion);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.0\r\n\r\n")?;
    /// assert!(reply.ends_with("\r\n\r\nHTTP/1.0"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The header fields, looked up by name without regard to case.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct Greet;
    ///
    /// impl Handler for Greet {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let agent = request.headers().get("user-agent").unwrap_or("nobody");
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         write!(response, "hello, {agent}")?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&Greet, TestRequest::get("/").header("User-Agent", "doc-test"));
    /// assert_eq!(reply.body_text(), "hello, doc-test");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The address and port of the client that sent the request.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};
    /// use std::io::Write;
    ///
    /// struct WhoAmI;
    ///
    /// impl Handler for WhoAmI {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         write!(response, "you are {}", request.client_address().ip())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(WhoAmI);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.0\r\n\r\n")?;
    /// assert!(reply.ends_with("you are 127.0.0.1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_address(&self) -> SocketAddr {
        self.client
    }

    /// Reads the whole body (all of it, and nothing after it).
    ///
    /// The server has already refused bodies larger than its limit (1 MiB
    /// unless set with [`ThreadingHttpServer::max_body_size`](crate::ThreadingHttpServer::max_body_size)),
    /// so this cannot grow without bound. If the client sends less than it
    /// announced, this fails and the client gets a `400 Bad Request`.
    ///
    /// ```
    /// use http_server::{Handler, HandlerResult, Request, Response};
    /// use http_server::test::{TestRequest, call};
    /// use std::io::Write;
    ///
    /// struct CountBytes;
    ///
    /// impl Handler for CountBytes {
    ///     fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         let body = request.read_body()?;
    ///         response.send_response(200);
    ///         response.end_headers();
    ///         write!(response, "{} bytes", body.len())?;
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let reply = call(&CountBytes, TestRequest::post("/").body("hello"));
    /// assert_eq!(reply.body_text(), "5 bytes");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_body(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        self.read_to_end(&mut body)?;
        Ok(body)
    }

    /// Why the body could not be read, if it could not.
    pub(crate) fn body_failure(&self) -> Option<&crate::HttpError> {
        self.body.failure()
    }

    /// Reads and discards what the handler left of the body, if that is
    /// little, so that the connection can carry the next request. Returns
    /// whether it could; if not, the connection must be closed.
    pub(crate) fn skip_rest_of_body(&mut self, drain_limit: u64) -> bool {
        if self.continue_pending {
            // We never said "continue", so the client may or may not send
            // the body: the only safe thing is to close.
            return false;
        }
        if self
            .body
            .known_remaining()
            .is_some_and(|left| left > drain_limit)
        {
            return false;
        }
        let mut limited = self.take(drain_limit + 1);
        let skipped = io::copy(&mut limited, &mut io::sink());
        skipped.is_ok() && self.body.is_done()
    }

    /// Whether the body was read to its end and nothing after it waits in
    /// the buffer.
    pub(crate) fn is_fully_read(&self) -> bool {
        let nothing_buffered = match &self.reader {
            Source::Network(reader) => reader.buffer().is_empty(),
            Source::Memory(reader) => reader.position() == reader.get_ref().len() as u64,
        };
        self.body.is_done() && nothing_buffered
    }

    /// Gives the connection back, for the next request.
    pub(crate) fn into_reader(self) -> Option<BufReader<Transport>> {
        match self.reader {
            Source::Network(reader) => Some(reader),
            Source::Memory(_) => None,
        }
    }
}

impl Read for Request {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.continue_pending {
            self.continue_pending = false;
            if let Source::Network(reader) = &mut self.reader {
                let transport = reader.get_mut();
                let go_ahead = b"HTTP/1.1 100 Continue\r\n\r\n";
                transport.send_all(go_ahead, transport.deadline)?;
            }
        }
        self.body.read(&mut self.reader, buffer)
    }
}
