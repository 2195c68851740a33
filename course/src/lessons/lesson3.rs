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
use crate::session::{Session, quote_body};
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use http_server::escape_html_text;

/// Lesson 3, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(3, "client", "Client").client().checks(
    CHECKS,
    HINTS,
    include_str!("lesson3.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
pub const CHECKS: &[Check] = &[
    Check::step(
        "get",
        "client get shows the status line, the headers, an empty line, then the body",
        get_shows_the_whole_response,
    ),
    Check::step(
        "get",
        "client get shows every header: a repeated one once per value, one that is not ASCII without failing",
        get_shows_every_header,
    ),
    Check::step(
        "get",
        "client get shows a 404 like any other answer",
        get_shows_error_statuses,
    ),
    Check::step(
        "get",
        "client get shows the size of a body that is not UTF-8 text, not its bytes",
        get_hides_bytes_that_are_not_text,
    ),
    Check::step(
        "get",
        "client get explains a refused connection in one line",
        get_explains_refused_connections,
    ),
    Check::step(
        "names",
        "client names introduces the person of the names service's record",
        names_introduces_the_person,
    ),
    Check::step(
        "names",
        "client names explains a broken record in one error line",
        names_explains_broken_records,
    ),
    Check::step(
        "names",
        "client names gives up on a server that does not answer in time",
        names_gives_up_in_time,
    ),
    Check::step(
        "post",
        "client post sends the form and reports the 303 and its Location, without following",
        post_reports_the_redirect,
    ),
    Check::step(
        "post",
        "client post --follow follows the redirect to the board",
        post_follows_when_asked,
    ),
    Check::step(
        "post",
        "client post does not panic on a redirect that has no Location",
        post_survives_a_redirect_without_location,
    ),
    Check::step(
        "post",
        "client post shows a refused form's page (400) and explains it in one error line",
        post_explains_a_refused_form,
    ),
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

/// Where the student runs the servers: the address their commands show.
const STUDENT_URL: &str = "http://localhost:8000";

/// Runs the client with `args` (URLs of `server` in them) and returns what
/// it printed, with the command as the student would type it against the
/// server on port 8000.
fn run_against(session: &Session, server: &CourseServer, args: &[String]) -> Result<Run, Failure> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = session.run(&words)?;
    let shown: Vec<String> = args
        .iter()
        .map(|arg| shell_quote(&arg.replace(server.base_url(), STUDENT_URL)))
        .collect();
    let sent = format!(
        "cargo run --bin {} -- {}\n(with `cargo run --bin {}` running on port 8000)",
        session.binary_name(),
        shown.join(" "),
        server.name()
    );
    Ok(Run { output, sent })
}

/// One run of the client: what it printed, and the command that did it.
struct Run {
    output: ProgramOutput,
    sent: String,
}

impl Run {
    /// A failure about this run.
    fn fail(&self, expected: impl Into<String>, hint: impl Into<String>) -> Failure {
        let output = &self.output;
        let ending = match output.code {
            Some(0) => "it succeeded (exit code 0)".to_owned(),
            Some(code) => format!("it failed (exit code {code})"),
            None => "it was stopped by a signal".to_owned(),
        };
        Failure {
            sent: self.sent.clone(),
            expected: expected.into(),
            got: format!(
                "{ending}\nstdout: {}\nstderr: {}",
                quote_body(&output.stdout),
                quote_body(&output.stderr)
            ),
            hint: hint.into(),
        }
    }

    fn succeeded(&self) -> bool {
        self.output.code == Some(0)
    }

    fn panicked(&self) -> bool {
        self.output.code == Some(101) || self.output.stderr.contains("panicked")
    }

    /// Expects a success; otherwise a failure that shows the error, with
    /// `hint` (or a general one) if it is not a panic.
    fn expect_success(&self, expected: &str, hint: Option<&str>) -> CheckResult {
        if self.panicked() {
            return Err(self.fail(
                expected,
                "The client panicked: the message above names the file and line. Replace \
                 unwrap() and expect() with `?`, so errors reach main and print as one line.",
            ));
        }
        if !self.succeeded() {
            return Err(self.fail(
                expected,
                hint.unwrap_or("The client stopped with an error: read its line under stderr."),
            ));
        }
        Ok(())
    }

    /// Expects a failure explained in one line, `error: ...`, that mentions
    /// every word of `mentions`; `unmentioned` is the hint if it does not.
    fn expect_one_error_line(
        &self,
        expected: &str,
        mentions: &[&str],
        unmentioned: &str,
    ) -> CheckResult {
        let expected = format!("{expected}, explained in one line on stderr: error: ...");
        if self.panicked() {
            return Err(self.fail(
                expected,
                "The client panicked: a bad answer is not a bug in the client. Use `?` with \
                 .with_context(...) (or bail!) instead of unwrap() or expect(), and main prints \
                 one line.",
            ));
        }
        if self.succeeded() {
            return Err(self.fail(
                expected,
                "The client said it succeeded. When the answer cannot give what was asked for, \
                 return an error (bail! or `?`), so main prints it and exits with a failure.",
            ));
        }
        let lines: Vec<&str> = self
            .output
            .stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect();
        if lines.len() != 1 || !lines[0].starts_with("error: ") {
            return Err(self.fail(
                expected,
                "main already prints the error, with its context, as one line: return it with \
                 `?` or bail! rather than printing it yourself.",
            ));
        }
        let line = lines[0].to_ascii_lowercase();
        if let Some(missing) = mentions
            .iter()
            .find(|word| !line.contains(&word.to_ascii_lowercase()))
        {
            return Err(self.fail(format!("{expected} (mentioning {missing})"), unmentioned));
        }
        if self.output.stdout.contains("My name is") {
            return Err(self.fail(
                expected,
                "Nothing of a broken record should be printed: decode it completely first.",
            ));
        }
        Ok(())
    }
}

/// The status line and header lines `client get` printed, and what came
/// after the empty line.
fn split_response(stdout: &str) -> (&str, Vec<&str>, Option<&str>) {
    let (head, body) = match stdout.split_once("\n\n") {
        Some((head, body)) => (head, Some(body)),
        None => (stdout, None),
    };
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    (status_line, lines.collect(), body)
}

fn get_shows_the_whole_response(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    let path = format!("/?seed={}", random_number() % 1000);
    let (_, body) = names.fetch(&path)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    let run = run_against(session, &names, &["get".into(), names.url(&path)])?;
    run.expect_success("the response, as curl -i shows it", None)?;
    let (status_line, headers, shown_body) = split_response(&run.output.stdout);
    if status_line != "HTTP/1.1 200 OK" {
        let hint = if status_line.starts_with('{') {
            "That is the body. Print the status line first: response.version() with {:?} \
             gives HTTP/1.1, response.status() with {} gives 200 OK."
        } else {
            "The first line is the status line: println!(\"{:?} {}\", response.version(), \
             response.status())."
        };
        return Err(run.fail("first the status line: HTTP/1.1 200 OK", hint));
    }
    let seed = path.trim_start_matches("/?seed=");
    for (name, value) in [("content-type", "application/json"), ("x-seed", seed)] {
        let wanted = format!("{name}: {value}");
        if !headers
            .iter()
            .any(|line| line.eq_ignore_ascii_case(&wanted))
        {
            return Err(run.fail(
                format!("after the status line, one line per header, among them {wanted}"),
                "Loop over response.headers(): each item is (name, value); print \
                 name, \": \" and the value (String::from_utf8_lossy(value.as_bytes())).",
            ));
        }
    }
    if shown_body.map(str::trim_end) != Some(body.trim_end()) {
        return Err(run.fail(
            format!("after the headers, an empty line, then the body:\n{body}"),
            "End the headers with println!() and print the body after them, as it came.",
        ));
    }
    Ok(())
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
    let output = session.run(&["get", &url])?;
    let run = Run {
        output,
        sent: format!(
            "cargo run --bin {} -- get URL\n(URL: a server that answers with two Set-Cookie \
             headers, flavour=oatmeal and colour=blue, and X-Name: M\\xfcller, a Latin-1 byte)",
            session.binary_name()
        ),
    };
    let expected = "one line per header: set-cookie: flavour=oatmeal, set-cookie: colour=blue, \
                    and x-name: M\u{FFFD}ller (the byte that is not text shown as \u{FFFD})";
    let not_text = "A header value is bytes, not always text: value.to_str() fails on a byte \
                    that is not visible ASCII, and unwrap() turns that into a panic. \
                    String::from_utf8_lossy(value.as_bytes()) shows it as \u{FFFD}, without \
                    failing.";
    if run.panicked() {
        return Err(run.fail(expected, not_text));
    }
    run.expect_success(expected, Some(not_text))?;
    let (_, headers, _) = split_response(&run.output.stdout);
    let shows = |wanted: &str| {
        headers
            .iter()
            .any(|line| line.to_ascii_lowercase().starts_with(wanted))
    };
    if !shows("set-cookie: flavour=oatmeal") || !shows("set-cookie: colour=blue") {
        return Err(run.fail(
            expected,
            "A header can come more than once: a server sends one Set-Cookie per cookie. Loop \
             over the pairs, for (name, value) in response.headers(), which gives each value; \
             looking a name up (headers()[name], headers().get(name)) gives only the first.",
        ));
    }
    if !shows("x-name: m") {
        return Err(run.fail(expected, not_text));
    }
    Ok(())
}

fn get_shows_error_statuses(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    let run = run_against(session, &names, &["get".into(), names.url("/nowhere")])?;
    run.expect_success(
        "the 404 answer, shown like any other",
        Some(
            "A 404 is an answer too: `client get` shows whatever comes back, like curl -i, and \
             succeeds. Only a missing answer is an error.",
        ),
    )?;
    let (status_line, _, _) = split_response(&run.output.stdout);
    if status_line != "HTTP/1.1 404 Not Found" {
        return Err(run.fail(
            "first the status line: HTTP/1.1 404 Not Found",
            "A 404 is an answer too: `client get` shows whatever comes back, status first.",
        ));
    }
    Ok(())
}

fn get_hides_bytes_that_are_not_text(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    // One seed for both requests, so that both get the same person.
    let path = format!("/?fault=latin-1&seed={}", random_number() % 1000);
    let (_, body) = names.fetch(&path)?;
    let run = run_against(session, &names, &["get".into(), names.url(&path)])?;
    run.expect_success("the response, its body replaced by its size", None)?;
    let size = format!("{} bytes", body.len());
    if run.output.stdout.contains('\u{FFFD}') || !run.output.stdout.contains(&size) {
        return Err(run.fail(
            format!("the status line and headers, then a line that gives the size: {size}"),
            "This body is Latin-1, not UTF-8: its bytes would garble a terminal. Keep \
             print_body(&body) for the body: it prints text as it is and other bytes as a size.",
        ));
    }
    Ok(())
}

fn get_explains_refused_connections(session: &mut Session) -> CheckResult {
    // A port that was free a moment ago: nothing listens there now.
    let port = refused_port()?;
    let url = format!("http://127.0.0.1:{port}/");
    let output = session.run(&["get", &url])?;
    let run = Run {
        sent: format!(
            "cargo run --bin {} -- get http://127.0.0.1:{port}/\n(with no server on port {port})",
            session.binary_name()
        ),
        output,
    };
    let port_text = format!("port {port}");
    run.expect_one_error_line(
        "a failure: no server listens there",
        &["connection refused", &port_text],
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
        let run = run_against(session, &names, &["names".into(), names.url(&path)])?;
        // serde's "invalid type": a field of the struct is not the JSON's type.
        let wrong_type = run.output.stderr.contains("invalid type").then_some(
            "serde says a field of your struct does not have the JSON's type: every field the \
             sentence needs is a JSON string (\"pin\": \"0420\"), so make it a String (a number \
             would also lose the PIN's leading zero).",
        );
        run.expect_success(&sentence, wrong_type)?;
        let printed = run.output.stdout.trim_end();
        if printed != sentence {
            let hint = if printed.starts_with('{') {
                "That is the JSON as it came. Decode it into your Person struct, \
                 let person: Person = response.json()?; then print the sentence from its fields."
            } else {
                "Print exactly this one line, with the name, surname and credit_card.pin of the \
                 record: println!(\"My name is {} {} and the PIN on my card is {}.\", ...)."
            };
            return Err(run.fail(sentence, hint));
        }
    }
    Ok(())
}

fn names_explains_broken_records(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    // Each broken answer, what it is, and what the error line must name.
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
        let run = run_against(session, &names, &["names".into(), names.url(path)])?;
        let expected = format!("a failure: the answer is {what}");
        let (mentions, hint) = match mention {
            "" => (&[][..], KEEP_THE_CAUSE),
            "500" | "404" => (&[mention][..], NAME_THE_STATUS),
            _ => (&[mention][..], KEEP_THE_CAUSE),
        };
        run.expect_one_error_line(&expected, mentions, hint)?;
    }
    Ok(())
}

