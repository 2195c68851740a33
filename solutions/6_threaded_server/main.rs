//! Lesson 6: the threaded server.
//!
//! A "parallelometer": the page at / opens 16 frames at once, and each frame
//! says how many requests the server had in flight together while it
//! waited. A server that answers one connection at a time shows 1 in every
//! frame; a server with a thread per connection shows as many as reach it
//! together. You build the server's loop yourself, in three steps: (a) a
//! thread per connection, (b) a fixed pool of WORKERS threads fed by a
//! channel, and going further (c) a graceful shutdown with POST /shutdown.
//!
//! Run it with `cargo run --bin threaded_server` (the pool), or
//! `cargo run --bin threaded_server -- --threads` (a thread per connection),
//! open http://localhost:8000/, and check a step with
//! `cargo course check threaded_server a` (or `b`, `c`). The lesson text is
//! lessons/6_threaded_server/README.md.

use std::collections::HashMap;
use std::io::Write; // gives `Response` its `write_all` method
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http_server::{
    Handler, HandlerResult, HttpError, HttpServer, ICON_LINK, Request, Response, STYLESHEET,
    ServerError, parse_qs,
};

// What steps a and b use. Until they are written nothing does: the
// lesson packages' `[lints]` (Cargo.toml) let a starter leave them unused.
use http_server::{Connection, Listener};
use std::sync::{Arc, mpsc};
use std::thread;

/// How many threads the pool has (step b).
const WORKERS: usize = 4;

/// How many frames the page opens at once.
const FRAMES: usize = 16;

/// How long a frame waits for the other frames to arrive before it answers.
const FRAME_WAIT: Duration = Duration::from_secs(1);

/// How long `/hold/KEY` waits for `/release/KEY`, and the other way round.
/// A server that serves one connection at a time never lets the two meet,
/// so each gives up after this long instead of waiting for ever.
const HOLD_WAIT: Duration = Duration::from_secs(3);

/// A request may ask for a longer (or shorter) wait than these with
/// `?wait=SECONDS`, up to this long. The course's checks ask for 10
/// seconds: a server that works answers at once anyway, and a busy
/// computer gets all the time it needs to deliver every request.
const LONGEST_WAIT: Duration = Duration::from_secs(60);

/// The shared state of the server: how many requests are in flight, and the
/// places where requests wait for each other.
struct Parallelometer {
    /// Requests being handled right now. Every thread changes it at once,
    /// so it is an atomic: `fetch_add` and `fetch_sub` cannot lose a count.
    in_flight: AtomicUsize,
    /// The most requests in flight at once since the count was last zero.
    peak: AtomicUsize,
    /// `/hold/KEY` requests waiting, by key: `true` once released.
    holds: Mutex<HashMap<String, bool>>,
    /// Woken whenever a request arrives or a hold is released.
    changed: Condvar,
    /// Set by `POST /shutdown` (step c): the accepting loop stops.
    stopping: AtomicBool,
    /// Where the server listens, so that `/shutdown` can wake its loop.
    address: SocketAddr,
}

/// A request in flight. Dropping it takes the request off the count, even
/// when the handler panics: Rust drops what a panicking function held.
struct InFlight<'a>(&'a Parallelometer);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            // Nobody is left: the next crowd is counted from zero.
            self.0.peak.store(0, Ordering::SeqCst);
        }
    }
}

impl Parallelometer {
    fn new(address: SocketAddr) -> Parallelometer {
        Parallelometer {
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            holds: Mutex::new(HashMap::new()),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            address,
        }
    }

