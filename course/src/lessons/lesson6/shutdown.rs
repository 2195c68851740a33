//! Step c, the graceful shutdown. The scenario has a slow request in
//! flight that ends by itself (2 seconds): a program that exits without
//! joining its workers cuts it, whichever thread runs first. That a client
//! on another computer gets 403 cannot be seen over loopback: the check
//! runs the tests that ship at the end of the lesson's main.rs
//! (`Session::unit_test`).

use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::{Scenario, WAIT, describe, is_ok, key, request, two_at_once};
use crate::kit::raw::RawConnection;
use crate::session::{Outgoing, Reply, Session};
use crate::{CheckResult, Failure};

/// How long step c's slow request waits, in seconds: the program must
/// stay until it is answered.
const SLOW: u64 = 2;

/// How long a server that was asked to shut down may take to close its
/// listener (it refuses new connections at once; this is for a busy
/// computer).
const REFUSE_WAIT: Duration = Duration::from_secs(5);

/// How long a server that was asked to shut down may take to exit.
const EXIT_WAIT: Duration = Duration::from_secs(15);

pub(super) fn shutdown_is_refused_to_other_sites(session: &mut Session) -> CheckResult {
    let mut scenario = Scenario::start(
        session,
        "",
        ": curl -X POST -H 'Sec-Fetch-Site: cross-site' localhost:8000/shutdown, then: curl \
         localhost:8000/in-flight",
        "GET /in-flight answered 200: the server still serves after the refused /shutdown",
    )?;
    for (header, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "http://evil.example"),
    ] {
        let headers = vec![(header, value)];
        scenario
            .session
            .send(Outgoing {
                method: "POST",
                path: "/shutdown",
                headers,
                body: None,
            })?
            .expect_status(
                403,
                "The check comes from 127.0.0.1, as a browser on this computer does: any page \
                 it opens, from any site, can post a form to localhost:8000/shutdown. Keep the \
                 first line of do_post, http_server::refuse_cross_site(request)?.",
            )?;
    }
    let still = scenario.send("GET", "/in-flight");
    if is_ok(&still) {
        return Ok(());
    }
    Err(scenario.fail(
        describe(&still),
        "A refused /shutdown must change nothing: refuse_cross_site comes before the flag is set.",
    ))
}

/// Sends `GET path` on a connection opened earlier, and reads its answer.
fn send_on(connection: Result<RawConnection, String>, path: &str) -> Result<Reply, String> {
    let mut connection = connection?;
    connection.send(&request("GET", path))?;
    connection.reply()
}

