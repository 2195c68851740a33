//! Lesson 3, the client: `client get`, `client names` and `client post`.
//!
//! Here the program under check is the client, so the checks start the
//! course's own servers (the names service, the messageboard's solution) on
//! free ports, run the client against them, and read what it printed.
//!
//! The names service picks a random person unless asked for `?seed=N`; the
//! checks pick a random seed, fetch that record themselves, and so know the
//! sentence the client must print. A client with a name written into it
//! cannot pass.

use crate::kit::helpers::{Answer, CourseServer, HelperServer, refused_port};
use crate::kit::html::list_items;
use crate::kit::seed::random_number;
use crate::process::{ProgramOutput, shell_quote};
use crate::session::Session;
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use http_server::escape_html_text;

/// Lesson 3, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(3, "client", "Client").client().checks(
    CHECKS,
    HINTS,
    include_str!("lesson3.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("get", "client get shows the status line, the headers, an empty line, then the body", get_shows_the_whole_response),
    Check::step("get", "client get shows every header: a repeated one once per value, one that is not ASCII without failing", get_shows_every_header),
    Check::step("get", "client get shows a 404 like any other answer", get_shows_error_statuses),
    Check::step("get", "client get shows the size of a body that is not UTF-8 text, not its bytes", get_hides_bytes_that_are_not_text),
    Check::step("get", "client get explains a refused connection in one line", get_explains_refused_connections),
    Check::step("names", "client names introduces the person of the names service's record", names_introduces_the_person),
    Check::step("names", "client names explains a broken record in one error line", names_explains_broken_records),
    Check::step("names", "client names gives up on a server that does not answer in time", names_gives_up_in_time),
    Check::step("post", "client post sends the form and reports the 303 and its Location, without following", post_reports_the_redirect),
    Check::step("post", "client post --follow follows the redirect to the board", post_follows_when_asked),
    Check::step("post", "client post does not panic on a redirect that has no Location", post_survives_a_redirect_without_location),
    Check::step("post", "client post shows a refused form's page (400) and explains it in one error line", post_explains_a_refused_form),
];

/// The hints: a nudge, the idea, then the code.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("get"),
        nudge: "Start `cargo run --bin names_service`, then compare what `curl -i localhost:8000` shows with what your `client get http://localhost:8000/` prints.",
        concept: "A response is a status line, headers, an empty line, then the body: reqwest gives response.version(), response.status() and response.headers().",
        code: "println!(\"{:?} {}\", response.version(), response.status()), then one println!(\"{name}: ...\") per header of response.headers(), then println!().",
    },
    Hint {
        step: Some("names"),
        nudge: "Look at what the names service sends (`curl -i localhost:8000`): it is JSON, and the sentence needs three of its fields.",
        concept: "serde turns JSON into your own structs: derive Deserialize on structs whose fields have the JSON's names, check the status, then response.json() decodes.",
        code: "#[derive(serde::Deserialize)] struct Person { name: String, surname: String, credit_card: CreditCard } and struct CreditCard { pin: String }; if !response.status().is_success() { bail!(...) }, then let person: Person = response.json().with_context(|| ...)?;",
    },
    Hint {
        step: Some("post"),
        nudge: "Try `client post http://localhost:8000/ message=hi` against `cargo run --bin messageboard_sol`, and compare with `curl -i -d message=hi localhost:8000`.",
        concept: "Send the fields with .form(fields), which escapes them. The board answers 303: a redirect is an answer to report (with its Location), not an error.",
        code: "let response = send(client.post(url).form(fields))?; for a status.is_redirection(), print the Location header and return Ok(()).",
    },
];

/// The hint for an error line that lost what went wrong.
const KEEP_THE_CAUSE: &str = "Keep what went wrong in the error: .with_context(...) adds your \
     words in front of the cause and keeps it, where map_err(|_| ...) would throw it away.";

/// The hint for an error line that does not give the status.
const NAME_THE_STATUS: &str = "Look at response.status() before decoding: if it is not a \
     success, stop with bail! and name it: bail!(\"{url} answered {status}\").";

