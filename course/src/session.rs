//! Talking to the program under check: HTTP requests with `reqwest`, and
//! runs of a program with arguments.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;

use crate::Failure;
use crate::process::{self, Launch, ProgramOutput, ServerProcess, shell_quote};

/// Where a student would run the request themselves: the port lessons use.
const STUDENT_ADDRESS: &str = "http://localhost:8000";

/// The program a lesson's checks run against, and a client to talk to it.
///
/// A server is started on the first request and stopped when the session
/// ends, so every check of a lesson run talks to the same server (a board
/// keeps its messages from one check to the next).
#[derive(Debug)]
pub struct Session {
    binary: PathBuf,
    is_server: bool,
    server: Option<ServerProcess>,
    client: Client,
    launch: Launch,
    temp_dir: Option<PathBuf>,
    /// Every request of the current check, as `curl` commands, so that a
    /// failure can show the whole scenario that led to it.
    sent: Vec<String>,
    /// Where the program under check was built from, for its own tests.
    source: Option<Source>,
}

/// Where a program under check was built from: the copy of the course, the
/// package and the binary, so that its `#[cfg(test)]` tests can be built
/// from the same files (see [`Session::unit_test`]).
#[derive(Debug, Clone)]
pub struct Source {
    /// The top folder of the course (or of a copy of it) it was built in.
    pub root: PathBuf,
    /// The package that builds it.
    pub package: Option<String>,
    /// The binary's name in that package: `threaded_server_sol`.
    pub binary: String,
}

/// A response, with the request that got it (as a `curl` command).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The request, as a `curl` command against localhost:8000.
    pub sent: String,
    /// The status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, as text (bytes that are not UTF-8 show as `�`).
    pub body: String,
}

impl Reply {
    /// The value of a response header, if present and readable as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The media type of the body, without parameters: `text/html` for
    /// `text/html; charset=utf-8`.
    pub fn media_type(&self) -> Option<String> {
        let value = self.header("content-type")?;
        Some(
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase(),
        )
    }

    /// The `charset` parameter of the Content-Type, lowercased and
    /// unquoted: `utf-8` for `text/plain; charset=utf-8`, for
    /// `text/plain;charset=UTF-8` and for `text/plain; charset="utf-8"`
    /// alike (HTTP allows spaces around the `;`, and the value is not case
    /// sensitive).
    pub fn charset(&self) -> Option<String> {
        let value = self.header("content-type")?;
        value.split(';').skip(1).find_map(|parameter| {
            let (name, value) = parameter.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"').trim().to_ascii_lowercase())
        })
    }

    /// Whether the body is `media_type` (`text/plain`) in UTF-8, however
    /// the header spells it.
    pub fn is_utf8(&self, media_type: &str) -> bool {
        self.media_type().as_deref() == Some(media_type)
            && self.charset().as_deref() == Some("utf-8")
    }

    /// A short description for a report: status, type and body.
    pub fn summary(&self) -> String {
        self.summary_around(&[])
    }

    /// Like [`Reply::summary`], with the body quoted around the first of
    /// `needles` it contains (see [`quote_body_around`]).
    pub fn summary_around(&self, needles: &[&str]) -> String {
        let content_type = self.header("content-type").unwrap_or("(no Content-Type)");
        format!(
            "{} {}, Content-Type: {content_type}\nbody: {}",
            self.status,
            http_server::reason_phrase(self.status),
            quote_body_around(&self.body, needles)
        )
    }

    /// A failure about this reply: what was sent, what came back, plus what
    /// was expected and a hint.
    pub fn fail(&self, expected: impl Into<String>, hint: impl Into<String>) -> Failure {
        let mut hint = hint.into();
        // A 500 the module sent because the handler misused the response
        // (no end_headers, a wrong Content-Length...) is the same mistake
        // whatever the check was about: say how to mend it, and nothing else.
        if let Some(mend) = self.response_misuse() {
            hint = format!(
                "The server answered 500 because the handler misused the response (its body, above, says how). {mend}"
            );
        } else if self.status == 500 && !hint.contains("500") {
            // A 500 means the handler itself failed, whatever the check was
            // about; the body the server sends says how, so point there first.
            hint = format!(
                "The server answered 500 because the handler failed: its body, above, says how. {hint}"
            );
        }
        Failure {
            sent: self.sent.clone(),
            expected: expected.into(),
            got: self.summary(),
            hint,
        }
    }

