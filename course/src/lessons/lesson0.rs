//! Lesson 0, the hello server: every GET gets `Hello, HTTP!`.

use crate::session::Session;
use crate::{Check, CheckResult, Hint, Lesson};

/// Lesson 0, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(0, "hello_server", "Hello server")
    .tour()
    .checks(CHECKS, HINTS, include_str!("lesson0.mutants.toml"));

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::new("GET / answers 200 with the text Hello, HTTP!", get_root_says_hello),
    Check::new("every path gets the same answer", any_path_says_hello),
    Check::new("HEAD / gets the headers and no body", head_has_no_body),
    Check::new("POST / answers 501 Not Implemented", post_is_not_implemented),
    Check::new("a garbled request gets 400, and the server keeps serving", garbage_gets_400),
];

/// The hints: a nudge, the idea, then the code.
pub const HINTS: &[Hint] = &[Hint {
    step: None,
    nudge: "Lesson 0 has nothing to fill in: run `cargo run --bin hello_server`, open http://localhost:8000/ and read lessons/0_hello_server/README.md alongside the code.",
    concept: "do_get writes the three parts of every response: the status line (send_response), the headers (send_header, then end_headers), then the body.",
    code: "If a check fails here, compare exercises/0_hello_server/main.rs with solutions/0_hello_server/main.rs: they should be the same file (`cargo course reset hello_server` puts the starter back).",
}];

const HELLO: &str = "Hello, HTTP!\n";

fn says_hello(session: &mut Session, path: &str) -> CheckResult {
    session
        .get(path)?
        .expect_status(200, "send_response(200) starts a successful answer.")?
        .expect(
            |reply| reply.body == HELLO,
            format!("the body {HELLO:?}"),
            "The body is the bytes written after end_headers(), newline included.",
        )?
        // Parsed, not compared as a string: HTTP allows
        // `text/plain;charset=UTF-8` as well as `text/plain; charset=utf-8`.
        .expect(
            |reply| reply.is_utf8("text/plain"),
            "Content-Type: text/plain; charset=utf-8",
            "send_header(\"Content-type\", \"text/plain; charset=utf-8\") tells the browser it is text.",
        )?;
    Ok(())
}

fn get_root_says_hello(session: &mut Session) -> CheckResult {
    says_hello(session, "/")
}

fn any_path_says_hello(session: &mut Session) -> CheckResult {
    says_hello(session, "/goodbye")?;
    says_hello(session, "/some/deeper/path?with=query")
}

fn head_has_no_body(session: &mut Session) -> CheckResult {
    let reply = session.head("/")?;
    reply.expect(
        |reply| reply.status == 200 && reply.body.is_empty(),
        "status 200 and no body",
        "HEAD asks for the headers only; the server drops the body that do_get writes.",
    )?;
    // A do_head of the student's own answers with an empty body's length
    // (0) and without the GET's headers.
    let hint = if matches!(reply.header("content-length"), None | Some("0")) {
        "HEAD should get the headers a GET would get, Content-Length included: the server \
         answers it from do_get and drops the body. Remove any do_head of your own."
    } else {
        "Let the server fill in Content-Length: do not set it yourself."
    };
    reply.expect_header("Content-Length", "13", hint)?;
    Ok(())
}

fn post_is_not_implemented(session: &mut Session) -> CheckResult {
    session
        .post_form("/", &[("message", "hi")])?
        .expect_status(
            501,
            "The hello server has no do_post, so a POST gets the default answer, 501.",
        )?;
    Ok(())
}

fn garbage_gets_400(session: &mut Session) -> CheckResult {
    let reply = session.send_raw(b"GARBAGE\r\n\r\n")?;
    if !reply.starts_with("HTTP/1.1 400 ") {
        return Err(crate::Failure {
            sent: "a request line without a path or version: GARBAGE".into(),
            expected: "HTTP/1.1 400 Bad Request".into(),
            got: crate::session::quote_body(&reply),
            hint: "The shared server module answers malformed requests itself.".into(),
        });
    }
    says_hello(session, "/")
}
