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
//! request (`kit::raw`), so that no idle connection of a client library
//! occupies a worker of the pool; the two checks about keep-alive leave
//! the connection open on purpose.

mod shutdown;

use std::time::Duration;

use crate::kit::raw::{PendingReply, RawConnection};
use crate::kit::seed::random_number;
use crate::process::Launch;
use crate::session::{Outgoing, Reply, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use shutdown::{
    shutdown_is_graceful, shutdown_is_refused_to_other_sites, shutdown_is_refused_to_strangers,
    threads_stop_on_shutdown,
};

/// Lesson 6, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(6, "threaded_server", "Threaded server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson6.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
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
        code: "Lesson text, \"The exercise\" of step a: let meter = Arc::new(Parallelometer::new(listener.address())); then in the loop: if meter.is_stopping() { break; } let meter = Arc::clone(&meter); thread::spawn(move || connection.serve(&*meter)); and no join().",
    },
    Hint {
        step: Some("b"),
        nudge: "Without a flag, main calls pool(), the TODO(b): a fixed number of threads, WORKERS, started once, each serving one connection after another.",
        concept: "A channel carries connections from the accepting loop to the workers: the loop sends, each worker receives. The receiver has one owner, so the workers share it behind Arc<Mutex<...>>, and hold the lock only while they take a connection, never while they serve it.",
        code: "Lesson text, \"A channel as the queue\": each of WORKERS threads loops { let next = receiver.lock().unwrap().recv(); match next { Ok(connection) => connection.serve_one(&*meter), Err(_) => break } }; the accepting loop does sender.send(connection).",
    },
    Hint {
        step: Some("c"),
        nudge: "POST /shutdown answers 501 until do_post's TODO(c) is written; the pool's loop must then stop, and the program end once the requests in flight are answered.",
        concept: "A flag the loop reads (an AtomicBool), a connection to wake the loop from accept() (the given stop() does both), then: drop the listener (new connections are refused at once), drop the sender so that each worker's recv() fails once the channel is empty, and join the workers.",
        code: "Lesson text, step c: in do_post, 403 unless request.client_address().ip().to_canonical().is_loopback(); then self.stop(); and answer 200. In pool(): break when meter.is_stopping(), then drop(listener); drop(sender); and only then join every worker.",
    },
];

/// The wait every check asks for (`?wait=10`): long enough for any
/// computer to deliver the other requests, and it ends only a check that
/// fails.
const WAIT: &str = "wait=10";

/// How long a request sent by these checks may take: a held request waits
/// 10 s at most, and a fifth one waits for a held one first.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The command a student runs to see a check's server themselves.
fn command(flag: &str) -> String {
    if flag.is_empty() {
        "cargo run --bin threaded_server".to_owned()
    } else {
        format!("cargo run --bin threaded_server -- {flag}")
    }
}

/// `method path` on a connection of its own, closed after the answer.
fn request<'a>(method: &'a str, path: &'a str) -> Outgoing<'a> {
    let headers = vec![("Content-Length", "0"), ("Connection", "close")];
    Outgoing {
        method,
        path,
        headers,
        body: None,
    }
}

/// The number before "request(s) in flight" in a body.
fn in_flight(body: &str) -> Option<usize> {
    let before = &body[..body.find(" request")?];
    let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    before[before.len() - digits..].parse().ok()
}

/// The count a reply says, if it came and says one.
fn count_of(answer: &Result<Reply, String>) -> Option<usize> {
    in_flight(&answer.as_ref().ok()?.body)
}

/// An answer in a report: its status and first line, or why there is none.
fn describe(answer: &Result<Reply, String>) -> String {
    match answer {
        Ok(reply) => format!(
            "{} {:?}",
            reply.status,
            reply.body.lines().next().unwrap_or("")
        ),
        Err(error) => error.clone(),
    }
}

/// Whether an answer came, with status 200.
fn is_ok(answer: &Result<Reply, String>) -> bool {
    matches!(answer, Ok(reply) if reply.status == 200)
}

/// A key no other request uses.
fn key() -> String {
    format!("{:012x}", random_number() & 0xffff_ffff_ffff)
}

