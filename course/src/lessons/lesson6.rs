//! Lesson 6, the threaded server, in three steps: (a) a thread per
//! connection (`threaded_server --threads`), (b) a pool of 4 workers (the
//! default), (c) going further, a graceful shutdown with `POST /shutdown`.
//!
//! Nothing a working server does is timed. Concurrency is seen through
//! requests that wait for each other inside the server: `/hold/KEY` waits
//! until `/release/KEY` arrives, so a held request that says "released"
//! proves the server answered a second connection while the first was in
//! flight. Every waiting request also says the most requests it saw in
//! flight at once, which shows the size of a pool. The checks ask for a
//! long wait (`?wait=10`): a working server answers at once, and the wait
//! only bounds how long a server that serves one connection at a time
//! keeps the check waiting. One check cannot do without a wait: that a
//! pool of 4 leaves a fifth request waiting is seen only by waiting
//! (2 seconds, and 10 more if the four did not all meet in time).
//!
//! Each check starts the server again, with the flag of its step, and
//! talks to it over plain TCP with `Connection: close`, one connection per
//! request, so that no idle connection of a client library occupies a
//! worker of the pool; the two checks about keep-alive leave the
//! connection open on purpose.
//!
//! Step c's graceful shutdown has a slow request in flight that ends by
//! itself (2 seconds): a program that exits without joining its workers
//! cuts it, whichever thread runs first. That a client on another computer
//! gets 403 cannot be seen over loopback: the check runs the test that
//! ships at the end of the lesson's main.rs (`Session::unit_test`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::kit::seed::random_number;
use crate::process::Launch;
use crate::session::{Outgoing, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};

/// Lesson 6, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(6, "threaded_server", "Threaded server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson6.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
pub const CHECKS: &[Check] = &[
    Check::step("a", "with --threads, a held request is released by a second one: two connections at once", threads_serve_two_at_once),
    Check::step("a", "with --threads, 16 frames asked for at once are all in flight together", threads_serve_sixteen_at_once),
    Check::step("a", "a handler that panics gets 500, and the in-flight count comes back down", panics_do_not_leak_the_count),
    Check::step("a", "with --threads, a connection stays open for the next request (keep-alive)", threads_keep_connections_open),
    Check::step("b", "the pool (the default) also serves two connections at once", pool_serves_two_at_once),
    Check::step("b", "the pool serves 4 held requests at once, and a fifth waits its turn", pool_is_capped_at_four),
    Check::step("b", "the pool answers one request per connection, and says so: Connection: close", pool_closes_each_connection),
    Check::step("c", "POST /shutdown that another site's page sent (Sec-Fetch-Site: cross-site, or Origin: http://evil.example) gets 403, and the server keeps serving", shutdown_is_refused_to_other_sites).optional(),
    Check::step("c", "POST /shutdown stops accepting, finishes the requests in flight, and exits with 0", shutdown_is_graceful).optional(),
    Check::step("c", "with --threads, POST /shutdown stops the accepting loop too, and the program exits with 0", threads_stop_on_shutdown).optional(),
    Check::step("c", "POST /shutdown from another computer gets 403, and from this one over IPv6 (::1, or ::ffff:127.0.0.1 on HOST=::) stops the server (the tests at the end of main.rs)", shutdown_is_refused_to_strangers).optional(),
];

/// The hints: a nudge, the idea, then the code.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Run `cargo run --bin threaded_server -- --threads` and open http://localhost:8000/: every frame says 1 while --threads still serves one connection at a time. The loop to write is thread_per_connection()'s TODO(a).",
        concept: "Accept connections in a loop, `for connection in listener.incoming()` on `Listener::from_env()?`, and give each one to a thread of its own, then go straight back to accept the next. The threads share one Parallelometer: an Arc lets them all own it.",
        code: "let meter = Arc::new(Parallelometer::new(listener.address())); then in the loop: if meter.is_stopping() { break; } let meter = Arc::clone(&meter); thread::spawn(move || connection.serve(&*meter)); -- and no join(), which would wait for the thread before accepting again.",
    },
    Hint {
        step: Some("b"),
        nudge: "Without a flag, main calls pool(), the TODO(b): a fixed number of threads, WORKERS, started once, each serving one connection after another.",
        concept: "A channel carries connections from the accepting loop to the workers: the loop sends, each worker receives. The receiver has one owner, so the workers share it behind Arc<Mutex<...>>, and hold the lock only while they take a connection, never while they serve it.",
        code: "let (sender, receiver) = mpsc::channel::<Connection>(); let receiver = Arc::new(Mutex::new(receiver)); start WORKERS threads that loop { let next = receiver.lock().unwrap().recv(); match next { Ok(connection) => connection.serve_one(&*meter), Err(_) => break } }; then for connection in listener.incoming() { sender.send(connection) }.",
    },
    Hint {
        step: Some("c"),
        nudge: "POST /shutdown answers 501 until do_post's TODO(c) is written; the pool's loop must then stop, and the program end once the requests in flight are answered.",
        concept: "A flag the loop reads (an AtomicBool), a connection to wake the loop from accept() (the given stop() does both, in that order), then: stop accepting (drop the listener: new connections are refused at once), drop the sender so that each worker's recv() fails once the channel is empty, and join the workers before returning.",
        code: "In do_post: refuse a client that is not request.client_address().ip().to_canonical().is_loopback() with 403; then self.stop(); (given: it sets the flag, then wakes the loop) and answer 200. In pool(): break when meter.is_stopping(), then drop(listener); drop(sender); and only then join every worker.",
    },
];

