//! Fuzzing a live server: every mutated request, sent on a real socket,
//! gets well-formed answers.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use crate::grammar::is_token;
use crate::{Handler, HandlerResult, Request, Response, ThreadingHttpServer};

use super::*;

/// The live server's handler: answers GET and POST with text that never
/// starts with `HTTP/`, so a response can never pass for two.
struct Fuzzed;

impl Handler for Fuzzed {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        response.send_response(200);
        response.end_headers();
        write!(response, "ok {}", request.path())?;
        Ok(())
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let body = request.read_body()?;
        response.send_response(200);
        response.end_headers();
        write!(response, "ok {} bytes", body.len())?;
        Ok(())
    }
}

/// Checks that `bytes` is a series of complete, well-formed responses, as
/// many as the server sent; returns how many final responses there were.
fn check_responses(mut bytes: &[u8]) -> Result<usize, String> {
    let mut count = 0;
    while !bytes.is_empty() {
        let end = bytes
            .windows(4)
            .position(|four| four == b"\r\n\r\n")
            .ok_or("a response head without its blank line")?;
        let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "a head that is not UTF-8")?;
        bytes = &bytes[end + 4..];
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.split_once(' '))
            .filter(|(code, reason)| code.len() == 3 && !reason.is_empty())
            .and_then(|(code, _)| code.parse::<u16>().ok())
            .ok_or_else(|| format!("malformed status line {status_line:?}"))?;
        let (mut length, mut closes, mut headers) = (None, false, 0);
        for line in lines {
            let (name, value) = line
                .split_once(": ")
                .filter(|(name, _)| is_token(name.as_bytes()))
                .ok_or_else(|| format!("malformed header line {line:?}"))?;
            if line.contains(['\r', '\n']) {
                return Err(format!("a line break inside {line:?}"));
            }
            headers += 1;
            if name.eq_ignore_ascii_case("Content-Length") {
                length = Some(value.parse::<usize>().map_err(|_| "a bad Content-Length")?);
            }
            closes |= name.eq_ignore_ascii_case("Connection") && value == "close";
        }
        if status < 200 {
            if status != 100 || headers != 0 {
                return Err(format!("an unexpected interim response {head:?}"));
            }
            continue;
        }
        let length = length.ok_or("a response without Content-Length")?;
        if bytes.len() < length {
            return Err("a body shorter than its Content-Length".into());
        }
        bytes = &bytes[length..];
        count += 1;
        if closes && !bytes.is_empty() {
            return Err("bytes after a response that said Connection: close".into());
        }
    }
    Ok(count)
}

#[test]
fn a_live_server_answers_every_mutated_request_with_well_formed_responses() {
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .timeouts(Duration::from_secs(2), Duration::from_secs(2))
        .spawn(Fuzzed);
    let address = server.address();
    campaign("live server", iterations() / 10, mutated_request, |input| {
        let mut stream = TcpStream::connect(address).unwrap();
        // Longer than the server's own timeouts: if this one trips, the
        // server hung.
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // The server may refuse (and stop reading) before all is sent.
        let _ = stream.write_all(input);
        let _ = stream.shutdown(Shutdown::Write);
        let mut reply = Vec::new();
        if let Err(error) = stream.read_to_end(&mut reply) {
            assert_ne!(
                error.kind(),
                std::io::ErrorKind::WouldBlock,
                "the server hung"
            );
        }
        if input.windows(4).any(|four| four == b"HEAD") {
            // An answer to HEAD has no body, which this check cannot
            // know; the corpus has no HEAD, so this is rare.
            return;
        }
        let count = check_responses(&reply)
            .unwrap_or_else(|problem| panic!("{problem} in {:?}", String::from_utf8_lossy(&reply)));
        let only_empty_lines = input.iter().all(|byte| b"\r\n".contains(byte));
        assert!(count > 0 || only_empty_lines, "no answer at all");
    });
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /still-up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n") && reply.ends_with("ok /still-up"));
}