    /// Counts a request in, until the guard it returns is dropped.
    fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        // Take the lock before waking the waiters, so that none of them is
        // between checking the count and going to sleep.
        let _holds = self.holds();
        self.changed.notify_all();
        InFlight(self)
    }

    /// The most requests in flight at once in this crowd.
    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    fn holds(&self) -> MutexGuard<'_, HashMap<String, bool>> {
        self.holds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `POST /shutdown` asked the server to stop.
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// A frame: waits until FRAMES requests are in flight together, or
    /// `wait` has passed, then says how many were.
    fn frame(&self, wait: Duration) -> usize {
        let holds = self.holds();
        let _ = self
            .changed
            .wait_timeout_while(holds, wait, |_| self.peak() < FRAMES);
        self.peak()
    }

    /// `/hold/KEY`: waits until `/release/KEY` arrives or `wait` has
    /// passed. True if it was released.
    fn hold(&self, key: &str, wait: Duration) -> bool {
        let mut holds = self.holds();
        holds.insert(key.to_owned(), false);
        self.changed.notify_all(); // a release may be waiting for this hold
        let (mut holds, _) = self
            .changed
            .wait_timeout_while(holds, wait, |holds| holds.get(key) == Some(&false))
            .unwrap_or_else(PoisonError::into_inner);
        holds.remove(key).unwrap_or(false)
    }

    /// `/release/KEY`: waits until a hold with this key is waiting (or
    /// `wait` has passed) and releases it. True if there was one.
    fn release(&self, key: &str, wait: Duration) -> bool {
        let holds = self.holds();
        let (mut holds, _) = self
            .changed
            .wait_timeout_while(holds, wait, |holds| holds.get(key) != Some(&false))
            .unwrap_or_else(PoisonError::into_inner);
        match holds.get_mut(key) {
            Some(released) if !*released => {
                *released = true;
                self.changed.notify_all();
                true
            }
            _ => false,
        }
    }

    /// Stops the server (step c): sets the flag, then wakes the accepting
    /// loop so that it looks at it now. The order matters: woken first,
    /// the loop could look before the flag is set, go back to `accept`,
    /// and sleep there until the next visitor. (It is given, not part of
    /// the exercise, because no check can make that race happen on
    /// demand: which of two threads looks first is chance.)
    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake_the_accepting_loop();
    }

    /// Wakes the accepting loop, which waits in `accept` for a connection:
    /// it gets one (from this program), and then sees `is_stopping`.
    fn wake_the_accepting_loop(&self) {
        let mut address = self.address;
        // A server listening on every address (HOST=0.0.0.0) is reached
        // from here at the loopback address.
        if address.ip().is_unspecified() {
            address.set_ip(match address.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
        }
        let _ = TcpStream::connect_timeout(&address, Duration::from_secs(1));
    }
}

/// The wait a request asks for with `?wait=SECONDS`, or `default`.
fn wait_asked(query: &str, default: Duration) -> Duration {
    let seconds = parse_qs(query)
        .ok()
        .and_then(|form| form.get("wait")?.parse::<u64>().ok());
    seconds.map_or(default, |seconds| {
        Duration::from_secs(seconds).min(LONGEST_WAIT)
    })
}

/// "1 request in flight", "4 requests in flight".
fn in_flight_text(count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} request{plural} in flight")
}

fn send_text(response: &mut Response, status: u16, text: &str) -> HandlerResult {
    response.send_response(status);
    response.send_header("Content-Type", "text/plain; charset=utf-8");
    response.end_headers();
    response.write_all(text.as_bytes())?;
    Ok(())
}

fn send_html(response: &mut Response, html: &str) -> HandlerResult {
    response.send_response(200);
    response.send_header("Content-Type", "text/html; charset=utf-8");
    response.end_headers();
    response.write_all(html.as_bytes())?;
    Ok(())
}

