//! Slow, silent and vanishing clients: none of them may keep a well-behaved
//! client waiting, and the server's timeouts must close them.
//!
//! Some clients here send or read at a pace of their own (a byte every
//! 100 ms, say): that is the behaviour under test, not a wait for the server
//! to get ready. The only time limits asserted are the ones the issues set:
//! a new client is answered within a second while hundreds of connections
//! sit idle or crawl.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{Client, PATIENCE, get, is_timeout};
use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer, parse_qs};

/// The bar of both issues: "answered within a second".
const PROMPTLY: Duration = Duration::from_secs(1);

/// Keeps the messages posted to it and reports every POST it finished,
/// so a test can wait for a request to be done without guessing how long.
struct Board {
    messages: Mutex<Vec<String>>,
    finished: Mutex<Sender<Result<(), String>>>,
}

impl Board {
    fn new() -> (Board, mpsc::Receiver<Result<(), String>>) {
        let (sender, receiver) = mpsc::channel();
        let board = Board {
            messages: Mutex::new(Vec::new()),
            finished: Mutex::new(sender),
        };
        (board, receiver)
    }
}

impl Handler for Board {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let text = match request.path() {
            "/big" => "x".repeat(BIG),
            "/count" => self.messages.lock().unwrap().len().to_string(),
            _ => "hello".to_owned(),
        };
        response.send_response(200);
        response.end_headers();
        response.write_all(text.as_bytes())?;
        Ok(())
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let body = request.read_body();
        let outcome = body.as_ref().map(|_| ()).map_err(|error| error.to_string());
        let _ = self.finished.lock().unwrap().send(outcome);
        let form = parse_qs(body?)?;
        let message = form.get("message").unwrap_or_default().to_owned();
        self.messages.lock().unwrap().push(message);
        response.send_response(303);
        response.send_header("Location", "/");
        response.end_headers();
        Ok(())
    }
}

/// The size of the page at /big: far more than the system buffers between
/// server and client can hold, so a client that does not read blocks the
/// server's write.
const BIG: usize = 16 * 1024 * 1024;

fn board_server(
    idle: Duration,
    request: Duration,
) -> (
    http_server::RunningServer,
    mpsc::Receiver<Result<(), String>>,
) {
    let (board, finished) = Board::new();
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .timeouts(idle, request)
        .spawn(board);
    (server, finished)
}

/// Opens `count` connections that never send anything, and checks that a
/// new client is answered within a second all along.
///
/// They are opened a hundred at a time: the system queues at most 128
/// connections that the server has not yet accepted, and drops the rest
/// for a client to retry a second later. The server accepts in order, so
/// the answer to the GET after each batch shows that it has taken the
/// whole batch.
fn silent_connections_then_a_get(count: usize) {
    let (server, _) = board_server(Duration::from_secs(15), Duration::from_secs(30));
    let mut silent = Vec::new();
    while silent.len() < count {
        let batch = (count - silent.len()).min(100);
        silent.extend((0..batch).map(|_| TcpStream::connect(server.address()).unwrap()));
        let mut client = Client::connect_with_patience(server.address(), PROMPTLY);
        let reply = client.exchange(get("/")).unwrap_or_else(|problem| {
            panic!(
                "with {} silent connections open, a GET was not answered within a second: {problem}",
                silent.len()
            )
        });
        assert_eq!(reply.status, 200);
    }
}

#[test]
fn two_hundred_silent_clients_do_not_delay_a_new_one() {
    silent_connections_then_a_get(200);
}

#[test]
fn five_hundred_idle_connections_do_not_delay_a_get() {
    silent_connections_then_a_get(500);
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let (server, _) = board_server(Duration::from_millis(300), Duration::from_secs(5));
    let mut silent: Vec<Client> = (0..20).map(|_| Client::connect(server.address())).collect();
    let mut kept_alive = Client::connect(server.address());
    assert_eq!(kept_alive.exchange(get("/")).unwrap().status, 200);
    // A silent connection is closed without a word: it never started a
    // request, so there is nothing to answer (RFC 9112, section 9.5).
    for client in &mut silent {
        client.expect_closed().unwrap();
    }
    kept_alive.expect_closed().unwrap();
}

