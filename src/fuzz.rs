//! Fuzzing: thousands of mutated requests, fed to the parser, the body
//! reader, the form decoder, the response builder and a live server.
//!
//! A fuzzer makes inputs nobody would think of writing by hand. This one
//! needs nothing outside std (cargo-fuzz needs a nightly compiler): a small
//! random number generator with a fixed seed takes valid and invalid
//! requests from a corpus and mutates them (flips bits, cuts, repeats,
//! splices, inserts pieces of HTTP such as `\r\n`, `%` or `Content-Length: `).
//! Each input must leave the code without a panic, within the size limits,
//! and with a well-formed answer; the parser must also reach the same result
//! however the input is split into reads.
//!
//! `cargo test` runs a short campaign (a second or two). A longer one:
//!
//! ```text
//! FUZZ_ITERATIONS=200000 cargo test --release -p http-course --lib fuzz -- --nocapture
//! ```
//!
//! `FUZZ_ITERATIONS` is the number of inputs per in-process target (the
//! live server gets a tenth of that, as each input is a connection);
//! `FUZZ_SEED` picks another sequence. A failure prints the seed, the
//! iteration and the input, so it can be replayed.

use std::io::{BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::body::BodyReader;
use crate::framing::Framing;
use crate::grammar::is_token;
use crate::head::{HeadError, Limits, read_head};
use crate::testkit::SplitMix64;
use crate::{
    Handler, HandlerResult, Request, Response, ThreadingHttpServer, parse_qs, percent_decode,
    percent_encode,
};

/// The fuzzer's generator: the course's seeded SplitMix64, with a
/// `below` that takes a `usize`.
struct Rng(SplitMix64);

impl Rng {
    /// A number from 0 to `n - 1`.
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0.pick(items)
    }
}

/// How many inputs each target gets: `FUZZ_ITERATIONS`, or enough for
/// about a second in `cargo test`.
fn iterations() -> u64 {
    std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(10_000)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(0x5eed_2026)
}