/// The hint for a client that panicked where it should have succeeded.
const PANICKED: &str = "The client panicked: the message above names the file and line. \
     Replace unwrap() and expect() with `?`, so errors reach main and print as one line.";

/// The hint for a client that stopped with an error where it should not.
const STOPPED: &str = "The client stopped with an error: read its line under stderr.";

/// Where the student runs the servers: the address their commands show.
const STUDENT_URL: &str = "http://localhost:8000";

/// Runs the client with `args` and returns what it printed, its command
/// shown as the student would type it (`url`, a server the check started,
/// written as `shown`), with `about` that server under it.
fn run_client(
    session: &Session,
    args: &[&str],
    (url, shown): (&str, &str),
    about: &str,
) -> Result<ProgramOutput, Failure> {
    let mut output = session.run(args)?;
    let words: Vec<String> = args
        .iter()
        .map(|arg| shell_quote(&arg.replace(url, shown)))
        .collect();
    let name = session.binary_name();
    output.command = format!("cargo run --bin {name} -- {}\n{about}", words.join(" "));
    Ok(output)
}

/// Runs the client with `args` (URLs of `server` in them), shown as
/// commands against the server on port 8000.
fn run_against(
    session: &Session,
    server: &CourseServer,
    args: &[&str],
) -> Result<ProgramOutput, Failure> {
    let about = format!(
        "(with `cargo run --bin {}` running on port 8000)",
        server.name()
    );
    run_client(session, args, (server.base_url(), STUDENT_URL), &about)
}

/// Expects a failure explained in one line, `error: ...`, that mentions
/// every word of `mentions`; `unmentioned` is the hint if it does not.
fn expect_one_error_line(
    run: &ProgramOutput,
    expected: &str,
    mentions: &[&str],
    unmentioned: &str,
) -> CheckResult {
    let expected = format!("{expected}, explained in one line on stderr: error: ...");
    run.expect_no_panic(
        &expected,
        "The client panicked: a bad answer is not a bug in the client. Use `?` with \
         .with_context(...) (or bail!) instead of unwrap() or expect(), and main prints one line.",
    )?
    .expect_failure(
        &expected,
        "The client said it succeeded. When the answer cannot give what was asked for, return \
         an error (bail! or `?`), so main prints it and exits with a failure.",
    )?
    .expect_one_stderr_line(
        "error: ",
        &expected,
        "main already prints the error, with its context, as one line: return it with `?` or \
         bail! rather than printing it yourself.",
    )?;
    for word in mentions {
        run.expect(
            |run| {
                run.stderr
                    .to_ascii_lowercase()
                    .contains(&word.to_ascii_lowercase())
            },
            format!("{expected} (mentioning {word})"),
            unmentioned,
        )?;
    }
    run.expect(
        |run| !run.stdout.contains("My name is"),
        &expected,
        "Nothing of a broken record should be printed: decode it completely first.",
    )?;
    Ok(())
}

fn get_shows_the_whole_response(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    let seed = random_number() % 1000;
    let path = format!("/?seed={seed}");
    let (_, body) = names.fetch(&path)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let run = run_against(session, &names, &["get", &names.url(&path)])?;
    let hint = if run.stdout.starts_with('{') {
        "That is the body. Print the status line first: response.version() with {:?} gives \
         HTTP/1.1, response.status() with {} gives 200 OK."
    } else {
        "The first line is the status line: println!(\"{:?} {}\", response.version(), \
         response.status())."
    };
    expect_success(&run, "the response, as curl -i shows it", STOPPED)?
        .expect_printed_status_line("HTTP/1.1 200 OK", hint)?;
    let every_header = "Loop over response.headers(): each item is (name, value); print name, \
         \": \" and the value (String::from_utf8_lossy(value.as_bytes())).";
    run.expect_printed_header("content-type: application/json", every_header)?
        .expect_printed_header(&format!("x-seed: {seed}"), every_header)?;
    run.expect(
        |run| run.printed_body().map(str::trim_end) == Some(body.trim_end()),
        format!("after the headers, an empty line, then the body:\n{body}"),
        "End the headers with println!() and print the body after them, as it came.",
    )?;
    Ok(())
}