    /// How to mend the handler, when this is the module's 500 for a
    /// response the handler misused (see `Response::problem` in `src/`).
    fn response_misuse(&self) -> Option<&'static str> {
        if self.status != 500 {
            return None;
        }
        let problem = self
            .body
            .split("The server's handler went wrong: the handler ")
            .nth(1)?;
        let mend = if problem.starts_with("never called end_headers()") {
            "Every answer ends its headers with response.end_headers(), after the last \
             send_header and before any body: a redirect, which has no body, too."
        } else if problem.starts_with("sent no response") {
            "Every way through the handler must start an answer with \
             response.send_response(status), or return an error."
        } else if problem.starts_with("sent Content-Length") {
            "Do not send Content-Length yourself: the server counts the bytes you write and \
             fills it in, always right."
        } else {
            return None;
        };
        Some(mend)
    }
}

/// Whether reports show everything (`cargo course check --full`).
static FULL_REPORTS: AtomicBool = AtomicBool::new(false);

/// Makes every report show whole bodies, not their first 300 characters,
/// and every request of a failed check, not only the last few.
pub fn show_full_bodies(full: bool) {
    FULL_REPORTS.store(full, Ordering::Relaxed);
}

/// Whether reports show everything (see [`show_full_bodies`]).
fn full_reports() -> bool {
    FULL_REPORTS.load(Ordering::Relaxed)
}

/// A body, quoted and (unless [`show_full_bodies`]) shortened for a report.
///
/// Every page of the course starts with the same `<head>` and stylesheet,
/// so the excerpt of a page starts at `<body>`, where the form or the
/// message a check looks for is.
///
/// ```
/// let page = "<html><head><style>p { color: red }</style></head><body><p>Hi</p></body></html>";
/// assert_eq!(
///     course::session::quote_body(page),
///     r#""<body><p>Hi</p></body></html>" (head left out)"#
/// );
/// ```
pub fn quote_body(body: &str) -> String {
    const MAX: usize = 300;
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    if full_reports() {
        return format!("{body:?}");
    }
    let (body, left_out) = match body_start(body) {
        Some(at) => (&body[at..], " (head left out)"),
        None => (body, ""),
    };
    let shown: String = body.chars().take(MAX).collect();
    let more = if body.chars().count() > MAX {
        " ... (`--full` shows all of it)"
    } else {
        ""
    };
    format!("{shown:?}{left_out}{more}")
}

/// A body, quoted around the first of `needles` it contains: the excerpt
/// a report needs when a check looked for a text that a long page has far
/// from its start (a title in the middle of a list). With none of them in
/// the body, it is [`quote_body`]'s excerpt; with `--full`, all of it.
///
/// ```
/// let page = format!("<body>{}<li>&lt;b&gt; but <b>raw</b></li></body>", "<p>x</p>".repeat(100));
/// let quoted = course::session::quote_body_around(&page, &["<b>raw", "<ul"]);
/// assert!(quoted.starts_with("... \""), "{quoted}");
/// assert!(quoted.contains("<b>raw</b>"), "{quoted}");
/// ```
pub fn quote_body_around(body: &str, needles: &[&str]) -> String {
    const MAX: usize = 300;
    let found = needles
        .iter()
        .filter(|needle| !needle.is_empty())
        .find_map(|needle| body.find(needle).map(|at| (at, needle.len())));
    let Some((at, length)) = found else {
        return quote_body(body);
    };
    if full_reports() || body.chars().count() <= MAX {
        return quote_body(body);
    }
    // About a third of the excerpt before the needle, the rest after: the
    // text that leads to it, then it and what follows.
    let before = body[..at].chars().count();
    let context = MAX.saturating_sub(length.min(MAX)) / 3;
    let start_char = before.saturating_sub(context);
    let shown: String = body.chars().skip(start_char).take(MAX).collect();
    let lead = if start_char > 0 { "... " } else { "" };
    let more = if start_char + MAX < body.chars().count() {
        " ... (`--full` shows all of it)"
    } else {
        ""
    };
    format!("{lead}{shown:?}{more}")
}