/// Requests to start from: valid ones, so that mutations reach deep into
/// the parser, and typical invalid ones.
const REQUESTS: &[&[u8]] = &[
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /a/b?c=d&e=%20f HTTP/1.1\r\nHost: example.com:8000\r\nAccept: */*\r\nUser-Agent: fuzz\r\n\r\n",
    b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\nmessage=Hi%21",
    b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nHello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n",
    b"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    b"GET http://example.com/abs?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"DELETE /d HTTP/1.1\r\nHost: [::1]:8000\r\nCookie: a=1; b=2\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\nHost: x\n\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n",
];

/// Pieces of HTTP that mutations insert: separators, framing headers,
/// numbers at the edges of what parsers handle.
const PIECES: &[&[u8]] = &[
    b"\r\n",
    b"\r\n\r\n",
    b"\n",
    b"\r",
    b" ",
    b"\t",
    b":",
    b";",
    b",",
    b"%",
    b"%zz",
    b"%C3%A9",
    b"\0",
    b"\x7f",
    b"\xff",
    b"HTTP/1.1",
    b"HTTP/1.0",
    b"HTTP/2.0",
    b"Host: x\r\n",
    b"Content-Length: ",
    b"Content-Length: 5\r\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Expect: 100-continue\r\n",
    b"Connection: close\r\n",
    b"Connection: keep-alive\r\n",
    b"0\r\n\r\n",
    b"5\r\nHello\r\n",
    b"ffffffffffffffffff",
    b"18446744073709551616",
    b"-1",
    b"+5",
    b"0x10",
    b"1048577",
    b"GET ",
    b"POST ",
    b"*",
    b"http://",
    b"@",
    b"#",
    b"?",
    b"/",
    b"=",
    b"&",
    b"+",
];

/// A request made by mutating one (or a few, pipelined) from `REQUESTS`.
fn mutated_request(rng: &mut Rng) -> Vec<u8> {
    let mut input = rng.pick(REQUESTS).to_vec();
    if rng.below(4) == 0 {
        let second = *rng.pick(REQUESTS);
        input.extend_from_slice(second);
    }
    // Mostly one change, so that most inputs get deep into the parser;
    // sometimes several.
    let changes = if rng.below(3) == 0 {
        2 + rng.below(7)
    } else {
        1
    };
    for _ in 0..changes {
        mutate(rng, &mut input, REQUESTS, PIECES);
    }
    input.truncate(64 * 1024);
    input
}

/// Changes `input` in one random way.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[&[u8]], pieces: &[&[u8]]) {
    let at = rng.below(input.len() + 1);
    match rng.below(10) {
        0 if at < input.len() => input[at] ^= 1 << rng.below(8),
        1 if at < input.len() => input[at] = rng.0.next_u64() as u8,
        2 if at < input.len() => input[at] = *rng.pick(b"\r\n\0 :\t\x7f\xff%;"),
        3 => {
            let piece = rng.pick(pieces);
            input.splice(at..at, piece.iter().copied());
        }
        4 => {
            let end = (at + rng.below(16)).min(input.len());
            input.drain(at..end);
        }
        5 => {
            let end = (at + 1 + rng.below(32)).min(input.len());
            let copy = input[at.min(end)..end].to_vec();
            let to = rng.below(input.len() + 1);
            input.splice(to..to, copy);
        }
        6 => {
            // Splice: keep the start of this input, take the end of another.
            let other = rng.pick(corpus);
            let from = rng.below(other.len());
            input.truncate(at);
            input.extend_from_slice(&other[from..]);
        }
        7 => input.truncate(at),
        8 => {
            // Pad the line around `at` to within two bytes of a size limit:
            // off-by-one mistakes live there.
            let start = input[..at].iter().rposition(|&byte| byte == b'\n');
            let start = start.map_or(0, |newline| newline + 1);
            let end = input[at..].iter().position(|&byte| byte == b'\n');
            let end = end.map_or(input.len(), |newline| at + newline);
            let limit = *rng.pick(&[SMALL_LIMITS.request_line, SMALL_LIMITS.header_line]);
            let wanted = limit + rng.below(5) - 2;
            let padding = wanted.saturating_sub(end - start);
            input.splice(at..at, std::iter::repeat_n(b'a', padding));
        }
        _ => {
            // Repeat a small piece, often just enough to bring a line near
            // a size limit, sometimes thousands of times.
            let end = (at + 1 + rng.below(8)).min(input.len());
            let copy = input[at.min(end)..end].to_vec();
            let most = *rng.pick(&[100, 4000]);
            let times = 1 + rng.below(most);
            let repeated = copy.repeat(times);
            input.splice(at..at, repeated);
        }
    }
}

/// Limits small enough for the fuzzer to run into them often.
const SMALL_LIMITS: Limits = Limits {
    request_line: 100,
    header_line: 80,
    header_count: 8,
    header_bytes: 300,
    body: 200,
};

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

/// Runs `check` on `count` inputs from `make`, naming the input that fails.
fn campaign(name: &str, count: u64, make: impl Fn(&mut Rng) -> Vec<u8>, check: impl Fn(&[u8])) {
    let seed = seed();
    let mut rng = Rng(SplitMix64::new(seed));
    let started = Instant::now();
    for iteration in 0..count {
        let input = make(&mut rng);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input)));
        if let Err(panic) = outcome {
            eprintln!(
                "fuzz {name}: failed at iteration {iteration} (FUZZ_SEED={seed}) on input {:?}",
                String::from_utf8_lossy(&input)
            );
            std::panic::resume_unwind(panic);
        }
    }
    eprintln!(
        "fuzz {name}: {count} inputs in {:.2?}, seed {seed}",
        started.elapsed()
    );
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

/// Form bodies and query strings to start from.
const FORMS: &[&[u8]] = &[
    b"message=Hi+there%21&from=me",
    b"a=%C3%A9&b=&c",
    b"w=%F0%9F%8E%88&&x==1",
    b"name=Sam&tag=a&tag=b",
    b"%zz=1&ok=%4",
    b"m=%E2%28",
];

const FORM_PIECES: &[&[u8]] = &[
    b"%",
    b"%2",
    b"%zz",
    b"%FF",
    b"%C3",
    b"%A9",
    b"+",
    b"=",
    b"&",
    b"\xc3\xa9",
    b"\xff",
    b"\0",
];

#[test]
fn the_form_decoder_survives_mutated_forms_and_round_trips() {
    let make = |rng: &mut Rng| {
        let mut input = rng.pick(FORMS).to_vec();
        for _ in 0..=rng.below(6) {
            mutate(rng, &mut input, FORMS, FORM_PIECES);
        }
        input.truncate(16 * 1024);
        input
    };
    campaign("forms", iterations(), make, |input| {
        if let Ok(form) = parse_qs(input) {
            let decoded: usize = form
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum();
            assert!(decoded <= input.len(), "decoding never makes text longer");
            let again: Vec<String> = form
                .iter()
                .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
                .collect();
            assert_eq!(parse_qs(again.join("&")).as_ref(), Ok(&form));
        }
        let text = String::from_utf8_lossy(input);
        if let Ok(decoded) = percent_decode(&text) {
            assert!(decoded.len() <= text.len());
            let escaped = percent_encode(&decoded);
            assert_eq!(percent_decode(&escaped).as_deref(), Ok(decoded.as_str()));
        }
    });
}

#[test]
fn header_values_never_split_a_response() {
    const NAMES: &[&[u8]] = &[b"X-Note", b"Location", b"Set-Cookie", b"Content-Length"];
    const VALUES: &[&[u8]] = &[b"/", b"a=1; Path=/", b"12", b"text/plain; charset=utf-8"];
    let make = |rng: &mut Rng| {
        let mut name = rng.pick(NAMES).to_vec();
        let mut value = rng.pick(VALUES).to_vec();
        for _ in 0..rng.below(3) {
            mutate(rng, &mut name, NAMES, PIECES);
        }
        for _ in 0..=rng.below(3) {
            mutate(rng, &mut value, VALUES, PIECES);
        }
        name.truncate(200);
        value.truncate(200);
        // The two, separated by a NUL (which neither may contain anyway).
        [name, vec![0], value].concat()
    };
    campaign("response headers", iterations(), make, |input| {
        let split = input.iter().position(|&byte| byte == 0).unwrap_or(0);
        let name = String::from_utf8_lossy(&input[..split]);
        let value = String::from_utf8_lossy(&input[split + 1..]);
        let mut response = Response::new();
        response.send_response(200);
        response.send_header(&name, &value);
        response.end_headers();
        let _ = response.write_all(b"twelve bytes");
        if value.contains(['\r', '\n', '\0']) || name.contains(['\r', '\n', ':', ' ']) {
            assert!(
                response.problem(false).is_some(),
                "{name:?}: {value:?} was accepted"
            );
        }
        if response.problem(false).is_some() {
            return;
        }
        let mut out = Vec::new();
        crate::wire::serialize(&response, &mut out, false, None);
        let head_end = out.windows(4).position(|four| four == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&out[..head_end]).unwrap();
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert!(lines.iter().all(|line| !line.contains(['\r', '\n'])));
        // Status line, the handler's header, Date, Server, and a
        // Content-Length unless the handler sent its own.
        let own_length = name.eq_ignore_ascii_case("Content-Length");
        assert_eq!(lines.len(), if own_length { 4 } else { 5 }, "{head}");
        assert_eq!(lines[1], format!("{name}: {value}"));
    });
}

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
