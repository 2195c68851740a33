//! A form body too large to hold, sent over a raw connection so that the
//! server may answer (413) or close before it has all arrived: no client
//! library lets a check read the answer while it is still sending.
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let answer = course::kit::huge_body::post_huge_form(session, 10 * 1024 * 1024, "Keep the body limit.")?;
//! assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 413"));
//! # Ok(()) }
//! ```

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use crate::Failure;
use crate::session::Session;

/// Announces and sends `POST /` with a form body of `size` bytes
/// (`message=aaa...`) over a new connection, reading the answer as it comes
/// (a server may answer before the body has arrived); returns the raw
/// answer, empty if the server closed without one. No answer at all (an
/// error before any byte came back) fails with `hint`.
pub fn post_huge_form(session: &mut Session, size: usize, hint: &str) -> Result<String, Failure> {
    let address = session
        .server()?
        .base_url()
        .trim_start_matches("http://")
        .to_owned();
    let sent = format!(
        "curl -i --data-binary @{}MB-file http://localhost:8000/  (a {} MB form)",
        size / (1024 * 1024),
        size / (1024 * 1024)
    );
    send_huge_form(&address, size).map_err(|error| Failure {
        sent,
        expected: "413 Content Too Large, or the connection closed".into(),
        got: format!("no answer: {error}"),
        hint: hint.into(),
    })
}

fn send_huge_form(address: &str, size: usize) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {size}\r\n\r\nmessage="
    );
    stream.write_all(head.as_bytes())?;
    let mut writer = stream.try_clone()?;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let chunk = [b'a'; 64 * 1024];
            let mut left = size - "message=".len();
            while left > 0 {
                let size = left.min(chunk.len());
                // The server may stop reading and close: that is its right.
                if writer.write_all(&chunk[..size]).is_err() {
                    return;
                }
                left -= size;
            }
            let _ = writer.shutdown(Shutdown::Write);
        });
        let mut reply = Vec::new();
        let read = stream.read_to_end(&mut reply);
        let _ = stream.shutdown(Shutdown::Both); // stops the writer, if it still writes
        match read {
            Ok(_) => Ok(String::from_utf8_lossy(&reply).into_owned()),
            // A reset after the answer arrived still leaves the answer.
            Err(_) if !reply.is_empty() => Ok(String::from_utf8_lossy(&reply).into_owned()),
            Err(error) => Err(error),
        }
    })
}
