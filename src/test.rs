//! Trying a handler without a network: a request built in memory goes
//! through the handler, and the answer comes back to inspect.
//!
//! The request takes the same path as one from a socket: it is written out
//! as HTTP bytes, read by the server's own parser, answered by the
//! handler's `do_*` method (or `501`), and the response is serialized as it
//! would be sent. So `HEAD`, `501`, `Content-Length` and the `500` for a
//! handler's mistake all behave as they do on the wire.
//!
//! ```
//! use http_server::{Handler, HandlerResult, Request, Response};
//! use http_server::test::{TestRequest, call};
//! use std::io::Write;
//!
//! struct Echo;
//!
//! impl Handler for Echo {
//!     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
//!         response.send_response(200);
//!         response.send_header("Content-Type", "text/plain; charset=utf-8");
//!         response.end_headers();
//!         response.write_all(request.path()[1..].as_bytes())?;
//!         Ok(())
//!     }
//! }
//!
//! let response = call(&Echo, TestRequest::get("/Balloon"));
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.header("Content-Type"), Some("text/plain; charset=utf-8"));
//! assert_eq!(response.body_text(), "Balloon");
//!
//! let response = call(&Echo, TestRequest::post("/").body("hello"));
//! assert_eq!(response.status(), 501);
//! ```

use std::io::{self, Cursor};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use crate::body::BodyReader;
use crate::connection::{Settings, respond};
use crate::head::{HeadError, read_head};
use crate::request::Source;
use crate::{Handler, Request, Response};

/// A request to hand to [`call`]: a method, a target, headers and a body.
///
/// `Host: localhost` is added unless you give a `Host`, and a
/// `Content-Length` for the body unless you give one (or a
/// `Transfer-Encoding`).
///
/// ```
/// use http_server::test::TestRequest;
///
/// let request = TestRequest::post("/")
///     .header("Cookie", "yourname=Ada")
///     .form("message=Hi+there");
/// # let _ = request;
/// ```
#[derive(Debug, Clone)]
pub struct TestRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    client: SocketAddr,
}

/// Where a test request comes from unless [`TestRequest::client_address`]
/// says otherwise: this computer.
const LOCAL_CLIENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 50000);

impl TestRequest {
    /// A request with any method, such as `"PATCH"`, for `target`, such as
    /// `"/todos/1?x=y"`.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::new("DELETE", "/todos/1");
    /// # let _ = request;
    /// ```
    pub fn new(method: &str, target: &str) -> TestRequest {
        TestRequest {
            method: method.to_owned(),
            target: target.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            client: LOCAL_CLIENT,
        }
    }

    /// A `GET` request for `target`.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::get("/");
    /// # let _ = request;
    /// ```
    pub fn get(target: &str) -> TestRequest {
        TestRequest::new("GET", target)
    }

    /// A `HEAD` request for `target`.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::head("/");
    /// # let _ = request;
    /// ```
    pub fn head(target: &str) -> TestRequest {
        TestRequest::new("HEAD", target)
    }

    /// A `POST` request for `target`.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::post("/").body("name=Ada");
    /// # let _ = request;
    /// ```
    pub fn post(target: &str) -> TestRequest {
        TestRequest::new("POST", target)
    }

