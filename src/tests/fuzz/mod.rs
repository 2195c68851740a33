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
//!
//! The targets: `parser.rs` (the head, the body reader and how reads are
//! split), `builders.rs` (the form decoder, header values), `server.rs` (a
//! live server on a socket).

mod builders;
mod parser;
mod server;

use std::time::Instant;

use crate::head::Limits;
use crate::testkit::SplitMix64;

/// The fuzzer's generator: the course's seeded SplitMix64, with a
/// `below` that takes a `usize`.
pub(super) struct Rng(SplitMix64);

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
pub(super) fn iterations() -> u64 {
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
pub(super) const REQUESTS: &[&[u8]] = &[
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
pub(super) const PIECES: &[&[u8]] = &[
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
pub(super) fn mutated_request(rng: &mut Rng) -> Vec<u8> {
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
pub(super) fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[&[u8]], pieces: &[&[u8]]) {
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

/// Runs `check` on `count` inputs from `make`, naming the input that fails.
pub(super) fn campaign(
    name: &str,
    count: u64,
    make: impl Fn(&mut Rng) -> Vec<u8>,
    check: impl Fn(&[u8]),
) {
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

/// Limits small enough for the fuzzer to run into them often.
pub(super) const SMALL_LIMITS: Limits = Limits {
    request_line: 100,
    header_line: 80,
    header_count: 8,
    header_bytes: 300,
    body: 200,
};
