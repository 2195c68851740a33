//! A flood of connections from one client address, and what the log says
//! of it: the flooding address is capped, another address is still served,
//! refused connections cost no thread and each is logged, and every
//! answered request is in the log even when the server is killed right
//! after answering.
//!
//! The servers run in child processes, so that their log (stderr) and
//! their threads (Linux's /proc) can be read. Two client addresses come
//! from a dual-stack listener: 127.0.0.1 arrives as `::ffff:127.0.0.1`,
//! `::1` as itself.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::{Client, get};
use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};

const PATIENCE: Duration = Duration::from_secs(10);

/// The caps of the flooded server: small, so the test stays far under a
/// student's open-file limit.
const TOTAL: usize = 12;
const PER_CLIENT: usize = 4;

struct Hello;

impl Handler for Hello {
    fn do_get(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        response.send_response(200);
        response.end_headers();
        response.write_all(b"hello")?;
        Ok(())
    }
}

/// Set in the child process that serves `Hello` with small caps, to
/// `TOTAL,PER_CLIENT`.
const CHILD: &str = "FLOOD_TEST_CHILD";

/// Not a test of its own: the tests below run this test binary again with
/// only this function, to get a server whose log and threads they can
/// read. Without the variable it does nothing.
#[test]
#[ignore = "run by the flood tests in a child process"]
fn serve_with_small_caps_as_a_child() {
    if let Ok(caps) = std::env::var(CHILD) {
        let (total, per_client) = caps.split_once(',').unwrap();
        let _ = ThreadingHttpServer::bind("[::]:0")
            .unwrap()
            .max_connections(total.parse().unwrap(), per_client.parse().unwrap())
            .serve_forever(Hello);
    }
}

/// A server in a child process, killed however the test ends.
struct ChildServer {
    child: Child,
    port: u16,
    log: mpsc::Receiver<String>,
}

impl ChildServer {
    fn start(command: &mut Command) -> ChildServer {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (lines, stdout) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let (log_lines, log) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = log_lines.send(line);
            }
        });
        // libtest may print first, without a line break: look anywhere.
        let banner = "Serving HTTP on http://";
        let port = loop {
            let line = stdout
                .recv_timeout(PATIENCE)
                .expect("the child server never said where it listens");
            if let Some(at) = line.find(banner) {
                let address = line[at + banner.len()..].split('/').next().unwrap();
                break address.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        ChildServer { child, port, log }
    }

    fn with_caps(total: usize, per_client: usize) -> ChildServer {
        ChildServer::start(
            Command::new(std::env::current_exe().unwrap())
                .args(["serve_with_small_caps_as_a_child", "--exact", "--ignored"])
                .args(["--nocapture", "--test-threads=1"])
                .env(CHILD, format!("{total},{per_client}")),
        )
    }

    fn at(&self, ip: &str) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), self.port)
    }

    /// Kills the server at once (as SIGKILL would, or a SIGTERM that std
    /// cannot catch) and returns everything it logged.
    fn kill_and_read_log(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut lines = Vec::new();
        while let Ok(line) = self.log.recv_timeout(PATIENCE) {
            lines.push(line);
        }
        lines
    }

    /// How many connection threads the server has now (Linux only).
    #[cfg(target_os = "linux")]
    fn connection_threads(&self) -> usize {
        let tasks = format!("/proc/{}/task", self.child.id());
        std::fs::read_dir(tasks)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|task| {
                std::fs::read_to_string(task.path().join("comm"))
                    .is_ok_and(|name| name.trim() == "connection")
            })
            .count()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens a connection and reads what comes back without sending anything:
/// a refused connection gets its 503 at once.
fn refused(address: SocketAddr) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply).into_owned()
}

