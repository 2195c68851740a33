//! One connection, from the first request to the close: the counterpart
//! of `handle()` in Python's `http.server`, a loop around
//! `handle_one_request()`.
//!
//! ```text
//! serve_connection          handle(): until the connection closes
//!   handle_one_request        wait for a request (idle)
//!                             read its head
//!                             frame its body
//!                             dispatch it to the handler (respond)
//!                             decide: keep the connection open?
//!                             send the answer, log it
//!   close                     close gently, or keep the stream
//! ```
//!
//! Each stage is one short function below, in that order.

use std::any::Any;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::body::BodyReader;
use crate::framing::Framing;
use crate::head::{Head, HeadError, Limits, read_head};
use crate::log::{log_message, log_request};
use crate::request::Source;
use crate::request_line::Version;
use crate::transport::Transport;
use crate::wire::STREAM_BUFFER;
use crate::{DecodeError, Handler, HttpError, Request, Response};

/// The timeouts and limits a connection works under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub limits: Limits,
    /// How long an open connection may wait for its next request.
    pub idle_timeout: Duration,
    /// How long a request may take to arrive, head and body, once started.
    pub request_timeout: Duration,
    /// How long sending a response may take (a client that stops reading).
    pub write_timeout: Duration,
    /// How much of an unread body is read and thrown away to keep the
    /// connection; a larger leftover closes the connection instead.
    pub drain_limit: u64,
    /// Answer one request per connection, then close it (the server that
    /// serves one connection at a time).
    pub one_answer: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            limits: Limits::default(),
            idle_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(15),
            drain_limit: 64 * 1024,
            one_answer: false,
        }
    }
}

/// One connection being served, and what its stages share.
struct Connection<'a> {
    handler: &'a dyn Handler,
    settings: &'a Settings,
    /// Set while the connection waits for a request, so that a shutdown
    /// knows it may close it.
    idle: &'a AtomicBool,
    /// Set when the server is shutting down.
    stopping: &'a AtomicBool,
    client: SocketAddr,
    /// The raw request line, for the log (even when it is invalid).
    request_line: Vec<u8>,
    /// The bytes of the last answer, reused for the next.
    out: Vec<u8>,
}

/// What happens after a request: the connection carries another, or ends.
enum Next {
    KeepOpen(BufReader<Transport>),
    Closed,
}

/// Serves requests on `transport` until either side closes it or the server
/// stops (Python's `handle()`). `idle` tells the server when the connection
/// waits between requests, so that a shutdown can close it at once;
/// `stopping` tells the connection that the server is shutting down.
pub(crate) fn serve_connection(
    transport: Transport,
    client: SocketAddr,
    handler: &dyn Handler,
    settings: &Settings,
    idle: &AtomicBool,
    stopping: &AtomicBool,
) {
    let mut connection = Connection {
        handler,
        settings,
        idle,
        stopping,
        client,
        request_line: Vec::new(),
        out: Vec::new(),
    };
    let mut reader = connection.open(transport);
    while let Next::KeepOpen(next) = connection.handle_one_request(reader) {
        reader = next;
    }
}

