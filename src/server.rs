//! The two servers, as in Python: [`HttpServer`] answers one connection
//! at a time, [`ThreadingHttpServer`] many at once, each on its own
//! thread. Both listen, accept and serve for ever, or on a background
//! thread for tests ([`RunningServer`]).
//!
//! They are one type, [`Server`], whose kind says how it serves, so that
//! their methods are written (and documented) once; only
//! `max_connections` belongs to the threading server alone.

use std::fmt;
use std::marker::PhantomData;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::listener::{Listener, announce};
use crate::pool::{Caps, Shared, accept_loop};
use crate::{Handler, ServerError};

/// A server that serves one connection at a time, like Python's
/// `HTTPServer`: simple, and enough to learn with, but a slow client makes
/// everybody else wait (lesson 6 shows it, then fixes it).
///
/// It answers one request per connection and closes it
/// (`Connection: close`); otherwise a browser's other connections would
/// each wait in line behind an idle one.
///
/// Its methods are those of every [`Server`]: `bind`, `from_env`,
/// `address`, `max_body_size`, `timeouts`, `serve_forever` and `spawn`.
///
/// ```no_run
/// use http_server::{Handler, HttpServer, ServerError};
///
/// struct MyHandler;
/// impl Handler for MyHandler {}
///
/// fn main() -> Result<(), ServerError> {
///     let server = HttpServer::from_env()?; // 127.0.0.1, port $PORT or 8000
///     server.serve_forever(MyHandler)
/// }
/// ```
pub type HttpServer = Server<OneAtATime>;

/// A server that serves many connections at once, each on its own thread,
/// like Python's `ThreadingHTTPServer`; the lessons use it.
///
/// Connections stay open between requests (keep-alive). At most 2,000 are
/// served at once, and at most 512 from one client address, so that one
/// client cannot take every place; more get `503 Service Unavailable`
/// ([`max_connections`](Server::max_connections) changes both).
///
/// Its methods are those of every [`Server`], and `max_connections`.
///
/// ```no_run
/// use http_server::{Handler, ServerError, ThreadingHttpServer};
///
/// struct MyHandler;
/// impl Handler for MyHandler {}
///
/// fn main() -> Result<(), ServerError> {
///     let server = ThreadingHttpServer::from_env()?; // 127.0.0.1, port $PORT or 8000
///     server.serve_forever(MyHandler)
/// }
/// ```
pub type ThreadingHttpServer = Server<Threads>;

/// How a [`Server`] serves its connections: [`OneAtATime`] or [`Threads`].
///
/// Python makes `ThreadingHTTPServer` from `HTTPServer` by mixing in
/// `ThreadingMixIn`; here both servers are one [`Server`] type, and this
/// says which of the two it is. The course defines both kinds; there is
/// no third.
///
/// ```
/// use http_server::{OneAtATime, ServerKind, Threads};
///
/// assert!(OneAtATime::ONE_AT_A_TIME);
/// assert!(!Threads::ONE_AT_A_TIME);
/// ```
pub trait ServerKind: sealed::Sealed {
    /// Serve each connection on the accepting thread, one answer each.
    const ONE_AT_A_TIME: bool;
}

/// The kind of [`HttpServer`]: one connection at a time.
///
/// ```
/// let server: http_server::Server<http_server::OneAtATime> =
///     http_server::HttpServer::bind("127.0.0.1:0")?;
/// # Ok::<(), http_server::ServerError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct OneAtATime;

/// The kind of [`ThreadingHttpServer`]: a thread per connection.
///
/// ```
/// let server: http_server::Server<http_server::Threads> =
///     http_server::ThreadingHttpServer::bind("127.0.0.1:0")?;
/// # Ok::<(), http_server::ServerError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Threads;

impl ServerKind for OneAtATime {
    const ONE_AT_A_TIME: bool = true;
}

impl ServerKind for Threads {
    const ONE_AT_A_TIME: bool = false;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::OneAtATime {}
    impl Sealed for super::Threads {}
}

/// A server: a [`Listener`] and its settings, and a way of serving
/// connections (its [`ServerKind`]). You use it under one of its two
/// names, [`HttpServer`] or [`ThreadingHttpServer`]; the methods below
/// are written once, for both.
///
/// ```
/// # struct Nothing;
/// # impl http_server::Handler for Nothing {}
/// use std::time::Duration;
///
/// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?
///     .max_body_size(10 * 1024)
///     .timeouts(Duration::from_secs(5), Duration::from_secs(10))
///     .spawn(Nothing);
/// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.0\r\n\r\n")?;
/// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Server<Kind: ServerKind> {
    listener: Listener,
    caps: Caps,
    kind: PhantomData<Kind>,
}

