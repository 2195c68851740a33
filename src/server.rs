//! The server: listen on a port, accept connections, and hand each one to
//! a thread that runs the handler.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::Handler;
use crate::connection::{Settings, close_gently, send_all, serve_connection};

/// The port lessons listen on unless `PORT` says otherwise.
///
/// ```
/// assert_eq!(http_server::DEFAULT_PORT, 8000);
/// ```
pub const DEFAULT_PORT: u16 = 8000;

/// Most connections served at once; more get `503 Service Unavailable`.
const MAX_CONNECTIONS: usize = 2000;

/// How long a thread that finished a connection waits for another before
/// it ends.
const WORKER_IDLE_TIME: Duration = Duration::from_secs(10);

/// Why a server could not start.
///
/// Its `Debug` form is the same plain sentence as its `Display` form, so a
/// `main` that returns `Result<(), ServerError>` prints one readable line:
///
/// ```text
/// Error: cannot listen on 127.0.0.1:8000: address already in use (is another server running? try PORT=8001)
/// ```
pub struct ServerError {
    message: String,
}

impl ServerError {
    fn new(message: String) -> ServerError {
        ServerError { message }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServerError {}

/// A listening socket, ready to serve a [`Handler`].
///
/// Like Python's `HTTPServer((host, port), Handler)` followed by
/// `serve_forever()`:
///
/// ```no_run
/// use http_server::{Handler, Server, ServerError};
///
/// struct MyHandler;
/// impl Handler for MyHandler {}
///
/// fn main() -> Result<(), ServerError> {
///     let server = Server::from_env()?; // 127.0.0.1, port $PORT or 8000
///     server.serve_forever(MyHandler)
/// }
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    settings: Settings,
}

impl Server {
    /// Listens on `address`, such as `"127.0.0.1:8000"`. Port 0 asks the
    /// system for any free port; [`address`](Server::address) tells which.
    ///
    /// ```
    /// let server = http_server::Server::bind("127.0.0.1:0")?;
    /// assert_ne!(server.address().port(), 0);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn bind(address: impl ToSocketAddrs + fmt::Display) -> Result<Server, ServerError> {
        let listener = TcpListener::bind(&address).map_err(|error| {
            let hint = match error.kind() {
                io::ErrorKind::AddrInUse => {
                    " (is another server running? stop it, or pick another port: PORT=8001)"
                }
                io::ErrorKind::PermissionDenied => " (ports below 1024 need special rights)",
                _ => "",
            };
            ServerError::new(format!("cannot listen on {address}: {error}{hint}"))
        })?;
        Ok(Server {
            listener,
            settings: Settings::default(),
        })
    }

    /// Listens where the course's lessons listen: on 127.0.0.1 (only this
    /// computer can connect), at the port in the `PORT` environment
    /// variable, or 8000 if it is not set. `PORT=0` picks any free port.
    ///
    /// ```
    /// // PORT is not set while the documentation's examples run.
    /// # unsafe { std::env::remove_var("PORT") };
    /// match http_server::Server::from_env() {
    ///     Ok(server) => assert_eq!(server.address().port(), 8000),
    ///     Err(error) => assert!(error.to_string().contains("8000")), // already taken
    /// }
    /// ```
    pub fn from_env() -> Result<Server, ServerError> {
        let port = match std::env::var("PORT") {
            Err(_) => DEFAULT_PORT,
            Ok(text) => text.trim().parse().map_err(|_| {
                ServerError::new(format!(
                    "PORT must be a port number from 0 to 65535, not {text:?}"
                ))
            })?,
        };
        Server::bind(format!("127.0.0.1:{port}"))
    }

    /// The address the server listens on.
    ///
    /// ```
    /// let server = http_server::Server::bind("127.0.0.1:0")?;
    /// assert!(server.address().ip().is_loopback());
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn address(&self) -> SocketAddr {
        // A bound listener always knows its address.
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Sets the largest request body accepted (1 MiB unless set). Larger
    /// ones get `413 Content Too Large` before the handler runs.
    ///
    /// ```
    /// let server = http_server::Server::bind("127.0.0.1:0")?.max_body_size(10 * 1024);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> Server {
        self.settings.limits.body = bytes;
        self
    }