/// The wait every check asks for (`?wait=10`): long enough for any
/// computer to deliver the other requests, and it ends only a check that
/// fails.
const WAIT: &str = "wait=10";

/// How long a request sent by these checks may take: a held request waits
/// 10 s at most, and a fifth one waits for a held one first.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How long step c's slow request waits, in seconds: the program must
/// stay until it is answered.
const SLOW: u64 = 2;

/// How long a server that was asked to shut down may take to close its
/// listener (it refuses new connections at once; this is for a busy
/// computer).
const REFUSE_WAIT: Duration = Duration::from_secs(5);

/// How long a server that was asked to shut down may take to exit.
const EXIT_WAIT: Duration = Duration::from_secs(15);

/// The command a student runs to see a check's server themselves.
fn command(flag: &str) -> String {
    if flag.is_empty() {
        "cargo run --bin threaded_server".to_owned()
    } else {
        format!("cargo run --bin threaded_server -- {flag}")
    }
}

/// Starts the server again for one check, with `flag` (or none), and
/// returns where it listens, as `127.0.0.1:PORT`.
fn start(session: &mut Session, flag: &str) -> Result<String, Failure> {
    let mut launch = Launch::default();
    if !flag.is_empty() {
        launch = launch.arg(flag);
    }
    session.set_launch(launch);
    let server = session.restart()?;
    Ok(server.base_url().trim_start_matches("http://").to_owned())
}

/// An answer: the status and the body.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    /// The number before "request(s) in flight" in the body.
    fn in_flight(&self) -> Option<usize> {
        let at = self.body.find(" request")?;
        let digits: String = self.body[..at]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().ok()
    }

    fn first_line(&self) -> String {
        let line = self.body.lines().next().unwrap_or("").trim();
        format!("{} {line:?}", self.status)
    }
}

/// Opens a connection of its own for one request and sends it
/// (`Connection: close`).
fn request(address: &str, method: &str, path: &str) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect(address)?;
    write_request(stream, address, method, path)
}

/// Sends a request on a connection already open.
fn write_request(
    mut stream: TcpStream,
    address: &str,
    method: &str,
    path: &str,
) -> std::io::Result<TcpStream> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    Ok(stream)
}

/// Sends `GET path` on a connection opened earlier, and reads its answer.
fn send_on(stream: TcpStream, address: &str, path: &str) -> Result<Answer, String> {
    let stream = write_request(stream, address, "GET", path)
        .map_err(|error| format!("no answer: {error}"))?;
    answer(stream)
}

/// Reads an answer to the end of the connection.
fn answer(mut stream: TcpStream) -> Result<Answer, String> {
    let mut reply = Vec::new();
    stream
        .read_to_end(&mut reply)
        .map_err(|error| format!("no answer: {error}"))?;
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no answer (the connection closed after {reply:?})"))?;
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    Ok(Answer { status, body })
}

/// Sends one request on a connection of its own and reads its answer.
fn send(address: &str, method: &str, path: &str) -> Result<Answer, String> {
    let stream = request(address, method, path).map_err(|error| format!("no answer: {error}"))?;
    answer(stream)
}

fn get(address: &str, path: &str) -> Result<Answer, String> {
    send(address, "GET", path)
}

/// A key no other request uses.
fn key() -> String {
    format!("{:012x}", random_number() & 0xffff_ffff_ffff)
}

/// A failure about the server under check, with its last lines of output.
fn failure(
    session: &mut Session,
    sent: String,
    expected: &str,
    got: String,
    hint: &str,
) -> Failure {
    let output = session
        .server()
        .map(|server| server.output_for_report())
        .unwrap_or_default();
    Failure {
        sent,
        expected: expected.into(),
        got: format!("{got}{output}"),
        hint: hint.into(),
    }
}

