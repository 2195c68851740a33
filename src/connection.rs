//! One connection, from the first request to the close: read a request,
//! let the handler answer, send the answer, and again while the client
//! keeps the connection open ("keep-alive").

use std::any::Any;
use std::io::{self, BufRead, BufReader};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::body::BodyReader;
use crate::head::{HeadError, Limits, read_head};
use crate::log::{log_message, log_request};
use crate::request::Source;
use crate::transport::{Socket, close_gently, send_all};
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

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Serves requests on `stream` until either side closes it or the server
/// stops. `idle` tells the server when the connection waits between
/// requests, so that a shutdown can close it at once; `stopping` tells the
/// connection that the server is shutting down.
pub(crate) fn serve_connection(
    stream: Arc<TcpStream>,
    handler: &dyn Handler,
    settings: &Settings,
    idle: &AtomicBool,
    stopping: &AtomicBool,
) {
    let Ok(client) = stream.peer_addr() else {
        return;
    };
    // Responses go out in one write each, so there is nothing to gain from
    // Nagle's algorithm holding small packets back (see bench/README.md).
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(settings.write_timeout));
    let socket = Socket {
        stream: Arc::clone(&stream),
        deadline: Instant::now(),
        idle_wait: None,
        timeout: None,
    };
    let mut reader = BufReader::with_capacity(8 * 1024, socket);
    let mut request_line = Vec::new();
    let mut out = Vec::new();

    loop {
        // Say "idle" first and check for a shutdown second; the server does
        // the opposite, so at least one of the two notices the other.
        idle.store(true, Ordering::SeqCst);
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        reader.get_mut().idle_wait = Some(settings.idle_timeout);
        match reader.fill_buf() {
            Ok([]) | Err(_) => return, // closed, or quiet for too long
            Ok(_) => {}
        }
        idle.store(false, Ordering::SeqCst);
        reader.get_mut().idle_wait = None;
        reader.get_mut().deadline = Instant::now() + settings.request_timeout;

        let head = match read_head(&mut reader, &settings.limits, &mut request_line) {
            Ok(head) => head,
            Err(HeadError::Invalid(error)) => {
                return refuse(&stream, client.ip(), &request_line, &error, settings);
            }
            Err(HeadError::Io(error)) if is_timeout(&error) => {
                let error = HttpError::new(408, "the request did not arrive in time");
                return refuse(&stream, client.ip(), &request_line, &error, settings);
            }
            Err(HeadError::Io(_)) => return,
        };
        let framing = head.framing(&settings.limits);
        let expects_continue = head.expects_continue();
        let (framing, expects_continue) = match (framing, expects_continue) {
            (Ok(framing), Ok(expects)) => (framing, expects),
            (Err(error), _) | (_, Err(error)) => {
                return refuse(&stream, client.ip(), &request_line, &error, settings);
            }
        };
        let keep_alive = head.wants_keep_alive() && !settings.one_answer;
        let http10 = head.line.version == crate::request_line::Version::Http10;
        let body = BodyReader::new(framing, settings.limits.body);
        let mut request = Request::new(
            head,
            body,
            Source::Network(reader),
            client,
            expects_continue,
        );
        let mut response = Response::new();
        let head_request = request.method() == "HEAD";

        respond(handler, &mut request, &mut response, client);

        // Decide now whether the connection stays open, so that the answer
        // can say so: a client told nothing may send its next request down
        // a connection we are about to close. It stays open only if client
        // and handler want that, the server is not stopping, and what the
        // handler left of the body can be read and thrown away.
        let mut closing =
            !keep_alive || response.closes_connection() || stopping.load(Ordering::SeqCst);
        if !closing {
            closing = !request.skip_rest_of_body(settings.drain_limit);
        }
        // A body that could not be read is the client's fault, whatever the
        // handler made of it.
        if let Some(failure) = request.body_failure() {
            response.send_error(failure.status(), failure.message());
            closing = true;
        }
        let connection = match (closing, http10) {
            (true, _) if !response.closes_connection() => Some("close"),
            (false, true) => Some("keep-alive"),
            _ => None,
        };
        // Each piece gets the whole write time: a large streamed body may
        // take long, as long as the client keeps reading.
        let sent = crate::wire::send(&mut response, &mut out, head_request, connection, |bytes| {
            send_all(&stream, bytes, Instant::now() + settings.write_timeout)
        });
        log_request(client.ip(), &request_line, response.status().unwrap_or(500));
        if let Err(error) = sent {
            if error.kind() == io::ErrorKind::UnexpectedEof {
                log_message(client.ip(), &format!("handler error: {error}"));
            }
            return;
        }
        if out.capacity() > STREAM_BUFFER {
            // A large in-memory answer is gone: give its memory back rather
            // than keep it for the rest of the connection.
            out = Vec::new();
        }
        if closing {
            // The client may have sent more (a body we did not read, or the
            // next request already): see close_gently. Not so if it asked
            // to close itself (it may send nothing after that request, RFC
            // 9112 section 9.6) and we read everything it sent.
            if keep_alive || !request.is_fully_read() {
                close_gently(&stream);
            }
            return;
        }
        let Some(next) = request.into_reader() else {
            return;
        };
        reader = next;
    }
}

/// Answers a request that could not be read, then lets the connection close.
fn refuse(
    stream: &TcpStream,
    client: IpAddr,
    request_line: &[u8],
    error: &HttpError,
    settings: &Settings,
) {
    let mut response = Response::new();
    response.send_error(error.status(), error.message());
    // Even an error page has no body when it answers a HEAD (RFC 9110,
    // section 9.3.2): the client would read the body as the next response.
    let head_request = request_line.starts_with(b"HEAD ");
    let mut out = Vec::new();
    crate::wire::serialize(&response, &mut out, head_request, Some("close"));
    let _ = send_all(stream, &out, Instant::now() + settings.write_timeout);
    log_request(client, request_line, error.status());
    close_gently(stream);
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