#[test]
fn one_address_cannot_take_every_place_and_refusals_cost_no_thread() {
    let server = ChildServer::with_caps(TOTAL, PER_CLIENT);
    let flooder = server.at("127.0.0.1");

    // One address fills its share with idle connections; each is answered
    // (so it has surely been admitted) and stays open.
    let mut idle: Vec<Client> = (0..PER_CLIENT)
        .map(|_| {
            let mut client = Client::connect(flooder);
            assert_eq!(client.exchange(get("/")).unwrap().status, 200);
            client
        })
        .collect();

    // Then it floods: every further connection gets 503 at once.
    const FLOOD: usize = 200;
    for attempt in 0..FLOOD {
        let reply = refused(flooder);
        assert!(
            reply.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "flood connection {attempt} got {reply:?}"
        );
    }

    // Another address is served meanwhile, not refused.
    let mut other = Client::connect(server.at("::1"));
    let reply = other.exchange(get("/")).unwrap();
    assert_eq!(reply.status, 200, "a client from ::1 was not served");

    // The refusals took no thread: only admitted connections have one.
    #[cfg(target_os = "linux")]
    {
        let threads = server.connection_threads();
        assert!(
            threads <= TOTAL,
            "{threads} connection threads after a flood, with at most {TOTAL} connections"
        );
    }

    idle.clear();
    drop(other);
    let log = server.kill_and_read_log();
    let refusals = log
        .iter()
        .filter(|line| line.ends_with("\"-\" 503 -"))
        .count();
    assert_eq!(
        refusals, FLOOD,
        "each refusal is a logged 503; the log:\n{log:#?}"
    );
}

#[test]
fn the_global_cap_still_holds() {
    // Room for six: four from 127.0.0.1, then two from ::1 fill it.
    let server = ChildServer::with_caps(6, 4);
    let mut open = Vec::new();
    for ip in [
        "127.0.0.1",
        "127.0.0.1",
        "127.0.0.1",
        "127.0.0.1",
        "::1",
        "::1",
    ] {
        let mut client = Client::connect(server.at(ip));
        assert_eq!(client.exchange(get("/")).unwrap().status, 200);
        open.push(client);
    }
    // ::1 has two of its four, but the server is full.
    let reply = refused(server.at("::1"));
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply:?}");
    drop(open);
}

/// The log of a lesson binary killed right after it answered.
fn log_after_kill(request: &[u8]) -> (String, Vec<String>) {
    let server = ChildServer::start(
        Command::new(env!("CARGO_BIN_EXE_hello_server_sol"))
            .env("PORT", "0")
            .env_remove("HOST"),
    );
    let mut stream = TcpStream::connect(server.at("127.0.0.1")).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(request).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    (
        String::from_utf8_lossy(&reply).into_owned(),
        server.kill_and_read_log(),
    )
}

#[test]
fn a_request_answered_is_a_request_logged_even_if_the_server_is_killed() {
    for attempt in 0..5 {
        let (reply, log) =
            log_after_kill(b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply:?}");
        assert!(
            log.iter()
                .any(|line| line.ends_with("\"GET /last HTTP/1.1\" 200 -")),
            "attempt {attempt}: the answered request is not in the log:\n{log:#?}"
        );
    }
}

#[test]
fn a_request_line_ended_by_a_bare_lf_is_logged_whole() {
    let (reply, log) = log_after_kill(b"GET /bare HTTP/1.1\n\n");
    assert!(reply.starts_with("HTTP/1.1 400 Bad Request"), "{reply:?}");
    assert!(
        log.iter()
            .any(|line| line.ends_with("\"GET /bare HTTP/1.1\" 400 -")),
        "the log should show the whole request line:\n{log:#?}"
    );
}

#[test]
fn host_sets_the_address_and_a_bad_one_is_one_clear_line() {
    let server = ChildServer::start(
        Command::new(env!("CARGO_BIN_EXE_hello_server_sol"))
            .env("PORT", "0")
            .env("HOST", "::1"),
    );
    let reply = http_server::send_raw(server.at("::1"), get("/").as_bytes()).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply:?}");
    drop(server);

    let output = Command::new(env!("CARGO_BIN_EXE_hello_server_sol"))
        .env("PORT", "0")
        .env("HOST", "my laptop")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(error.lines().count(), 1, "{error:?}");
    assert!(error.contains("HOST must be an IP address"), "{error:?}");
}
