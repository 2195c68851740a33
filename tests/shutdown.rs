//! Stopping a server through `RunningServer::shutdown`: requests already
//! being handled are finished and answered, connections waiting for their
//! next request are closed at once, and nothing new is accepted.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use common::{Client, PATIENCE, get};
use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};

/// `GET /slow` tells the test it has started, then waits for the test's
/// go-ahead before answering; every other path answers at once.
struct Gate {
    started: Mutex<Sender<()>>,
    go: Mutex<Receiver<()>>,
}

impl Handler for Gate {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let text = if request.path() == "/slow" {
            self.started.lock().unwrap().send(())?;
            self.go.lock().unwrap().recv_timeout(PATIENCE)?;
            "finished"
        } else {
            "quick"
        };
        response.send_response(200);
        response.end_headers();
        response.write_all(text.as_bytes())?;
        Ok(())
    }
}

#[test]
fn shutdown_finishes_requests_in_flight_and_closes_idle_connections() {
    let (started, handler_started) = mpsc::channel();
    let (release_handler, go) = mpsc::channel();
    let gate = Gate {
        started: Mutex::new(started),
        go: Mutex::new(go),
    };
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(gate);
    let address = server.address();

    // An idle keep-alive connection: it has had its answer and waits.
    let mut idle = Client::connect(address);
    assert_eq!(idle.exchange(get("/")).unwrap().text(), "quick");

    // A request in flight: its handler is running, and waits for us.
    let mut busy = Client::connect(address);
    busy.send(get("/slow")).unwrap();
    handler_started.recv_timeout(PATIENCE).unwrap();

    let (stopped, shutdown_done) = mpsc::channel();
    let stopper = thread::spawn(move || {
        server.shutdown();
        stopped.send(()).unwrap();
    });

    // The idle connection is closed while the handler is still running: a
    // shutdown does not wait for idle clients to go away.
    idle.expect_closed().unwrap();
    assert!(
        shutdown_done.try_recv().is_err(),
        "shutdown returned while a request was still being handled"
    );

    // Let the handler finish: its client gets the whole answer, told that
    // the connection closes, and then the close.
    release_handler.send(()).unwrap();
    let reply = busy.response().unwrap();
    assert_eq!((reply.status, reply.text().as_str()), (200, "finished"));
    assert!(
        reply.closes(),
        "the last answer of a stopping server should say so"
    );
    busy.expect_closed().unwrap();
    // Closing our end too, as clients do, lets the server's last thread go.
    drop(busy);

    shutdown_done.recv_timeout(PATIENCE).unwrap();
    stopper.join().unwrap();
    assert!(
        TcpStream::connect(address).is_err(),
        "a stopped server still accepts connections"
    );
}

#[test]
fn dropping_a_running_server_stops_it_too() {
    let (started, _) = mpsc::channel();
    let (_, go) = mpsc::channel();
    let gate = Gate {
        started: Mutex::new(started),
        go: Mutex::new(go),
    };
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(gate);
    let address = server.address();
    let mut idle = Client::connect(address);
    assert_eq!(idle.exchange(get("/")).unwrap().text(), "quick");
    drop(server);
    idle.expect_closed().unwrap();
    assert!(TcpStream::connect(address).is_err());
}
