//! Lesson 1, the echo server: `GET /Balloon` gets `Balloon`.
//!
//! The paths are random words, so an answer written into the program
//! cannot pass; each failure names the likely mistake (still the hello
//! server, the slash kept, a wrong status or content type).

use crate::kit::seed::random_distinct;
use crate::session::Session;
use crate::{Check, CheckResult, Hint, Lesson};

/// Lesson 1, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(1, "echo_server", "Echo server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson1.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::new("GET /<word> answers 200 with the word, as plain text", echoes_words),
    Check::new("a longer path is echoed whole: inner slashes, a second slash at the start, a query", echoes_longer_paths),
    Check::new("%-escapes are decoded once: /Hello%20World gives Hello World, /2+2 stays 2+2", decodes_escapes).optional(),
];

/// The hints: a nudge, the idea, then the code.
pub const HINTS: &[Hint] = &[Hint {
    step: None,
    nudge: "The path is in the request line, `GET /Balloon HTTP/1.1`; the handler reads it with request.path().",
    concept: "request.path() gives \"/Balloon\", with its slash: path.strip_prefix('/') gives Some(\"Balloon\").",
    code: "let path = request.path(); let message = path.strip_prefix('/').unwrap_or(path); then write message.as_bytes() as the body.",
}];

const HELLO: &str = "Hello, HTTP!\n";

/// Words for the paths the checks ask for.
const WORDS: &str = "Balloon Teapot Lighthouse Marmalade Pelican Umbrella Walrus Cinnamon \
    Harbour Meteor Origami Quartz Saxophone Tangerine Volcano Zeppelin Accordion Biscuit Compass \
    Dandelion Giraffe Kaleidoscope Nutmeg Porcupine";

/// `count` different words, picked at random.
fn random_words(count: usize) -> Vec<&'static str> {
    random_distinct(&WORDS.split_whitespace().collect::<Vec<_>>(), count)
}

/// Asks for `path` and expects `expected` back, naming the likely mistake
/// when something else comes.
fn expect_echo(session: &mut Session, path: &str, expected: &str) -> CheckResult {
    let reply = session.get(path)?;
    reply
        .expect(
            |reply| reply.body != HELLO,
            format!("the body {expected:?}"),
            "That is still the hello server. In the TODO of do_get, make the message the path \
             (request.path()) instead of the greeting.",
        )?
        .expect_status(
            200,
            "The echo server has an answer for every path: keep send_response(200) first.",
        )?
        .expect_body(expected, mistaken_echo(&reply.body, path, expected))?
        .expect(
            |reply| reply.is_utf8("text/plain"),
            "Content-Type: text/plain; charset=utf-8",
            "The echo is plain text: keep the hello server's \
             send_header(\"Content-type\", \"text/plain; charset=utf-8\").",
        )?;
    Ok(())
}

/// The likely mistake behind the echo `body` when `path` was asked for and
/// `expected` was due.
fn mistaken_echo(body: &str, path: &str, expected: &str) -> &'static str {
    let body = body.strip_suffix('\n').unwrap_or(body);
    if body == format!("/{expected}") {
        "You kept the leading slash: request.path() gives \"/Balloon\", the echo is \
         \"Balloon\". path.strip_prefix('/') takes the slash off."
    } else if expected.ends_with('/') && body == expected.trim_end_matches('/') {
        "Only the first slash goes: the slash at the end is part of the path, so /Balloon/ \
         echoes \"Balloon/\". strip_prefix('/') takes off exactly the first, trim_matches both ends."
    } else if expected.starts_with('/') && body == expected.trim_start_matches('/') {
        "Only the first slash goes: //Balloon echoes \"/Balloon\". strip_prefix('/') takes off \
         exactly one, trim_start_matches('/') every slash at the start."
    } else if expected
        .split_once('?')
        .is_some_and(|(before, _)| body == before)
    {
        "The query is part of the path: request.path() gives \"/search?q=tea\", the echo is \
         \"search?q=tea\". Do not cut the path at the '?'."
    } else if path.contains('%') && body == &path[1..] {
        "The escapes arrive as they were sent (%20 is a space): \
         http_server::percent_decode(message)? decodes them."
    } else if expected.contains('+') && body == expected.replace('+', " ") {
        "In a path, + is a plus sign, not a space: a space travels as %20. Only a form's \
         fields (lesson 2) write a space as +, and parse_qs decodes those; percent_decode \
         alone is right for a path."
    } else if expected.contains("%25") && body == expected.replace("%25", "%") {
        "The path was decoded twice: %2525 is %25 once decoded, and %25 is what the client \
         meant (it escaped the %). Call percent_decode once."
    } else if body.is_empty() {
        "The body is empty: write the message with response.write_all(message.as_bytes()) \
         after end_headers()."
    } else {
        "The body should be the path of the request, from just after its first \"/\" to \
         the end: request.path() without its first character."
    }
}

fn echoes_words(session: &mut Session) -> CheckResult {
    for word in random_words(3) {
        expect_echo(session, &format!("/{word}"), word)?;
    }
    Ok(())
}

fn echoes_longer_paths(session: &mut Session) -> CheckResult {
    let words = random_words(3);
    let inner = words.join("/");
    expect_echo(session, &format!("/{inner}"), &inner)?;
    // A slash at the end is part of the path too: only the first one goes.
    let folder = format!("{}/", words[0]);
    expect_echo(session, &format!("/{folder}"), &folder)?;
    // Only the first slash goes, even when a second one follows it.
    let doubled = format!("/{}", words[1]);
    expect_echo(session, &format!("/{doubled}"), &doubled)?;
    // The query is part of the path, and of the echo.
    let query = format!("{}?q={}", words[1], words[2]);
    expect_echo(session, &format!("/{query}"), &query)?;
    expect_echo(session, "/", "")
}

fn decodes_escapes(session: &mut Session) -> CheckResult {
    let words = random_words(2);
    let (first, second) = (words[0], words[1]);
    expect_echo(
        session,
        &format!("/{first}%20{second}"),
        &format!("{first} {second}"),
    )?;
    expect_echo(session, "/caf%C3%A9", "café")?;
    // In a path a + is a plus sign: only forms (lesson 2) write a space so.
    let plus = format!("{first}+{second}");
    expect_echo(session, &format!("/{plus}"), &plus)?;
    // %25 is the escape of % itself: decoded once, %2525 is %25.
    expect_echo(session, &format!("/{first}%2525"), &format!("{first}%25"))?;
    // %FF is a well-formed escape, but a lone byte 0xFF is not UTF-8 text.
    session.get("/%FF")?.expect(
        |reply| reply.status == 400,
        "status 400 Bad Request: the escape decodes to a byte that is not UTF-8",
        "percent_decode returns an error for it: pass it on with `?` (the server answers \
         400 and quotes it) rather than unwrap() (a 500) or a lossy conversion.",
    )?;
    Ok(())
}
