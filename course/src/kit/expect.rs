//! Expectations about a reply, each with the lesson's own hint when it
//! does not hold (a `500` also points at the handler's own message). Each
//! returns the reply, so that a check reads as a chain of what the lesson
//! promises; [`Reply::expect`] states anything the others do not.
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let reply = session.get("/")?;
//! reply
//!     .expect_status(200, "do_get answers every path with send_response(200).")?
//!     .expect_media_type("text/html", "The page is HTML: send Content-type: text/html; charset=utf-8.")?
//!     .expect_body_contains("<title>", "The page needs a title.")?;
//! # Ok(()) }
//! ```

use crate::{Failure, Reply};

impl Reply {
    /// Expects `holds` to be true of the reply; otherwise fails, saying
    /// what was `expected` and giving the `hint`.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// session
    ///     .get("/")?
    ///     .expect(|reply| reply.body.len() < 10_000, "a page under 10,000 bytes", "Keep it short.")?;
    /// # Ok(()) }
    /// ```
    pub fn expect(
        &self,
        holds: impl FnOnce(&Reply) -> bool,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&Reply, Failure> {
        if holds(self) {
            return Ok(self);
        }
        Err(self.fail(expected, hint))
    }

    /// Expects the status `status` (reported with its reason phrase:
    /// "status 303 See Other").
    pub fn expect_status(&self, status: u16, hint: &str) -> Result<&Reply, Failure> {
        let phrase = http_server::reason_phrase(status);
        self.expect(
            |reply| reply.status == status,
            format!("status {status} {phrase}"),
            hint,
        )
    }

    /// Expects a redirect, `status` (301, 302, 303, ...) with a
    /// `Location` of `location`.
    pub fn expect_redirect(
        &self,
        status: u16,
        location: &str,
        hint: &str,
    ) -> Result<&Reply, Failure> {
        let phrase = http_server::reason_phrase(status);
        self.expect(
            |reply| reply.status == status && reply.header("location") == Some(location),
            format!("status {status} {phrase}, Location: {location}"),
            hint,
        )
    }

    /// Expects no header `name` at all.
    pub fn expect_no_header(&self, name: &str, hint: &str) -> Result<&Reply, Failure> {
        self.expect(
            |reply| reply.header(name).is_none() && !reply.headers.contains_key(name),
            format!("no {name} header"),
            hint,
        )
    }

    /// Expects the header `name` with the value `value` (compared without
    /// regard to case).
    pub fn expect_header(&self, name: &str, value: &str, hint: &str) -> Result<&Reply, Failure> {
        self.expect(
            |reply| {
                reply
                    .header(name)
                    .is_some_and(|found| found.eq_ignore_ascii_case(value))
            },
            format!("{name}: {value}"),
            hint,
        )
    }

    /// Expects the media type `media_type` (`text/html`), parameters aside.
    pub fn expect_media_type(&self, media_type: &str, hint: &str) -> Result<&Reply, Failure> {
        let holds = |reply: &Reply| reply.media_type().as_deref() == Some(media_type);
        self.expect(holds, format!("Content-Type: {media_type}"), hint)
    }

    /// Expects `text` somewhere in the body.
    pub fn expect_body_contains(&self, text: &str, hint: &str) -> Result<&Reply, Failure> {
        let holds = |reply: &Reply| reply.body.contains(text);
        self.expect(holds, format!("a body that contains {text:?}"), hint)
    }

    /// Expects `text` nowhere in the body.
    pub fn expect_body_lacks(&self, text: &str, hint: &str) -> Result<&Reply, Failure> {
        let holds = |reply: &Reply| !reply.body.contains(text);
        self.expect(holds, format!("a body without {text:?}"), hint)
    }

    /// Expects the body `body`, allowing one newline after it.
    pub fn expect_body(&self, body: &str, hint: &str) -> Result<&Reply, Failure> {
        let holds = |reply: &Reply| reply.body.strip_suffix('\n').unwrap_or(&reply.body) == body;
        self.expect(holds, format!("the body {body:?}"), hint)
    }

    /// The reply, with the request it answers reported as `sent` instead of
    /// its full curl command: for a request whose body is too long to show
    /// (a failure then says, say, "a message of 2,001 characters").
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let long = "é".repeat(2_001);
    /// session
    ///     .post_form("/", &[("message", &long)])?
    ///     .reported_as("curl -d 'message=ééé...' http://localhost:8000/  (2,001 characters)")
    ///     .expect_status(400, "A message over 2,000 characters is refused.")?;
    /// # Ok(()) }
    /// ```
    pub fn reported_as(mut self, sent: impl Into<String>) -> Reply {
        self.sent = sent.into();
        self
    }

    /// Like [`Reply::expect`], but a failure adds `note` under "got": what
    /// the check saw besides the reply (what a proxy forwarded, the lines
    /// of the page that matter).
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let forwarded = vec!["GET http://127.0.0.1:9/".to_owned()];
    /// session.get("/")?.expect_noting(
    ///     |_| forwarded.is_empty(),
    ///     format!("the proxy forwarded: {forwarded:?}"),
    ///     "nothing sent through the proxy",
    ///     "NO_PROXY names the hosts reached directly.",
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn expect_noting(
        &self,
        holds: impl FnOnce(&Reply) -> bool,
        note: impl std::fmt::Display,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&Reply, Failure> {
        if holds(self) {
            return Ok(self);
        }
        let mut failure = self.fail(expected, hint);
        failure.got = format!("{}\n{note}", failure.got);
        Err(failure)
    }
}
