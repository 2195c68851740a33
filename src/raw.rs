//! Talking HTTP by hand: send some bytes, read what comes back.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// Sends `request` exactly as given to the server at `address`, and returns
/// everything the server sends back until it closes the connection, as text
/// (bytes that are not UTF-8 show as `�`).
///
/// No client library sits in between, so this shows what really travels on
/// the connection; the examples and the tests use it. After sending, it
/// closes its sending side, which tells the server that no more requests
/// follow. It gives up after five seconds of silence.
///
/// ```
/// use http_server::{Handler, ThreadingHttpServer, send_raw};
///
/// struct Nothing;
/// impl Handler for Nothing {}
///
/// let server = ThreadingHttpServer::bind("127.0.0.1:0")?.spawn(Nothing);
/// let reply = send_raw(server.address(), b"GARBAGE\r\n\r\n")?;
/// assert!(reply.starts_with("HTTP/1.1 400 Bad Request\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn send_raw(address: SocketAddr, request: &[u8]) -> io::Result<String> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(request)?;
    stream.shutdown(Shutdown::Write)?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}
