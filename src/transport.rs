//! The byte stream under a connection: any stream that reads and writes
//! through one owner (a `TcpStream`, a TLS stream, a Unix socket, a pipe in
//! memory), and, when there is one, the TCP socket under it.
//!
//! The stream carries the bytes. The socket, if any, is how the server
//! reaches the connection from outside the stream: to set timeouts, to
//! learn the client's address, and to shut it down. A TLS stream owns its
//! socket and need not lend it out; the server keeps a handle of its own.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a connection can be served over: it reads and writes, and can be
/// handed to the thread that serves it.
pub(crate) trait Stream: Read + Write + Send {}

impl<T: Read + Write + Send> Stream for T {}

/// A plain TCP connection whose socket the server also keeps (to shut it
/// down when it stops): reading and writing go through a shared handle, so
/// the connection costs one open file, not two.
pub(crate) struct SharedTcp(pub(crate) Arc<TcpStream>);

impl Read for SharedTcp {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        (&*self.0).read(buffer)
    }
}

impl Write for SharedTcp {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        (&*self.0).write(bytes)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A connection's stream with its deadlines.
///
/// A timeout on each read is not enough: a client could send one byte every
/// few seconds and never trip it ("slowloris"). So the connection sets a
/// deadline for the whole request, and every read may only wait for the
/// time that is left. Timeouts need the socket underneath; a stream without
/// one (a pipe in memory) waits as long as the stream itself does.
pub(crate) struct Transport {
    stream: Box<dyn Stream>,
    socket: Option<Arc<TcpStream>>,
    /// When the request being read must have arrived.
    pub(crate) deadline: Instant,
    /// Between requests: how long to wait for the next one, a plain timeout.
    pub(crate) idle_wait: Option<Duration>,
    /// The read timeout the socket has now; asking the system to set it
    /// costs a system call, so it is set only when it changes.
    timeout: Option<Duration>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("socket", &self.socket)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(stream: Box<dyn Stream>, socket: Option<Arc<TcpStream>>) -> Transport {
        Transport {
            stream,
            socket,
            deadline: Instant::now(),
            idle_wait: None,
            timeout: None,
        }
    }

    /// A plain TCP connection, served by this thread alone.
    pub(crate) fn tcp(stream: TcpStream) -> Transport {
        Transport::shared_tcp(Arc::new(stream))
    }

    /// A plain TCP connection whose socket the server also keeps.
    pub(crate) fn shared_tcp(socket: Arc<TcpStream>) -> Transport {
        let stream = SharedTcp(Arc::clone(&socket));
        Transport::new(Box::new(stream), Some(socket))
    }

    /// The TCP socket under the stream, if there is one.
    pub(crate) fn socket(&self) -> Option<&TcpStream> {
        self.socket.as_deref()
    }

    /// Sends all of `bytes`, giving up at `deadline`.
    ///
    /// As with reading, a timeout on each write would not be enough: a
    /// client that reads a few bytes now and then would hold the connection
    /// forever. The connection sets the socket's write timeout once (to the
    /// whole write time allowed); only a write that sent part of the bytes
    /// makes this shorten it, which saves a system call per response.
    pub(crate) fn send_all(&mut self, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
        let mut first = true;
        while !bytes.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            if !first && let Some(socket) = &self.socket {
                socket.set_write_timeout(Some(left))?;
            }
            first = false;
            match self.stream.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(sent) => bytes = &bytes[sent..],
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        // A TLS stream or a buffered one may hold the last bytes back.
        self.stream.flush()
    }

    /// Closes a connection on which the client may still be sending.
    ///
    /// Closing a socket that has unread bytes makes the system reset the
    /// connection, and a reset can destroy the response we just sent before
    /// the client reads it. So: close our sending side first (the client
    /// sees the end of the response), then read and throw away whatever
    /// still arrives, for a moment, and only then close. Without a socket
    /// there is no half-close: the stream is simply dropped.
    pub(crate) fn close_gently(mut self) {
        let _ = self.stream.flush();
        let Some(socket) = self.socket.take() else {
            return;
        };
        let _ = socket.shutdown(Shutdown::Write);
        let until = Instant::now() + Duration::from_secs(2);
        let mut scratch = [0; 8192];
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
                return;
            }
            match (&*socket).read(&mut scratch) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let wait = match self.idle_wait {
            Some(wait) => wait,
            None => self.deadline.saturating_duration_since(Instant::now()),
        };
        if wait.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if let Some(socket) = &self.socket
            && self.timeout != Some(wait)
        {
            socket.set_read_timeout(Some(wait))?;
            self.timeout = Some(wait);
        }
        self.stream.read(buffer)
    }
}
