//! The one-at-a-time server, the lower-level accept/serve API that lesson 6
//! builds its own servers from, and bodies streamed from a reader.

mod common;

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use common::{Client, get};
use http_server::{
    Connection, Handler, HandlerResult, HttpServer, Listener, Request, Response,
    ThreadingHttpServer,
};

/// How long a held request waits to be released; a server that cannot
/// serve two connections at once never releases it, and the test fails
/// (it does not hang) when this runs out.
const HOLD: Duration = Duration::from_secs(10);

/// `/hold` waits until `/release` arrives on another connection: only a
/// server that serves two connections at once answers it with "released".
struct Gate {
    release: Mutex<mpsc::Sender<()>>,
    released: Mutex<mpsc::Receiver<()>>,
}

impl Gate {
    fn new() -> Gate {
        let (release, released) = mpsc::channel();
        Gate {
            release: Mutex::new(release),
            released: Mutex::new(released),
        }
    }
}

impl Handler for Gate {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let text = match request.path() {
            "/hold" => match self.released.lock().unwrap().recv_timeout(HOLD) {
                Ok(()) => "released",
                Err(_) => "never released",
            },
            _ => {
                let _ = self.release.lock().unwrap().send(());
                "released the other"
            }
        };
        response.send_response(200);
        response.end_headers();
        response.write_all(text.as_bytes())?;
        Ok(())
    }
}

/// Holds a request on one connection and releases it from another.
fn two_at_once(address: SocketAddr) {
    let holder = thread::spawn(move || Client::connect(address).exchange(get("/hold")));
    // The release may come before the hold starts waiting: the channel
    // keeps it, so the order does not matter.
    let releaser = Client::connect(address).exchange(get("/release")).unwrap();
    assert_eq!(releaser.text(), "released the other");
    let held = holder.join().unwrap().unwrap();
    assert_eq!(held.text(), "released");
}

#[test]
fn the_one_at_a_time_server_answers_once_and_closes() {
    let server = HttpServer::bind("127.0.0.1:0").unwrap().spawn(Gate::new());
    let mut client = Client::connect(server.address());
    // Two requests at once: the first is answered with Connection: close,
    // and the second never.
    client
        .send(format!("{}{}", get("/release"), get("/release")))
        .unwrap();
    let reply = client.response().unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.closes(), "HttpServer must say Connection: close");
    client.expect_closed().unwrap();
    // The next connection is served as usual.
    let mut next = Client::connect(server.address());
    assert_eq!(next.exchange(get("/release")).unwrap().status, 200);
}

#[test]
fn a_thread_per_connection_loop_serves_two_connections_at_once() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let address = listener.address();
    let handler = Arc::new(Gate::new());
    thread::spawn(move || {
        for connection in listener.incoming() {
            let handler = Arc::clone(&handler);
            thread::spawn(move || connection.serve(&*handler));
        }
    });
    two_at_once(address);
}

#[test]
fn a_pool_of_four_workers_fed_by_a_channel_serves_two_connections_at_once() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let address = listener.address();
    let handler = Arc::new(Gate::new());
    let (sender, receiver) = mpsc::channel::<Connection>();
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..4 {
        let receiver = Arc::clone(&receiver);
        let handler = Arc::clone(&handler);
        thread::spawn(move || {
            loop {
                let next = receiver.lock().unwrap().recv();
                match next {
                    Ok(connection) => connection.serve(&*handler),
                    Err(_) => break,
                }
            }
        });
    }
    thread::spawn(move || {
        for connection in listener.incoming() {
            sender.send(connection).unwrap();
        }
    });
    two_at_once(address);
}

#[test]
fn serve_one_answers_one_request_with_connection_close() {
    let listener = Listener::bind("127.0.0.1:0").unwrap();
    let mut client = Client::connect(listener.address());
    client.send(get("/release")).unwrap();
    let connection = listener.incoming().next().unwrap();
    assert!(connection.client_address().ip().is_loopback());
    connection.serve_one(&Gate::new());
    let reply = client.response().unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.closes());
    client.expect_closed().unwrap();
}

/// A body of `length` bytes, made as it is read, that notes the largest
/// read asked of it and how much was read in all.
struct Generated {
    left: u64,
    largest_read: Arc<AtomicUsize>,
    read_in_all: Arc<AtomicUsize>,
}

impl Read for Generated {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.largest_read.fetch_max(buffer.len(), Ordering::SeqCst);
        let count = buffer.len().min(self.left as usize);
        buffer[..count].fill(b'x');
        self.left -= count as u64;
        self.read_in_all.fetch_add(count, Ordering::SeqCst);
        Ok(count)
    }
}

#[derive(Default)]
struct Files {
    largest_read: Arc<AtomicUsize>,
    read_in_all: Arc<AtomicUsize>,
}

const BIG: u64 = 5 * 1024 * 1024;

impl Handler for Files {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let (status, length, real) = match request.path() {
            "/big" => (200, BIG, BIG),
            "/short" => (200, 1000, 10), // the file shrank under our feet
            "/unchanged" => {
                response.send_response(304);
                response.end_headers();
                return Ok(());
            }
            _ => (404, 0, 0),
        };
        response.send_response(status);
        response.send_header("Content-Type", "application/octet-stream");
        response.end_headers();
        let body = Generated {
            left: real,
            largest_read: Arc::clone(&self.largest_read),
            read_in_all: Arc::clone(&self.read_in_all),
        };
        response.send_body_from(body, length);
        Ok(())
    }
}

#[test]
fn a_streamed_body_arrives_whole_through_a_bounded_buffer() {
    let files = Files::default();
    let largest_read = Arc::clone(&files.largest_read);
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(files);
    let mut client = Client::connect(server.address());
    let reply = client.exchange(get("/big")).unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Content-Length"),
        Some(BIG.to_string().as_str())
    );
    assert_eq!(reply.body.len() as u64, BIG);
    assert!(reply.body.iter().all(|&byte| byte == b'x'));
    // The whole body passed through one buffer of at most 64 KiB: that is
    // all a slow reader can make the server hold for it.
    assert!(largest_read.load(Ordering::SeqCst) <= 64 * 1024);
    // And the connection carries on.
    assert_eq!(client.exchange(get("/unchanged")).unwrap().status, 304);
}

#[test]
fn head_and_304_send_no_body_and_do_not_read_the_source() {
    let files = Files::default();
    let read_in_all = Arc::clone(&files.read_in_all);
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(files);
    let mut client = Client::connect(server.address());
    client
        .send("HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let head = client.response_to_head().unwrap();
    assert_eq!(
        head.header("Content-Length"),
        Some(BIG.to_string().as_str())
    );
    assert!(head.body.is_empty());
    let unchanged = client.exchange(get("/unchanged")).unwrap();
    assert_eq!(unchanged.status, 304);
    assert!(unchanged.body.is_empty());
    assert_eq!(unchanged.header("Content-Length"), None);
    assert_eq!(read_in_all.load(Ordering::SeqCst), 0);
}

#[test]
fn a_source_that_ends_early_closes_the_connection() {
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(Files::default());
    let reply = http_server::send_raw(server.address(), get("/short").as_bytes()).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(reply.contains("Content-Length: 1000\r\n"));
    // Ten bytes, then the end of the connection: the client can tell that
    // the body is incomplete.
    assert!(reply.ends_with("\r\n\r\nxxxxxxxxxx"), "{reply:?}");
}