/// One check's scenario: the server started afresh with the flag of its
/// step, what the check does (as commands a student can run) and what it
/// expects. A failure says both, with what came back and the server's
/// last lines of output.
struct Scenario<'s> {
    session: &'s mut Session,
    address: String,
    sent: String,
    expected: &'static str,
}

impl<'s> Scenario<'s> {
    /// Starts the server with `flag` (or none); `then` says what follows.
    fn start(
        session: &'s mut Session,
        flag: &str,
        then: &str,
        expected: &'static str,
    ) -> Result<Scenario<'s>, Failure> {
        let launch = if flag.is_empty() {
            Launch::default()
        } else {
            Launch::default().arg(flag)
        };
        session.set_launch(launch);
        let address = session
            .restart()?
            .base_url()
            .trim_start_matches("http://")
            .to_owned();
        let sent = format!("{}, then{then}", command(flag));
        Ok(Scenario {
            session,
            address,
            sent,
            expected,
        })
    }

    /// Sends a request on a connection of its own now, and reads its
    /// answer on a thread: the requests of a check reach the server in
    /// the order they are sent, and are answered in any order.
    fn send_now(&self, method: &str, path: &str) -> PendingReply {
        match self.open().and_then(|mut connection| {
            connection.send(&request(method, path))?;
            Ok(connection)
        }) {
            Ok(connection) => connection.reply_later(),
            Err(error) => PendingReply::failed(error),
        }
    }

    /// Sends one request on a connection of its own and reads its answer.
    fn send(&self, method: &str, path: &str) -> Result<Reply, String> {
        self.send_now(method, path).wait()
    }

    /// A connection opened now, for requests sent later.
    fn open(&self) -> Result<RawConnection, String> {
        RawConnection::open(&self.address, READ_TIMEOUT)
    }

    /// The failure: what came back (`got`), and the hint.
    fn fail(&mut self, got: impl Into<String>, hint: &str) -> Failure {
        let output = self
            .session
            .server()
            .map(|server| server.output_for_report());
        Failure {
            sent: self.sent.clone(),
            expected: self.expected.into(),
            got: format!("{}{}", got.into(), output.unwrap_or_default()),
            hint: hint.into(),
        }
    }
}