/// Where the `<body>` of an HTML page starts, if the page has a `<head>`
/// (or anything else) before it.
fn body_start(body: &str) -> Option<usize> {
    // ASCII lowercasing keeps every byte where it was, so `at` is a valid
    // index into `body` too.
    let lower = body.to_ascii_lowercase();
    let at = lower.find("<body")?;
    let after = lower[at + "<body".len()..].chars().next();
    let is_tag = matches!(after, Some('>' | '/') | Some(' ' | '\t' | '\n' | '\r'));
    (at > 0 && is_tag).then_some(at)
}

/// A request a check sends (the server module's own is `http_server::Request`).
#[derive(Debug, Clone, Default)]
pub struct Outgoing<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path and query, starting with `/`.
    pub path: &'a str,
    /// Extra headers.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
}

impl Session {
    /// A session for the program at `binary`.
    pub fn new(binary: PathBuf, is_server: bool) -> Session {
        let client = Client::builder()
            .redirect(Policy::none())
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .expect("a plain HTTP client can always be built");
        Session {
            binary,
            is_server,
            server: None,
            client,
            launch: Launch::default(),
            temp_dir: None,
            sent: Vec::new(),
            source: None,
        }
    }

    /// Says where the program under check was built from, for
    /// [`Session::unit_test`]. `run_lesson` sets it; a session without it
    /// takes the binary of that name in the course itself.
    pub fn set_source(&mut self, source: Source) {
        self.source = Some(source);
    }

    /// Builds the tests of the program under check (its `#[cfg(test)]`
    /// functions, from the files it was built from) and runs the one called
    /// `name` (`tests::name`): for what no request can show, such as a
    /// client on another computer. A test program that does not compile
    /// is a failure that shows Cargo's messages.
    pub fn unit_test(&self, name: &str) -> Result<process::UnitTest, Failure> {
        let source = self.source.clone().unwrap_or_else(|| Source {
            root: process::repository_root(),
            package: None,
            binary: self.binary_name(),
        });
        let tests =
            process::build_tests_in(&source.root, source.package.as_deref(), &source.binary)
                .map_err(|output| {
                    Failure::plain(
                        format!(
                            "`cargo test --bin {}` does not compile:\n{}",
                            source.binary, output.messages
                        ),
                        "Fix the first error Cargo names (the tests at the end of main.rs are \
                         compiled too), then check again.",
                    )
                })?;
        process::run_unit_test(&tests, name)
    }

    /// Sets how the program under check is started from now on: arguments,
    /// environment, folder. A server already running keeps running until
    /// [`Session::restart`].
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let db = session.temp_dir()?.join("todos.sqlite");
    /// let launch = course::process::Launch::default().env("TODO_DB", db.display().to_string());
    /// session.set_launch(launch);
    /// session.get("/")?;
    /// # Ok(()) }
    /// ```
    pub fn set_launch(&mut self, launch: Launch) {
        self.launch = launch;
    }

