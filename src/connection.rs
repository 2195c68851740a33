//! One connection, from the first request to the close: read a request,
//! let the handler answer, send the answer, and again while the client
//! keeps the connection open ("keep-alive").

use std::any::Any;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::time::{Duration, Instant};

use crate::body::BodyReader;
use crate::log::{log_message, log_request};
use crate::parse::{HeadError, Limits, read_head};
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
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            limits: Limits::default(),
            idle_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(15),
            drain_limit: 64 * 1024,
        }
    }
}

/// The reading end of a connection, with a deadline.
///
/// A timeout on each read is not enough: a client could send one byte every
/// few seconds and never trip it ("slowloris"). So the connection sets a
/// deadline for the whole request, and every read may only wait for the
/// time that is left.
#[derive(Debug)]
pub(crate) struct Socket {
    stream: TcpStream,
    deadline: Instant,
}

impl Socket {
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }
}

impl Read for Socket {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buffer)
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Serves requests on `stream` until either side closes it. `on_idle` is
/// told when the connection waits between requests (`true`) and when it
/// works on one (`false`), so that a shutdown can close idle ones at once.
pub(crate) fn serve_connection(
    stream: TcpStream,
    handler: &dyn Handler,
    settings: &Settings,
    mut on_idle: impl FnMut(bool) -> bool,
) {
    let Ok(client) = stream.peer_addr() else {
        return;
    };
    // Responses go out in one write each, so there is nothing to gain from
    // Nagle's algorithm holding small packets back (see bench/README.md).
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(settings.write_timeout));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let socket = Socket {
        stream,
        deadline: Instant::now(),
    };
    let mut reader = BufReader::with_capacity(8 * 1024, socket);
    let mut request_line = Vec::new();
    let mut out = Vec::new();

    loop {
        if !on_idle(true) {
            return; // the server is shutting down
        }
        reader.get_mut().deadline = Instant::now() + settings.idle_timeout;
        match reader.fill_buf() {
            Ok([]) | Err(_) => return, // closed, or quiet for too long
            Ok(_) => {}
        }
        on_idle(false);
        reader.get_mut().deadline = Instant::now() + settings.request_timeout;

        let head = match read_head(&mut reader, &settings.limits, &mut request_line) {
            Ok(head) => head,
            Err(HeadError::Invalid(error)) => {
                return refuse(&mut writer, client.ip(), &request_line, &error);
            }
            Err(HeadError::Io(error)) if is_timeout(&error) => {
                let error = HttpError::new(408, "the request did not arrive in time");
                return refuse(&mut writer, client.ip(), &request_line, &error);
            }
            Err(HeadError::Io(_)) => return,
        };
        let framing = head.framing(&settings.limits);
        let expects_continue = head.expects_continue();
        let (framing, expects_continue) = match (framing, expects_continue) {
            (Ok(framing), Ok(expects)) => (framing, expects),
            (Err(error), _) | (_, Err(error)) => {
                return refuse(&mut writer, client.ip(), &request_line, &error);
            }
        };
        let keep_alive = head.wants_keep_alive();
        let http10 = head.version == crate::parse::Version::Http10;
        let body = BodyReader::new(framing, settings.limits.body);
        let mut request = Request::new(head, body, reader, client, expects_continue);
        let mut response = Response::new();
        let head_request = request.method() == "HEAD";

        respond(handler, &mut request, &mut response, client);
        let closing =
            !keep_alive || response.closes_connection() || request.body_failure().is_some();
        let connection = match (closing, http10) {
            (true, _) if !response.closes_connection() => Some("close"),
            (false, true) => Some("keep-alive"),
            _ => None,
        };
        response.serialize(&mut out, head_request, connection);
        let sent = writer.write_all(&out);
        log_request(client.ip(), &request_line, response.status().unwrap_or(500));
        if sent.is_err() {
            return;
        }
        if closing {
            if !request.body_is_done() {
                close_gently(&writer);
            }
            return;
        }
        reader = match request.into_reader(settings.drain_limit) {
            Some(reader) => reader,
            None => return close_gently(&writer),
        };
    }
}

/// Answers a request that could not be read, then lets the connection close.
fn refuse(writer: &mut TcpStream, client: IpAddr, request_line: &[u8], error: &HttpError) {
    let mut response = Response::new();
    response.send_error(error.status(), error.message());
    let mut out = Vec::new();
    response.serialize(&mut out, false, Some("close"));
    let _ = writer.write_all(&out);
    log_request(client, request_line, error.status());
    close_gently(writer);
}

/// Closes a connection on which the client may still be sending.
///
/// Closing a socket that has unread bytes makes the system reset the
/// connection, and a reset can destroy the response we just sent before the
/// client reads it. So: close our sending side first (the client sees the
/// end of the response), then read and throw away whatever still arrives,
/// for a moment, and only then close.
fn close_gently(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(2);
    let mut scratch = [0; 8192];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match (&mut &*stream).read(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Calls the handler method for the request's method, and turns every way
/// it can go wrong into a proper response.
fn respond(
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
    let method_name = format!("do_{}", method.to_ascii_lowercase());
    let head_request = method == "HEAD";

    // A body that could not be read is the client's fault, whatever the
    // handler made of it.
    if let Some(failure) = request.body_failure() {
        return response.send_error(failure.status(), failure.message());
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
            format!("{method_name} returned an error: {error}")
        }
        Err(panic) => format!("{method_name} panicked: {}", panic_message(&*panic)),
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