/// Sends a request on a connection of its own now, and reads its answer
/// on a thread: the requests of a check reach the server in the order
/// they are sent, and are answered in any order.
fn send_now(address: &str, path: &str) -> thread::JoinHandle<Result<Answer, String>> {
    let stream = request(address, "GET", path);
    thread::spawn(move || match stream {
        Ok(stream) => answer(stream),
        Err(error) => Err(format!("no answer: {error}")),
    })
}

/// The answer a thread of [`send_now`] read.
fn joined(handle: thread::JoinHandle<Result<Answer, String>>) -> Result<Answer, String> {
    handle
        .join()
        .unwrap_or_else(|_| Err("the check's thread failed".into()))
}

/// Holds a request and releases it from a second connection: only a
/// server that answers two connections at once lets them meet.
fn two_at_once(session: &mut Session, flag: &str, not_concurrent: &str) -> CheckResult {
    let address = start(session, flag)?;
    let key = key();
    let sent = format!(
        "{}, then at once: curl 'localhost:8000/hold/{key}?{WAIT}' and curl 'localhost:8000/release/{key}?{WAIT}'",
        command(flag)
    );
    // The hold is sent first, so a server that serves one connection at a
    // time takes it first, and its answer alone tells the story.
    let hold = send_now(&address, &format!("/hold/{key}?{WAIT}"));
    let release = send_now(&address, &format!("/release/{key}?{WAIT}"));
    let hold = joined(hold);
    let expected = "the hold answered \"released\": the release reached the server while the hold was in flight";
    if matches!(&hold, Ok(answer) if answer.body.starts_with("timed out")) {
        // Was the release served beside the hold all along, in vain? Then
        // it ends with the hold (both waited 10 seconds), and the two did
        // not share one Parallelometer. Served one after the other, it is
        // still waiting: no need to wait for it too (the server is
        // stopped before the next check). This only picks the hint.
        let (done, release_done) = mpsc::channel();
        thread::spawn(move || done.send(joined(release)));
        if let Ok(Ok(_)) = release_done.recv_timeout(Duration::from_secs(3)) {
            return Err(failure(
                session,
                sent,
                expected,
                format!(
                    "the hold: {}; the release, at the same time: no hold to release",
                    describe(&hold)
                ),
                "Both requests were in flight at once, but they never met: each waited in a \
                 Parallelometer of its own. The holds and the count live in the Parallelometer, \
                 so every connection must share one: make it once, before the loop, \
                 Arc::new(Parallelometer::new(listener.address())), and give each thread an \
                 Arc::clone of it.",
            ));
        }
        return Err(failure(
            session,
            sent,
            expected,
            format!("the hold: {}", describe(&hold)),
            &format!(
                "Your server answered the second request only after the first had finished \
                 (the hold waited 10 seconds for the release, in vain): it handles one \
                 connection at a time. {not_concurrent}"
            ),
        ));
    }
    let release = joined(release);
    match (&hold, &release) {
        (Ok(hold), Ok(release))
            if hold.status == 200 && hold.body.starts_with("released") && release.status == 200 =>
        {
            Ok(())
        }
        (hold, release) => Err(failure(
            session,
            sent,
            expected,
            format!(
                "the hold: {}; the release: {}",
                describe(hold),
                describe(release)
            ),
            "Both requests should be answered 200 by the Parallelometer: keep its do_get as it \
             is, and serve every connection with connection.serve(...) or serve_one(...).",
        )),
    }
}

fn describe(answer: &Result<Answer, String>) -> String {
    match answer {
        Ok(answer) => answer.first_line(),
        Err(error) => error.clone(),
    }
}

fn threads_serve_two_at_once(session: &mut Session) -> CheckResult {
    two_at_once(
        session,
        "--threads",
        "With --threads, main calls thread_per_connection(): write its loop in TODO(a), giving \
         each connection a thread of its own (thread::spawn) without waiting for that thread \
         (no join()) before accepting the next connection.",
    )
}