pub(super) fn shutdown_is_graceful(session: &mut Session) -> CheckResult {
    // Step c stops step b's pool. On a server that serves one connection
    // at a time, the scenario below would wait for each of its requests in
    // turn: say at once that step b comes first.
    two_at_once(
        session,
        "",
        "Step c stops the pool of step b, which must serve connections at once first: \
         `cargo course check threaded_server b` says what is missing.",
    )?;
    let key = key();
    let (hold, slow, release) = (
        format!("/hold/{key}?{WAIT}"),
        format!("/hold/{key}-slow?wait={SLOW}"),
        format!("/release/{key}?{WAIT}"),
    );
    let mut scenario = Scenario::start(
        session,
        "",
        &format!(
            ": curl 'localhost:8000{hold}' and a slow request nobody releases, curl \
             'localhost:8000{slow}'; while they wait, a third connection is opened, then curl \
             -X POST localhost:8000/shutdown, and then the third connection sends GET {release}"
        ),
        "POST /shutdown answered 200; the held request, the slow one (after its 2 seconds) and the release on the connection opened before the shutdown all answered; then the program exited with code 0",
    )?;
    // The holds are in flight, and the release's connection is open (but
    // its request not yet sent) before the server is told to stop: a
    // graceful server finishes all three, and only then exits. The slow
    // hold ends by itself, 2 seconds later: a program that exits without
    // waiting for its workers has long cut it by then, whatever the
    // order in which its threads run.
    let (hold, slow) = (
        scenario.send_now("GET", &hold),
        scenario.send_now("GET", &slow),
    );
    let third = scenario.open();
    let shutdown = scenario.send("POST", "/shutdown");
    let hint = match &shutdown {
        Ok(reply) if reply.status == 200 => "",
        Ok(reply) if reply.status == 501 => {
            "POST /shutdown is not written yet: do step c in do_post's TODO(c)."
        }
        Ok(reply) if reply.status == 403 => {
            "The check connects from 127.0.0.1: compare with .is_loopback() (after \
             .to_canonical(), for a server on ::)."
        }
        Err(_) => {
            "POST /shutdown got no answer: the connection closed first. Did the handler end the \
             program (std::process::exit)? That ends every thread at once: this answer, and \
             every request in flight, with it. Call self.stop(), answer 200, and let pool() \
             return once its workers are done."
        }
        _ => "Answer POST /shutdown with 200 and a short text, after self.stop().",
    };
    if !hint.is_empty() {
        return Err(scenario.fail(format!("/shutdown: {}", describe(&shutdown)), hint));
    }
    let release = send_on(third, &release);
    let (hold, slow) = (hold.wait(), slow.wait());
    if !is_ok(&hold) || !is_ok(&release) || !is_ok(&slow) {
        let (hold, slow, release) = (describe(&hold), describe(&slow), describe(&release));
        return Err(scenario.fail(
            format!("the hold: {hold}; the slow request: {slow}; the release: {release}"),
            "A graceful shutdown finishes what it has: after the loop, drop the listener and \
             the sender, and join every worker (worker.join()), so that the workers serve \
             every connection already accepted (those still in the channel too) before \
             pool() returns. A program that returns from main without joining them ends \
             every thread with it, in the middle of its request.",
        ));
    }
    expect_exit(
        &mut scenario,
        "After the workers are joined, pool() returns Ok(()) and main exits with 0: do not \
         call std::process::exit or panic to stop.",
        "The accepting loop must stop: it waits in accept(), so /shutdown wakes it with \
         self.stop(), which sets the flag and then connects, and the loop breaks when \
         meter.is_stopping(). Then drop the sender before you join the workers: a worker \
         ends when its recv() fails, which happens only once every sender is gone, and \
         join() waits for the worker.",
    )?;
    listener_closes_on_shutdown(scenario.session)
}