    /// A folder of this session's own, empty at first and removed when the
    /// session ends: for files the program under check reads or writes.
    pub fn temp_dir(&mut self) -> Result<PathBuf, Failure> {
        if let Some(folder) = &self.temp_dir {
            return Ok(folder.clone());
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let folder = crate::process::target_dir()
            .join("course-tmp")
            .join(format!(
                "{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).map_err(|error| {
            Failure::plain(format!("could not make {}: {error}", folder.display()), "")
        })?;
        self.temp_dir = Some(folder.clone());
        Ok(folder)
    }

    /// Stops the server under check and starts it again, with the same
    /// launch (the same temporary folder and environment): to check that
    /// what it stored survives a restart.
    pub fn restart(&mut self) -> Result<&mut ServerProcess, Failure> {
        self.server = None; // dropping it stops the process
        self.server()
    }

    /// Forgets the requests sent so far (a new check begins).
    pub fn forget_sent(&mut self) {
        self.sent.clear();
    }

    /// The requests sent during the current check, in order.
    pub fn sent(&self) -> &[String] {
        &self.sent
    }

    /// `failure`, its `sent` made the scenario of the check, in order: the
    /// requests before the one that failed (the POST before the GET), then
    /// that one, marked, then any sent after it. Unless [`show_full_bodies`],
    /// only the few just before it are shown, with how many are left out.
    ///
    /// The commands name localhost:8000, where the student runs their
    /// program, but the check's server was elsewhere, and the request's
    /// `Host` said so. When what the failure expected names that address
    /// (a url built from the Host), the commands carry the Host that was
    /// really sent: run by hand, they get the answer the check got, not one
    /// that looks right because it names localhost:8000.
    pub fn with_scenario(&self, mut failure: Failure) -> Failure {
        let mut sent = scenario(&self.sent, &failure.sent, full_reports());
        if let Some(host) = self.server_host()
            && failure.expected.contains(host)
        {
            sent = with_host(&sent, host);
        }
        failure.sent = sent;
        failure
    }

    /// The Host requests to the server under check carry, `127.0.0.1:41234`,
    /// once it runs.
    fn server_host(&self) -> Option<&str> {
        let base_url = self.server.as_ref()?.base_url();
        let host = base_url
            .split_once("://")
            .map_or(base_url, |(_, rest)| rest);
        Some(host.trim_end_matches('/')).filter(|host| !host.is_empty())
    }

    /// The program under check.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The name the program is run by: `echo_server`.
    pub fn binary_name(&self) -> String {
        self.binary
            .file_stem()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The HTTP client the checks use (no redirects followed, 10 s timeout).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The server under check, started on first use.
    pub fn server(&mut self) -> Result<&mut ServerProcess, Failure> {
        if !self.is_server {
            return Err(Failure::plain("this lesson's program is not a server", ""));
        }
        if self.server.is_none() {
            let name = self.binary_name();
            let server = ServerProcess::start_with(&self.binary, &name, &self.launch)?;
            self.server = Some(server);
        }
        Ok(self.server.as_mut().expect("started just above"))
    }

    /// Runs the program under check with `args` (and the session's launch
    /// settings) and returns what it printed.
    pub fn run(&self, args: &[&str]) -> Result<ProgramOutput, Failure> {
        let mut launch = self.launch.clone();
        launch.args.extend(args.iter().map(|arg| (*arg).to_owned()));
        process::run_program(&self.binary, &self.binary_name(), &launch)
    }

    /// Sends `GET path`.
    pub fn get(&mut self, path: &str) -> Result<Reply, Failure> {
        self.send(Outgoing {
            method: "GET",
            path,
            ..Outgoing::default()
        })
    }

    /// Sends `HEAD path`.
    pub fn head(&mut self, path: &str) -> Result<Reply, Failure> {
        self.send(Outgoing {
            method: "HEAD",
            path,
            ..Outgoing::default()
        })
    }

    /// Sends a form, as a browser does: `POST path` with an
    /// `application/x-www-form-urlencoded` body.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Reply, Failure> {
        let body = encode_form(fields);
        self.send(Outgoing {
            method: "POST",
            path,
            headers: vec![("Content-Type", "application/x-www-form-urlencoded")],
            body: Some(body.into_bytes()),
        })
    }

    /// Sends any request.
    pub fn send(&mut self, request: Outgoing<'_>) -> Result<Reply, Failure> {
        let sent = curl_command(&request);
        self.sent.push(sent.clone());
        let server = self.server()?;
        let base_url = server.base_url().to_owned();
        // What the server prints from here on is about this request.
        let mark = server.output_mark();
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| Failure::plain(format!("{} is not a method", request.method), ""))?;
        let mut builder = self
            .client
            .request(method, format!("{base_url}{}", request.path));
        for (name, value) in &request.headers {
            builder = builder.header(*name, *value);
        }
        if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let response = builder.send().and_then(|response| {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes()?;
            Ok((status, headers, body))
        });
        match response {
            Ok((status, headers, body)) => Ok(Reply {
                sent,
                status,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
            }),
            Err(error) => Err(self.no_answer(sent, mark, &error)),
        }
    }