fn threads_serve_sixteen_at_once(session: &mut Session) -> CheckResult {
    let address = start(session, "--threads")?;
    let sent = format!(
        "{}, then 16 requests at once: curl 'localhost:8000/frame1?{WAIT}' ... '/frame16?{WAIT}'",
        command("--threads")
    );
    let expected = "every frame says \"16 requests in flight\"";
    // Each frame waits until all 16 are in flight (or 10 seconds), so on a
    // working server every frame says 16, at once. The first that says
    // less is enough to know.
    let (answers, arrived) = mpsc::channel();
    for number in 1..=16 {
        let frame = send_now(&address, &format!("/frame{number}?{WAIT}"));
        let answers = answers.clone();
        thread::spawn(move || answers.send((number, joined(frame))));
    }
    drop(answers);
    let mut counts = Vec::new();
    for (number, answer) in arrived.iter() {
        let answer = match answer {
            Ok(answer) => answer,
            Err(error) => {
                return Err(failure(
                    session,
                    sent,
                    expected,
                    format!("frame {number}: {error}"),
                    "Every connection deserves an answer: serve each one with \
                     connection.serve(&*meter).",
                ));
            }
        };
        let count = answer.in_flight().unwrap_or(0);
        if count >= 16 {
            counts.push(count);
            continue;
        }
        let got = format!(
            "frame {number}, the first to say less: {count} requests in flight ({} frames said 16 before it)",
            counts.len()
        );
        let hint = match count {
            0 => "The frames should say how many requests were in flight: keep the Parallelometer's do_get as it is.".to_owned(),
            1 => "The frames were answered one after the other: the server handles one connection at a time. Give each connection its own thread.".to_owned(),
            _ => format!(
                "At most {count} requests were in flight together, never all 16: --threads should \
                 give every connection a thread of its own, with no limit (is it running a pool?)."
            ),
        };
        return Err(failure(session, sent, expected, got, &hint));
    }
    Ok(())
}

fn panics_do_not_leak_the_count(session: &mut Session) -> CheckResult {
    let address = start(session, "--threads")?;
    let sent = format!(
        "{}, then: curl localhost:8000/panic; curl localhost:8000/in-flight",
        command("--threads")
    );
    let panic = get(&address, "/panic");
    let count = get(&address, "/in-flight");
    let expected = "/panic answered 500, then /in-flight says \"1 request in flight\" (itself)";
    match (&panic, &count) {
        (Ok(panic), Ok(count)) if panic.status == 500 && count.in_flight() == Some(1) => Ok(()),
        (Ok(panic), Ok(count)) if panic.status == 500 && count.in_flight().is_some() => {
            Err(failure(
                session,
                sent,
                expected,
                format!("/in-flight: {}", count.first_line()),
                "The request that panicked is still counted. The count must go down when a \
                 request ends, however it ends: the InFlight guard does it in its Drop, which runs \
                 even while a panic unwinds. Keep `let _in_flight = self.enter();` at the start \
                 of do_get.",
            ))
        }
        (panic, count) => Err(failure(
            session,
            sent,
            expected,
            format!(
                "/panic: {}; /in-flight: {}",
                describe(panic),
                describe(count)
            ),
            "A thread whose handler panics must not take the server down: serve the connection \
             with connection.serve(...), which turns a panic into a 500, and keep the server's \
             loop going.",
        )),
    }
}

fn threads_keep_connections_open(session: &mut Session) -> CheckResult {
    let address = start(session, "--threads")?;
    let sent = format!(
        "{}, then two requests on one connection: curl -v localhost:8000/in-flight \
         localhost:8000/in-flight (curl reuses the connection)",
        command("--threads")
    );
    let expected = "both answered 200 on the same connection";
    let mut stream = TcpStream::connect(&address)
        .map_err(|error| Failure::plain(format!("could not connect: {error}"), ""))?;
    let ask = |stream: &mut TcpStream, last: bool| {
        let close = if last { "Connection: close\r\n" } else { "" };
        let request = format!("GET /in-flight HTTP/1.1\r\nHost: {address}\r\n{close}\r\n");
        stream
            .write_all(request.as_bytes())
            .map_err(|error| format!("could not send it: {error}"))
            .and_then(|()| read_framed(stream))
    };
    let answers = stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .map_err(|error| format!("no answer: {error}"))
        .and_then(|()| ask(&mut stream, false))
        .and_then(|_| {
            ask(&mut stream, true).map_err(|error| format!("the second request: {error}"))
        });
    match answers {
        Ok(_) => Ok(()),
        Err(error) => Err(failure(
            session,
            sent,
            expected,
            error,
            "With --threads, each connection has a thread of its own, which can stay with it \
             as long as the client keeps it open: serve it with connection.serve(&*meter), \
             which answers every request on the connection (keep-alive). serve_one answers \
             one and closes it: that is for the pool (step b).",
        )),
    }
}

fn pool_serves_two_at_once(session: &mut Session) -> CheckResult {
    two_at_once(
        session,
        "",
        "Without a flag, main calls pool(): write its pool of WORKERS threads in TODO(b). If it \
         is written: does it start WORKERS threads? Does a worker hold the receiver's lock while \
         it serves its connection? Then the other workers cannot take one.",
    )
}