impl Handler for Parallelometer {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let _in_flight = self.enter();
        // `/hold/KEY?wait=10`: the path, and the query after `?`.
        let (path, query) = request
            .path()
            .split_once('?')
            .unwrap_or((request.path(), ""));
        if path == "/" {
            return send_html(response, &page(wait_asked(query, FRAME_WAIT)));
        }
        if let Some(number) = path.strip_prefix("/frame")
            && let Ok(number) = number.parse::<usize>()
            && (1..=FRAMES).contains(&number)
        {
            let count = self.frame(wait_asked(query, FRAME_WAIT));
            return send_html(response, &frame_page(number, count));
        }
        if let Some(key) = path.strip_prefix("/hold/") {
            let released = self.hold(key, wait_asked(query, HOLD_WAIT));
            let how = if released { "released" } else { "timed out" };
            let text = format!("{how}: {}\n", in_flight_text(self.peak()));
            return send_text(response, 200, &text);
        }
        if let Some(key) = path.strip_prefix("/release/") {
            let text = if self.release(key, wait_asked(query, HOLD_WAIT)) {
                format!("released {key}: {}\n", in_flight_text(self.peak()))
            } else {
                format!(
                    "no request held under {key}: {}\n",
                    in_flight_text(self.peak())
                )
            };
            return send_text(response, 200, &text);
        }
        if path == "/in-flight" {
            let count = self.in_flight.load(Ordering::SeqCst);
            return send_text(response, 200, &format!("{}\n", in_flight_text(count)));
        }
        if path == "/panic" {
            // The guard above is dropped as the panic unwinds: the count
            // stays right, and the server answers 500.
            panic!("a handler that panics on purpose (GET /panic)");
        }
        Err(HttpError::new(404, "no such page: try / or /frame1").into())
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // Only this computer may stop the server (step c), but a page from
        // any site, open in a browser on this computer, could post a form
        // to localhost: refuse what a browser says another site sent (403).
        http_server::refuse_cross_site(request)?;
        let _in_flight = self.enter();
        if request.path() != "/shutdown" {
            return Err(HttpError::new(404, "the only POST is /shutdown").into());
        }
        // TODO(c): stop the server gracefully
        // Only this computer may stop the server: anybody could send this
        // request to a server listening on 0.0.0.0.
        if !request.client_address().ip().to_canonical().is_loopback() {
            return Err(HttpError::new(403, "only 127.0.0.1 may stop the server").into());
        }
        // Sets the flag, then wakes the accepting loop (given, above), which
        // checks the flag after each connection. Not std::process::exit:
        // that would cut this answer and every request in flight.
        self.stop();
        send_text(
            response,
            200,
            "Shutting down: requests in flight are finished, then the server exits.\n",
        )
        // END TODO(c)
    }
}

/// The parallelometer's page: which mode serves it, then FRAMES frames,
/// loaded all at once, each waiting `wait` for the others (`/?wait=10`
/// passes 10 seconds on).
fn page(wait: Duration) -> String {
    let seconds = wait.as_secs();
    let frames: String = (1..=FRAMES)
        .map(|number| {
            format!(
                "<iframe src=\"/frame{number}?wait={seconds}\" title=\"frame {number}\"></iframe>\n"
            )
        })
        .collect();
    let unit = if seconds == 1 { "second" } else { "seconds" };
    let serving = serving();
    // Four frames a row, or two on a phone's narrow screen.
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parallelometer</title>
{ICON_LINK}
<style>{STYLESHEET}</style>
<style>
.frames {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.5rem; }}
@media (max-width: 36rem) {{ .frames {{ grid-template-columns: repeat(2, 1fr); }} }}
iframe {{ display: block; box-sizing: border-box; width: 100%; height: 6.5rem; border: 1px solid #8c959f; border-radius: 6px; background: white; }}
</style>
</head>
<body>
<main>
<h1>Parallelometer</h1>
<p class="mode">{serving}</p>
<p>The browser asks for these {FRAMES} frames at once. Each frame waits up
to {seconds} {unit} for the others, then shows how many requests the server
had in flight together: 1 if it serves one connection at a time.</p>
<div class="frames">
{frames}</div>
</main>
</body>
</html>
"#
    )
}

/// One frame: its number, and how many requests were in flight with it.
fn frame_page(number: usize, count: usize) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Frame {number}</title>
{ICON_LINK}
<style>{STYLESHEET}</style>
<style>
body {{ max-width: none; margin: 0; padding: 0.4em; font-size: 1rem; line-height: 1.25; background: white; }}
p {{ margin: 0; }}
/* "16 requests" on a line and "in flight" on the next, rather than "in"
   left at the end of the first line and "flight" alone on the second. */
.count {{ font-size: 1.2em; font-weight: bold; text-wrap: balance; overflow-wrap: normal; }}
</style>
</head>
<body>
<p class="count">{}</p>
<p>frame {number}</p>
</body>
</html>
"#,
        in_flight_text(count)
    )
}