/// After `POST /shutdown`, with a request still in flight, a new
/// connection is refused: the listener is closed. A scenario of its own,
/// after the one above: a connection that tries whether the listener is
/// open also wakes a loop that `/shutdown` forgot to wake, and would hide
/// that mistake there.
fn listener_closes_on_shutdown(session: &mut Session) -> CheckResult {
    let key = key();
    let (hold, release) = (
        format!("/hold/{key}?{WAIT}"),
        format!("/release/{key}?{WAIT}"),
    );
    let mut scenario = Scenario::start(
        session,
        "",
        &format!(
            ": curl 'localhost:8000{hold}'; a second connection is opened; curl -X POST \
             localhost:8000/shutdown; then, while the hold waits, curl localhost:8000/in-flight \
             (a new connection), and last the second connection sends GET {release}"
        ),
        "the new connection refused at once (the listener closed), while the held request is \
         still in flight",
    )?;
    let hold = scenario.send_now("GET", &hold);
    let second = scenario.open();
    let shutdown = scenario.send("POST", "/shutdown");
    if !is_ok(&shutdown) {
        return Err(scenario.fail(
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
    let socket: SocketAddr = scenario
        .address
        .parse()
        .map_err(|_| Failure::plain("not an address", ""))?;
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
                let seconds = REFUSE_WAIT.as_secs();
                return Err(scenario.fail(
                    format!(
                        "new connections were still accepted {seconds} seconds after the shutdown"
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
    let _ = send_on(second, &release);
    let _ = hold.wait();
    Ok(())
}

/// Waits until the server under check exits (at most [`EXIT_WAIT`]) and
/// expects code 0: `not_zero` is the hint for another code, `running` the
/// one for a program still running.
fn expect_exit(scenario: &mut Scenario<'_>, not_zero: &str, running: &str) -> CheckResult {
    let until = Instant::now() + EXIT_WAIT;
    let (got, hint) = loop {
        if let Some(status) = scenario.session.server()?.exit_status() {
            if status.code() == Some(0) {
                return Ok(());
            }
            break (
                format!("the program ended with {:?}", status.code()),
                not_zero,
            );
        }
        if Instant::now() > until {
            let seconds = EXIT_WAIT.as_secs();
            break (
                format!("the program was still running {seconds} seconds later"),
                running,
            );
        }
        thread::sleep(Duration::from_millis(20));
    };
    Err(scenario.fail(got, hint))
}

pub(super) fn threads_stop_on_shutdown(session: &mut Session) -> CheckResult {
    let mut scenario = Scenario::start(
        session,
        "--threads",
        ": curl -X POST localhost:8000/shutdown",
        "the program exited with code 0",
    )?;
    // The answer itself may be cut: without a pool, nothing waits for the
    // thread that writes it once main returns (the lesson text says so).
    if let Ok(reply) = scenario.send("POST", "/shutdown")
        && reply.status != 200
    {
        let hint = if reply.status == 501 {
            "POST /shutdown is not written yet: do step c in do_post's TODO(c)."
        } else {
            "POST /shutdown should answer 200 with --threads too: it is the same handler."
        };
        return Err(scenario.fail(format!("/shutdown: {}", describe(&Ok(reply))), hint));
    }
    expect_exit(
        &mut scenario,
        "Once the loop stops, thread_per_connection() returns Ok(()) and main exits with \
         0: do not call std::process::exit or panic to stop.",
        "thread_per_connection()'s loop must stop too: after each connection it accepts, \
         `if meter.is_stopping() { break; }` (the wake-up connection of /shutdown gets it \
         there at once).",
    )
}

/// The tests that ship at the end of main.rs, in starter and solution:
/// each with what it does, what it expects, and the hint when it fails.
const UNIT_TESTS: &[(&str, &str, &str, &str)] = &[
    (
        "tests::shutdown_from_another_computer_is_forbidden",
        "it sends POST /shutdown as 192.0.2.1, another computer, through \
         http_server::test::call: a check over the network can only connect from this one",
        "403 Forbidden, and the server not told to stop",
        "Anybody who can reach the server could stop it: with HOST=0.0.0.0, that is the whole \
         network. Before self.stop(), refuse a client whose address is not loopback: if \
         !request.client_address().ip().to_canonical().is_loopback(), return \
         Err(HttpError::new(403, \"...\").into()).",
    ),
    (
        "tests::shutdown_from_this_computer_over_ipv6_is_obeyed",
        "it sends POST /shutdown as ::ffff:127.0.0.1 and as ::1, this computer over IPv6, as a \
         server on HOST=:: sees it",
        "200, and the server told to stop",
        "A server listening on :: (HOST=::, to be reached over IPv6 too) sees a client at \
         127.0.0.1 as ::ffff:127.0.0.1: an IPv4 address written as IPv6, which .is_loopback() \
         alone does not call loopback. Make it canonical first: \
         request.client_address().ip().to_canonical().is_loopback().",
    ),
];

pub(super) fn shutdown_is_refused_to_strangers(session: &mut Session) -> CheckResult {
    let binary = session.binary_name();
    for (name, what, expected, hint) in UNIT_TESTS {
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
        return Err(Failure {
            sent: format!("cargo test --bin {binary} -- --exact {name} ({what})"),
            expected: (*expected).into(),
            got,
            hint: hint.into(),
        });
    }
    Ok(())
}