/// Five holds that nobody releases, each waiting `seconds`: what each
/// answered.
fn five_holds(address: &str, seconds: u64) -> Vec<Result<Answer, String>> {
    let run = key();
    let holds: Vec<_> = (1..=5)
        .map(|number| send_now(address, &format!("/hold/{run}-{number}?wait={seconds}")))
        .collect();
    holds.into_iter().map(joined).collect()
}

fn pool_is_capped_at_four(session: &mut Session) -> CheckResult {
    let address = start(session, "")?;
    // That a fifth request is NOT served is seen only by waiting: the
    // holds wait 2 seconds, and if the four did not all meet in that
    // time (a busy computer), they try again with 10.
    let mut seconds = 2;
    loop {
        let answers = five_holds(&address, seconds);
        let sent = format!(
            "{}, then 5 requests at once that nobody releases: curl 'localhost:8000/hold/KEY-1?wait={seconds}' ... '/hold/KEY-5?wait={seconds}'",
            command("")
        );
        let expected = "all 5 answered \"timed out\", and the most in flight at once exactly 4 (WORKERS): 4 held, the fifth waiting in the channel";
        let unanswered = answers.iter().filter(|answer| answer.is_err()).count();
        if let Some(Err(error)) = answers.iter().find(|answer| answer.is_err()) {
            return Err(failure(
                session,
                sent,
                expected,
                format!("{unanswered} of 5 got no answer; the first: {error}"),
                "Every connection must be answered, even when the workers are all busy: send it \
                 into the channel, where it waits until a worker is free. Do not drop it.",
            ));
        }
        let counts: Vec<usize> = answers
            .iter()
            .filter_map(|answer| answer.as_ref().ok()?.in_flight())
            .collect();
        let most = counts.iter().copied().max().unwrap_or(0);
        if most == 4 {
            return Ok(());
        }
        if (2..4).contains(&most) && seconds < 10 {
            seconds = 10;
            continue;
        }
        let got = format!("the most in flight at once: {most} (each hold's count: {counts:?})");
        let hint = match most {
            0 => "The held requests should say how many were in flight: keep the Parallelometer's do_get as it is.".to_owned(),
            1 => "The pool served one connection at a time. Does it start WORKERS threads? Does a worker hold the receiver's lock while it serves? Take the connection in one statement, `let next = receiver.lock().unwrap().recv();`, so the lock is free while it is served.".to_owned(),
            2 | 3 => format!(
                "Only {most} requests were in flight at once: start WORKERS (4) worker threads."
            ),
            _ => format!(
                "{most} requests were in flight at once: the pool should never handle more than \
                 WORKERS (4). Start WORKERS threads once, before the loop, and only send \
                 connections into the channel in the loop: no thread::spawn for each connection."
            ),
        };
        return Err(failure(session, sent, expected, got, &hint));
    }
}

/// Reads one answer framed by its `Content-Length`, without waiting for
/// the connection to close: its head, and its body.
fn read_framed(stream: &mut TcpStream) -> Result<(String, String), String> {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(0) => {
                return Err(format!(
                    "the connection closed after {:?}",
                    String::from_utf8_lossy(&bytes)
                ));
            }
            Ok(_) => bytes.push(byte[0]),
            Err(error) => return Err(format!("no answer: {error}")),
        }
    }
    let head = String::from_utf8_lossy(&bytes).into_owned();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream
        .read_exact(&mut body)
        .map_err(|error| format!("the body was cut short: {error}"))?;
    Ok((head, String::from_utf8_lossy(&body).into_owned()))
}

fn pool_closes_each_connection(session: &mut Session) -> CheckResult {
    let address = start(session, "")?;
    let sent = format!(
        "{}, then, as a browser asks (keep-alive, no Connection: close): curl -v localhost:8000/in-flight",
        command("")
    );
    let expected = "200 with the header Connection: close, and the connection closed after it";
    let mut stream = TcpStream::connect(&address)
        .map_err(|error| Failure::plain(format!("could not connect: {error}"), ""))?;
    let request = format!("GET /in-flight HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let answer = stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .and_then(|()| stream.write_all(request.as_bytes()))
        .map_err(|error| format!("no answer: {error}"))
        .and_then(|()| read_framed(&mut stream));
    let (head, _) = match answer {
        Ok(answer) => answer,
        Err(error) => {
            return Err(failure(
                session,
                sent,
                expected,
                error,
                "Every connection gets an answer: a worker serves each one it takes from the \
                 channel with connection.serve_one(&*meter).",
            ));
        }
    };
    let closes = head.lines().any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("connection") && value.trim().eq_ignore_ascii_case("close")
        })
    });
    if closes {
        return Ok(());
    }
    let head: Vec<&str> = head.lines().filter(|line| !line.is_empty()).collect();
    Err(failure(
        session,
        sent,
        expected,
        format!(
            "no Connection: close; the answer's head:\n  {}",
            head.join("\n  ")
        ),
        "The connection stays open for a next request (keep-alive): the worker serves it with \
         connection.serve(...), and stays with it until the client closes it or is quiet for \
         15 seconds. Four idle browser connections would hold all four workers while other \
         visitors wait. Serve one request per connection: connection.serve_one(&*meter).",
    ))
}