    /// Adds a header line.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::get("/").header("Accept", "text/html");
    /// # let _ = request;
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> TestRequest {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::post("/").body(vec![1, 2, 3]);
    /// # let _ = request;
    /// ```
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> TestRequest {
        self.body = body.into();
        self
    }

    /// Sets the body to a form, as a browser posts it (`name=value&...`,
    /// already encoded), with its `Content-Type`.
    ///
    /// ```
    /// let request = http_server::test::TestRequest::post("/").form("message=Hi%21");
    /// # let _ = request;
    /// ```
    pub fn form(self, encoded: &str) -> TestRequest {
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body(encoded)
    }

    /// Sets the address the request comes from, which the handler reads
    /// with [`Request::client_address`]; `127.0.0.1` (this computer) unless
    /// set. A test can play a client on another machine, which no check
    /// over loopback can: `192.0.2.1` is an address kept for examples
    /// (RFC 5737), never a real computer's.
    ///
    /// ```
    /// use http_server::test::{TestRequest, call};
    /// use http_server::{Handler, HandlerResult, HttpError, Request, Response};
    /// use std::net::SocketAddr;
    ///
    /// struct LocalOnly;
    ///
    /// impl Handler for LocalOnly {
    ///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
    ///         if !request.client_address().ip().is_loopback() {
    ///             return Err(HttpError::new(403, "only this computer").into());
    ///         }
    ///         response.send_response(204);
    ///         response.end_headers();
    ///         Ok(())
    ///     }
    /// }
    ///
    /// assert_eq!(call(&LocalOnly, TestRequest::get("/")).status(), 204);
    /// let elsewhere = SocketAddr::from(([192, 0, 2, 1], 50000));
    /// let request = TestRequest::get("/").client_address(elsewhere);
    /// assert_eq!(call(&LocalOnly, request).status(), 403);
    /// ```
    pub fn client_address(mut self, address: SocketAddr) -> TestRequest {
        self.client = address;
        self
    }

    /// The request as it would travel on a connection.
    fn to_bytes(&self) -> Vec<u8> {
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(given, _)| given.eq_ignore_ascii_case(name))
        };
        let mut bytes = format!("{} {} HTTP/1.1\r\n", self.method, self.target).into_bytes();
        if !has("Host") {
            bytes.extend_from_slice(b"Host: localhost\r\n");
        }
        for (name, value) in &self.headers {
            bytes.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !self.body.is_empty() && !has("Content-Length") && !has("Transfer-Encoding") {
            bytes.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The answer [`call`] got: status, headers and body, as a client would
/// have received them.
///
/// ```
/// # struct Nothing;
/// # impl http_server::Handler for Nothing {}
/// use http_server::test::{TestRequest, call};
///
/// let response = call(&Nothing, TestRequest::get("/"));
/// assert_eq!(response.status(), 501);
/// assert!(response.header("Date").is_some());
/// assert!(response.body_text().starts_with("501 Not Implemented"));
/// ```
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl TestResponse {
    /// The status code, such as `200`.
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// # use http_server::test::{TestRequest, call};
    /// assert_eq!(call(&Nothing, TestRequest::get("/")).status(), 501);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of the first header called `name` (any case).
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// # use http_server::test::{TestRequest, call};
    /// let response = call(&Nothing, TestRequest::get("/"));
    /// assert_eq!(response.header("content-type"), Some("text/plain; charset=utf-8"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every header line, in order, as `(name, value)`.
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// # use http_server::test::{TestRequest, call};
    /// let response = call(&Nothing, TestRequest::get("/"));
    /// assert!(response.headers().iter().any(|(name, _)| name == "Server"));
    /// ```
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body's bytes (none for `HEAD`, `204` or `304`).
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// # use http_server::test::{TestRequest, call};
    /// assert!(call(&Nothing, TestRequest::head("/")).body().is_empty());
    /// ```
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text (bytes that are not UTF-8 show as `�`).
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// # use http_server::test::{TestRequest, call};
    /// assert!(call(&Nothing, TestRequest::get("/")).body_text().contains("501"));
    /// ```
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` through `handler`, with no socket, and returns what a
/// client would have received. See the example at the top of this module.
///
/// ```
/// # struct Nothing;
/// # impl http_server::Handler for Nothing {}
/// use http_server::test::{TestRequest, call};
///
/// let response = call(&Nothing, TestRequest::new("BREW", "/pot"));
/// assert_eq!(response.status(), 501);
/// ```
pub fn call(handler: &dyn Handler, request: TestRequest) -> TestResponse {
    let head_request = request.method == "HEAD";
    let bytes = exchange(handler, request.to_bytes(), request.client);
    parse_response(&bytes, head_request)
}

/// One request and its answer, through the same steps as on a connection.
fn exchange(handler: &dyn Handler, raw: Vec<u8>, client: SocketAddr) -> Vec<u8> {
    let settings = Settings::default();
    let mut reader = Source::Memory(Cursor::new(raw));
    let mut request_line = Vec::new();
    let mut response = Response::new();
    let prepared = read_head(&mut reader, &settings.limits, &mut request_line)
        .map_err(|error| match error {
            HeadError::Invalid(error) => error,
            HeadError::Io(_) => crate::HttpError::new(400, "the request ended before its head did"),
        })
        .and_then(|head| {
            let framing = head.framing(&settings.limits)?;
            let expects_continue = head.expects_continue()?;
            Ok((head, framing, expects_continue))
        });
    // As on the wire, even an error page has no body when it answers a HEAD.
    let head_request = request_line.starts_with(b"HEAD ");
    match prepared {
        Err(error) => response.send_error(error.status(), error.message()),
        Ok((head, framing, expects_continue)) => {
            let body = BodyReader::new(framing, settings.limits.body);
            let mut request = Request::new(head, body, reader, client, expects_continue);
            respond(handler, &mut request, &mut response, client);
            if let Some(failure) = request.body_failure() {
                response.send_error(failure.status(), failure.message());
            }
        }
    }
    let mut out = Vec::new();
    let mut sent = Vec::new();
    let _ = crate::wire::send(&mut response, &mut out, head_request, None, |bytes| {
        sent.extend_from_slice(bytes);
        Ok::<(), io::Error>(())
    });
    sent
}

/// Reads back what `exchange` produced.
fn parse_response(bytes: &[u8], head_request: bool) -> TestResponse {
    let end = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or(bytes.len());
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(500);
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    let body = if head_request {
        Vec::new()
    } else {
        bytes.get(end + 4..).unwrap_or_default().to_vec()
    };
    TestResponse {
        status,
        headers,
        body,
    }
}
