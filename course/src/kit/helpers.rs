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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use crate::Failure;
use crate::process::{self, ServerProcess};

/// What a [`HelperServer`] answers to every request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// `200 OK` with this HTML body.
    Ok(&'static str),
    /// `404 Not Found`.
    NotFound,
    /// `303 See Other` to this location.
    Redirect(&'static str),
    /// Nothing at all: the connection stays open, silent, until the helper
    /// is dropped (for timeouts).
    Never,
    /// These bytes, exactly, then the connection is closed: for answers no
    /// server of the course gives (a 303 without `Location`, ...).
    Raw(&'static [u8]),
    /// These bytes, then nothing more: the connection stays open, silent,
    /// until the helper is dropped. For an answer that begins and never
    /// ends, such as a head announcing a huge body and its first bytes: a
    /// client that reads the body waits, one that judges by the status
    /// does not.
    Stall(&'static [u8]),
}

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

/// Reads a request's head and its announced body; returns the head.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let end = line == "\r\n" || line == "\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<u64>().ok())?
        })
        .unwrap_or(0);
    std::io::copy(&mut reader.by_ref().take(length), &mut std::io::sink()).ok()?;
    Some(head)
}

/// A helper server: every request gets the same [`Answer`]. It stops when
/// dropped.
#[derive(Debug)]
pub struct HelperServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl HelperServer {
    /// Starts a helper that gives `answer` to every request.
    pub fn start(answer: Answer) -> Result<HelperServer, Failure> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|error| could_not("listen", error))?;
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
                let Ok(mut stream) = stream else { continue };
                let stopped = Arc::clone(&stopped);
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    while read_request(&mut stream).is_some() {
                        let response = match answer {
                            Answer::Ok(body) => format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                                 Content-Length: {}\r\n\r\n{body}",
                                body.len()
                            ),
                            Answer::NotFound => {
                                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_owned()
                            }
                            Answer::Redirect(location) => format!(
                                "HTTP/1.1 303 See Other\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                            ),
                            Answer::Raw(bytes) => {
                                let _ = stream.write_all(bytes);
                                return;
                            }
                            Answer::Never | Answer::Stall(_) => {
                                if let Answer::Stall(bytes) = answer {
                                    let _ = stream.write_all(bytes);
                                }
                                while !stopped.load(Ordering::Relaxed) {
                                    thread::sleep(Duration::from_millis(50));
                                }
                                return;
                            }
                        };
                        if stream.write_all(response.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Ok(HelperServer { address, stop })
    }

    /// The full URL of `path` on this helper.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Its address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for HelperServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so that it sees the flag and ends.
        let _ = TcpStream::connect(self.address);
    }
}

/// A stand-in HTTP proxy: it forwards each plain-HTTP request
/// (`GET http://host/path HTTP/1.1`) to its server, one request per
/// connection, and records `METHOD URL` of each. A program under check
/// told to use it (`HTTP_PROXY`, set on purpose with
/// [`crate::process::Launch::env`]) shows whether it goes through a proxy.
#[derive(Debug)]
pub struct Proxy {
    helper: HelperServer,
    forwarded: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// Starts the proxy.
    pub fn start() -> Result<Proxy, Failure> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|error| could_not("listen", error))?;
        let address = listener
            .local_addr()
            .map_err(|error| could_not("listen", error))?;
        let stop = Arc::new(AtomicBool::new(false));
        let forwarded = Arc::new(Mutex::new(Vec::new()));
        let (stopped, record) = (Arc::clone(&stop), Arc::clone(&forwarded));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let record = Arc::clone(&record);
                thread::spawn(move || forward(stream, &record));
            }
        });
        Ok(Proxy {
            helper: HelperServer { address, stop },
            forwarded,
        })
    }

    /// The proxy's URL, for `HTTP_PROXY`.
    pub fn url(&self) -> String {
        self.helper.url("")
    }

    /// `METHOD URL` of every request it forwarded, in order.
    pub fn forwarded(&self) -> Vec<String> {
        self.forwarded
            .lock()
            .map(|list| list.clone())
            .unwrap_or_default()
    }
}

/// Forwards one request to the server its absolute URL names, and the
/// answer back.
fn forward(mut client: TcpStream, record: &Mutex<Vec<String>>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match client.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let end = line == "\r\n" || line == "\n";
        head.push(line);
        if end {
            break;
        }
    }
    let mut words = head[0].split_whitespace();
    let (Some(method), Some(url)) = (words.next(), words.next()) else {
        return;
    };
    if let Ok(mut list) = record.lock() {
        list.push(format!("{method} {url}"));
    }
    let Some(rest) = url.strip_prefix("http://") else {
        let _ = client.write_all(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let Ok(mut server) = TcpStream::connect(host) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    for line in &head[1..head.len() - 1] {
        let name = line.split(':').next().unwrap_or("").trim();
        if !name.eq_ignore_ascii_case("connection")
            && !name.eq_ignore_ascii_case("proxy-connection")
        {
            request.push_str(line);
        }
    }
    request.push_str("Connection: close\r\n\r\n");
    if server.write_all(request.as_bytes()).is_err() {
        return;
    }
    let length = head
        .iter()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<u64>().ok())?
        })
        .unwrap_or(0);
    let _ = std::io::copy(&mut reader.by_ref().take(length), &mut server);
    let _ = std::io::copy(&mut server, &mut client);
}

/// A server of the course itself, such as the names service or a lesson's
/// solution, built and started on a free port for a check, and stopped
/// when dropped.
///
/// ```no_run
/// use course::kit::helpers::CourseServer;
///
/// let names = CourseServer::start("names_service")?;
/// let (status, record) = names.fetch("/?seed=7")?;
/// assert_eq!(status, 200);
/// # Ok::<(), course::Failure>(())
/// ```
#[derive(Debug)]
pub struct CourseServer {
    server: ServerProcess,
    name: &'static str,
}

impl CourseServer {
    /// Builds the binary `name` and starts it.
    pub fn start(name: &'static str) -> Result<CourseServer, Failure> {
        let binary = process::build(name, false).map_err(|output| {
            Failure::plain(format!("could not build {name}:\n{}", output.messages), "")
        })?;
        Ok(CourseServer {
            server: ServerProcess::start(&binary, name)?,
            name,
        })
    }

    /// Its binary's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its address, like `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The full URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Fetches `path` (a GET, no redirects followed), as a check's own
    /// reference: the status and the body.
    pub fn fetch(&self, path: &str) -> Result<(u16, Vec<u8>), Failure> {
        let url = self.url(path);
        let fetched = reqwest::blocking::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .and_then(|client| client.get(&url).send())
            .and_then(|response| {
                let status = response.status().as_u16();
                Ok((status, response.bytes()?.to_vec()))
            });
        fetched.map_err(|error| {
            Failure::plain(
                format!(
                    "the check could not fetch {url} itself: {error}{}",
                    self.server.output_for_report()
                ),
                format!(
                    "{} should answer; this is a problem of the course, not of your program.",
                    self.name
                ),
            )
        })
    }
}