fn shutdown_is_refused_to_other_sites(session: &mut Session) -> CheckResult {
    let address = start(session, "")?;
    let browsers: [(&str, &str); 2] = [
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "http://evil.example"),
    ];
    for (header, value) in browsers {
        let reply = session.send(Outgoing {
            method: "POST",
            path: "/shutdown",
            headers: vec![(header, value)],
            body: None,
        })?;
        if reply.status != 403 {
            return Err(reply.fail(
                format!(
                    "403 Forbidden: {header}: {value} says another site's page sent it, and the \
                     server must not stop"
                ),
                "The check comes from 127.0.0.1, as a browser on this computer does: any page \
                 it opens, from any site, can post a form to localhost:8000/shutdown. Keep the \
                 first line of do_post, http_server::refuse_cross_site(request)?.",
            ));
        }
    }
    let sent = format!(
        "{}, then: curl -X POST -H 'Sec-Fetch-Site: cross-site' localhost:8000/shutdown, then: \
         curl localhost:8000/in-flight",
        command("")
    );
    match get(&address, "/in-flight") {
        Ok(answer) if answer.status == 200 => Ok(()),
        other => Err(failure(
            session,
            sent,
            "GET /in-flight answered 200: the server still serves after the refused /shutdown",
            describe(&other),
            "A refused /shutdown must change nothing: refuse_cross_site comes before the flag \
             is set.",
        )),
    }
}

fn shutdown_is_graceful(session: &mut Session) -> CheckResult {
    // Step c stops step b's pool. On a server that serves one connection
    // at a time, the scenario below would wait for each of its requests in
    // turn: say at once that step b comes first.
    two_at_once(
        session,
        "",
        "Step c stops the pool of step b, which must serve connections at once first: \
         `cargo course check threaded_server b` says what is missing.",
    )?;
    let address = start(session, "")?;
    let key = key();
    let sent = format!(
        "{}, then: curl 'localhost:8000/hold/{key}?{WAIT}' and a slow request nobody \
         releases, curl 'localhost:8000/hold/{key}-slow?wait={SLOW}'; while they wait, a \
         third connection is opened, then curl -X POST localhost:8000/shutdown, and then \
         the third connection sends GET /release/{key}?{WAIT}",
        command("")
    );
    let expected = "POST /shutdown answered 200; the held request, the slow one (after its 2 seconds) and the release on the connection opened before the shutdown all answered; then the program exited with code 0";
    // The holds are in flight, and the release's connection is open (but
    // its request not yet sent) before the server is told to stop: a
    // graceful server finishes all three, and only then exits. The slow
    // hold ends by itself, 2 seconds later: a program that exits without
    // waiting for its workers has long cut it by then, whatever the
    // order in which its threads run.
    let hold = send_now(&address, &format!("/hold/{key}?{WAIT}"));
    let slow = send_now(&address, &format!("/hold/{key}-slow?wait={SLOW}"));
    let release = TcpStream::connect(&address)
        .map_err(|error| Failure::plain(format!("could not connect: {error}"), ""))?;
    let shutdown = send(&address, "POST", "/shutdown");
    match &shutdown {
        Ok(answer) if answer.status == 200 => {}
        other => {
            let hint = match other {
                Ok(answer) if answer.status == 501 => {
                    "POST /shutdown is not written yet: do step c in do_post's TODO(c)."
                }
                Ok(answer) if answer.status == 403 => {
                    "The check connects from 127.0.0.1: compare with .is_loopback() (after \
                     .to_canonical(), for a server on ::)."
                }
                Err(_) => {
                    "POST /shutdown got no answer: the connection closed first. Did the handler \
                     end the program (std::process::exit)? That ends every thread at once: this \
                     answer, and every request in flight, with it. Call self.stop(), answer 200, \
                     and let pool() return once its workers are done."
                }
                _ => "Answer POST /shutdown with 200 and a short text, after self.stop().",
            };
            return Err(failure(
                session,
                sent,
                expected,
                format!("/shutdown: {}", describe(other)),
                hint,
            ));
        }
    }
    let release = send_on(release, &address, &format!("/release/{key}?{WAIT}"));
    let hold = joined(hold);
    let slow = joined(slow);
    let finished =
        |answer: &Result<Answer, String>| matches!(answer, Ok(answer) if answer.status == 200);
    if !finished(&hold) || !finished(&release) || !finished(&slow) {
        return Err(failure(
            session,
            sent,
            expected,
            format!(
                "the hold: {}; the slow request: {}; the release: {}",
                describe(&hold),
                describe(&slow),
                describe(&release)
            ),
            "A graceful shutdown finishes what it has: after the loop, drop the listener and \
             the sender, and join every worker (worker.join()), so that the workers serve \
             every connection already accepted (those still in the channel too) before \
             pool() returns. A program that returns from main without joining them ends \
             every thread with it, in the middle of its request.",
        ));
    }
    match exit_code(session)? {
        Some(Some(0)) => listener_closes_on_shutdown(session),
        Some(code) => Err(failure(
            session,
            sent,
            expected,
            format!("the program ended with {code:?}"),
            "After the workers are joined, pool() returns Ok(()) and main exits with 0: do not \
             call std::process::exit or panic to stop.",
        )),
        None => Err(failure(
            session,
            sent,
            expected,
            format!(
                "the program was still running {} seconds later",
                EXIT_WAIT.as_secs()
            ),
            "The accepting loop must stop: it waits in accept(), so /shutdown wakes it with \
             self.stop(), which sets the flag and then connects, and the loop breaks when \
             meter.is_stopping(). Then drop the sender before you join the workers: a worker \
             ends when its recv() fails, which happens only once every sender is gone, and \
             join() waits for the worker.",
        )),
    }
}

