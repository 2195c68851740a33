//! Fuzzing the parser: the head, the body reader, and how the reads are
//! split.

use std::io::BufReader;

use crate::body::BodyReader;
use crate::framing::Framing;
use crate::grammar::is_token;
use crate::head::{HeadError, read_head};

use super::*;

/// What the parser made of one request on a connection.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Request {
        method: String,
        target: String,
        headers: Vec<(String, String)>,
        framing: Framing,
        body: Result<Vec<u8>, u16>,
        keep_alive: bool,
    },
    Refused(u16),
    Ended,
}

/// Reads request after request from `input` as a connection would, with a
/// buffer of `capacity` bytes and body reads of `read_size` bytes, checking
/// every limit and the grammar of everything accepted.
fn parse_connection(input: &[u8], capacity: usize, read_size: usize) -> Vec<Outcome> {
    let limits = SMALL_LIMITS;
    let mut reader = BufReader::with_capacity(capacity, input);
    let mut outcomes = Vec::new();
    // Every request uses up at least one byte, so this ends; the bound is
    // only a guard against a parser that would not.
    for _ in 0..=input.len() {
        let mut request_line = Vec::new();
        let head = match read_head(&mut reader, &limits, &mut request_line) {
            Ok(head) => head,
            Err(HeadError::Invalid(error)) => {
                let allowed = [400, 414, 431, 505];
                assert!(allowed.contains(&error.status()), "{error}");
                outcomes.push(Outcome::Refused(error.status()));
                return outcomes;
            }
            Err(HeadError::Io(_)) => {
                outcomes.push(Outcome::Ended);
                return outcomes;
            }
        };
        assert!(request_line.len() <= limits.request_line);
        assert!(
            is_token(head.line.method.as_bytes()),
            "{:?}",
            head.line.method
        );
        assert!(head.line.target.bytes().all(|byte| byte.is_ascii_graphic()));
        assert!(head.line.version_text.starts_with("HTTP/1."));
        assert!(head.headers.len() <= limits.header_count);
        let mut header_bytes = 0;
        for (name, value) in head.headers.iter() {
            assert!(is_token(name.as_bytes()), "{name:?}");
            assert!(!value.contains(['\r', '\n', '\0']), "{value:?}");
            assert!(!value.starts_with([' ', '\t']) && !value.ends_with([' ', '\t']));
            // Bytes that are not UTF-8 arrive as U+FFFD, three bytes long
            // for at least one on the wire; the limits count the wire.
            let replaced = value.matches('\u{fffd}').count();
            let wire = name.len() + value.len() - 2 * replaced;
            assert!(wire < limits.header_line);
            header_bytes += wire;
        }
        assert!(header_bytes <= limits.header_bytes);

        let framing = match head.framing(&limits) {
            Ok(framing) => framing,
            Err(error) => {
                assert!([400, 413, 501].contains(&error.status()), "{error}");
                outcomes.push(Outcome::Refused(error.status()));
                return outcomes;
            }
        };
        if let Framing::Length(length) = framing {
            assert!(length <= limits.body);
        }
        if let Err(error) = head.expects_continue() {
            assert_eq!(error.status(), 417);
            outcomes.push(Outcome::Refused(417));
            return outcomes;
        }

        let mut body_reader = BodyReader::new(framing, limits.body);
        let mut body = Vec::new();
        let mut buffer = vec![0; read_size];
        let body = loop {
            match body_reader.read(&mut reader, &mut buffer) {
                Ok(0) => break Ok(body),
                Ok(count) => {
                    body.extend_from_slice(&buffer[..count]);
                    assert!(
                        body.len() as u64 <= limits.body,
                        "the body outgrew its limit"
                    );
                }
                Err(_) => {
                    let status = body_reader.failure().expect("a failure").status();
                    assert!([400, 413].contains(&status), "body status {status}");
                    break Err(status);
                }
            }
        };
        let failed = body.is_err();
        outcomes.push(Outcome::Request {
            keep_alive: head.wants_keep_alive(),
            method: head.line.method,
            target: head.line.target,
            headers: head
                .headers
                .iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            framing,
            body,
        });
        if failed {
            return outcomes;
        }
    }
    panic!("the parser made no progress");
}

#[test]
fn the_parser_survives_mutated_requests_and_ignores_how_they_are_split() {
    campaign("parser", iterations(), mutated_request, |input| {
        let whole = parse_connection(input, 8 * 1024, 4096);
        // Splitting the input into reads of one byte, or of seven, must
        // not change what is understood.
        assert_eq!(parse_connection(input, 1, 1), whole);
        assert_eq!(parse_connection(input, 7, 3), whole);
    });
}
