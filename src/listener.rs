//! The lower level under both servers: a listening socket that accepts
//! connections, and one connection served with a handler.
//!
//! The servers in `server.rs` are built from these two pieces. Lesson 6
//! uses them directly, to write its own thread-per-connection loop and its
//! own pool of workers.

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::AtomicBool;
use std::thread;
use std::time::Duration;

use crate::connection::{Settings, serve_connection};
use crate::transport::Transport;
use crate::{Handler, ServerError};

/// The port lessons listen on unless `PORT` says otherwise.
///
/// ```
/// assert_eq!(http_server::DEFAULT_PORT, 8000);
/// ```
pub const DEFAULT_PORT: u16 = 8000;

/// The address lessons listen on unless `HOST` says otherwise: this
/// computer only.
///
/// ```
/// assert_eq!(http_server::DEFAULT_HOST.to_string(), "127.0.0.1");
/// ```
pub const DEFAULT_HOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The address in `HOST` and `PORT`, or 127.0.0.1 and 8000.
fn address_from_env() -> Result<SocketAddr, ServerError> {
    let port = match std::env::var("PORT") {
        Err(_) => DEFAULT_PORT,
        Ok(text) => text.trim().parse().map_err(|_| {
            ServerError::new(format!(
                "PORT must be a port number from 0 to 65535, not {text:?}"
            ))
        })?,
    };
    let host = match std::env::var("HOST") {
        Err(_) => DEFAULT_HOST,
        Ok(text) => text.trim().parse().map_err(|_| {
            ServerError::new(format!(
                "HOST must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, not {text:?}"
            ))
        })?,
    };
    Ok(SocketAddr::new(host, port))
}

/// Prints the line that says where a server listens; checks and scripts
/// read it, so it is always the first line on stdout.
pub(crate) fn announce(address: SocketAddr) {
    let mut stdout = io::stdout();
    let _ = writeln!(stdout, "Serving HTTP on http://{address}/ (Ctrl-C to stop)");
    let _ = stdout.flush();
}

/// A listening socket that hands out [`Connection`]s, for writing your own
/// server loop (lesson 6). The servers do this for you.
///
/// This is the loop of a server that gives every connection its own thread:
///
/// ```no_run
/// use http_server::{Handler, Listener, ServerError};
/// use std::sync::Arc;
///
/// struct Hello;
/// impl Handler for Hello {}
///
/// fn main() -> Result<(), ServerError> {
///     let listener = Listener::from_env()?;
///     let handler = Arc::new(Hello);
///     for connection in listener.incoming() {
///         let handler = Arc::clone(&handler);
///         std::thread::spawn(move || connection.serve(&*handler));
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct Listener {
    listener: TcpListener,
    settings: Settings,
}

impl Listener {
    /// Listens on `address`, such as `"127.0.0.1:8000"`. Port 0 asks the
    /// system for any free port; [`address`](Listener::address) tells which.
    ///
    /// ```
    /// let listener = http_server::Listener::bind("127.0.0.1:0")?;
    /// assert_ne!(listener.address().port(), 0);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn bind(address: impl ToSocketAddrs + fmt::Display) -> Result<Listener, ServerError> {
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
        Ok(Listener {
            listener,
            settings: Settings::default(),
        })
    }

    /// Listens where the course's lessons listen: at the address in the
    /// `HOST` environment variable (127.0.0.1 if it is not set, so only
    /// this computer can connect; `0.0.0.0` or `::` to let others in), at
    /// the port in `PORT` (8000 if it is not set; `0` picks any free port).
    ///
    /// ```
    /// // HOST and PORT are not set while the documentation's examples run.
    /// # unsafe { std::env::remove_var("PORT"); std::env::remove_var("HOST") };
    /// match http_server::Listener::from_env() {
    ///     Ok(listener) => assert_eq!(listener.address().to_string(), "127.0.0.1:8000"),
    ///     Err(error) => assert!(error.to_string().contains("8000")), // already taken
    /// }
    /// ```
    pub fn from_env() -> Result<Listener, ServerError> {
        Listener::bind(address_from_env()?)
    }

    /// The address the listener listens on.
    ///
    /// ```
    /// let listener = http_server::Listener::bind("127.0.0.1:0")?;
    /// assert!(listener.address().ip().is_loopback());
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn address(&self) -> SocketAddr {
        // A bound listener always knows its address.
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::new(DEFAULT_HOST, 0))
    }

    /// Sets the largest request body accepted (1 MiB unless set). Larger
    /// ones get `413 Content Too Large` before the handler runs.
    ///
    /// ```
    /// let listener = http_server::Listener::bind("127.0.0.1:0")?.max_body_size(10 * 1024);
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> Listener {
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
    /// let listener = http_server::Listener::bind("127.0.0.1:0")?
    ///     .timeouts(Duration::from_secs(5), Duration::from_secs(10));
    /// # Ok::<(), http_server::ServerError>(())
    /// ```
    pub fn timeouts(mut self, idle: Duration, request: Duration) -> Listener {
        self.settings.idle_timeout = idle;
        self.settings.request_timeout = request;
        self.settings.write_timeout = request;
        self
    }

    /// Prints where the server listens (`Serving HTTP on http://...`, the
    /// first line on stdout, as every server in the course does), then
    /// yields each connection as it arrives, for ever. A failed accept
    /// (usually "too many open files") is skipped after a short pause.
    ///
    /// ```
    /// use http_server::{Handler, Listener};
    ///
    /// struct Nothing;
    /// impl Handler for Nothing {}
    ///
    /// let listener = Listener::bind("127.0.0.1:0")?;
    /// let address = listener.address();
    /// let client = std::thread::spawn(move || {
    ///     http_server::send_raw(address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    /// });
    /// let connection = listener.incoming().next().unwrap();
    /// connection.serve(&Nothing);
    /// assert!(client.join().unwrap()?.starts_with("HTTP/1.1 501 Not Implemented"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        announce(self.address());
        Incoming { listener: self }
    }

    /// Waits for the next connection.
    pub(crate) fn accept(&self) -> io::Result<TcpStream> {
        self.listener.accept().map(|(stream, _)| stream)
    }

    pub(crate) fn settings(&self) -> Settings {
        self.settings
    }
}

