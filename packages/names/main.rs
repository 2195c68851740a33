//! The names service of lesson 3: a small JSON API for the client to talk to.
//!
//! Every `GET /` answers with a made-up person, as JSON:
//!
//! ```text
//! {
//!   "name": "Zoë",
//!   "surname": "Okafor",
//!   "age": 34,
//!   "credit_card": {
//!     "expiration": "07/29",
//!     "pin": "0420"
//!   }
//! }
//! ```
//!
//! Run it with `cargo run --bin names_service` (port 8000, or `PORT=8001`)
//! and ask it with `curl -i http://localhost:8000/` or the lesson's client.
//! The query string changes what it sends, for trying a client out:
//!
//! - `?seed=N` picks the person: the same seed always gives the same one.
//!   Every answer names its seed in the `X-Seed` header.
//! - `?fault=KIND` sends a broken answer, the kind a client must survive:
//!   `missing-field` (no `surname`), `wrong-type` (the PIN as a number),
//!   `not-json` (an HTML page), `latin-1` (text that is not UTF-8),
//!   `server-error` (a `500`).
//! - `?delay=S` waits S seconds (at most 30) before answering, to watch a
//!   client's timeout at work.
//!
//! It uses the standard library only, like every server of the course, so
//! the JSON is written by hand (see [`json_string`]) and the randomness is
//! a few lines of arithmetic (see [`Random`]).

// The package's [lints] allow these for the lesson binaries; this one is
// held to them.
#![warn(dead_code, unused_imports)]

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::Write;
use std::thread;
use std::time::{Duration, SystemTime};

use http_server::testkit::SplitMix64;
use http_server::{
    Handler, HandlerResult, HttpError, Request, Response, ServerError, ThreadingHttpServer,
    parse_qs,
};

/// First names to pick from: from many places, some with letters beyond
/// ASCII, because real names have them and JSON carries them as UTF-8.
const NAMES: &[&str] = &[
    "Ada",
    "Amara",
    "Björn",
    "Chen",
    "Dagny",
    "Élodie",
    "Emeka",
    "Farah",
    "Grace",
    "Hiroshi",
    "Ingrid",
    "José",
    "Kwame",
    "Leilani",
    "Mateo",
    "Nadia",
    "Oluwaseun",
    "Priya",
    "Renée",
    "Søren",
    "Tomás",
    "Uma",
    "Viktor",
    "Wanjiru",
    "Yusuf",
    "Zoë",
];

/// Surnames to pick from.
const SURNAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "García",
    "Nakamura",
    "Müller",
    "O'Brien",
    "Kowalczyk",
    "Haddad",
    "Mensah",
    "Fernández",
    "Ngata",
    "Łukasiewicz",
    "Nguyễn",
    "Smith",
];

/// The longest `?delay=` the service accepts, in seconds.
const MAX_DELAY: u64 = 30;

/// A made-up person: what one record of the service says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Person {
    name: &'static str,
    surname: &'static str,
    age: u32,
    /// `MM/YY`.
    expiration: String,
    /// Four digits, kept as text: the zero at the start of `0420` matters.
    pin: String,
}

impl Person {
    /// The person for `seed`: the same seed gives the same person, on every
    /// computer and every run.
    fn from_seed(seed: u64) -> Person {
        let mut random = Random::new(seed);
        Person {
            name: random.pick::<&str>(NAMES),
            surname: random.pick::<&str>(SURNAMES),
            age: 18 + random.below(73) as u32,
            expiration: format!("{:02}/{:02}", 1 + random.below(12), 26 + random.below(8)),
            pin: format!("{:04}", random.below(10_000)),
        }
    }
}

/// The course's tiny random number generator (SplitMix64): good enough to
/// pick names, and the same numbers for the same seed. (Never for secrets:
/// real PINs and keys need a cryptographic generator.)
type Random = SplitMix64;

/// A seed nobody asked for: the standard library's hash keys are random
/// for every process, and the clock changes between requests.
fn fresh_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|time| time.as_nanos())
        .unwrap_or(0);
    // Short seeds are easier to type back in as `?seed=N`.
    RandomState::new().hash_one(nanos) % 1_000_000
}

/// A string as a JSON string literal, quotes included. JSON needs `"`,
/// `\` and the control characters escaped; everything else, `ë` and `ễ`
/// included, may appear as itself (as UTF-8).
fn json_string(text: &str) -> String {
    let mut json = String::with_capacity(text.len() + 2);
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            c if c.is_control() => json.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => json.push(c),
        }
    }
    json.push('"');
    json
}

/// The broken answers the service can send, to try a client against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// A record without its `surname`.
    MissingField,
    /// The PIN as a number instead of text.
    WrongType,
    /// An HTML page, as a Wi-Fi login page would send, with status 200.
    NotJson,
    /// The record in the Latin-1 encoding instead of UTF-8.
    Latin1,
    /// `500 Internal Server Error`.
    ServerError,
}