impl Connection<'_> {
    /// Prepares the socket, if there is one, and buffers the stream.
    fn open(&self, transport: Transport) -> BufReader<Transport> {
        if let Some(socket) = transport.socket() {
            // Responses go out in one write each, so there is nothing to
            // gain from Nagle's algorithm holding small packets back (see
            // bench/README.md).
            let _ = socket.set_nodelay(true);
            let _ = socket.set_write_timeout(Some(self.settings.write_timeout));
        }
        BufReader::with_capacity(8 * 1024, transport)
    }

    /// Reads one request, answers it, and says whether the connection goes
    /// on (Python's `handle_one_request()`).
    fn handle_one_request(&mut self, mut reader: BufReader<Transport>) -> Next {
        if !self.wait_for_request(&mut reader) {
            return Next::Closed;
        }
        let head = match self.read_request_head(&mut reader) {
            Ok(head) => head,
            Err(Some(error)) => return self.refuse(reader, &error),
            Err(None) => return Next::Closed,
        };
        let (framing, expects_continue) = match frame(&head, &self.settings.limits) {
            Ok(framing) => framing,
            Err(error) => return self.refuse(reader, &error),
        };
        let client_keeps_open = head.wants_keep_alive() && !self.settings.one_answer;
        let http10 = head.line.version == Version::Http10;
        let body = BodyReader::new(framing, self.settings.limits.body);
        let source = Source::Network(reader);
        let mut request = Request::new(head, body, source, self.client, expects_continue);
        let mut response = Response::new();
        let head_request = request.method() == "HEAD";

        respond(self.handler, &mut request, &mut response, self.client);
        let closing = self.decide_close(client_keeps_open, &mut request, &mut response);
        let connection_header = match (closing, http10) {
            (true, _) if !response.closes_connection() => Some("close"),
            (false, true) => Some("keep-alive"),
            _ => None,
        };
        // The client may have sent more (a body we did not read, or the next
        // request already): then the close must be gentle. Not so if it
        // asked to close itself (it may send nothing after that request,
        // RFC 9112 section 9.6) and we read everything it sent.
        let gently = client_keeps_open || !request.is_fully_read();
        let Some(mut reader) = request.into_reader() else {
            return Next::Closed;
        };
        let sent = self.send(
            reader.get_mut(),
            &mut response,
            head_request,
            connection_header,
        );
        log_request(
            self.client.ip(),
            &self.request_line,
            response.status().unwrap_or(500),
        );
        if let Err(error) = sent {
            if error.kind() == io::ErrorKind::UnexpectedEof {
                log_message(self.client.ip(), &format!("handler error: {error}"));
            }
            return Next::Closed;
        }
        if closing {
            return close(reader, gently);
        }
        Next::KeepOpen(reader)
    }

    /// Waits for the first byte of the next request, for at most the idle
    /// timeout. Returns false if the connection closed, went quiet, or the
    /// server is stopping.
    fn wait_for_request(&self, reader: &mut BufReader<Transport>) -> bool {
        // Say "idle" first and check for a shutdown second; the server does
        // the opposite, so at least one of the two notices the other.
        self.idle.store(true, Ordering::SeqCst);
        if self.stopping.load(Ordering::SeqCst) {
            return false;
        }
        reader.get_mut().idle_wait = Some(self.settings.idle_timeout);
        let arrived = matches!(reader.fill_buf(), Ok(bytes) if !bytes.is_empty());
        self.idle.store(false, Ordering::SeqCst);
        let transport = reader.get_mut();
        transport.idle_wait = None;
        transport.deadline = Instant::now() + self.settings.request_timeout;
        arrived
    }

    /// Reads the request line and the headers. An error to answer is
    /// `Err(Some(..))`; `Err(None)` means the connection is gone.
    fn read_request_head(
        &mut self,
        reader: &mut BufReader<Transport>,
    ) -> Result<Head, Option<HttpError>> {
        match read_head(reader, &self.settings.limits, &mut self.request_line) {
            Ok(head) => Ok(head),
            Err(HeadError::Invalid(error)) => Err(Some(error)),
            Err(HeadError::Io(error)) if is_timeout(&error) => Err(Some(HttpError::new(
                408,
                "the request did not arrive in time",
            ))),
            Err(HeadError::Io(_)) => Err(None),
        }
    }

    /// Whether the connection closes after this answer: the one place that
    /// decides it, before sending, so that the answer can say so (a client
    /// told nothing may send its next request down a connection we are
    /// about to close). It stays open only if client and handler want that,
    /// the server is not stopping, and what the handler left of the body
    /// can be read and thrown away.
    fn decide_close(
        &self,
        client_keeps_open: bool,
        request: &mut Request,
        response: &mut Response,
    ) -> bool {
        let mut closing = !client_keeps_open
            || response.closes_connection()
            || self.stopping.load(Ordering::SeqCst);
        if !closing {
            closing = !request.skip_rest_of_body(self.settings.drain_limit);
        }
        // A body that could not be read is the client's fault, whatever the
        // handler made of it.
        if let Some(failure) = request.body_failure() {
            response.send_error(failure.status(), failure.message());
            closing = true;
        }
        closing
    }

    /// Sends the answer. Each piece gets the whole write time: a large
    /// streamed body may take long, as long as the client keeps reading.
    fn send(
        &mut self,
        transport: &mut Transport,
        response: &mut Response,
        head_request: bool,
        connection_header: Option<&str>,
    ) -> io::Result<()> {
        let write_timeout = self.settings.write_timeout;
        let sent = crate::wire::send(
            response,
            &mut self.out,
            head_request,
            connection_header,
            |bytes| transport.send_all(bytes, Instant::now() + write_timeout),
        );
        if self.out.capacity() > STREAM_BUFFER {
            // A large in-memory answer is gone: give its memory back rather
            // than keep it for the rest of the connection.
            self.out = Vec::new();
        }
        sent
    }

    /// Answers a request that could not be read, then closes the connection.
    fn refuse(&mut self, mut reader: BufReader<Transport>, error: &HttpError) -> Next {
        let mut response = Response::new();
        response.send_error(error.status(), error.message());
        // Even an error page has no body when it answers a HEAD (RFC 9110,
        // section 9.3.2): the client would read the body as the next response.
        let head_request = self.request_line.starts_with(b"HEAD ");
        let _ = self.send(reader.get_mut(), &mut response, head_request, Some("close"));
        log_request(self.client.ip(), &self.request_line, error.status());
        close(reader, true)
    }
}