    /// Sets how long a connection may sit idle between requests (15 s
    /// unless set) and how long one request may take to arrive once it has
    /// started (30 s unless set); sending a response may take as long as a
    /// request. Slow or silent clients are closed after that, so they
    /// cannot hold a thread forever.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let server = http_server::Server::bind("127.0.0.1:0")?
    ///     .timeouts(Duration::from_secs(5), Duration::from_secs(10));
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn timeouts(mut self, idle: Duration, request: Duration) -> Server {
        self.settings.idle_timeout = idle;
        self.settings.request_timeout = request;
        self.settings.write_timeout = request;
        self
    }

    /// Prints where the server listens, as the first line on stdout, then
    /// serves requests until the program is stopped (Ctrl-C).
    ///
    /// ```text
    /// Serving HTTP on http://127.0.0.1:8000/ (Ctrl-C to stop)
    /// ```
    ///
    /// See the example on [`Server`].
    pub fn serve_forever(self, handler: impl Handler) -> Result<(), ServerError> {
        let mut stdout = io::stdout();
        let _ = writeln!(
            stdout,
            "Serving HTTP on http://{}/ (Ctrl-C to stop)",
            self.address()
        );
        let _ = stdout.flush();
        let shared = Arc::new(Shared::new(handler, self.settings));
        accept_loop(&self.listener, &shared);
        Ok(())
    }

    /// Serves requests on a background thread and returns at once; for
    /// tests and examples. The server stops when the [`RunningServer`] is
    /// dropped or [`shut down`](RunningServer::shutdown).
    ///
    /// ```
    /// use http_server::{Handler, Server};
    ///
    /// struct Nothing;
    /// impl Handler for Nothing {}
    ///
    /// let server = Server::bind("127.0.0.1:0")?.spawn(Nothing);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.0\r\n\r\n")?;
    /// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
    /// server.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(self, handler: impl Handler) -> RunningServer {
        let address = self.address();
        let shared = Arc::new(Shared::new(handler, self.settings));
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || accept_loop(&self.listener, &shared))
        };
        RunningServer {
            address,
            shared,
            acceptor: Some(acceptor),
        }
    }
}

/// A server running on a background thread, made by [`Server::spawn`].
///
/// ```
/// use http_server::{Handler, Server};
///
/// struct Nothing;
/// impl Handler for Nothing {}
///
/// let server = Server::bind("127.0.0.1:0")?.spawn(Nothing);
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
    /// The address the server listens on.
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// let server = http_server::Server::bind("127.0.0.1:0")?.spawn(Nothing);
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
    /// let server = http_server::Server::bind("127.0.0.1:0")?.spawn(Nothing);
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

/// What the accepting thread and the connection threads share.
struct Shared {
    handler: Box<dyn Handler>,
    settings: Settings,
    stopping: AtomicBool,
    /// Open connections, so a shutdown can close the idle ones.
    connections: Mutex<HashMap<u64, OpenConnection>>,
    all_closed: Condvar,
    next_id: AtomicU64,
    /// New connections on their way to a thread that has nothing to do.
    handoff: Handoff,
}

struct OpenConnection {
    stream: Arc<TcpStream>,
    idle: Arc<AtomicBool>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn new(handler: impl Handler, settings: Settings) -> Shared {
        Shared {
            handler: Box::new(handler),
            settings,
            stopping: AtomicBool::new(false),
            connections: Mutex::new(HashMap::new()),
            all_closed: Condvar::new(),
            next_id: AtomicU64::new(0),
            handoff: Handoff::default(),
        }
    }