/// After `POST /shutdown`, with a request still in flight, a new
/// connection is refused: the listener is closed. A scenario of its own,
/// after the one above: a connection that tries whether the listener is
/// open also wakes a loop that `/shutdown` forgot to wake, and would hide
/// that mistake there.
fn listener_closes_on_shutdown(session: &mut Session) -> CheckResult {
    let address = start(session, "")?;
    let key = key();
    let sent = format!(
        "{}, then: curl 'localhost:8000/hold/{key}?{WAIT}'; a second connection is opened; \
         curl -X POST localhost:8000/shutdown; then, while the hold waits, curl \
         localhost:8000/in-flight (a new connection), and last the second connection sends \
         GET /release/{key}?{WAIT}",
        command("")
    );
    let expected = "the new connection refused at once (the listener closed), while the held \
                    request is still in flight";
    let hold = send_now(&address, &format!("/hold/{key}?{WAIT}"));
    let release = TcpStream::connect(&address)
        .map_err(|error| Failure::plain(format!("could not connect: {error}"), ""))?;
    let shutdown = send(&address, "POST", "/shutdown");
    if !matches!(&shutdown, Ok(answer) if answer.status == 200) {
        return Err(failure(
            session,
            sent,
            expected,
            format!("/shutdown: {}", describe(&shutdown)),
            "POST /shutdown answered 200 a moment ago, with the same requests in flight: does \
             it depend on something else?",
        ));
    }
    // The hold is still in flight (nobody released it yet): a server that
    // stopped accepting has closed its listener, and refuses a new
    // connection at once, while it finishes the hold. A connection that is
    // accepted instead would wait, unserved, until the program ends.
    let refused_by = Instant::now() + REFUSE_WAIT;
    let socket: std::net::SocketAddr = address
        .parse()
        .map_err(|_| Failure::plain(format!("not an address: {address}"), ""))?;
    loop {
        // Not too many tries, each short: connections that a listener
        // left open keeps unaccepted fill its queue, and a connect then
        // waits (the system drops its SYN) instead of being refused.
        match TcpStream::connect_timeout(&socket, Duration::from_secs(1)) {
            Err(error)
                if error.kind() == std::io::ErrorKind::ConnectionRefused
                    && Instant::now() <= refused_by =>
            {
                break;
            }
            _ if Instant::now() > refused_by => {
                return Err(failure(
                    session,
                    sent,
                    expected,
                    format!(
                        "new connections were still accepted {} seconds after the shutdown",
                        REFUSE_WAIT.as_secs()
                    ),
                    "Stop accepting means closing the listener: after the loop, drop(listener) \
                     before you join the workers. While it is open, the system accepts new \
                     connections for it, and they wait, unanswered, until the program ends.",
                ));
            }
            // Accepted (the loop may not have stopped yet): let it go, and
            // try again.
            _ => thread::sleep(Duration::from_millis(100)),
        }
    }
    // Let the hold go, so that the program ends as it should.
    let _ = send_on(release, &address, &format!("/release/{key}?{WAIT}"));
    let _ = joined(hold);
    Ok(())
}