impl Fault {
    const ALL: [(&'static str, Fault); 5] = [
        ("missing-field", Fault::MissingField),
        ("wrong-type", Fault::WrongType),
        ("not-json", Fault::NotJson),
        ("latin-1", Fault::Latin1),
        ("server-error", Fault::ServerError),
    ];

    fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, fault)| *fault)
    }
}

/// The record of `person` as JSON text; `fault` may break it on purpose.
fn record_json(person: &Person, fault: Option<Fault>) -> String {
    let surname = match fault {
        Some(Fault::MissingField) => String::new(),
        _ => format!("  \"surname\": {},\n", json_string(person.surname)),
    };
    let pin = match fault {
        // Stored as a number, the PIN loses its leading zeros too.
        Some(Fault::WrongType) => person.pin.trim_start_matches('0').to_owned(),
        _ => json_string(&person.pin),
    };
    let pin = if pin.is_empty() { "0".to_owned() } else { pin };
    format!(
        "{{\n  \"name\": {},\n{surname}  \"age\": {},\n  \"credit_card\": {{\n    \"expiration\": {},\n    \"pin\": {pin}\n  }}\n}}\n",
        json_string(person.name),
        person.age,
        json_string(&person.expiration),
    )
}

/// Text in the Latin-1 encoding: one byte per character. Only characters
/// up to U+00FF have one; the others become `?`.
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// The person a `latin-1` fault sends: one whose name has letters beyond
/// ASCII that Latin-1 can still write, so the answer is really not UTF-8.
fn latin1_person(seed: u64) -> Person {
    let mut person = Person::from_seed(seed);
    let fits = |name: &str| !name.is_ascii() && name.chars().all(|c| u32::from(c) < 0x100);
    let names: Vec<&'static str> = NAMES.iter().copied().filter(|name| fits(name)).collect();
    let mut random = Random::new(seed);
    person.name = *random.pick(&names);
    person.surname = "Müller";
    person
}

/// What a request asked for in its query string.
#[derive(Debug, Default, PartialEq, Eq)]
struct Query {
    seed: Option<u64>,
    fault: Option<Fault>,
    delay: u64,
}

impl Query {
    fn parse(query: &str) -> Result<Query, HttpError> {
        let form = parse_qs(query)
            .map_err(|error| HttpError::new(400, format!("the query string is broken: {error}")))?;
        let mut parsed = Query::default();
        if let Some(seed) = form.get("seed") {
            let seed = seed.parse().map_err(|_| {
                HttpError::new(400, format!("seed must be a whole number, not {seed:?}"))
            })?;
            parsed.seed = Some(seed);
        }
        if let Some(fault) = form.get("fault") {
            let known: Vec<&str> = Fault::ALL.iter().map(|(name, _)| *name).collect();
            parsed.fault = Some(Fault::from_name(fault).ok_or_else(|| {
                HttpError::new(
                    400,
                    format!("no fault called {fault:?}; try {}", known.join(", ")),
                )
            })?);
        }
        if let Some(delay) = form.get("delay") {
            parsed.delay = delay
                .parse()
                .ok()
                .filter(|&seconds| seconds <= MAX_DELAY)
                .ok_or_else(|| {
                    HttpError::new(
                        400,
                        format!("delay must be 0 to {MAX_DELAY} seconds, not {delay:?}"),
                    )
                })?;
        }
        Ok(parsed)
    }
}

/// Sends `{"error": message}` with `status`: a JSON API answers in JSON,
/// even when it says no.
fn send_json_error(response: &mut Response, status: u16, message: &str) -> HandlerResult {
    response.send_response(status);
    response.send_header("Content-Type", "application/json");
    response.end_headers();
    writeln!(response, "{{\"error\": {}}}", json_string(message))?;
    Ok(())
}

/// The handler of the names service.
struct NamesService;

impl Handler for NamesService {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let (path, query) = request
            .path()
            .split_once('?')
            .unwrap_or((request.path(), ""));
        if path != "/" {
            let message = format!("nothing at {path}; the names are at /");
            return send_json_error(response, 404, &message);
        }
        let query = match Query::parse(query) {
            Ok(query) => query,
            Err(error) => return send_json_error(response, error.status(), error.message()),
        };
        thread::sleep(Duration::from_secs(query.delay));

        let seed = query.seed.unwrap_or_else(fresh_seed);
        let (status, content_type, body) = match query.fault {
            Some(Fault::ServerError) => (
                500,
                "application/json",
                "{\"error\": \"the names service broke down (on purpose: ?fault=server-error)\"}\n"
                    .as_bytes()
                    .to_vec(),
            ),
            Some(Fault::NotJson) => (
                200,
                "text/html; charset=utf-8",
                "<!DOCTYPE html>\n<title>Wi-Fi login</title>\n\
                 <p>Please log in to the hotel Wi-Fi to continue.</p>\n"
                    .as_bytes()
                    .to_vec(),
            ),
            Some(Fault::Latin1) => (
                200,
                // Honest about its encoding, which a JSON client ignores:
                // JSON is always UTF-8.
                "application/json; charset=iso-8859-1",
                latin1(&record_json(&latin1_person(seed), None)),
            ),
            fault => (
                200,
                "application/json",
                record_json(&Person::from_seed(seed), fault).into_bytes(),
            ),
        };
        response.send_response(status);
        response.send_header("Content-Type", content_type);
        // Each answer is new: caches must not keep it.
        response.send_header("Cache-Control", "no-store");
        response.send_header("X-Seed", &seed.to_string());
        response.end_headers();
        response.write_all(&body)?;
        Ok(())
    }
}