/// Sends `head` one byte every 100 ms until told to stop, the server closes
/// the connection, or 15 s have passed. Says when the first byte is out.
fn trickle(mut stream: TcpStream, head: Vec<u8>, stop: Arc<AtomicBool>, started: Sender<()>) {
    for (index, byte) in head
        .iter()
        .chain(b"X-Slow: ".iter())
        .chain([b'a'; 150].iter())
        .enumerate()
    {
        if stop.load(Ordering::SeqCst) || stream.write_all(&[*byte]).is_err() {
            return;
        }
        if index == 0 {
            let _ = started.send(());
        }
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn slowloris_clients_get_408_and_do_not_stall_others() {
    let request_timeout = Duration::from_secs(2);
    let (server, _) = board_server(request_timeout, request_timeout);
    let stop = Arc::new(AtomicBool::new(false));
    let (started, first_bytes) = mpsc::channel();
    let slow: Vec<_> = (0..10)
        .map(|_| {
            let client = Client::connect(server.address());
            let stream = client.stream().try_clone().unwrap();
            let head = b"GET / HTTP/1.1\r\nHost: test\r\n".to_vec();
            let (stop, started) = (Arc::clone(&stop), started.clone());
            let writer = thread::spawn(move || trickle(stream, head, stop, started));
            (client, writer)
        })
        .collect();
    for _ in &slow {
        first_bytes.recv_timeout(PATIENCE).unwrap();
    }

    // The slow clients get two seconds to finish their requests; a client
    // served behind them would wait that long. Each of these must be
    // answered within one.
    for _ in 0..20 {
        let mut client = Client::connect_with_patience(server.address(), PROMPTLY);
        let reply = client.exchange(get("/")).unwrap_or_else(|problem| {
            panic!("a GET was not answered within a second while slow clients crawl: {problem}")
        });
        assert_eq!(reply.status, 200);
    }

    for (mut client, writer) in slow {
        let reply = client.response().unwrap();
        assert_eq!(reply.status, 408, "{}", reply.text());
        assert!(reply.closes());
        client.expect_closed().unwrap();
        stop.store(true, Ordering::SeqCst);
        writer.join().unwrap();
    }
}

#[test]
fn a_body_that_crawls_gets_408_and_is_never_stored() {
    let (server, finished) = board_server(Duration::from_secs(1), Duration::from_secs(1));
    let mut client = Client::connect(server.address());
    client
        .send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 200\r\n\r\nmessage=")
        .unwrap();
    let stream = client.stream().try_clone().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (started, _) = mpsc::channel();
    let writer = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || trickle(stream, b"slow".to_vec(), stop, started))
    };
    let reply = client.response().unwrap();
    assert_eq!(reply.status, 408, "{}", reply.text());
    assert!(reply.closes());
    client.expect_closed().unwrap();
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(finished.recv_timeout(PATIENCE).unwrap().is_err());
    let count = Client::connect(server.address())
        .exchange(get("/count"))
        .unwrap();
    assert_eq!(
        count.text(),
        "0",
        "a message that never fully arrived was stored"
    );
}

#[test]
fn a_client_that_stops_reading_does_not_stall_others() {
    let (server, _) = board_server(Duration::from_secs(5), Duration::from_secs(5));
    let mut stalled = Client::connect(server.address());
    stalled.send(get("/big")).unwrap();
    // The server is now stuck writing to `stalled`; others must not notice.
    for _ in 0..5 {
        let mut client = Client::connect_with_patience(server.address(), PROMPTLY);
        let reply = client.exchange(get("/")).unwrap_or_else(|problem| {
            panic!("a GET was not answered within a second while a client does not read: {problem}")
        });
        assert_eq!(reply.text(), "hello");
    }
}

#[test]
fn a_client_that_reads_too_slowly_is_cut_off() {
    // The server may take one second to send a response. This client reads
    // at most 64 KB every 10 ms (6.4 MB/s at best), so it cannot take the
    // 16 MB page in time, whatever the speed of the machine: the server
    // must give up and close. (A timeout on each write alone would never
    // trip, as every write makes a little progress.)
    let (server, _) = board_server(Duration::from_secs(1), Duration::from_secs(1));
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(get("/big").as_bytes()).unwrap();
    let mut received = 0;
    let mut buffer = vec![0; 64 * 1024];
    let ended = loop {
        match stream.read(&mut buffer) {
            Ok(0) => break "closed",
            Ok(count) => received += count,
            Err(error) if is_timeout(&error) => {
                panic!("the server neither sent nor closed for 5 s")
            }
            Err(_) => break "reset",
        }
        thread::sleep(Duration::from_millis(10));
    };
    assert!(
        received < BIG,
        "a client reading slowly received the whole page ({received} bytes, then {ended})"
    );
    let reply = Client::connect(server.address())
        .exchange(get("/"))
        .unwrap();
    assert_eq!(reply.status, 200);
}

#[test]
fn clients_that_vanish_mid_request_lose_nothing_and_stall_nobody() {
    let (server, finished) = board_server(Duration::from_secs(5), Duration::from_secs(5));
    let address: SocketAddr = server.address();

    // Gone in the middle of the head: nothing to answer, nothing to run.
    let mut client = Client::connect(address);
    client.send("POST / HTTP/1.1\r\nHost: te").unwrap();
    drop(client);

    // Gone in the middle of the body: the handler's read fails, and the
    // half message is not stored.
    let mut client = Client::connect(address);
    client
        .send("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\nmessage=half")
        .unwrap();
    drop(client);
    let outcome = finished.recv_timeout(PATIENCE).unwrap();
    assert!(outcome.is_err(), "a body cut short was read as complete");

    let mut client = Client::connect(address);
    let reply = client
        .exchange("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 13\r\n\r\nmessage=whole")
        .unwrap();
    assert_eq!(reply.status, 303);
    assert!(finished.recv_timeout(PATIENCE).unwrap().is_ok());
    assert_eq!(client.exchange(get("/count")).unwrap().text(), "1");
}
