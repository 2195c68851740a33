//! A helper server that gives the same [`Answer`] to every request.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use super::{read_request, spawn_server};
use crate::Failure;

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

/// A helper server: every request gets the same [`Answer`]. It stops when
/// dropped.
#[derive(Debug)]
pub struct HelperServer {
    pub(super) address: SocketAddr,
    pub(super) stop: Arc<AtomicBool>,
}

impl HelperServer {
    /// Starts a helper that gives `answer` to every request.
    pub fn start(answer: Answer) -> Result<HelperServer, Failure> {
        spawn_server(move |mut stream, stopped| {
            while read_request(&stream).is_some() {
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
        })
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