/// The server of the starter: Python's `HTTPServer`, one connection at a
/// time, each answered once and closed.
fn one_at_a_time() -> Result<(), ServerError> {
    eprintln!("threaded_server: one_at_a_time() serves one connection at a time");
    running().1 = Mode::OneAtATime;
    let server = HttpServer::from_env()?;
    let meter = Parallelometer::new(server.address());
    server.serve_forever(meter)
}

/// Step a: a thread for every connection (`threaded_server --threads`).
fn thread_per_connection() -> Result<(), ServerError> {
    // TODO(a): give every connection a thread of its own
    let listener = Listener::from_env()?;
    // One Parallelometer for all the threads: an Arc shares it, and is
    // freed when the last thread lets go.
    let meter = Arc::new(Parallelometer::new(listener.address()));
    for connection in listener.incoming() {
        if meter.is_stopping() {
            break;
        }
        let meter = Arc::clone(&meter);
        // `move` gives the thread the connection and its own Arc; the loop
        // goes straight back to accept the next connection.
        thread::spawn(move || connection.serve(&*meter));
    }
    Ok(())
    // END TODO(a)
}

/// Step b: a fixed pool of WORKERS threads, fed by a channel (the default).
fn pool() -> Result<(), ServerError> {
    // TODO(b): serve connections with a pool of WORKERS threads
    let listener = Listener::from_env()?;
    let meter = Arc::new(Parallelometer::new(listener.address()));
    // Connections go in at the sender and come out at the receiver. The
    // receiver has one owner, so the workers share it behind a Mutex.
    let (sender, receiver) = mpsc::channel::<Connection>();
    let receiver = Arc::new(Mutex::new(receiver));
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let receiver = Arc::clone(&receiver);
        let meter = Arc::clone(&meter);
        workers.push(thread::spawn(move || {
            loop {
                // The lock is held only to take one connection (the guard
                // is dropped at the end of this statement), not while the
                // connection is served: otherwise one worker would serve
                // and the others would wait for the lock.
                let next = receiver
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .recv();
                match next {
                    // One answer per connection: an idle keep-alive
                    // connection would keep a worker from the others.
                    Ok(connection) => connection.serve_one(&*meter),
                    Err(_) => break, // the sender is gone: the server stops
                }
            }
        }));
    }
    for connection in listener.incoming() {
        if meter.is_stopping() {
            break;
        }
        // A connection waits in the channel until a worker is free.
        if sender.send(connection).is_err() {
            break;
        }
    }
    // Stop taking connections, then let the workers finish what they have
    // and what is still in the channel, and wait for them.
    drop(listener);
    drop(sender);
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
    // END TODO(b)
}

/// How the server serves connections, from its command line.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Pool,
    ThreadPerConnection,
    OneAtATime,
}

impl Mode {
    /// What main says it calls. Until a step is done, its function calls
    /// `one_at_a_time()`, which says so itself.
    fn describe(&self) -> String {
        match self {
            Mode::Pool => format!("pool(), step b: a pool of {WORKERS} workers"),
            Mode::ThreadPerConnection => {
                "thread_per_connection(), step a: a thread per connection".to_owned()
            }
            Mode::OneAtATime => "one_at_a_time()".to_owned(),
        }
    }

    /// How the mode serves connections, in words, for the page.
    fn in_words(self) -> String {
        match self {
            Mode::Pool => format!("a pool of {WORKERS} worker threads"),
            Mode::ThreadPerConnection => "a thread per connection".to_owned(),
            Mode::OneAtATime => "one connection at a time".to_owned(),
        }
    }

    /// The function main calls for the mode.
    fn function(self) -> &'static str {
        match self {
            Mode::Pool => "<code>pool()</code> (step b)",
            Mode::ThreadPerConnection => "<code>thread_per_connection()</code> (step a)",
            Mode::OneAtATime => "<code>one_at_a_time()</code>",
        }
    }
}

/// The mode main calls, and the mode that serves, for the page to say:
/// until a step is written, its function calls one_at_a_time(), which
/// writes itself in the second place.
static RUNNING: Mutex<(Mode, Mode)> = Mutex::new((Mode::Pool, Mode::Pool));

