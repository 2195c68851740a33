//! A handler served over streams that are not TCP: an in-memory pipe that
//! cannot be cloned or split, and a Unix socket.

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread;

use crate::{Handler, HandlerResult, Request, Response, StreamOptions, serve_stream};

/// One end of an in-memory pipe. It has no `Clone` and no `try_clone`:
/// whoever owns it is the only one who can read or write it.
struct PipeEnd {
    incoming: Receiver<Vec<u8>>,
    outgoing: Sender<Vec<u8>>,
    pending: Vec<u8>,
}

fn pipe() -> (PipeEnd, PipeEnd) {
    let (a_out, b_in) = channel();
    let (b_out, a_in) = channel();
    let end = |incoming, outgoing| PipeEnd {
        incoming,
        outgoing,
        pending: Vec::new(),
    };
    (end(a_in, a_out), end(b_in, b_out))
}

impl Read for PipeEnd {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            match self.incoming.recv() {
                Ok(bytes) => self.pending = bytes,
                Err(_) => return Ok(0), // the other end is gone
            }
        }
        let n = buffer.len().min(self.pending.len());
        buffer[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

impl Write for PipeEnd {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.outgoing
            .send(bytes.to_vec())
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Echo;

impl Handler for Echo {
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let body = request.read_body()?;
        response.send_response(200);
        response.end_headers();
        response.write_all(request.path().as_bytes())?;
        response.write_all(b" ")?;
        response.write_all(&body)?;
        Ok(())
    }
}

const TWO_REQUESTS: &[u8] = b"POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nde";

fn check_replies(reply: &str) {
    assert_eq!(reply.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{reply}");
    assert!(reply.contains("\r\n\r\n/one abc"), "{reply}");
    assert!(reply.ends_with("\r\n\r\n/two de"), "{reply}");
    assert!(reply.contains("Connection: close\r\n"), "{reply}");
}

#[test]
fn serves_a_handler_over_an_in_memory_pipe() {
    let (server_end, mut client_end) = pipe();
    let server = thread::spawn(move || serve_stream(server_end, &Echo, StreamOptions::new()));
    client_end.write_all(TWO_REQUESTS).unwrap();
    let mut reply = String::new();
    client_end.read_to_string(&mut reply).unwrap();
    server.join().unwrap();
    check_replies(&reply);
}

#[test]
fn a_client_that_goes_away_ends_the_connection() {
    let (server_end, client_end) = pipe();
    let server = thread::spawn(move || serve_stream(server_end, &Echo, StreamOptions::new()));
    drop(client_end);
    server.join().unwrap();
}

#[cfg(unix)]
#[test]
fn serves_a_handler_over_a_unix_socket() {
    use std::os::unix::net::UnixStream;

    let (server_end, mut client_end) = UnixStream::pair().unwrap();
    let options = StreamOptions::new().client_address("127.0.0.1:1".parse().unwrap());
    let server = thread::spawn(move || serve_stream(server_end, &Echo, options));
    client_end.write_all(TWO_REQUESTS).unwrap();
    let mut reply = String::new();
    client_end.read_to_string(&mut reply).unwrap();
    server.join().unwrap();
    check_replies(&reply);
}
