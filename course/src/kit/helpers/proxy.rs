//! A stand-in HTTP proxy that records what it forwards.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use super::{HelperServer, read_head, spawn_server};
use crate::Failure;

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
        let forwarded = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&forwarded);
        let helper = spawn_server(move |stream, _| forward(stream, &record))?;
        Ok(Proxy { helper, forwarded })
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
    let mut reader = BufReader::new(match client.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let Some((head, length)) = read_head(&mut reader) else {
        return;
    };
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
    let _ = std::io::copy(&mut reader.by_ref().take(length), &mut server);
    let _ = std::io::copy(&mut server, &mut client);
}