    /// The failure for a request that got no answer: the server may have
    /// crashed, hung or closed the connection. A server still running shows
    /// only what it printed after `mark` (lines of earlier requests would
    /// mislead); a stopped one shows its last lines, where a panic is.
    fn no_answer(&mut self, sent: String, mark: usize, error: &reqwest::Error) -> Failure {
        let mut cause = String::new();
        let mut source: Option<&dyn std::error::Error> = Some(error);
        while let Some(error) = source {
            cause = error.to_string();
            source = error.source();
        }
        let what = if error.is_timeout() {
            "no answer within 10 seconds".to_owned()
        } else {
            format!("no answer: {cause}")
        };
        let stopped = self
            .server
            .as_mut()
            .is_some_and(|server| server.exit_status().is_some());
        let (got, hint) = match self.server.as_ref() {
            Some(server) if stopped => (
                format!("{what}; the server has stopped.{}", server.output_for_report()),
                "The server crashed while answering. A panic message above names the file and line."
                    .to_owned(),
            ),
            Some(server) => (
                format!("{what}{}", server.output_for_report_since(mark)),
                "Every request needs a complete response: send_response, headers, end_headers, then \
                 the body. If the handler reads the body, it must not read more than Content-Length."
                    .to_owned(),
            ),
            None => (what, String::new()),
        };
        Failure {
            sent,
            expected: "an HTTP response".into(),
            got,
            hint,
        }
    }