/// Expects a success, `hint` if it is not (a panic has a hint of its own).
fn expect_success<'a>(
    run: &'a ProgramOutput,
    expected: &str,
    hint: &str,
) -> Result<&'a ProgramOutput, Failure> {
    run.expect_no_panic(expected, PANICKED)?
        .expect_success(expected, hint)
}

fn get_shows_every_header(session: &mut Session) -> CheckResult {
    // Two Set-Cookie headers (a server sends one per cookie), and a value
    // in Latin-1: M\xfcller, whose \xfc is not ASCII (nor UTF-8).
    let helper = HelperServer::start(Answer::Raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\
          Set-Cookie: flavour=oatmeal\r\nSet-Cookie: colour=blue\r\n\
          X-Name: M\xfcller\r\nContent-Length: 3\r\nConnection: close\r\n\r\nhi\n",
    ))?;
    let url = helper.url("/");
    let run = run_client(
        session,
        &["get", &url],
        (&url, "URL"),
        "(URL: a server that answers with two Set-Cookie headers, flavour=oatmeal and \
         colour=blue, and X-Name: M\\xfcller, a Latin-1 byte)",
    )?;
    let expected = "one line per header: set-cookie: flavour=oatmeal, set-cookie: colour=blue, \
                    and x-name: M\u{FFFD}ller (the byte that is not text shown as \u{FFFD})";
    let not_text = "A header value is bytes, not always text: value.to_str() fails on a byte \
                    that is not visible ASCII, and unwrap() turns that into a panic. \
                    String::from_utf8_lossy(value.as_bytes()) shows it as \u{FFFD}, without \
                    failing.";
    let shows = |run: &ProgramOutput, wanted: &str| {
        run.printed_header_lines()
            .iter()
            .any(|line| line.to_ascii_lowercase().starts_with(wanted))
    };
    run.expect_no_panic(expected, not_text)?
        .expect_success(expected, not_text)?
        .expect(
            |run| {
                shows(run, "set-cookie: flavour=oatmeal") && shows(run, "set-cookie: colour=blue")
            },
            expected,
            "A header can come more than once: a server sends one Set-Cookie per cookie. Loop \
             over the pairs, for (name, value) in response.headers(), which gives each value; \
             looking a name up (headers()[name], headers().get(name)) gives only the first.",
        )?
        .expect(|run| shows(run, "x-name: m"), expected, not_text)?;
    Ok(())
}

fn get_shows_error_statuses(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    let run = run_against(session, &names, &["get", &names.url("/nowhere")])?;
    expect_success(
        &run,
        "the 404 answer, shown like any other",
        "A 404 is an answer too: `client get` shows whatever comes back, like curl -i, and \
         succeeds. Only a missing answer is an error.",
    )?
    .expect_printed_status_line(
        "HTTP/1.1 404 Not Found",
        "A 404 is an answer too: `client get` shows whatever comes back, status first.",
    )?;
    Ok(())
}

fn get_hides_bytes_that_are_not_text(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    // One seed for both requests, so that both get the same person.
    let path = format!("/?fault=latin-1&seed={}", random_number() % 1000);
    let (_, body) = names.fetch(&path)?;
    let run = run_against(session, &names, &["get", &names.url(&path)])?;
    let size = format!("{} bytes", body.len());
    expect_success(&run, "the response, its body replaced by its size", STOPPED)?.expect(
        |run| !run.stdout.contains('\u{FFFD}') && run.stdout.contains(&size),
        format!("the status line and headers, then a line that gives the size: {size}"),
        "This body is Latin-1, not UTF-8: its bytes would garble a terminal. Keep \
         print_body(&body) for the body: it prints text as it is and other bytes as a size.",
    )?;
    Ok(())
}

fn get_explains_refused_connections(session: &mut Session) -> CheckResult {
    // A port that was free a moment ago: nothing listens there now.
    let port = refused_port()?;
    let url = format!("http://127.0.0.1:{port}/");
    let about = format!("(with no server on port {port})");
    let run = run_client(session, &["get", &url], (&url, &url), &about)?;
    expect_one_error_line(
        &run,
        "a failure: no server listens there",
        &["connection refused", &format!("port {port}")],
        "Send requests with send(...)?: it explains a refused connection and asks whether \
         the server is running.",
    )
}

