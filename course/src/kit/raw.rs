//! Requests written byte for byte, and connections a check holds open: for
//! what a client library would tidy away (`/../`, `%2e%2e`), for requests
//! that must stay in flight while others are sent, and for keep-alive.
//! Every answer is read back as the kit's [`Reply`], so the usual
//! expectations apply to it.
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! use course::session::Outgoing;
//! let attack = Outgoing { method: "GET", path: "/../secret.txt", ..Outgoing::default() };
//! session.send_as_is(attack)?.expect_status(404, "Refuse a path that leads out.")?;
//! # Ok(()) }
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::process::shell_quote;
use crate::session::{Outgoing, Session, curl_command, quote_body};
use crate::{Failure, Reply};

/// `request` as the bytes of an HTTP/1.1 request: the request line with
/// the path exactly as given, `Host: host`, the request's headers in
/// order, and its body (with its `Content-Length`).
///
/// ```
/// use course::session::Outgoing;
/// let request = Outgoing { method: "GET", path: "/a/../b", headers: vec![("Connection", "close")], body: None };
/// assert_eq!(
///     course::kit::raw::raw_request_bytes(&request, "localhost"),
///     b"GET /a/../b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
/// );
/// ```
pub fn raw_request_bytes(request: &Outgoing<'_>, host: &str) -> Vec<u8> {
    let mut bytes = format!(
        "{} {} HTTP/1.1\r\nHost: {host}\r\n",
        request.method, request.path
    );
    for (name, value) in &request.headers {
        bytes.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = &request.body {
        bytes.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    bytes.push_str("\r\n");
    let mut bytes = bytes.into_bytes();
    bytes.extend(request.body.iter().flatten());
    bytes
}

/// The request as a command a student can run against port 8000: curl
/// with `--path-as-is` (curl would remove `/../` otherwise), or `printf`
/// into `nc` for a path curl cannot send (a space, a backslash curl would
/// keep is fine, an absolute URL is not).
///
/// ```
/// use course::session::Outgoing;
/// use course::kit::raw::raw_command;
/// let get = |path| Outgoing { method: "GET", path, ..Outgoing::default() };
/// assert_eq!(raw_command(&get("/..%2fsecret.txt")), "curl -i --path-as-is http://localhost:8000/..%2fsecret.txt");
/// assert_eq!(raw_command(&get("/a\\b")), "curl -i --path-as-is 'http://localhost:8000/a\\b'");
/// assert!(raw_command(&get("/a b")).starts_with("printf "));
/// ```
pub fn raw_command(request: &Outgoing<'_>) -> String {
    let printable = request.path.bytes().all(|byte| byte.is_ascii_graphic());
    if !printable || !request.path.starts_with('/') {
        let raw = raw_request_bytes(request, "localhost");
        let raw = String::from_utf8_lossy(&raw).escape_default().to_string();
        return format!("printf {} | nc localhost 8000", shell_quote(&raw));
    }
    let command = curl_command(request);
    match command.rsplit_once(' ') {
        Some((options, url)) => format!("{options} --path-as-is {url}"),
        None => command,
    }
}

/// An answer read from raw bytes, as the kit's [`Reply`] (`sent` is how a
/// report shows the request), or `None` if it is not an HTTP answer.
/// Header lines that are not `name: value` are left out.
///
/// ```
/// let answer = "HTTP/1.1 301 Moved Permanently\r\nLocation: /sub/\r\nContent-Length: 0\r\n\r\n";
/// let reply = course::kit::raw::parse_raw_reply("sent".into(), answer).unwrap();
/// assert_eq!((reply.status, reply.header("LOCATION")), (301, Some("/sub/")));
/// assert!(course::kit::raw::parse_raw_reply(String::new(), "garbage").is_none());
/// ```
pub fn parse_raw_reply(sent: String, answer: &str) -> Option<Reply> {
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    if !status_line.starts_with("HTTP/") {
        return None;
    }
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let mut headers = HeaderMap::new();
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_bytes(value.trim().as_bytes()),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    Some(Reply {
        sent,
        status,
        headers,
        body: body.to_owned(),
    })
}

impl Session {
    /// Sends `request` to the server under check byte for byte as written
    /// (its path untidied, `Connection: close` added), and reads the whole
    /// answer as a [`Reply`] whose `sent` is [`raw_command`]. A failure
    /// says what was sent as that command too.
    pub fn send_as_is(&mut self, mut request: Outgoing<'_>) -> Result<Reply, Failure> {
        let sent = raw_command(&request);
        request.headers.insert(0, ("Connection", "close"));
        let answer = self
            .send_raw(&raw_request_bytes(&request, "localhost"))
            .map_err(|failure| Failure {
                sent: sent.clone(),
                ..failure
            })?;
        parse_raw_reply(sent.clone(), &answer).ok_or_else(|| Failure {
            sent,
            expected: "an HTTP response".into(),
            got: quote_body(&answer),
            hint: "The answer is not HTTP: keep send_response, send_header and end_headers.".into(),
        })
    }
}

/// A connection a check opens and holds: to send a request and read its
/// answer later (on a thread: [`RawConnection::reply_later`]), to send
/// several requests on it (keep-alive), or to read a long answer in part.
///
/// ```no_run
/// use course::kit::raw::RawConnection;
/// use course::session::Outgoing;
/// # fn run() -> Result<(), String> {
/// let mut held = RawConnection::open("127.0.0.1:8000", std::time::Duration::from_secs(30))?;
/// held.send(&Outgoing { method: "GET", path: "/hold/k", ..Outgoing::default() })?;
/// let pending = held.reply_later();
/// // ... other requests, while that one is in flight ...
/// assert_eq!(pending.wait()?.status, 200);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RawConnection {
    stream: TcpStream,
    address: String,
    /// The last request sent on it, as a command.
    sent: String,
}

impl RawConnection {
    /// Connects to `address` (`127.0.0.1:PORT`); a read waits at most
    /// `read_timeout`.
    pub fn open(address: &str, read_timeout: Duration) -> Result<RawConnection, String> {
        let connect = || {
            let stream = TcpStream::connect(address)?;
            stream.set_read_timeout(Some(read_timeout))?;
            Ok::<_, io::Error>(stream)
        };
        let stream = connect().map_err(|error| format!("no connection: {error}"))?;
        Ok(RawConnection {
            stream,
            address: address.to_owned(),
            sent: String::new(),
        })
    }

    /// Sends `request` on the connection (with `Host:` the address).
    pub fn send(&mut self, request: &Outgoing<'_>) -> Result<(), String> {
        self.sent = raw_command(request);
        let bytes = raw_request_bytes(request, &self.address);
        self.stream
            .write_all(&bytes)
            .map_err(|error| format!("no answer: could not send the request: {error}"))
    }

    /// Reads the answer to the end of the connection (the server closes
    /// it after a `Connection: close` request).
    pub fn reply(mut self) -> Result<Reply, String> {
        let mut bytes = Vec::new();
        self.stream
            .read_to_end(&mut bytes)
            .map_err(|error| format!("no answer: {error}"))?;
        let text = String::from_utf8_lossy(&bytes);
        parse_raw_reply(self.sent, &text)
            .ok_or_else(|| format!("no answer (the connection closed after {text:?})"))
    }

    /// Writes with `write` (a body in pieces, after a head sent with
    /// [`RawConnection::send`]) on a thread of its own while it reads the
    /// answer to the end, as it comes: a server may answer, or close,
    /// before the body has all arrived (the writer then stops). The answer
    /// as it came, empty if the server closed without one.
    pub fn write_while_reading(
        mut self,
        write: impl FnOnce(&mut TcpStream) -> io::Result<()> + Send,
    ) -> Result<String, String> {
        let mut writer = self.stream.try_clone().map_err(|error| error.to_string())?;
        let _ = writer.set_write_timeout(self.stream.read_timeout().ok().flatten());
        thread::scope(|scope| {
            scope.spawn(move || {
                // The server may stop reading and close: that is its right.
                if write(&mut writer).is_ok() {
                    let _ = writer.shutdown(Shutdown::Write);
                }
            });
            let mut answer = Vec::new();
            let read = self.stream.read_to_end(&mut answer);
            let _ = self.stream.shutdown(Shutdown::Both); // stops the writer, if it still writes
            match read {
                // A reset after the answer arrived still leaves the answer.
                Err(error) if answer.is_empty() => Err(format!("no answer: {error}")),
                _ => Ok(String::from_utf8_lossy(&answer).into_owned()),
            }
        })
    }

    /// Reads the answer on a thread of its own: the check goes on sending
    /// while this request is in flight.
    pub fn reply_later(self) -> PendingReply {
        let (done, answer) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(self.reply());
        });
        PendingReply(answer)
    }

    /// Reads one answer framed by its `Content-Length`, without waiting
    /// for the connection to close: the connection stays usable for the
    /// next request (keep-alive).
    pub fn next_reply(&mut self) -> Result<Reply, String> {
        let head = self.read_head()?;
        let length = parse_raw_reply(String::new(), &head)
            .and_then(|reply| reply.header("content-length")?.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        self.stream
            .read_exact(&mut body)
            .map_err(|error| format!("the body was cut short: {error}"))?;
        let text = format!("{head}{}", String::from_utf8_lossy(&body));
        parse_raw_reply(self.sent.clone(), &text)
            .ok_or_else(|| format!("not an HTTP answer: {head:?}"))
    }

    /// Reads an answer too long to keep: its head (as a [`Reply`] with an
    /// empty body), then its body, counted and thrown away, up to
    /// `at_most` bytes or the end.
    pub fn skim_reply(&mut self, at_most: u64) -> SkimmedReply {
        let mut skimmed = SkimmedReply {
            head: String::new(),
            reply: None,
            body_bytes: 0,
            error: None,
        };
        let mut buffer = vec![0; 256 * 1024];
        let mut head = Vec::new();
        let mut head_done = false;
        while skimmed.body_bytes < at_most {
            let read = match self.stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    skimmed.error = Some(error.to_string());
                    break;
                }
            };
            if head_done {
                skimmed.body_bytes += read as u64;
                continue;
            }
            head.extend_from_slice(&buffer[..read]);
            if let Some(end) = head.windows(4).position(|window| window == b"\r\n\r\n") {
                skimmed.body_bytes = (head.len() - end - 4) as u64;
                head.truncate(end + 4);
                head_done = true;
            }
        }
        skimmed.head = String::from_utf8_lossy(&head).into_owned();
        skimmed.reply = parse_raw_reply(self.sent.clone(), &skimmed.head);
        skimmed
    }

    /// Reads up to the blank line that ends an answer's head.
    fn read_head(&mut self) -> Result<String, String> {
        let mut bytes = Vec::new();
        let mut byte = [0u8; 1];
        while !bytes.ends_with(b"\r\n\r\n") {
            match self.stream.read(&mut byte) {
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
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Writes every one of `requests` before reading any answer
    /// (pipelining, which HTTP/1.1 allows), then reads the connection to
    /// its end (the last request says `Connection: close`) and returns the
    /// answers in order, each framed by its `Content-Length`.
    pub fn pipeline(mut self, requests: &[Outgoing<'_>]) -> Result<Vec<Reply>, String> {
        let mut bytes = Vec::new();
        for request in requests {
            bytes.extend(raw_request_bytes(request, &self.address));
        }
        let problem = |error: io::Error| format!("a pipelined request got no answer: {error}");
        self.stream.write_all(&bytes).map_err(problem)?;
        let mut answers = Vec::new();
        self.stream.read_to_end(&mut answers).map_err(problem)?;
        let sent = requests.first().map(raw_command).unwrap_or_default();
        split_answers(&answers, &sent)
    }
}

/// An answer being read on a thread (see [`RawConnection::reply_later`]).
#[derive(Debug)]
pub struct PendingReply(mpsc::Receiver<Result<Reply, String>>);

impl PendingReply {
    /// A request that could not even be sent: its answer is this error.
    pub fn failed(error: String) -> PendingReply {
        let (done, answer) = mpsc::channel();
        let _ = done.send(Err(error));
        PendingReply(answer)
    }

    /// Waits for the answer (the connection's read timeout bounds it).
    pub fn wait(self) -> Result<Reply, String> {
        self.0
            .recv()
            .unwrap_or_else(|_| Err("the check's thread failed".into()))
    }

    /// The answer if it comes within `time`; `None` if it is still on its
    /// way (it can be waited for again).
    pub fn wait_at_most(&self, time: Duration) -> Option<Result<Reply, String>> {
        self.0.recv_timeout(time).ok()
    }
}

/// What [`RawConnection::skim_reply`] read.
#[derive(Debug)]
pub struct SkimmedReply {
    /// The head as it came, status line and headers.
    pub head: String,
    /// The head, parsed (its body empty), if it was HTTP.
    pub reply: Option<Reply>,
    /// How many bytes of body came (up to the limit).
    pub body_bytes: u64,
    /// Why the reading stopped early, if it did.
    pub error: Option<String>,
}

/// The answers one after the other in `bytes`, each framed by its
/// `Content-Length`; `sent` is how a report shows their requests.
///
/// ```
/// let bytes = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
/// let answers = course::kit::raw::split_answers(bytes, "").unwrap();
/// let answers: Vec<_> = answers.iter().map(|reply| (reply.status, reply.body.as_str())).collect();
/// assert_eq!(answers, [(201, "{}"), (400, "")]);
/// ```
pub fn split_answers(bytes: &[u8], sent: &str) -> Result<Vec<Reply>, String> {
    let mut rest = bytes;
    let mut replies = Vec::new();
    while !rest.is_empty() {
        let Some(end) = rest.windows(4).position(|four| four == b"\r\n\r\n") else {
            return Err("an answer's headers never ended".into());
        };
        let head = String::from_utf8_lossy(&rest[..end + 4]);
        let reply = parse_raw_reply(sent.to_owned(), &head)
            .ok_or_else(|| format!("not an HTTP answer: {head:?}"))?;
        let length: usize = reply
            .header("content-length")
            .and_then(|length| length.parse().ok())
            .unwrap_or(0);
        let body_end = (end + 4 + length).min(rest.len());
        let body = String::from_utf8_lossy(&rest[end + 4..body_end]).into_owned();
        replies.push(Reply { body, ..reply });
        rest = &rest[body_end..];
    }
    Ok(replies)
}