    /// Sends `bytes` exactly as given over a new connection and returns what
    /// comes back until the server closes it (at most 5 seconds), for checks
    /// that need a request no client library would send.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let reply = session.send_raw(b"GARBAGE\r\n\r\n")?;
    /// assert!(reply.starts_with("HTTP/1.1 400 "));
    /// # Ok(()) }
    /// ```
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<String, Failure> {
        let base_url = self.server()?.base_url().to_owned();
        let shown = String::from_utf8_lossy(bytes).into_owned();
        let sent = format!(
            "printf {} | nc localhost 8000",
            shell_quote(&shown.escape_default().to_string())
        );
        self.sent.push(sent.clone());
        let address = base_url.trim_start_matches("http://");
        let exchange = || -> std::io::Result<String> {
            let address = std::net::ToSocketAddrs::to_socket_addrs(address)?
                .next()
                .ok_or_else(|| std::io::Error::other("no address"))?;
            http_server::send_raw(address, bytes)
        };
        exchange().map_err(|error| Failure {
            sent,
            expected: "an HTTP response".into(),
            got: format!("no answer: {error}"),
            hint: String::new(),
        })
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.server = None; // stop the program before removing its files
        if let Some(folder) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

/// The requests of a check, shown around `failed` (the request of the
/// failure): the last [`SHOWN_BEFORE`] before it (all of them when `full`),
/// `failed` marked with a shell comment (so that a copied line still runs),
/// and the few after it. A `failed` that is not among `sent` (a check that
/// wrote its own) is left as it is.
fn scenario(sent: &[String], failed: &str, full: bool) -> String {
    // The last time it was sent: a check may send the same request twice.
    let Some(at) = sent.iter().rposition(|request| request == failed) else {
        return failed.to_owned();
    };
    if sent.len() == 1 {
        return failed.to_owned();
    }
    let first = if full {
        0
    } else {
        at.saturating_sub(SHOWN_BEFORE)
    };
    let after = &sent[at + 1..];
    let shown_after = if full {
        after.len()
    } else {
        after.len().min(SHOWN_AFTER)
    };
    let mut lines = Vec::new();
    if first > 0 {
        lines.push(format!(
            "({} earlier {}: `--full` shows them)",
            first,
            plural(first, "request", "requests")
        ));
    }
    lines.extend(sent[first..at].iter().cloned());
    lines.push(format!("{failed}   # <- this one failed"));
    lines.extend(after[..shown_after].iter().cloned());
    let left = after.len() - shown_after;
    if left > 0 {
        lines.push(format!(
            "({left} more {} after it: `--full` shows them)",
            plural(left, "request", "requests")
        ));
    }
    lines.join("\n")
}

/// `scenario` with `-H 'Host: HOST'` in each curl command that does not
/// set its own Host, and a line that says why.
fn with_host(scenario: &str, host: &str) -> String {
    let header = format!("-H {}", shell_quote(&format!("Host: {host}")));
    let mut changed = false;
    let mut lines: Vec<String> = scenario
        .lines()
        .map(|line| {
            let Some(rest) = line.strip_prefix("curl ") else {
                return line.to_owned();
            };
            if line.to_ascii_lowercase().contains("host: ") {
                return line.to_owned();
            }
            changed = true;
            // After curl's first option (-i or -I), as the other headers.
            match rest.split_once(' ') {
                Some((option, rest)) if option.starts_with('-') => {
                    format!("curl {option} {header} {rest}")
                }
                _ => format!("curl {header} {rest}"),
            }
        })
        .collect();
    if changed {
        lines.push(format!(
            "# Host: {host} is the address the check's server had; with it, yours on port 8000 answers as that one did"
        ));
    }
    lines.join("\n")
}

/// How many requests before the failed one a report shows.
const SHOWN_BEFORE: usize = 5;
/// How many requests after the failed one a report shows.
const SHOWN_AFTER: usize = 2;

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// `name=value&...`, escaped the way browsers send forms.
///
/// ```
/// assert_eq!(course::session::encode_form(&[("message", "Hi there!")]), "message=Hi+there%21");
/// ```
pub fn encode_form(fields: &[(&str, &str)]) -> String {
    // As a browser sends a form: the module's percent_encode, with a space
    // written as `+`, so that checks also try the student's `+` decoding.
    let escape = |text: &str| http_server::percent_encode(text).replace("%20", "+");
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", escape(name), escape(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The request as a `curl` command the student can run against their own
/// server on port 8000.
pub fn curl_command(request: &Outgoing<'_>) -> String {
    let mut words = vec!["curl".to_owned(), "-i".to_owned()];
    match (request.method, &request.body) {
        ("GET", None) => {}
        ("HEAD", None) => words[1] = "-I".to_owned(),
        ("POST", Some(_)) => {}
        (method, _) => words.extend(["-X".to_owned(), method.to_owned()]),
    }
    for (name, value) in &request.headers {
        let is_form = name.eq_ignore_ascii_case("content-type")
            && value.starts_with("application/x-www-form-urlencoded");
        if !is_form {
            words.extend(["-H".to_owned(), shell_quote(&format!("{name}: {value}"))]);
        }
    }
    if let Some(body) = &request.body {
        words.extend(["-d".to_owned(), shell_quote(&String::from_utf8_lossy(body))]);
    }
    words.push(shell_quote(&format!("{STUDENT_ADDRESS}{}", request.path)));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply_with(content_type: &str, status: u16, body: &str) -> Reply {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            content_type.parse().expect("a header value"),
        );
        Reply {
            sent: String::new(),
            status,
            headers,
            body: body.to_owned(),
        }
    }

    #[test]
    fn reads_the_charset_as_http_allows() {
        for spelling in [
            "text/plain; charset=utf-8",
            "text/plain;charset=UTF-8",
            "Text/Plain ; Charset=\"utf-8\"",
            "text/plain; format=flowed; charset=Utf-8",
        ] {
            assert!(
                reply_with(spelling, 200, "").is_utf8("text/plain"),
                "{spelling}"
            );
        }
        for wrong in [
            "text/plain",
            "text/html; charset=utf-8",
            "text/plain; charset=latin-1",
        ] {
            assert!(!reply_with(wrong, 200, "").is_utf8("text/plain"), "{wrong}");
        }
    }

    #[test]
    fn says_how_to_mend_a_misused_response() {
        let body = "500 Internal Server Error\n\nThe server's handler went wrong: the handler \
                    never called end_headers()\n";
        let failure = reply_with("text/plain", 500, body).fail("status 303", "Read the form.");
        assert!(failure.hint.contains("end_headers()"), "{}", failure.hint);
        assert!(!failure.hint.contains("Read the form"), "{}", failure.hint);
        let panic = "500 Internal Server Error\n\nThe server's handler went wrong: do_post \
                     panicked: oops\n";
        let failure = reply_with("text/plain", 500, panic).fail("status 303", "Read the form.");
        assert!(failure.hint.contains("Read the form"), "{}", failure.hint);
    }

    #[test]
    fn encodes_forms_like_a_browser() {
        assert_eq!(
            encode_form(&[("message", "Hi there! <3")]),
            "message=Hi+there%21+%3C3"
        );
        assert_eq!(encode_form(&[("a", "é"), ("b", "")]), "a=%C3%A9&b=");
    }

    #[test]
    fn shows_requests_as_curl_commands() {
        let get = Outgoing {
            method: "GET",
            path: "/Balloon",
            ..Outgoing::default()
        };
        assert_eq!(curl_command(&get), "curl -i http://localhost:8000/Balloon");
        let post = Outgoing {
            method: "POST",
            path: "/",
            headers: vec![("Content-Type", "application/x-www-form-urlencoded")],
            body: Some(b"message=Hi+there".to_vec()),
        };
        assert_eq!(
            curl_command(&post),
            "curl -i -d message=Hi+there http://localhost:8000/"
        );
        let head = Outgoing {
            method: "HEAD",
            path: "/",
            ..Outgoing::default()
        };
        assert_eq!(curl_command(&head), "curl -I http://localhost:8000/");
    }

    #[test]
    fn a_failure_shows_the_requests_that_led_to_it() {
        let mut session = Session::new(PathBuf::from("nothing"), true);
        session.sent = vec![
            "curl -i http://localhost:8000/".into(),
            "curl -i -d title= http://localhost:8000/".into(),
            "curl -i -d title=+++ http://localhost:8000/".into(),
        ];
        let failure = Failure {
            sent: "curl -i -d title=+++ http://localhost:8000/".into(),
            expected: String::new(),
            got: String::new(),
            hint: String::new(),
        };
        let failure = session.with_scenario(failure);
        assert_eq!(
            failure.sent,
            "curl -i http://localhost:8000/\n\
             curl -i -d title= http://localhost:8000/\n\
             curl -i -d title=+++ http://localhost:8000/   # <- this one failed"
        );
    }

    #[test]
    fn a_scenario_shows_the_host_really_sent_when_it_matters() {
        let scenario = "curl -i http://localhost:8000/todos\n\
                        curl -i -X PATCH -d '{}' http://localhost:8000/todos/1   # <- this one failed\n\
                        curl -i -H 'Host: a.example:9' http://localhost:8000/todos";
        let shown = with_host(scenario, "127.0.0.1:4321");
        assert_eq!(
            shown,
            "curl -i -H 'Host: 127.0.0.1:4321' http://localhost:8000/todos\n\
             curl -i -H 'Host: 127.0.0.1:4321' -X PATCH -d '{}' http://localhost:8000/todos/1   # <- this one failed\n\
             curl -i -H 'Host: a.example:9' http://localhost:8000/todos\n\
             # Host: 127.0.0.1:4321 is the address the check's server had; with it, yours on port 8000 answers as that one did"
        );
        // Lines that are not curl commands, and a scenario with none, stay.
        assert_eq!(
            with_host("printf x | nc localhost 8000", "127.0.0.1:4321"),
            "printf x | nc localhost 8000"
        );
    }

    #[test]
    fn a_scenario_ends_at_the_last_sending_of_the_failed_request() {
        let sent: Vec<String> = ["GET /", "POST /", "GET /", "GET /b"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            scenario(&sent, "GET /", false),
            "GET /\nPOST /\nGET /   # <- this one failed\nGET /b"
        );
        // One request alone needs no marking; a request a check wrote
        // itself stays as it is.
        assert_eq!(scenario(&sent[..1], "GET /", false), "GET /");
        assert_eq!(scenario(&sent, "printf x | nc", false), "printf x | nc");
    }

    #[test]
    fn a_long_scenario_counts_what_it_leaves_out_unless_full() {
        let sent: Vec<String> = (1..=12).map(|n| format!("GET /{n}")).collect();
        let short = scenario(&sent, "GET /9", false);
        assert_eq!(
            short,
            "(3 earlier requests: `--full` shows them)\n\
             GET /4\nGET /5\nGET /6\nGET /7\nGET /8\n\
             GET /9   # <- this one failed\n\
             GET /10\nGET /11\n\
             (1 more request after it: `--full` shows them)"
        );
        let full = scenario(&sent, "GET /9", true);
        assert_eq!(full.lines().count(), 12, "{full}");
        assert!(
            full.starts_with("GET /1\n") && full.ends_with("GET /12"),
            "{full}"
        );
    }

    #[test]
    fn a_page_excerpt_starts_at_its_body() {
        let style = "p { margin: 0 } ".repeat(40);
        let page = format!(
            "<!doctype html>\n<html><head><style>{style}</style></head>\n\
             <BODY class=\"x\"><form method=\"post\"></form><p class=\"problem\">No title</p></BODY></html>"
        );
        let quoted = quote_body(&page);
        assert!(quoted.starts_with("\"<BODY class="), "{quoted}");
        assert!(
            quoted.contains("class=\\\"problem\\\"") && quoted.contains("(head left out)"),
            "{quoted}"
        );
        assert!(!quoted.contains("<style>"), "{quoted}");
        // Text that is not a page, or a page that starts at <body>, is
        // quoted from its start.
        assert_eq!(quote_body("a <bodyguard>"), "\"a <bodyguard>\"");
        assert_eq!(quote_body("<body>hi</body>"), "\"<body>hi</body>\"");
        let long = "x".repeat(400);
        assert!(quote_body(&long).ends_with("... (`--full` shows all of it)"));
    }

    #[test]
    fn a_page_excerpt_can_centre_on_what_a_check_looked_for() {
        let items = "<li>an ordinary todo</li>".repeat(40);
        let page = format!("<head></head><body><ul>{items}<li><script>x</script></li></ul></body>");
        let quoted = quote_body_around(&page, &["<script>x", "<ul"]);
        assert!(quoted.starts_with("... \""), "{quoted}");
        assert!(quoted.contains("<li><script>x</script></li>"), "{quoted}");
        assert!(quoted.chars().count() < 400, "{quoted}");
        // The first needle that is there wins; none there is quote_body.
        let quoted = quote_body_around(&page, &["<nav", "<ul>"]);
        assert!(quoted.starts_with("\"<head></head><body><ul>"), "{quoted}");
        assert_eq!(quote_body_around(&page, &["<nav"]), quote_body(&page));
        assert_eq!(quote_body_around("short", &["or"]), quote_body("short"));
    }

    #[test]
    fn a_request_without_an_answer_shows_only_what_was_logged_after_it() {
        use crate::kit::helpers::{Answer, HelperServer};
        // A "server" that prints its address (a helper that closes every
        // connection without a word) and a log line of an earlier request.
        let helper = HelperServer::start(Answer::Raw(b"")).unwrap();
        let script = format!(
            "echo 'Serving HTTP on {}/'; echo 'GET /earlier 200'; exec /bin/sleep 60",
            helper.url("")
        );
        let mut session = Session::new(PathBuf::from("/bin/sh"), true);
        session.set_launch(Launch::default().arg("-c").arg(&script));
        let server = session.server().unwrap();
        // The log line is read by another thread: wait until it is in.
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while !server.output().contains("GET /earlier") {
            assert!(std::time::Instant::now() < until, "the log line never came");
            std::thread::yield_now();
        }
        let failure = session.get("/hangs").unwrap_err();
        assert!(failure.got.starts_with("no answer"), "{failure}");
        assert!(!failure.got.contains("GET /earlier"), "{failure}");
        assert!(
            failure
                .got
                .contains("printed nothing after this request was sent"),
            "{failure}"
        );
    }
}