/// The sentence `client names` should print for a record, if it is one.
fn sentence_for(record: &[u8]) -> Option<String> {
    let record: serde_json::Value = serde_json::from_slice(record).ok()?;
    Some(format!(
        "My name is {} {} and the PIN on my card is {}.",
        record["name"].as_str()?,
        record["surname"].as_str()?,
        record["credit_card"]["pin"].as_str()?
    ))
}

fn names_introduces_the_person(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    let first = random_number() % 1000;
    for seed in [first, first + 1] {
        let path = format!("/?seed={seed}");
        let (_, record) = names.fetch(&path)?;
        let sentence = sentence_for(&record).ok_or_else(|| {
            Failure::plain(
                format!(
                    "the names service sent {}",
                    String::from_utf8_lossy(&record)
                ),
                "That is not a names record: a problem of the course, not of your client.",
            )
        })?;
        let run = run_against(session, &names, &["names", &names.url(&path)])?;
        // serde's "invalid type": a field of the struct is not the JSON's type.
        let hint = if run.stderr.contains("invalid type") {
            "serde says a field of your struct does not have the JSON's type: every field the \
             sentence needs is a JSON string (\"pin\": \"0420\"), so make it a String (a number \
             would also lose the PIN's leading zero)."
        } else {
            STOPPED
        };
        let printed_json = run.stdout.starts_with('{');
        expect_success(&run, &sentence, hint)?.expect(
            |run| run.stdout.trim_end() == sentence,
            &sentence,
            if printed_json {
                "That is the JSON as it came. Decode it into your Person struct, \
                 let person: Person = response.json()?; then print the sentence from its fields."
            } else {
                "Print exactly this one line, with the name, surname and credit_card.pin of the \
                 record: println!(\"My name is {} {} and the PIN on my card is {}.\", ...)."
            },
        )?;
    }
    Ok(())
}

fn names_explains_broken_records(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    // Each broken answer, what it is, and what the error line must name
    // (a status, or a field; "" is in every line).
    let broken = [
        (
            "/?fault=missing-field",
            "a record without its surname",
            "surname",
        ),
        ("/?fault=wrong-type", "a PIN that is a number, not text", ""),
        ("/?fault=not-json", "an HTML page instead of JSON", ""),
        ("/?fault=latin-1", "JSON that is not UTF-8", ""),
        ("/?fault=server-error", "500 Internal Server Error", "500"),
        ("/nowhere", "404 Not Found", "404"),
    ];
    for (path, what, mention) in broken {
        let run = run_against(session, &names, &["names", &names.url(path)])?;
        let expected = format!("a failure: the answer is {what}");
        let is_status = mention.parse::<u16>().is_ok();
        let hint = if is_status {
            NAME_THE_STATUS
        } else {
            KEEP_THE_CAUSE
        };
        expect_one_error_line(&run, &expected, &[mention], hint)?;
    }
    Ok(())
}

fn names_gives_up_in_time(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    // The service waits 5 seconds; the client, told to wait 1, gives up.
    let args = ["--timeout", "1", "names", &names.url("/?delay=5")];
    let run = run_against(session, &names, &args)?;
    let expected = "a failure after 1 second: no answer came";
    run.expect_failure(
        expected,
        "It waited for the slow answer. Send the request with the `client` that run() built, \
         which has the timeout of --timeout, through send(...)?.",
    )?;
    expect_one_error_line(
        &run,
        expected,
        &["timed out"],
        "Send requests with send(...)?: it explains a timeout.",
    )
}

/// A message for the board, different at each run, with characters a form
/// must escape (`&`, `+`, `=`, spaces).
fn random_message() -> String {
    format!("Tom & Jerry: 2+2=4 (#{})", random_number() % 100_000)
}

