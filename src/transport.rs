//! The byte stream under a connection: reading with a deadline, sending
//! everything before a deadline, and closing without losing the answer.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The reading end of a connection, with a deadline.
///
/// A timeout on each read is not enough: a client could send one byte every
/// few seconds and never trip it ("slowloris"). So the connection sets a
/// deadline for the whole request, and every read may only wait for the
/// time that is left.
#[derive(Debug)]
pub(crate) struct Socket {
    /// Shared with the server's list of connections (so a shutdown can
    /// close it) rather than duplicated: one open file per connection.
    pub(crate) stream: Arc<TcpStream>,
    pub(crate) deadline: Instant,
    /// Between requests: how long to wait for the next one, a plain timeout.
    pub(crate) idle_wait: Option<Duration>,
    /// The read timeout the socket has now; asking the system to set it
    /// costs a system call, so it is set only when it changes.
    pub(crate) timeout: Option<Duration>,
}

impl Socket {
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// When the request being read must have arrived.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Read for Socket {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let wait = match self.idle_wait {
            Some(wait) => wait,
            None => self.deadline.saturating_duration_since(Instant::now()),
        };
        if wait.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if self.timeout != Some(wait) {
            self.stream.set_read_timeout(Some(wait))?;
            self.timeout = Some(wait);
        }
        (&*self.stream).read(buffer)
    }
}

/// Sends all of `bytes`, giving up at `deadline`.
///
/// As with reading, a timeout on each write would not be enough: a client
/// that reads a few bytes now and then would hold the connection forever.
/// The caller sets the socket's write timeout once per connection (to the
/// whole write time allowed); only a write that sent part of the bytes
/// makes this shorten it, which saves a system call per response.
pub(crate) fn send_all(
    mut stream: &TcpStream,
    mut bytes: &[u8],
    deadline: Instant,
) -> io::Result<()> {
    let mut first = true;
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if !first {
            stream.set_write_timeout(Some(left))?;
        }
        first = false;
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(sent) => bytes = &bytes[sent..],
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Closes a connection on which the client may still be sending.
///
/// Closing a socket that has unread bytes makes the system reset the
/// connection, and a reset can destroy the response we just sent before the
/// client reads it. So: close our sending side first (the client sees the
/// end of the response), then read and throw away whatever still arrives,
/// for a moment, and only then close.
pub(crate) fn close_gently(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let until = Instant::now() + Duration::from_secs(2);
    let mut scratch = [0; 8192];
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}