/// Holds a request and releases it from a second connection: only a
/// server that answers two connections at once lets them meet.
fn two_at_once(session: &mut Session, flag: &str, not_concurrent: &str) -> CheckResult {
    let key = key();
    let (hold, release) = (
        format!("/hold/{key}?{WAIT}"),
        format!("/release/{key}?{WAIT}"),
    );
    let mut scenario = Scenario::start(
        session,
        flag,
        &format!(" at once: curl 'localhost:8000{hold}' and curl 'localhost:8000{release}'"),
        "the hold answered \"released\": the release reached the server while the hold was in flight",
    )?;
    // The hold is sent first, so a server that serves one connection at a
    // time takes it first, and its answer alone tells the story.
    let (hold, release) = (
        scenario.send_now("GET", &hold),
        scenario.send_now("GET", &release),
    );
    let hold = hold.wait();
    if matches!(&hold, Ok(reply) if reply.body.starts_with("timed out")) {
        // Was the release served beside the hold all along, in vain? Then
        // it ends with the hold (both waited 10 seconds), and the two did
        // not share one Parallelometer. Served one after the other, it is
        // still waiting: no need to wait for it too (the server is
        // stopped before the next check). This only picks the hint.
        if let Some(Ok(_)) = release.wait_at_most(Duration::from_secs(3)) {
            let got = format!(
                "the hold: {}; the release, at the same time: no hold to release",
                describe(&hold)
            );
            return Err(scenario.fail(
                got,
                "Both requests were in flight at once, but they never met: each waited in a \
                 Parallelometer of its own. The holds and the count live in the Parallelometer, \
                 so every connection must share one: make it once, before the loop, \
                 Arc::new(Parallelometer::new(listener.address())), and give each thread an \
                 Arc::clone of it.",
            ));
        }
        let hint = format!(
            "Your server answered the second request only after the first had finished (the \
             hold waited 10 seconds for the release, in vain): it handles one connection at a \
             time. {not_concurrent}"
        );
        return Err(scenario.fail(format!("the hold: {}", describe(&hold)), &hint));
    }
    let release = release.wait();
    if is_ok(&hold)
        && hold.as_ref().is_ok_and(|h| h.body.starts_with("released"))
        && is_ok(&release)
    {
        return Ok(());
    }
    Err(scenario.fail(
        format!(
            "the hold: {}; the release: {}",
            describe(&hold),
            describe(&release)
        ),
        "Both requests should be answered 200 by the Parallelometer: keep its do_get as it is, \
         and serve every connection with connection.serve(...) or serve_one(...).",
    ))
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
    let mut scenario = Scenario::start(
        session,
        "--threads",
        &format!(" 16 requests at once: curl 'localhost:8000/frame1?{WAIT}' ... '/frame16?{WAIT}'"),
        "every frame says \"16 requests in flight\"",
    )?;
    // Each frame waits until all 16 are in flight (or 10 seconds), so on a
    // working server every frame says 16, at once. The first that says
    // less is enough to know.
    let frames: Vec<PendingReply> = (1..=16)
        .map(|number| scenario.send_now("GET", &format!("/frame{number}?{WAIT}")))
        .collect();
    for (index, frame) in frames.into_iter().enumerate() {
        let number = index + 1;
        let reply = match frame.wait() {
            Ok(reply) => reply,
            Err(error) => {
                let hint = "Every connection deserves an answer: serve each one with \
                            connection.serve(&*meter).";
                return Err(scenario.fail(format!("frame {number}: {error}"), hint));
            }
        };
        let count = in_flight(&reply.body).unwrap_or(0);
        if count >= 16 {
            continue;
        }
        let got = format!(
            "frame {number}, the first to say less: {count} requests in flight ({index} frames said 16 before it)"
        );
        let hint = match count {
            0 => "The frames should say how many requests were in flight: keep the Parallelometer's do_get as it is.".to_owned(),
            1 => "The frames were answered one after the other: the server handles one connection at a time. Give each connection its own thread.".to_owned(),
            _ => format!(
                "At most {count} requests were in flight together, never all 16: --threads should \
                 give every connection a thread of its own, with no limit (is it running a pool?)."
            ),
        };
        return Err(scenario.fail(got, &hint));
    }
    Ok(())
}

fn panics_do_not_leak_the_count(session: &mut Session) -> CheckResult {
    let mut scenario = Scenario::start(
        session,
        "--threads",
        ": curl localhost:8000/panic; curl localhost:8000/in-flight",
        "/panic answered 500, then /in-flight says \"1 request in flight\" (itself)",
    )?;
    let panic = scenario.send("GET", "/panic");
    let count = scenario.send("GET", "/in-flight");
    let panicked = matches!(&panic, Ok(reply) if reply.status == 500);
    match count_of(&count) {
        Some(1) if panicked => Ok(()),
        Some(_) if panicked => Err(scenario.fail(
            format!("/in-flight: {}", describe(&count)),
            "The request that panicked is still counted. The count must go down when a \
             request ends, however it ends: the InFlight guard does it in its Drop, which runs \
             even while a panic unwinds. Keep `let _in_flight = self.enter();` at the start \
             of do_get.",
        )),
        _ => Err(scenario.fail(
            format!(
                "/panic: {}; /in-flight: {}",
                describe(&panic),
                describe(&count)
            ),
            "A thread whose handler panics must not take the server down: serve the connection \
             with connection.serve(...), which turns a panic into a 500, and keep the server's \
             loop going.",
        )),
    }
}