/// Waits until the server under check exits (at most [`EXIT_WAIT`]), and
/// returns its exit code, or `Err` with what to say if it is still running.
fn exit_code(session: &mut Session) -> Result<Option<Option<i32>>, Failure> {
    let until = Instant::now() + EXIT_WAIT;
    loop {
        if let Some(status) = session.server()?.exit_status() {
            return Ok(Some(status.code()));
        }
        if Instant::now() > until {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn threads_stop_on_shutdown(session: &mut Session) -> CheckResult {
    let address = start(session, "--threads")?;
    let sent = format!(
        "{}, then: curl -X POST localhost:8000/shutdown",
        command("--threads")
    );
    let expected = "the program exited with code 0";
    // The answer itself may be cut: without a pool, nothing waits for the
    // thread that writes it once main returns (the lesson text says so).
    let shutdown = send(&address, "POST", "/shutdown");
    if let Ok(answer) = &shutdown
        && answer.status != 200
    {
        return Err(failure(
            session,
            sent,
            expected,
            format!("/shutdown: {}", answer.first_line()),
            if answer.status == 501 {
                "POST /shutdown is not written yet: do step c in do_post's TODO(c)."
            } else {
                "POST /shutdown should answer 200 with --threads too: it is the same handler."
            },
        ));
    }
    match exit_code(session)? {
        Some(Some(0)) => Ok(()),
        Some(code) => Err(failure(
            session,
            sent,
            expected,
            format!("the program ended with {code:?}"),
            "Once the loop stops, thread_per_connection() returns Ok(()) and main exits with \
             0: do not call std::process::exit or panic to stop.",
        )),
        None => Err(failure(
            session,
            sent,
            expected,
            format!(
                "the program was still running {} seconds later",
                EXIT_WAIT.as_secs()
            ),
            "thread_per_connection()'s loop must stop too: after each connection it accepts, \
             `if meter.is_stopping() { break; }` (the wake-up connection of /shutdown gets it \
             there at once).",
        )),
    }
}

/// The tests that ship at the end of main.rs, in starter and solution:
/// each with what it expects, and the hint when it fails.
const UNIT_TESTS: &[(&str, &str, &str)] = &[
    (
        "tests::shutdown_from_another_computer_is_forbidden",
        "it sends POST /shutdown as 192.0.2.1, another computer, through \
         http_server::test::call: a check over the network can only connect from this one; \
         expected: 403 Forbidden, and the server not told to stop",
        "Anybody who can reach the server could stop it: with HOST=0.0.0.0, that is the whole \
         network. Before self.stop(), refuse a client whose address is not loopback: if \
         !request.client_address().ip().to_canonical().is_loopback(), return \
         Err(HttpError::new(403, \"...\").into()).",
    ),
    (
        "tests::shutdown_from_this_computer_over_ipv6_is_obeyed",
        "it sends POST /shutdown as ::ffff:127.0.0.1 and as ::1, this computer over IPv6, as a \
         server on HOST=:: sees it; expected: 200, and the server told to stop",
        "A server listening on :: (HOST=::, to be reached over IPv6 too) sees a client at \
         127.0.0.1 as ::ffff:127.0.0.1: an IPv4 address written as IPv6, which .is_loopback() \
         alone does not call loopback. Make it canonical first: \
         request.client_address().ip().to_canonical().is_loopback().",
    ),
];

fn shutdown_is_refused_to_strangers(session: &mut Session) -> CheckResult {
    let binary = session.binary_name();
    for (name, what, hint) in UNIT_TESTS {
        let test = session.unit_test(name)?;
        if test.passed {
            continue;
        }
        let (got, hint) = if test.found {
            (test.output, *hint)
        } else {
            (
                format!("there is no test {name}"),
                "The starter ends with a tests module that tries POST /shutdown from another \
                 computer and from this one over IPv6: keep it as it is (copy it back from \
                 solutions/6_threaded_server/main.rs).",
            )
        };
        let (what, expected) = what.split_once("; expected: ").unwrap_or((what, ""));
        return Err(Failure {
            sent: format!("cargo test --bin {binary} -- --exact {name} ({what})"),
            expected: expected.into(),
            got,
            hint: hint.into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_count_in_flight() {
        let answer = |body: &str| Answer {
            status: 200,
            body: body.to_owned(),
        };
        assert_eq!(
            answer("timed out: 4 requests in flight\n").in_flight(),
            Some(4)
        );
        assert_eq!(
            answer("<p class=\"count\">16 requests in flight</p>").in_flight(),
            Some(16)
        );
        assert_eq!(answer("1 request in flight").in_flight(), Some(1));
        assert_eq!(answer("nothing").in_flight(), None);
    }
}