fn main() -> Result<(), ServerError> {
    let server = ThreadingHttpServer::from_env()?;
    server.serve_forever(NamesService)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_server::send_raw;

    #[test]
    fn json_strings_escape_what_json_requires() {
        assert_eq!(json_string("Zoë"), "\"Zoë\"");
        assert_eq!(json_string("O'Brien"), "\"O'Brien\"");
        assert_eq!(json_string(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(json_string(r"C:\names"), r#""C:\\names""#);
        assert_eq!(json_string("a\nb\tc\r"), r#""a\nb\tc\r""#);
        assert_eq!(json_string("bell\u{7}"), r#""bell\u0007""#);
        assert_eq!(json_string(""), "\"\"");
    }

    #[test]
    fn the_same_seed_gives_the_same_person() {
        assert_eq!(Person::from_seed(42), Person::from_seed(42));
        let people: Vec<Person> = (0..20).map(Person::from_seed).collect();
        assert!(people.iter().any(|person| *person != people[0]));
        for person in &people {
            assert_eq!(person.pin.len(), 4);
            assert!(person.pin.bytes().all(|b| b.is_ascii_digit()));
            assert!((18..=90).contains(&person.age));
        }
    }

    #[test]
    fn records_have_every_field_unless_broken_on_purpose() {
        let person = Person {
            name: "Zoë",
            surname: "O'Brien",
            age: 34,
            expiration: "07/29".into(),
            pin: "0420".into(),
        };
        let record = record_json(&person, None);
        assert_eq!(
            record,
            "{\n  \"name\": \"Zoë\",\n  \"surname\": \"O'Brien\",\n  \"age\": 34,\n  \
             \"credit_card\": {\n    \"expiration\": \"07/29\",\n    \"pin\": \"0420\"\n  }\n}\n"
        );
        assert!(!record_json(&person, Some(Fault::MissingField)).contains("surname"));
        assert!(record_json(&person, Some(Fault::WrongType)).contains("\"pin\": 420\n"));
    }

    #[test]
    fn latin1_answers_are_not_utf8() {
        let person = latin1_person(7);
        let bytes = latin1(&record_json(&person, None));
        assert!(std::str::from_utf8(&bytes).is_err());
        assert!(bytes.contains(&0xFC)); // the ü of Müller, in one byte
    }

    #[test]
    fn queries_are_checked() {
        assert_eq!(Query::parse("").unwrap(), Query::default());
        let query = Query::parse("seed=7&fault=not-json&delay=1").unwrap();
        assert_eq!(query.seed, Some(7));
        assert_eq!(query.fault, Some(Fault::NotJson));
        assert_eq!(query.delay, 1);
        assert_eq!(Query::parse("seed=x").unwrap_err().status(), 400);
        assert_eq!(Query::parse("fault=nope").unwrap_err().status(), 400);
        assert_eq!(Query::parse("delay=31").unwrap_err().status(), 400);
    }

    #[test]
    fn answers_over_http() {
        let server = ThreadingHttpServer::bind("127.0.0.1:0")
            .unwrap()
            .spawn(NamesService);
        let get = |target: &str| {
            let request =
                format!("GET {target} HTTP/1.1\r\nHost: names\r\nConnection: close\r\n\r\n");
            send_raw(server.address(), request.as_bytes()).unwrap()
        };
        let record = get("/?seed=42");
        assert!(record.starts_with("HTTP/1.1 200 OK\r\n"), "{record}");
        assert!(record.contains("Content-Type: application/json\r\n"));
        assert!(record.contains("X-Seed: 42\r\n"));
        let body = record.split_once("\r\n\r\n").unwrap().1;
        assert_eq!(body, record_json(&Person::from_seed(42), None));
        let again = get("/?seed=42");
        assert_eq!(again.split_once("\r\n\r\n").unwrap().1, body);

        assert!(get("/?fault=server-error").starts_with("HTTP/1.1 500 "));
        assert!(get("/?fault=not-json").contains("Content-Type: text/html"));
        assert!(get("/?seed=nope").starts_with("HTTP/1.1 400 "));
        let missing = get("/elsewhere");
        assert!(missing.starts_with("HTTP/1.1 404 "), "{missing}");
        assert!(missing.ends_with("{\"error\": \"nothing at /elsewhere; the names are at /\"}\n"));
        server.shutdown();
    }
}