fn running() -> MutexGuard<'static, (Mode, Mode)> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the page says serves it: "Mode: a pool of 4 worker threads, as
/// main calls pool() (step b)", or which step is not written yet.
fn serving() -> String {
    let (called, serving) = *running();
    let how = serving.in_words();
    if called == serving {
        format!(
            "Mode: <strong>{how}</strong>, as main calls {}. Start the server with \
             <code>--pool</code>, <code>--threads</code> or <code>--one-at-a-time</code> \
             to compare.",
            called.function()
        )
    } else {
        format!(
            "Mode: <strong>{how}</strong>: main calls {}, which calls \
             <code>one_at_a_time()</code> until it is written.",
            called.function()
        )
    }
}

const USAGE: &str = "usage: threaded_server [--threads | --pool | --one-at-a-time]";

fn mode_from_args() -> Result<Mode, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [flag] = args.as_slice() else {
        if args.is_empty() {
            return Ok(Mode::Pool); // no flag: the pool
        }
        return Err(format!("one flag at most; {USAGE}"));
    };
    match flag.as_str() {
        "--pool" => Ok(Mode::Pool),
        "--threads" => Ok(Mode::ThreadPerConnection),
        "--one-at-a-time" => Ok(Mode::OneAtATime),
        _ => Err(format!("unknown flag {flag:?}; {USAGE}")),
    }
}

fn main() -> ExitCode {
    let mode = match mode_from_args() {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("threaded_server: {message}");
            return ExitCode::from(2);
        }
    };
    eprintln!("threaded_server: main calls {}", mode.describe());
    *running() = (mode, mode);
    let result = match mode {
        Mode::Pool => pool(),
        Mode::ThreadPerConnection => thread_per_connection(),
        Mode::OneAtATime => one_at_a_time(),
    };
    match result {
        Ok(()) => {
            eprintln!("threaded_server: stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("threaded_server: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    //! Run with `cargo test --bin threaded_server`. Step c's check runs
    //! them too: a check talks to the server over 127.0.0.1, so only a
    //! test can play a client on another machine, or one that arrives
    //! over IPv6.

    use super::*;
    use http_server::test::{TestRequest, call};

    /// Step c: `POST /shutdown` from this computer over IPv6 is obeyed. A
    /// server listening on `::` (HOST=::) sees a client at 127.0.0.1 as
    /// ::ffff:127.0.0.1, an IPv4 address written as IPv6, which
    /// `.is_loopback()` alone does not call loopback: `.to_canonical()`
    /// turns it back into 127.0.0.1 first.
    #[test]
    #[ignore = "step c checks it: cargo course check threaded_server c"]
    fn shutdown_from_this_computer_over_ipv6_is_obeyed() {
        for client in ["[::ffff:127.0.0.1]:50000", "[::1]:50000"] {
            let client: SocketAddr = client.parse().unwrap();
            // Port 0, as below: the wake-up connection disturbs nobody.
            let meter = Parallelometer::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
            let response = call(
                &meter,
                TestRequest::post("/shutdown").client_address(client),
            );
            assert_eq!(
                response.status(),
                200,
                "POST /shutdown from {client} (this computer) answered {}: {}",
                response.status(),
                response.body_text()
            );
            assert!(
                meter.is_stopping(),
                "POST /shutdown from {client} did not stop the server"
            );
        }
    }

    /// Step c: `POST /shutdown` from another computer gets 403, and the
    /// server goes on. 192.0.2.1 is an address kept for examples, never a
    /// real computer's.
    #[test]
    #[ignore = "step c checks it: cargo course check threaded_server c"]
    fn shutdown_from_another_computer_is_forbidden() {
        // Port 0: no server listens there, so a wake-up connection (if
        // the handler makes one) disturbs nobody.
        let meter = Parallelometer::new(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let stranger = SocketAddr::from(([192, 0, 2, 1], 50000));
        let response = call(
            &meter,
            TestRequest::post("/shutdown").client_address(stranger),
        );
        assert_eq!(
            response.status(),
            403,
            "POST /shutdown from 192.0.2.1 answered {}: {}",
            response.status(),
            response.body_text()
        );
        assert!(!meter.is_stopping(), "the server was told to stop anyway");
    }
}
