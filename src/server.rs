//! The two servers, as in Python: [`HttpServer`] answers one connection
//! at a time, [`ThreadingHttpServer`] many at once, each on its own
//! thread. Both listen, accept and serve for ever, or on a background
//! thread for tests ([`RunningServer`]).

use std::fmt;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::Handler;
use crate::listener::{Listener, ServerError, announce};
use crate::pool::{Caps, Shared, accept_loop};

/// A server that serves one connection at a time, like Python's
/// `HTTPServer`: simple, and enough to learn with, but a slow client makes
/// everybody else wait (lesson 6 shows it, then fixes it).
///
/// It answers one request per connection and closes it
/// (`Connection: close`); otherwise a browser's other connections would
/// each wait in line behind an idle one.
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
#[derive(Debug)]
pub struct HttpServer {
    listener: Listener,
}

impl HttpServer {
    /// Listens on `address`, such as `"127.0.0.1:8000"`. Port 0 asks the
    /// system for any free port; [`address`](HttpServer::address) tells which.
    ///
    /// ```
    /// let server = http_server::HttpServer::bind("127.0.0.1:0")?;
    /// assert_ne!(server.address().port(), 0);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn bind(address: impl ToSocketAddrs + fmt::Display) -> Result<HttpServer, ServerError> {
        Ok(HttpServer {
            listener: Listener::bind(address)?,
        })
    }

    /// Listens at the address in `HOST` (127.0.0.1 unless set) and the port
    /// in `PORT` (8000 unless set; `0` picks any free port), as every
    /// lesson does. See [`Listener::from_env`].
    ///
    /// ```
    /// // 127.0.0.1:8000 unless HOST or PORT say otherwise.
    /// match http_server::HttpServer::from_env() {
    ///     Ok(server) => println!("listening on {}", server.address()),
    ///     Err(error) => assert!(error.to_string().starts_with("cannot listen on")),
    /// }
    /// ```
    pub fn from_env() -> Result<HttpServer, ServerError> {
        Ok(HttpServer {
            listener: Listener::from_env()?,
        })
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
    /// let server = http_server::HttpServer::bind("127.0.0.1:0")?.max_body_size(10 * 1024);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn max_body_size(self, bytes: u64) -> HttpServer {
        HttpServer {
            listener: self.listener.max_body_size(bytes),
        }
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
    pub fn timeouts(self, idle: Duration, request: Duration) -> HttpServer {
        HttpServer {
            listener: self.listener.timeouts(idle, request),
        }
    }

    /// Prints where the server listens, as the first line on stdout, then
    /// serves requests until the program is stopped (Ctrl-C).
    ///
    /// ```text
    /// Serving HTTP on http://127.0.0.1:8000/ (Ctrl-C to stop)
    /// ```
    ///
    /// See the example on [`HttpServer`].
    pub fn serve_forever(self, handler: impl Handler) -> Result<(), ServerError> {
        serve_forever(self.listener, handler, true, Caps::default())
    }

    /// Serves requests on a background thread and returns at once; for
    /// tests and examples.
    ///
    /// ```
    /// # struct Nothing;
    /// # impl http_server::Handler for Nothing {}
    /// let server = http_server::HttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")?;
    /// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
    /// assert!(reply.contains("Connection: close\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(self, handler: impl Handler) -> RunningServer {
        RunningServer::start(self.listener, handler, true, Caps::default())
    }
}

/// A server that serves many connections at once, each on its own thread,
/// like Python's `ThreadingHTTPServer`; the lessons use it.
///
/// Connections stay open between requests (keep-alive). At most 2,000 are
/// served at once, and at most 512 from one client address, so that one
/// client cannot take every place; more get `503 Service Unavailable`.
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
#[derive(Debug)]
pub struct ThreadingHttpServer {
    listener: Listener,
    caps: Caps,
}

impl ThreadingHttpServer {
    /// Listens on `address`, such as `"127.0.0.1:8000"`. Port 0 asks the
    /// system for any free port; [`address`](ThreadingHttpServer::address)
    /// tells which.
    ///
    /// ```
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?;
    /// assert_ne!(server.address().port(), 0);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn bind(
        address: impl ToSocketAddrs + fmt::Display,
    ) -> Result<ThreadingHttpServer, ServerError> {
        Ok(ThreadingHttpServer {
            listener: Listener::bind(address)?,
            caps: Caps::default(),
        })
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
    pub fn from_env() -> Result<ThreadingHttpServer, ServerError> {
        Ok(ThreadingHttpServer {
            listener: Listener::from_env()?,
            caps: Caps::default(),
        })
    }

    /// The address the server listens on.
    ///
    /// ```
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?;
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
    pub fn max_body_size(mut self, bytes: u64) -> ThreadingHttpServer {
        self.listener = self.listener.max_body_size(bytes);
        self
    }

    /// Sets the idle and request timeouts; see [`Listener::timeouts`].
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let server = http_server::ThreadingHttpServer::bind("127.0.0.1:0")?
    ///     .timeouts(Duration::from_secs(5), Duration::from_secs(10));
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn timeouts(mut self, idle: Duration, request: Duration) -> ThreadingHttpServer {
        self.listener = self.listener.timeouts(idle, request);
        self
    }

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
    pub fn max_connections(mut self, total: usize, per_client: usize) -> ThreadingHttpServer {
        self.caps = Caps { total, per_client };
        self
    }

    /// Prints where the server listens, as the first line on stdout, then
    /// serves requests until the program is stopped (Ctrl-C).
    ///
    /// ```text
    /// Serving HTTP on http://127.0.0.1:8000/ (Ctrl-C to stop)
    /// ```
    ///
    /// See the example on [`ThreadingHttpServer`].
    pub fn serve_forever(self, handler: impl Handler) -> Result<(), ServerError> {
        serve_forever(self.listener, handler, false, self.caps)
    }

    /// Serves requests on a background thread and returns at once; for
    /// tests and examples. The server stops when the [`RunningServer`] is
    /// dropped or [`shut down`](RunningServer::shutdown).
    ///
    /// ```
    /// use http_server::{Handler, ThreadingHttpServer};
    ///
    /// struct Nothing;
    /// impl Handler for Nothing {}
    ///
    /// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
    /// let reply = http_server::send_raw(server.address(), b"GET / HTTP/1.0\r\n\r\n")?;
    /// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
    /// server.shutdown();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(self, handler: impl Handler) -> RunningServer {
        RunningServer::start(self.listener, handler, false, self.caps)
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