/// Where the body ends, and whether the client waits for `100 Continue`.
fn frame(head: &Head, limits: &Limits) -> Result<(Framing, bool), HttpError> {
    Ok((head.framing(limits)?, head.expects_continue()?))
}

/// Ends the connection: gently if the client may still be sending.
fn close(reader: BufReader<Transport>, gently: bool) -> Next {
    if gently {
        reader.into_inner().close_gently();
    }
    Next::Closed
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Calls the handler method for the request's method, and turns every way
/// it can go wrong into a proper response.
pub(crate) fn respond(
    handler: &dyn Handler,
    request: &mut Request,
    response: &mut Response,
    client: SocketAddr,
) {
    let method = request.method().to_owned();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| match method.as_str() {
        "GET" => handler.do_get(request, response),
        "HEAD" => handler.do_head(request, response),
        "POST" => handler.do_post(request, response),
        "PUT" => handler.do_put(request, response),
        "DELETE" => handler.do_delete(request, response),
        "PATCH" => handler.do_patch(request, response),
        "OPTIONS" => handler.do_options(request, response),
        _ => crate::handler::not_implemented(request, response),
    }));
    let method_name = || format!("do_{}", method.to_ascii_lowercase());
    let head_request = method == "HEAD";

    // A body that could not be read is the client's fault, not the
    // handler's: the caller answers with what went wrong.
    if request.body_failure().is_some() {
        return;
    }
    let problem = match outcome {
        Ok(Ok(())) => match response.problem(head_request) {
            None => return,
            Some(problem) => problem,
        },
        Ok(Err(error)) => {
            if let Some(error) = error.downcast_ref::<HttpError>() {
                return response.send_error(error.status(), error.message());
            }
            if let Some(error) = error.downcast_ref::<DecodeError>() {
                return response.send_error(400, &error.to_string());
            }
            format!("{} returned an error: {error}", method_name())
        }
        Err(panic) => format!("{} panicked: {}", method_name(), panic_message(&*panic)),
    };
    log_message(client.ip(), &format!("handler error: {problem}"));
    response.send_error(500, &format!("The server's handler went wrong: {problem}"));
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(message) = panic.downcast_ref::<&str>() {
        message
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message
    } else {
        "(no message)"
    }
}
