//! A form body too large to hold, sent over a raw connection so that the
//! server may answer (413) or close before it has all arrived: no client
//! library lets a check read the answer while it is still sending.
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let hint = "Keep the body limit.";
//! if let Some(reply) = course::kit::huge_body::post_huge_form(session, 10 * 1024 * 1024, hint)? {
//!     reply.expect_status(413, hint)?;
//! }
//! # Ok(()) }
//! ```

use std::io::Write;
use std::time::Duration;

use crate::kit::raw::{RawConnection, parse_raw_reply};
use crate::session::{Outgoing, Session, quote_body};
use crate::{Failure, Reply};

/// Announces and sends `POST /` with a form body of `size` bytes
/// (`message=aaa...`) over a new connection, reading the answer as it comes
/// (a server may answer before the body has arrived): `None` if the server
/// closed without one. No answer at all (an error before any byte came
/// back) fails with `hint`, and so does one that is not HTTP.
pub fn post_huge_form(
    session: &mut Session,
    size: usize,
    hint: &str,
) -> Result<Option<Reply>, Failure> {
    let base_url = session.server()?.base_url().to_owned();
    let megabytes = size / (1024 * 1024);
    let sent = format!(
        "curl -i --data-binary @{megabytes}MB-file http://localhost:8000/  (a {megabytes} MB form)"
    );
    let failure = |got: String| Failure {
        sent: sent.clone(),
        expected: "413 Content Too Large, or the connection closed".into(),
        got,
        hint: hint.into(),
    };
    let answer = send_huge_form(base_url.trim_start_matches("http://"), size).map_err(failure)?;
    reply_or_closed(sent.clone(), &answer).map_err(failure)
}

/// A raw `answer` read to the end: `None` if the server closed without a
/// byte, the [`Reply`] if it is HTTP, or else the answer quoted.
///
/// ```
/// use course::kit::huge_body::reply_or_closed;
/// assert!(reply_or_closed("sent".into(), "").unwrap().is_none());
/// let answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
/// assert_eq!(reply_or_closed("sent".into(), answer).unwrap().unwrap().status, 400);
/// assert!(reply_or_closed("sent".into(), "garbage").is_err());
/// ```
pub fn reply_or_closed(sent: String, answer: &str) -> Result<Option<Reply>, String> {
    if answer.is_empty() {
        return Ok(None);
    }
    parse_raw_reply(sent, answer)
        .map(Some)
        .ok_or_else(|| quote_body(answer.lines().next().unwrap_or("")))
}

fn send_huge_form(address: &str, size: usize) -> Result<String, String> {
    let mut connection = RawConnection::open(address, Duration::from_secs(10))?;
    let length = size.to_string();
    connection.send(&Outgoing {
        method: "POST",
        path: "/",
        headers: vec![
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", &length),
        ],
        body: None,
    })?;
    connection.write_while_reading(|writer| {
        writer.write_all(b"message=")?;
        let chunk = [b'a'; 64 * 1024];
        let mut left = size - "message=".len();
        while left > 0 {
            let size = left.min(chunk.len());
            writer.write_all(&chunk[..size])?;
            left -= size;
        }
        Ok(())
    })
}