/// The connections a [`Listener`] accepts, one after another; made by
/// [`Listener::incoming`].
///
/// ```no_run
/// # struct Nothing;
/// # impl http_server::Handler for Nothing {}
/// let listener = http_server::Listener::from_env()?;
/// for connection in listener.incoming() {
///     connection.serve_one(&Nothing); // one at a time, one answer each
/// }
/// # Ok::<(), http_server::ServerError>(())
/// ```
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a Listener,
}

impl Iterator for Incoming<'_> {
    type Item = Connection;

    fn next(&mut self) -> Option<Connection> {
        loop {
            match self.listener.accept() {
                Ok(stream) => {
                    return Some(Connection {
                        stream,
                        settings: self.listener.settings,
                    });
                }
                // Usually "too many open files": give connections a moment
                // to close rather than spinning.
                Err(_) => thread::sleep(Duration::from_millis(10)),
            }
        }
    }
}

/// One client's connection, accepted and not yet served.
///
/// It can be sent to another thread (it is `Send`), so a server can hand
/// it to a thread of its own, or to a worker through a channel. The
/// listener's timeouts and limits come with it.
///
/// A fixed pool of four workers, fed through a channel:
///
/// ```no_run
/// use http_server::{Connection, Handler, Listener, ServerError};
/// use std::sync::{Arc, Mutex, mpsc};
///
/// struct Hello;
/// impl Handler for Hello {}
///
/// fn main() -> Result<(), ServerError> {
///     let listener = Listener::from_env()?;
///     let handler = Arc::new(Hello);
///     let (sender, receiver) = mpsc::channel::<Connection>();
///     let receiver = Arc::new(Mutex::new(receiver));
///     for _ in 0..4 {
///         let receiver = Arc::clone(&receiver);
///         let handler = Arc::clone(&handler);
///         std::thread::spawn(move || loop {
///             let next = receiver.lock().unwrap().recv();
///             match next {
///                 Ok(connection) => connection.serve(&*handler),
///                 Err(_) => break, // the sender is gone: the server stopped
///             }
///         });
///     }
///     for connection in listener.incoming() {
///         sender.send(connection).unwrap();
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    settings: Settings,
}

impl Connection {
    /// Who connected: the client's address and port.
    ///
    /// ```
    /// let listener = http_server::Listener::bind("127.0.0.1:0")?;
    /// let _client = std::net::TcpStream::connect(listener.address())?;
    /// let connection = listener.incoming().next().unwrap();
    /// assert!(connection.client_address().ip().is_loopback());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_address(&self) -> SocketAddr {
        self.stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::new(DEFAULT_HOST, 0))
    }

    /// Answers requests on this connection with `handler` until the client
    /// closes it, goes quiet for too long, or asks to close (keep-alive).
    /// Returns when the connection is closed.
    ///
    /// ```
    /// use http_server::{Handler, Listener};
    ///
    /// struct Nothing;
    /// impl Handler for Nothing {}
    ///
    /// let listener = Listener::bind("127.0.0.1:0")?;
    /// let address = listener.address();
    /// let client = std::thread::spawn(move || {
    ///     // Two requests on one connection: both are answered.
    ///     let two = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ///     http_server::send_raw(address, two)
    /// });
    /// listener.incoming().next().unwrap().serve(&Nothing);
    /// assert_eq!(client.join().unwrap()?.matches("HTTP/1.1 501").count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// The examples on [`Listener`] and [`Connection`] serve with threads.
    pub fn serve(self, handler: &dyn Handler) {
        self.run(handler, false);
    }

    /// Answers one request, with `Connection: close`, and closes the
    /// connection: what Python's `HTTPServer` does, and what a server that
    /// serves one connection at a time must do, or a browser's other
    /// connections would wait in line behind an idle one.
    ///
    /// ```
    /// use http_server::{Handler, Listener};
    ///
    /// struct Nothing;
    /// impl Handler for Nothing {}
    ///
    /// let listener = Listener::bind("127.0.0.1:0")?;
    /// let address = listener.address();
    /// let client = std::thread::spawn(move || {
    ///     // Two requests on one connection: only the first is answered.
    ///     let two = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ///     http_server::send_raw(address, two)
    /// });
    /// listener.incoming().next().unwrap().serve_one(&Nothing);
    /// let reply = client.join().unwrap()?;
    /// assert!(reply.contains("Connection: close\r\n"));
    /// assert_eq!(reply.matches("HTTP/1.1 501").count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn serve_one(self, handler: &dyn Handler) {
        self.run(handler, true);
    }

    fn run(self, handler: &dyn Handler, one_answer: bool) {
        let mut settings = self.settings;
        settings.one_answer |= one_answer;
        let Ok(client) = self.stream.peer_addr() else {
            return; // already gone
        };
        let never = AtomicBool::new(false);
        let idle = AtomicBool::new(false);
        let transport = Transport::tcp(self.stream);
        serve_connection(transport, client, handler, &settings, &idle, &never);
    }
}