fn threads_keep_connections_open(session: &mut Session) -> CheckResult {
    let mut scenario = Scenario::start(
        session,
        "--threads",
        " two requests on one connection: curl -v localhost:8000/in-flight \
         localhost:8000/in-flight (curl reuses the connection)",
        "both answered 200 on the same connection",
    )?;
    // The first request leaves the connection open (keep-alive, as a
    // browser asks); the second asks to close it.
    let kept = Outgoing {
        method: "GET",
        path: "/in-flight",
        ..Outgoing::default()
    };
    let last = Outgoing {
        headers: vec![("Connection", "close")],
        ..kept.clone()
    };
    let both = scenario.open().and_then(|mut connection| {
        connection.send(&kept)?;
        connection.next_reply()?;
        connection.send(&last)?;
        let second = connection.next_reply();
        second.map_err(|error| format!("the second request: {error}"))
    });
    match both {
        Ok(_) => Ok(()),
        Err(error) => Err(scenario.fail(
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

fn pool_is_capped_at_four(session: &mut Session) -> CheckResult {
    let mut scenario = Scenario::start(
        session,
        "",
        "",
        "all 5 answered \"timed out\", and the most in flight at once exactly 4 (WORKERS): 4 held, the fifth waiting in the channel",
    )?;
    // That a fifth request is NOT served is seen only by waiting: the
    // holds wait 2 seconds, and if the four did not all meet in that
    // time (a busy computer), they try again with 10.
    let mut seconds = 2;
    loop {
        scenario.sent = format!(
            "{}, then 5 requests at once that nobody releases: curl 'localhost:8000/hold/KEY-1?wait={seconds}' ... '/hold/KEY-5?wait={seconds}'",
            command("")
        );
        // Five holds that nobody releases, each waiting `seconds`.
        let run = key();
        let holds: Vec<PendingReply> = (1..=5)
            .map(|number| scenario.send_now("GET", &format!("/hold/{run}-{number}?wait={seconds}")))
            .collect();
        let answers: Vec<Result<Reply, String>> =
            holds.into_iter().map(PendingReply::wait).collect();
        let unanswered: Vec<&String> = answers
            .iter()
            .filter_map(|answer| answer.as_ref().err())
            .collect();
        if let Some(error) = unanswered.first() {
            return Err(scenario.fail(
                format!(
                    "{} of 5 got no answer; the first: {error}",
                    unanswered.len()
                ),
                "Every connection must be answered, even when the workers are all busy: send it \
                 into the channel, where it waits until a worker is free. Do not drop it.",
            ));
        }
        let counts: Vec<usize> = answers.iter().filter_map(count_of).collect();
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
        return Err(scenario.fail(got, &hint));
    }
}

fn pool_closes_each_connection(session: &mut Session) -> CheckResult {
    let mut scenario = Scenario::start(
        session,
        "",
        ", as a browser asks (keep-alive, no Connection: close): curl -v localhost:8000/in-flight",
        "200 with the header Connection: close, and the connection closed after it",
    )?;
    let browser = Outgoing {
        method: "GET",
        path: "/in-flight",
        ..Outgoing::default()
    };
    let reply = scenario.open().and_then(|mut connection| {
        connection.send(&browser)?;
        connection.next_reply()
    });
    let reply = reply.map_err(|error| {
        let hint = "Every connection gets an answer: a worker serves each one it takes from the \
                    channel with connection.serve_one(&*meter).";
        scenario.fail(error, hint)
    })?;
    let closes = reply
        .header("connection")
        .is_some_and(|value| value.eq_ignore_ascii_case("close"));
    if closes {
        return Ok(());
    }
    Err(scenario.fail(
        format!(
            "{}, Connection: {:?}",
            describe(&Ok(reply.clone())),
            reply.header("connection")
        ),
        "The connection stays open for a next request (keep-alive): the worker serves it with \
         connection.serve(...), and stays with it until the client closes it or is quiet for \
         15 seconds. Four idle browser connections would hold all four workers while other \
         visitors wait. Serve one request per connection: connection.serve_one(&*meter).",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_count_in_flight() {
        assert_eq!(in_flight("timed out: 4 requests in flight\n"), Some(4));
        assert_eq!(
            in_flight("<p class=\"count\">16 requests in flight</p>"),
            Some(16)
        );
        assert_eq!(in_flight("1 request in flight"), Some(1));
        assert_eq!(in_flight("nothing"), None);
    }

    #[test]
    fn names_the_command_of_each_mode() {
        assert_eq!(command(""), "cargo run --bin threaded_server");
        assert_eq!(
            command("--threads"),
            "cargo run --bin threaded_server -- --threads"
        );
    }
}
