//! Serving any byte stream: HTTP over a stream you opened yourself (a TLS
//! stream, a Unix socket, a pipe in memory), not only over the TCP
//! connections a server accepts.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::Handler;
use crate::connection::{Settings, serve_connection};
use crate::transport::Transport;

/// Answers requests on `stream` with `handler` until the client closes it,
/// goes quiet, or asks to close: what [`Connection::serve`](crate::Connection::serve)
/// does for a TCP connection, over any stream that reads and writes
/// through one owner (`Read + Write`, like rustls's `StreamOwned`).
///
/// The stream is never cloned or split. Timeouts and a gentle close need
/// the TCP socket under it, if there is one: give a handle to it with
/// [`StreamOptions::socket`]. Without one, the stream's own timeouts apply.
///
/// ```
/// # #[cfg(unix)] {
/// use http_server::{Handler, StreamOptions, serve_stream};
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
///
/// struct Nothing;
/// impl Handler for Nothing {}
///
/// let (server_end, mut client_end) = UnixStream::pair()?;
/// let server = std::thread::spawn(move || {
///     serve_stream(server_end, &Nothing, StreamOptions::new())
/// });
/// client_end.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// let mut reply = String::new();
/// client_end.read_to_string(&mut reply)?;
/// server.join().unwrap();
/// assert!(reply.starts_with("HTTP/1.1 501 Not Implemented"));
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn serve_stream(
    stream: impl Read + Write + Send + 'static,
    handler: &dyn Handler,
    options: StreamOptions,
) {
    let client = options
        .client
        .or_else(|| options.socket.as_ref()?.peer_addr().ok())
        .unwrap_or(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0));
    let socket = options.socket.map(Arc::new);
    let transport = Transport::new(Box::new(stream), socket);
    let never = AtomicBool::new(false);
    let idle = AtomicBool::new(false);
    serve_connection(
        transport,
        client,
        handler,
        &Settings::default(),
        &idle,
        &never,
    );
}

/// What [`serve_stream`] knows about a stream besides its bytes.
///
/// ```
/// let options = http_server::StreamOptions::new()
///     .client_address("192.0.2.7:50000".parse().unwrap());
/// ```
#[derive(Debug, Default)]
pub struct StreamOptions {
    socket: Option<TcpStream>,
    client: Option<SocketAddr>,
}

impl StreamOptions {
    /// No socket underneath, and an unknown client (`0.0.0.0:0`).
    ///
    /// ```
    /// let options = http_server::StreamOptions::new();
    /// ```
    pub fn new() -> StreamOptions {
        StreamOptions::default()
    }

    /// The TCP socket under the stream (a handle made with
    /// `TcpStream::try_clone` before the stream took it): the connection's
    /// timeouts, the client's address and the gentle close use it. The
    /// stream itself still does all the reading and writing.
    ///
    /// ```
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let _client = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let (stream, _) = listener.accept()?;
    /// let options = http_server::StreamOptions::new().socket(stream.try_clone()?);
    /// // ... wrap `stream` (in TLS, say) and serve it with these options.
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn socket(mut self, socket: TcpStream) -> StreamOptions {
        self.socket = Some(socket);
        self
    }

    /// The client's address, for [`Request::client_address`](crate::Request::client_address)
    /// and the log, when no socket tells it.
    ///
    /// ```
    /// let options = http_server::StreamOptions::new()
    ///     .client_address("127.0.0.1:4000".parse().unwrap());
    /// ```
    pub fn client_address(mut self, address: SocketAddr) -> StreamOptions {
        self.client = Some(address);
        self
    }
}