fn names_gives_up_in_time(session: &mut Session) -> CheckResult {
    let names = CourseServer::start("names_service")?;
    // The service waits 5 seconds; the client, told to wait 1, gives up.
    let args = [
        "--timeout".into(),
        "1".into(),
        "names".into(),
        names.url("/?delay=5"),
    ];
    let run = run_against(session, &names, &args)?;
    if run.succeeded() {
        return Err(run.fail(
            "a failure after 1 second: no answer came",
            "It waited for the slow answer. Send the request with the `client` that run() \
             built, which has the timeout of --timeout, through send(...)?.",
        ));
    }
    run.expect_one_error_line(
        "a failure after 1 second: no answer came",
        &["timed out"],
        "Send requests with send(...)?: it explains a timeout.",
    )
}

/// A message for the board, different at each run, with characters a form
/// must escape (`&`, `+`, `=`, spaces).
fn random_message() -> String {
    format!("Tom & Jerry: 2+2=4 (#{})", random_number() % 100_000)
}

/// The messages on the board's page: its list items.
fn board_items(page: &str) -> String {
    let items = list_items(page);
    if items.is_empty() {
        "no messages".to_owned()
    } else {
        items.join("\n")
    }
}

fn post_reports_the_redirect(session: &mut Session) -> CheckResult {
    let board = CourseServer::start("messageboard_sol")?;
    let message = random_message();
    let args = ["post".into(), board.url("/"), format!("message={message}")];
    let run = run_against(session, &board, &args)?;
    let refused = run.output.stdout.starts_with("HTTP/1.1 400").then_some(
        "The board answered 400: it found no message field in the body of the POST. Send \
             the fields as a form, in the body, with .form(fields) (.query(fields) would put \
             them in the URL).",
    );
    run.expect_success(
        "the 303 answer and where it points",
        refused.or(Some(
            "A redirect is not an error: print the status line and the Location header, then \
             return Ok(()).",
        )),
    )?;
    let (status_line, headers, _) = split_response(&run.output.stdout);
    if status_line != "HTTP/1.1 303 See Other" {
        let hint = if status_line == "HTTP/1.1 200 OK" {
            "That is the page the redirect leads to: without --follow, report the 303 itself. \
             Send with the `client` that run() built, which follows only with --follow (a new \
             Client follows redirects by default)."
        } else {
            "Print the status line first, as in `get`: response.version() and \
             response.status()."
        };
        return Err(run.fail("first the status line: HTTP/1.1 303 See Other", hint));
    }
    if !headers
        .iter()
        .any(|line| line.eq_ignore_ascii_case("location: /"))
    {
        return Err(run.fail(
            "then the line Location: /",
            "For a status.is_redirection(), print the Location header: \
             response.headers().get(reqwest::header::LOCATION).",
        ));
    }
    let (_, page) = board.fetch("/")?;
    let page = String::from_utf8_lossy(&page);
    let shown = escape_html_text(&message);
    if page.matches(&shown).count() != 1 {
        return Err(Failure {
            sent: run.sent.clone(),
            expected: format!("the board to show the message once: {shown}"),
            got: format!("the board lists: {}", board_items(&page)),
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
        "post".into(),
        "--follow".into(),
        board.url("/"),
        format!("message={message}"),
    ];
    let run = run_against(session, &board, &args)?;
    run.expect_success("the board's page, reached by following the redirect", None)?;
    let (status_line, _, _) = split_response(&run.output.stdout);
    if status_line != "HTTP/1.1 200 OK" {
        return Err(run.fail(
            "first the status line of the page the redirect leads to: HTTP/1.1 200 OK",
            "With --follow the client follows the 303 itself: the response you get is the \
             board's page. Print its status line, as in `get`.",
        ));
    }
    if !run.output.stdout.contains(&escape_html_text(&message)) {
        return Err(run.fail(
            "the board's page, with the message on it",
            "After a success, print an empty line and the body with print_body.",
        ));
    }
    Ok(())
}

fn post_explains_a_refused_form(session: &mut Session) -> CheckResult {
    let board = CourseServer::start("messageboard_sol")?;
    let args = [
        "post".into(),
        board.url("/"),
        "note=no message field".into(),
    ];
    let run = run_against(session, &board, &args)?;
    run.expect_one_error_line(
        "a failure: the board answers 400 Bad Request",
        &["400"],
        NAME_THE_STATUS,
    )?;
    // The board's sentence, from the body of its 400.
    if !run.output.stdout.contains("no 'message' field") {
        return Err(run.fail(
            "the 400's status line, then its body, which says what was wrong (the form has no \
             'message' field), then the error line",
            "Print the body before you stop: an error page usually says what was wrong. First \
             println!() and print_body(&body), then if !status.is_success() { bail!(...) }.",
        ));
    }
    Ok(())
}

fn post_survives_a_redirect_without_location(session: &mut Session) -> CheckResult {
    let helper = HelperServer::start(Answer::Raw(
        b"HTTP/1.1 303 See Other\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ))?;
    let url = helper.url("/");
    let output = session.run(&["post", &url, "message=hi"])?;
    let run = Run {
        output,
        sent: format!(
            "cargo run --bin {} -- post URL message=hi\n(URL: a server that answers 303 See Other with no Location header)",
            session.binary_name()
        ),
    };
    if run.panicked() {
        return Err(run.fail(
            "the 303 reported (or one error line), not a panic",
            "A server can leave out any header, Location included. response.headers().get(...) \
             gives an Option: handle None (say the server did not say where) instead of \
             unwrap().",
        ));
    }
    Ok(())
}
