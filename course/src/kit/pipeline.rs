//! Pipelining: many requests down one connection, every one written
//! before any answer is read (HTTP/1.1 allows it). The server's threads
//! then spend their time in the handler, not waiting for the next request:
//! what a race inside the handler needs to show (lesson 8's crowds). Built
//! on [`RawConnection::pipeline`].
//!
//! ```no_run
//! use course::kit::pipeline::post_pipelined;
//!
//! let bodies = vec![r#"{"title": "a"}"#.to_owned(), r#"{"title": "b"}"#.to_owned()];
//! let answers = post_pipelined("127.0.0.1:8000", "/todos", "application/json", &bodies)?;
//! assert!(answers.iter().all(|reply| reply.status == 201));
//! # Ok::<(), String>(())
//! ```

use std::time::Duration;

use crate::Reply;
use crate::kit::raw::RawConnection;
use crate::session::Outgoing;

/// POSTs each of `bodies` (as `content_type`) to `path` down one
/// connection to `address` (`127.0.0.1:PORT`), pipelined, the last with
/// `Connection: close`, and returns the answers in order; or what went
/// wrong, in a sentence.
pub fn post_pipelined(
    address: &str,
    path: &str,
    content_type: &str,
    bodies: &[String],
) -> Result<Vec<Reply>, String> {
    let requests: Vec<Outgoing<'_>> = bodies
        .iter()
        .enumerate()
        .map(|(at, body)| {
            let mut headers = vec![("Content-Type", content_type)];
            if at + 1 == bodies.len() {
                headers.push(("Connection", "close"));
            }
            let body = Some(body.clone().into_bytes());
            Outgoing {
                method: "POST",
                path,
                headers,
                body,
            }
        })
        .collect();
    let connection = RawConnection::open(address, Duration::from_secs(30))?;
    let replies = connection.pipeline(&requests)?;
    if replies.len() != bodies.len() {
        return Err(format!(
            "{} POSTs sent down one connection got {} answers",
            bodies.len(),
            replies.len()
        ));
    }
    Ok(replies)
}
