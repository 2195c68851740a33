//! Pipelining: many requests down one connection, every one written
//! before any answer is read (HTTP/1.1 allows it). The server's threads
//! then spend their time in the handler, not waiting for the next request:
//! what a race inside the handler needs to show (lesson 8's crowds).
//!
//! ```no_run
//! use course::kit::pipeline::post_pipelined;
//!
//! let bodies = vec![r#"{"title": "a"}"#.to_owned(), r#"{"title": "b"}"#.to_owned()];
//! let answers = post_pipelined("127.0.0.1:8000", "/todos", "application/json", &bodies)?;
//! assert!(answers.iter().all(|(status, _body)| *status == 201));
//! # Ok::<(), String>(())
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// POSTs each of `bodies` (as `content_type`) to `path` down one
/// connection to `address` (`127.0.0.1:PORT`), pipelined, the last with
/// `Connection: close`, and returns each answer's status and body in
/// order; or what went wrong, in a sentence.
pub fn post_pipelined(
    address: &str,
    path: &str,
    content_type: &str,
    bodies: &[String],
) -> Result<Vec<(u16, String)>, String> {
    let mut requests = Vec::new();
    for (at, body) in bodies.iter().enumerate() {
        let close = if at + 1 == bodies.len() {
            "Connection: close\r\n"
        } else {
            ""
        };
        let length = body.len();
        requests.extend_from_slice(
            format!(
                "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
                 Content-Length: {length}\r\n{close}\r\n{body}"
            )
            .as_bytes(),
        );
    }
    let problem = |error: std::io::Error| format!("a pipelined POST got no answer: {error}");
    let mut stream = TcpStream::connect(address).map_err(problem)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(problem)?;
    stream.write_all(&requests).map_err(problem)?;
    let mut answers = Vec::new();
    stream.read_to_end(&mut answers).map_err(problem)?;
    let replies = split_answers(&answers)?;
    if replies.len() != bodies.len() {
        return Err(format!(
            "{} POSTs sent down one connection got {} answers",
            bodies.len(),
            replies.len()
        ));
    }
    Ok(replies)
}

/// The answers one after the other in `bytes`, each framed by its
/// Content-Length, as (status, body).
fn split_answers(bytes: &[u8]) -> Result<Vec<(u16, String)>, String> {
    let mut rest = bytes;
    let mut replies = Vec::new();
    while !rest.is_empty() {
        let Some(end) = rest.windows(4).position(|four| four == b"\r\n\r\n") else {
            return Err("an answer's headers never ended".into());
        };
        let head = String::from_utf8_lossy(&rest[..end]).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        let body_end = (end + 4 + length).min(rest.len());
        replies.push((
            status,
            String::from_utf8_lossy(&rest[end + 4..body_end]).into_owned(),
        ));
        rest = &rest[body_end..];
    }
    Ok(replies)
}

#[cfg(test)]
mod tests {
    use super::split_answers;

    #[test]
    fn splits_answers_by_their_length() {
        let bytes = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        let answers = split_answers(bytes).unwrap();
        assert_eq!(answers, vec![(201, "{}".to_owned()), (400, String::new())]);
    }
}
