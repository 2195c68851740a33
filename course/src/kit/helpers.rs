//! Servers a check starts beside the program under check, all on
//! 127.0.0.1 and a free port: one that answers 200, 404 or a redirect, one
//! that never answers or begins an answer and stalls (until the check
//! ends), a port where nothing listens, and a stand-in HTTP proxy that
//! records what it forwarded.
//!
//! ```
//! use course::kit::helpers::{Answer, HelperServer, Proxy, refused_port};
//!
//! let page = HelperServer::start(Answer::Ok("<title>Hi</title>"))?;
//! let moved = HelperServer::start(Answer::Redirect("/elsewhere"))?;
//! let proxy = Proxy::start()?;
//! let client = reqwest::blocking::Client::builder()
//!     .proxy(reqwest::Proxy::http(proxy.url())?)
//!     .redirect(reqwest::redirect::Policy::none())
//!     .build()?;
//! assert_eq!(client.get(page.url("/a")).send()?.status(), 200);
//! assert_eq!(client.get(moved.url("/")).send()?.status(), 303);
//! assert_eq!(proxy.forwarded()[0], format!("GET {}", page.url("/a")));
//! assert!(reqwest::blocking::get(format!("http://127.0.0.1:{}/", refused_port()?)).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! One idea a file: [`HelperServer`] and its [`Answer`] (`helper_server.rs`),
//! the stand-in [`Proxy`] (`proxy.rs`), the course's own servers,
//! [`CourseServer`] (`course_server.rs`); here, what they share. Every name
//! is used from here, `crate::kit::helpers::...`.

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crate::Failure;

mod course_server;
mod helper_server;
mod proxy;

pub use course_server::CourseServer;
pub use helper_server::{Answer, HelperServer};
pub use proxy::Proxy;

fn could_not(what: &str, error: std::io::Error) -> Failure {
    Failure::plain(
        format!("the check could not {what}: {error}"),
        "This is a problem of the course's checks, not of your program.",
    )
}

/// A port on 127.0.0.1 where nothing listens (it was free a moment ago),
/// for "connection refused".
pub fn refused_port() -> Result<u16, Failure> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|error| could_not("find a free port", error))
}

/// Starts a server on a free port of 127.0.0.1 that hands every
/// connection (read timeout 10 s) to `serve` on a thread of its own, with
/// the flag that says the server was dropped.
fn spawn_server(
    serve: impl Fn(TcpStream, &AtomicBool) + Clone + Send + 'static,
) -> Result<HelperServer, Failure> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| could_not("listen", error))?;
    let address = listener
        .local_addr()
        .map_err(|error| could_not("listen", error))?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    thread::spawn(move || {
        for stream in listener.incoming() {
            if stopped.load(Ordering::Relaxed) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let (serve, stopped) = (serve.clone(), Arc::clone(&stopped));
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            thread::spawn(move || serve(stream, &stopped));
        }
    });
    Ok(HelperServer { address, stop })
}

/// Reads a request's head, its lines up to the blank one (included), and
/// the `Content-Length` it announces (0 if none).
fn read_head(reader: &mut impl BufRead) -> Option<(Vec<String>, u64)> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let end = line == "\r\n" || line == "\n";
        head.push(line);
        if end {
            break;
        }
    }
    let length = head.iter().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<u64>().ok())?
    });
    Some((head, length.unwrap_or(0)))
}

/// Reads a request's head and skips its announced body.
fn read_request(stream: &TcpStream) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let (_, length) = read_head(&mut reader)?;
    std::io::copy(&mut reader.take(length), &mut std::io::sink()).ok()?;
    Some(())
}