    fn open_connections(&self) -> MutexGuard<'_, HashMap<u64, OpenConnection>> {
        lock(&self.connections)
    }

    /// Serves one connection, keeping it on the list while it is open.
    fn serve(&self, stream: TcpStream) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let stream = Arc::new(stream);
        let idle = Arc::new(AtomicBool::new(true));
        let connections = {
            let mut connections = self.open_connections();
            let entry = OpenConnection {
                stream: Arc::clone(&stream),
                idle: Arc::clone(&idle),
            };
            connections.insert(id, entry);
            connections.len()
        };
        if connections > MAX_CONNECTIONS {
            refuse_busy(&stream, &self.settings);
        } else {
            let handler = &*self.handler;
            serve_connection(stream, handler, &self.settings, &idle, &self.stopping);
        }
        self.open_connections().remove(&id);
        self.all_closed.notify_all();
    }

    /// Closes the reading side of every connection that waits for a request,
    /// which wakes its thread with "end of input". Busy connections notice
    /// the shutdown once their response is sent.
    fn close_idle_connections(&self) {
        for connection in self.open_connections().values() {
            if connection.idle.load(Ordering::SeqCst) {
                let _ = connection.stream.shutdown(Shutdown::Read);
            }
        }
    }

    fn wait_until_all_closed(&self) {
        let mut connections = self.open_connections();
        while !connections.is_empty() {
            let (guard, timeout) = self
                .all_closed
                .wait_timeout(connections, self.settings.request_timeout)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            connections = guard;
            if timeout.timed_out() {
                break;
            }
        }
    }
}

/// Locks a mutex. A poisoned lock only means that a thread panicked while
/// holding it; the data inside is still fine, so carry on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn refuse_busy(stream: &TcpStream, settings: &Settings) {
    let _ = stream.set_write_timeout(Some(settings.write_timeout));
    let mut response = crate::Response::new();
    response.send_error(503, "the server has too many connections; try again soon");
    let mut out = Vec::new();
    response.serialize(&mut out, false, Some("close"));
    let _ = send_all(stream, &out, Instant::now() + settings.write_timeout);
    close_gently(stream);
}

/// Where the accepting thread hands new connections to threads that have
/// finished their last one.
///
/// Starting a thread costs more than a short request does, so threads are
/// reused: a thread that finished a connection waits a few seconds for
/// another one, then ends. Waiting threads all wait at once, on one
/// condition variable, so each ends after its own few seconds.
#[derive(Default)]
struct Handoff {
    state: Mutex<HandoffState>,
    arrived: Condvar,
}

#[derive(Default)]
struct HandoffState {
    /// Connections given to waiting threads and not yet picked up.
    queue: VecDeque<TcpStream>,
    /// Threads waiting for a connection.
    waiting: usize,
    /// The server stopped: waiting threads should end now.
    closed: bool,
}

impl Handoff {
    /// Gives `stream` to a waiting thread, or gives it back if every thread
    /// is busy.
    fn offer(&self, stream: TcpStream) -> Option<TcpStream> {
        let mut state = lock(&self.state);
        if state.waiting > state.queue.len() {
            state.queue.push_back(stream);
            self.arrived.notify_one();
            None
        } else {
            Some(stream)
        }
    }

    /// Waits a while for the next connection; `None` means the thread can end.
    fn next(&self) -> Option<TcpStream> {
        let mut state = lock(&self.state);
        state.waiting += 1;
        let (mut state, _) = self
            .arrived
            .wait_timeout_while(state, WORKER_IDLE_TIME, |state| {
                state.queue.is_empty() && !state.closed
            })
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.waiting -= 1;
        // Take a connection even if the wait timed out: `offer` counted on
        // this thread when it queued one.
        state.queue.pop_front()
    }

    /// Lets every waiting thread end.
    fn close(&self) {
        lock(&self.state).closed = true;
        self.arrived.notify_all();
    }
}

/// Accepts connections until the server stops, giving each to a thread: one
/// that is free, or a new one. A slow client therefore occupies its own
/// thread and never delays anybody else.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(stream) => stream,
            Err(_) => {
                // Usually "too many open files": give connections a moment
                // to close rather than spinning.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if let Some(stream) = shared.handoff.offer(stream) {
            start_thread(stream, Arc::clone(shared));
        }
    }
    shared.handoff.close();
}

fn start_thread(first: TcpStream, shared: Arc<Shared>) {
    let started = thread::Builder::new()
        .name("connection".into())
        .spawn(move || {
            let mut next = Some(first);
            while let Some(stream) = next {
                shared.serve(stream);
                next = shared.handoff.next();
            }
        });
    if started.is_err() {
        // Out of threads: the connection is dropped, and the client sees it
        // closed. Nothing better can be done without a thread to do it.
    }
}