impl<Kind: ServerKind> Server<Kind> {
    /// Listens on `address`, such as `"127.0.0.1:8000"`. Port 0 asks the
    /// system for any free port; [`address`](Server::address) tells which.
    ///
    /// ```
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?;
    /// assert_ne!(server.address().port(), 0);
    /// let server = http_server::HttpServer::bind("127.0.0.1:0")?;
    /// assert_ne!(server.address().port(), 0);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn bind(address: impl ToSocketAddrs + fmt::Display) -> Result<Server<Kind>, ServerError> {
        Ok(Server::new(Listener::bind(address)?))
    }

    /// Listens at the address in `HOST` (127.0.0.1 unless set) and the port
    /// in `PORT` (8000 unless set; `0` picks any free port), as every
    /// lesson does. See [`Listener::from_env`].
    ///
    /// ```
    /// // 127.0.0.1:8000 unless HOST or PORT say otherwise.
    /// match http_server::ThreadingHttpServer::from_env() {
    ///     Ok(server) => println!("listening on {}", server.address()),
    ///     Err(error) => assert!(error.to_string().starts_with("cannot listen on")),
    /// }
    /// ```
    pub fn from_env() -> Result<Server<Kind>, ServerError> {
        Ok(Server::new(Listener::from_env()?))
    }

    fn new(listener: Listener) -> Server<Kind> {
        Server {
            listener,
            caps: Caps::default(),
            kind: PhantomData,
        }
    }

    /// The address the server listens on.
    ///
    /// ```
    /// let server = http_server::HttpServer::bind("127.0.0.1:0")?;
    /// assert!(server.address().ip().is_loopback());
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.listener.address()
    }

    /// Sets the largest request body accepted; see [`Listener::max_body_size`].
    ///
    /// ```
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?.max_body_size(10 * 1024);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> Server<Kind> {
        self.listener = self.listener.max_body_size(bytes);
        self
    }

    /// Sets the idle and request timeouts; see [`Listener::timeouts`].
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let server = http_server::HttpServer::bind("127.0.0.1:0")?
    ///     .timeouts(Duration::from_secs(5), Duration::from_secs(10));
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn timeouts(mut self, idle: Duration, request: Duration) -> Server<Kind> {
        self.listener = self.listener.timeouts(idle, request);
        self
    }

    /// Prints where the server listens, as the first line on stdout, then
    /// serves requests until the program is stopped (Ctrl-C).
    ///
    /// ```text
    /// Serving HTTP on http://127.0.0.1:8000/ (Ctrl-C to stop)
    /// ```
    ///
    /// See the examples on [`HttpServer`] and [`ThreadingHttpServer`].
    pub fn serve_forever(self, handler: impl Handler) -> Result<(), ServerError> {
        serve_forever(self.listener, handler, Kind::ONE_AT_A_TIME, self.caps)
    }

    /// Serves requests on a background thread and returns at once; for
    /// tests and examples. The server stops when the [`RunningServer`] is
    /// dropped or [`shut down`](RunningServer::shutdown).
    ///
    /// ```
    /// use http_server::{Handler, HttpServer, ThreadingHttpServer};
    ///
    /// struct Nothing;
    /// impl Handler for Nothing {}
    ///
    /// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.0\r\n\r\n")?;
    /// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
    /// server.shutdown();
    ///
    /// // One connection at a time: one answer per connection, then close.
    /// let server = HttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
    /// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
    /// assert!(reply.contains("Connection: close\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(self, handler: impl Handler) -> RunningServer {
        RunningServer::start(self.listener, handler, Kind::ONE_AT_A_TIME, self.caps)
    }
}

impl Server<Threads> {
    /// Sets how many connections are served at once (2,000 unless set),
    /// and how many of them may come from one client address (512 unless
    /// set). A connection over either limit gets `503 Service Unavailable`
    /// at once, from the accepting thread, and is logged. Each connection
    /// being served has a thread, so this also bounds the threads.
    ///
    /// ```
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?
    ///     .max_connections(100, 10);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn max_connections(mut self, total: usize, per_client: usize) -> Server<Threads> {
        self.caps = Caps { total, per_client };
        self
    }
}

fn serve_forever(
    listener: Listener,
    handler: impl Handler,
    one_at_a_time: bool,
    caps: Caps,
) -> Result<(), ServerError> {
    announce(listener.address());
    let shared = Arc::new(shared(&listener, handler, one_at_a_time, caps));
    accept_loop(&listener, &shared);
    Ok(())
}

fn shared(listener: &Listener, handler: impl Handler, one_at_a_time: bool, caps: Caps) -> Shared {
    let mut settings = listener.settings();
    settings.one_answer |= one_at_a_time;
    Shared::new(handler, settings, caps, one_at_a_time)
}

/// A server running on a background thread, made by
/// [`ThreadingHttpServer::spawn`] or [`HttpServer::spawn`].
///
/// ```
/// use http_server::{Handler, ThreadingHttpServer};
///
/// struct Nothing;
/// impl Handler for Nothing {}
///
/// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
/// let reply = http_server::send_raw(server.address(), b"DELETE / HTTP/1.0\r\n\r\n")?;
/// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
/// drop(server); // stops it, like shutdown()
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct RunningServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl RunningServer {
    fn start(
        listener: Listener,
        handler: impl Handler,
        one_at_a_time: bool,
        caps: Caps,
    ) -> RunningServer {
        let address = listener.address();
        let shared = Arc::new(shared(&listener, handler, one_at_a_time, caps));
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || accept_loop(&listener, &shared))
        };
        RunningServer {
            address,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The address the server listens on.
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
    /// println!("listening on http://{}/", server.address());
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops the server: no new connections are accepted, connections that
    /// wait for a request are closed, and requests already being handled
    /// are finished and answered before this returns.
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
    /// let address = server.address();
    /// server.shutdown();
    /// assert!(std::net::TcpStream::connect(address).is_err());
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // A server that serves one connection at a time may be waiting on
        // an idle one, on the accepting thread: close it first.
        self.shared.close_idle_connections();
        // `accept` waits for a connection, so give it one to notice the stop.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        let _ = acceptor.join();
        self.shared.close_idle_connections();
        self.shared.wait_until_all_closed();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.stop();
    }
}