fn post_reports_the_redirect(session: &mut Session) -> CheckResult {
    let board = CourseServer::start("messageboard_sol")?;
    let message = random_message();
    let args = ["post", &board.url("/"), &format!("message={message}")];
    let run = run_against(session, &board, &args)?;
    let hint = if run.stdout.starts_with("HTTP/1.1 400") {
        "The board answered 400: it found no message field in the body of the POST. Send the \
         fields as a form, in the body, with .form(fields) (.query(fields) would put them in \
         the URL)."
    } else {
        "A redirect is not an error: print the status line and the Location header, then \
         return Ok(())."
    };
    let wrong_status = if run.printed_status_line() == "HTTP/1.1 200 OK" {
        "That is the page the redirect leads to: without --follow, report the 303 itself. \
         Send with the `client` that run() built, which follows only with --follow (a new \
         Client follows redirects by default)."
    } else {
        "Print the status line first, as in `get`: response.version() and response.status()."
    };
    expect_success(&run, "the 303 answer and where it points", hint)?
        .expect_printed_status_line("HTTP/1.1 303 See Other", wrong_status)?
        .expect_printed_header(
            "location: /",
            "For a status.is_redirection(), print the Location header: \
             response.headers().get(reqwest::header::LOCATION).",
        )?;
    let (_, page) = board.fetch("/")?;
    let page = String::from_utf8_lossy(&page);
    let shown = escape_html_text(&message);
    if page.matches(&shown).count() != 1 {
        let items = list_items(&page);
        return Err(Failure {
            sent: run.command.clone(),
            expected: format!("the board to show the message once: {shown}"),
            got: match items.is_empty() {
                true => "the board lists: no messages".to_owned(),
                false => format!("the board lists: {}", items.join("\n")),
            },
            hint: "Send the fields with .form(fields): it escapes &, + and = so that the \
                   message arrives whole, and sets the Content-Type of a form."
                .into(),
        });
    }
    Ok(())
}

fn post_follows_when_asked(session: &mut Session) -> CheckResult {
    let board = CourseServer::start("messageboard_sol")?;
    let message = random_message();
    let args = [
        "post",
        "--follow",
        &board.url("/"),
        &format!("message={message}"),
    ];
    let run = run_against(session, &board, &args)?;
    expect_success(
        &run,
        "the board's page, reached by following the redirect",
        STOPPED,
    )?
    .expect_printed_status_line(
        "HTTP/1.1 200 OK",
        "With --follow the client follows the 303 itself: the response you get is the \
             board's page. Print its status line, as in `get`.",
    )?
    .expect_stdout_contains(
        &escape_html_text(&message),
        "the board's page, with the message on it",
        "After a success, print an empty line and the body with print_body.",
    )?;
    Ok(())
}

fn post_explains_a_refused_form(session: &mut Session) -> CheckResult {
    let board = CourseServer::start("messageboard_sol")?;
    let args = ["post", &board.url("/"), "note=no message field"];
    let run = run_against(session, &board, &args)?;
    let expected = "a failure: the board answers 400 Bad Request";
    expect_one_error_line(&run, expected, &["400"], NAME_THE_STATUS)?;
    // The board's sentence, from the body of its 400.
    run.expect_stdout_contains(
        "no 'message' field",
        "the 400's status line, then its body, which says what was wrong (the form has no \
         'message' field), then the error line",
        "Print the body before you stop: an error page usually says what was wrong. First \
         println!() and print_body(&body), then if !status.is_success() { bail!(...) }.",
    )?;
    Ok(())
}

fn post_survives_a_redirect_without_location(session: &mut Session) -> CheckResult {
    let helper = HelperServer::start(Answer::Raw(
        b"HTTP/1.1 303 See Other\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ))?;
    let url = helper.url("/");
    let run = run_client(
        session,
        &["post", &url, "message=hi"],
        (&url, "URL"),
        "(URL: a server that answers 303 See Other with no Location header)",
    )?;
    run.expect_no_panic(
        "the 303 reported (or one error line), not a panic",
        "A server can leave out any header, Location included. response.headers().get(...) \
         gives an Option: handle None (say the server did not say where) instead of unwrap().",
    )?;
    Ok(())
}
