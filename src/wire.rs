//! The wire: a finished [`Response`] turned into the bytes HTTP/1.1 sends,
//! with the headers the server adds (`Date`, `Server`, `Content-Length`,
//! `Connection`), and sent: the head and an in-memory body in one write, a
//! streamed body (a file) piece by piece through a small buffer.
//!
//! A handler never calls this: it builds the response (`response.rs`), and
//! the connection sends it when the handler returns.

use std::io::{self, Read, Write};

use crate::Response;
use crate::status::forbids_body;

/// What the `Server` header says about us.
const SERVER_NAME: &str = "http_server (Rust HTTP course)";

/// The most of a streamed body held in memory at once, per connection: a
/// client that reads slowly holds up this much, not the whole file.
pub(crate) const STREAM_BUFFER: usize = 64 * 1024;

/// Puts the bytes to send into `out`: the head, the headers the server
/// adds, the blank line and (unless this answers a `HEAD`) the body.
pub(crate) fn serialize(
    response: &Response,
    out: &mut Vec<u8>,
    head_request: bool,
    connection: Option<&str>,
) {
    out.clear();
    out.extend_from_slice(&response.head);
    if !response.has_date {
        out.extend_from_slice(b"Date: ");
        crate::date::push_http_date_now(out);
        out.extend_from_slice(b"\r\n");
    }
    if !response.has_server {
        out.extend_from_slice(b"Server: ");
        out.extend_from_slice(SERVER_NAME.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let status = response.status.unwrap_or(500);
    if response.content_length.is_none() && !forbids_body(status) {
        let _ = write!(out, "Content-Length: {}\r\n", response.body_length());
    }
    if let Some(connection) = connection {
        out.extend_from_slice(b"Connection: ");
        out.extend_from_slice(connection.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_request && !forbids_body(status) {
        out.extend_from_slice(&response.body);
    }
}

/// Sends the response: the head and an in-memory body in one piece (one
/// write), then a streamed body piece by piece, through `send`.
pub(crate) fn send(
    response: &mut Response,
    out: &mut Vec<u8>,
    head_request: bool,
    connection: Option<&str>,
    mut send: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    serialize(response, out, head_request, connection);
    send(out)?;
    let status = response.status.unwrap_or(500);
    let Some(streamed) = response.streamed.as_mut() else {
        return Ok(());
    };
    if head_request || forbids_body(status) {
        return Ok(());
    }
    let mut buffer = vec![0; STREAM_BUFFER];
    let mut left = streamed.length;
    while left > 0 {
        let want = buffer
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let read = match streamed.source.read(&mut buffer[..want]) {
            Ok(0) => {
                let sent = streamed.length - left;
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "the body's source ended after {sent} of its {} bytes",
                        streamed.length
                    ),
                ));
            }
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        send(&buffer[..read])?;
        left -= read as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(response: &Response, head_request: bool) -> String {
        let mut out = Vec::new();
        serialize(response, &mut out, head_request, None);
        String::from_utf8(out).unwrap()
    }

    fn hello() -> Response {
        let mut response = Response::new();
        response.send_response(200);
        response.send_header("Content-Type", "text/plain");
        response.end_headers();
        response.write_all(b"Hello").unwrap();
        response
    }

    #[test]
    fn frames_the_body_with_content_length() {
        let text = sent(&hello(), false);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: "));
        assert!(text.ends_with("\r\nContent-Length: 5\r\n\r\nHello"));
        assert!(text.contains("\r\nServer: "));
    }

    #[test]
    fn a_head_answer_keeps_the_length_and_drops_the_body() {
        let text = sent(&hello(), true);
        assert!(text.ends_with("Content-Length: 5\r\n\r\n"));
    }

    #[test]
    fn no_content_has_no_length_and_no_body() {
        let mut response = Response::new();
        response.send_response(204);
        response.end_headers();
        assert!(!sent(&response, false).contains("Content-Length"));
        assert_eq!(response.problem(false), None);
    }

    #[test]
    fn refuses_header_values_that_would_split_the_response() {
        for value in ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "nul\0"] {
            let mut response = Response::new();
            response.send_response(200);
            response.send_header("X-Value", value);
            response.end_headers();
            assert!(
                response.problem(false).unwrap().contains("line break"),
                "{value:?}"
            );
            assert!(!sent(&response, false).contains("evil"));
        }
        for name in ["Bad Name", "Bad(Name)", "", "Name:", "Caf\u{e9}"] {
            let mut response = Response::new();
            response.send_response(200);
            response.send_header(name, "x");
            response.end_headers();
            assert!(response.problem(false).is_some(), "{name:?}");
        }
    }

    #[test]
    fn checks_a_content_length_set_by_the_handler() {
        let mut response = Response::new();
        response.send_response(200);
        response.send_header("Content-Length", "10");
        response.end_headers();
        response.write_all(b"short").unwrap();
        assert!(
            response
                .problem(false)
                .unwrap()
                .contains("Content-Length: 10")
        );
        assert!(!sent(&response, false).contains("Content-Length: 5"));
    }

    #[test]
    fn send_error_replaces_a_half_written_response() {
        let mut response = hello();
        response.send_error(404, "no such page");
        assert_eq!(response.problem(false), None);
        let text = sent(&response, false);
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(text.ends_with("\r\n\r\n404 Not Found\n\nno such page\n"));
    }
}
