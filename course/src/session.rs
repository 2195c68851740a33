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

    /// A short description for a report: status, type and body.
    pub fn summary(&self) -> String {
        let content_type = self.header("content-type").unwrap_or("(no Content-Type)");
        format!(
            "{} {}, Content-Type: {content_type}\nbody: {}",
            self.status,
            reason(self.status),
            quote_body(&self.body)
        )
    }

    /// A failure about this reply: what was sent, what came back, plus what
    /// was expected and a hint.
    pub fn fail(&self, expected: impl Into<String>, hint: impl Into<String>) -> Failure {
        let mut hint = hint.into();
        // A 500 means the handler itself failed, whatever the check was
        // about; the body the server sends says how, so point there first.
        if self.status == 500 && !hint.contains("500") {
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
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("")
}

/// Whether reports show whole bodies (`cargo course check --full`).
static FULL_BODIES: AtomicBool = AtomicBool::new(false);

/// Makes every report show whole bodies, not their first 300 characters.
pub fn show_full_bodies(full: bool) {
    FULL_BODIES.store(full, Ordering::Relaxed);
}

/// A body, quoted and (unless [`show_full_bodies`]) shortened for a report.
pub fn quote_body(body: &str) -> String {
    const MAX: usize = 300;
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let full = FULL_BODIES.load(Ordering::Relaxed);
    let max = if full { usize::MAX } else { MAX };
    let shown: String = body.chars().take(max).collect();
    let more = if body.chars().count() > max {
        " ... (`--full` shows all of it)"
    } else {
        ""
    };
    format!("{shown:?}{more}")
}

/// A request a check sends.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
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
        }
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
        let folder = crate::shipped::target_dir()
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

    /// `failure`, its `sent` extended with the requests of the check that
    /// came before the one that failed (the POST before the GET).
    pub fn with_scenario(&self, mut failure: Failure) -> Failure {
        const SHOWN: usize = 6;
        let Some(at) = self.sent.iter().position(|sent| *sent == failure.sent) else {
            return failure;
        };
        if at == 0 {
            return failure;
        }
        let first = at.saturating_sub(SHOWN);
        let mut lines = Vec::new();
        if first > 0 {
            lines.push(format!("({first} earlier requests)"));
        }
        for (number, sent) in self.sent[first..=at].iter().enumerate() {
            lines.push(if number == 0 && first == 0 {
                sent.clone()
            } else {
                format!("then: {sent}")
            });
        }
        failure.sent = lines.join("\n");
        failure
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
        self.send(Request {
            method: "GET",
            path,
            ..Request::default()
        })
    }

    /// Sends `HEAD path`.
    pub fn head(&mut self, path: &str) -> Result<Reply, Failure> {
        self.send(Request {
            method: "HEAD",
            path,
            ..Request::default()
        })
    }

    /// Sends a form, as a browser does: `POST path` with an
    /// `application/x-www-form-urlencoded` body.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Reply, Failure> {
        let body = encode_form(fields);
        self.send(Request {
            method: "POST",
            path,
            headers: vec![("Content-Type", "application/x-www-form-urlencoded")],
            body: Some(body.into_bytes()),
        })
    }

    /// Sends any request.
    pub fn send(&mut self, request: Request<'_>) -> Result<Reply, Failure> {
        let sent = curl_command(&request);
        self.sent.push(sent.clone());
        let base_url = self.server()?.base_url().to_owned();
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
            Err(error) => Err(self.no_answer(sent, &error)),
        }
    }

    /// The failure for a request that got no answer: the server may have
    /// crashed, hung or closed the connection.
    fn no_answer(&mut self, sent: String, error: &reqwest::Error) -> Failure {
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
                format!("{what}{}", server.output_for_report()),
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
}

impl Session {
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
pub fn curl_command(request: &Request<'_>) -> String {
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
        let get = Request {
            method: "GET",
            path: "/Balloon",
            ..Request::default()
        };
        assert_eq!(curl_command(&get), "curl -i http://localhost:8000/Balloon");
        let post = Request {
            method: "POST",
            path: "/",
            headers: vec![("Content-Type", "application/x-www-form-urlencoded")],
            body: Some(b"message=Hi+there".to_vec()),
        };
        assert_eq!(
            curl_command(&post),
            "curl -i -d message=Hi+there http://localhost:8000/"
        );
        let head = Request {
            method: "HEAD",
            path: "/",
            ..Request::default()
        };
        assert_eq!(curl_command(&head), "curl -I http://localhost:8000/");
    }

    #[test]
    fn a_failure_shows_the_requests_that_led_to_it() {
        let mut session = Session::new(PathBuf::from("nothing"), true);
        session.sent = vec![
            "curl -i -d message=hi http://localhost:8000/".into(),
            "curl -i http://localhost:8000/".into(),
        ];
        let failure = Failure {
            sent: "curl -i http://localhost:8000/".into(),
            expected: String::new(),
            got: String::new(),
            hint: String::new(),
        };
        let failure = session.with_scenario(failure);
        assert_eq!(
            failure.sent,
            "curl -i -d message=hi http://localhost:8000/\nthen: curl -i http://localhost:8000/"
        );
    }
}
