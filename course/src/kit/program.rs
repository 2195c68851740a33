//! Expectations about a program a check ran to its end (lesson 3's client):
//! how it ended and what it printed, each with the lesson's own hint when
//! it does not hold. Like a reply's expectations they return the output,
//! so that they chain; a failure shows the command (`command`, which a
//! check may reword as the student would type it), how the program ended,
//! and its stdout and stderr.
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let output = session.run(&["get", "http://127.0.0.1:9/"])?;
//! output
//!     .expect_no_panic("one error line", "Use `?` rather than unwrap().")?
//!     .expect_failure("one error line", "Nothing answered: that is an error.")?
//!     .expect_one_stderr_line("error: ", "one error line", "Let main print the error.")?;
//! # Ok(()) }
//! ```

use crate::Failure;
use crate::process::ProgramOutput;
use crate::session::quote_body;

impl ProgramOutput {
    /// Whether the program ended with exit code 0.
    pub fn succeeded(&self) -> bool {
        self.code == Some(0)
    }

    /// Whether the program panicked: Rust's exit code 101, or a panic
    /// message on stderr.
    pub fn panicked(&self) -> bool {
        self.code == Some(101) || self.stderr.contains("panicked")
    }

    /// The lines it printed on stderr, blank ones left out.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .collect()
    }

    /// A failure about this run: the command, what was `expected`, how the
    /// program ended and what it printed, and the `hint`.
    pub fn fail(&self, expected: impl Into<String>, hint: impl Into<String>) -> Failure {
        let ending = match self.code {
            Some(0) => "it succeeded (exit code 0)".to_owned(),
            Some(code) => format!("it failed (exit code {code})"),
            None => "it was stopped by a signal".to_owned(),
        };
        Failure {
            sent: self.command.clone(),
            expected: expected.into(),
            got: format!(
                "{ending}\nstdout: {}\nstderr: {}",
                quote_body(&self.stdout),
                quote_body(&self.stderr)
            ),
            hint: hint.into(),
        }
    }

    /// Expects `holds` to be true of the run; otherwise fails, saying what
    /// was `expected` and giving the `hint`.
    pub fn expect(
        &self,
        holds: impl FnOnce(&ProgramOutput) -> bool,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&ProgramOutput, Failure> {
        if holds(self) {
            return Ok(self);
        }
        Err(self.fail(expected, hint))
    }

    /// Expects the program not to have panicked.
    pub fn expect_no_panic(&self, expected: &str, hint: &str) -> Result<&ProgramOutput, Failure> {
        self.expect(|output| !output.panicked(), expected, hint)
    }

    /// Expects the program to have succeeded (exit code 0).
    pub fn expect_success(&self, expected: &str, hint: &str) -> Result<&ProgramOutput, Failure> {
        self.expect(ProgramOutput::succeeded, expected, hint)
    }

    /// Expects the program to have failed (an exit code other than 0, or a
    /// signal).
    pub fn expect_failure(&self, expected: &str, hint: &str) -> Result<&ProgramOutput, Failure> {
        self.expect(|output| !output.succeeded(), expected, hint)
    }

    /// Expects `text` somewhere in what the program printed on stdout.
    pub fn expect_stdout_contains(
        &self,
        text: &str,
        expected: &str,
        hint: &str,
    ) -> Result<&ProgramOutput, Failure> {
        self.expect(|output| output.stdout.contains(text), expected, hint)
    }

    /// Expects exactly one line on stderr (blank ones aside), starting with
    /// `prefix` (`error: `, as a `main` that returns an error prints it).
    pub fn expect_one_stderr_line(
        &self,
        prefix: &str,
        expected: &str,
        hint: &str,
    ) -> Result<&ProgramOutput, Failure> {
        self.expect(
            |output| matches!(output.stderr_lines()[..], [line] if line.starts_with(prefix)),
            expected,
            hint,
        )
    }
    /// For a program that prints an HTTP response as `curl -i` does: its
    /// first line, the status line (`HTTP/1.1 200 OK`).
    pub fn printed_status_line(&self) -> &str {
        self.printed_head().lines().next().unwrap_or("")
    }

    /// For a program that prints an HTTP response as `curl -i` does: the
    /// lines after the status line, up to the first empty line (the
    /// headers).
    pub fn printed_header_lines(&self) -> Vec<&str> {
        self.printed_head().lines().skip(1).collect()
    }

    /// For a program that prints an HTTP response as `curl -i` does: what
    /// comes after the first empty line (the body), if there is one.
    pub fn printed_body(&self) -> Option<&str> {
        self.stdout.split_once("\n\n").map(|(_, body)| body)
    }

    /// What comes before the first empty line of stdout.
    fn printed_head(&self) -> &str {
        self.stdout
            .split_once("\n\n")
            .map_or(self.stdout.as_str(), |(head, _)| head)
    }

    /// Expects the status line `line` first (see
    /// [`ProgramOutput::printed_status_line`]).
    pub fn expect_printed_status_line(
        &self,
        line: &str,
        hint: &str,
    ) -> Result<&ProgramOutput, Failure> {
        let holds = |output: &ProgramOutput| output.printed_status_line() == line;
        self.expect(holds, format!("first the status line: {line}"), hint)
    }

    /// Expects the header line `line` (case aside) among the header lines
    /// (see [`ProgramOutput::printed_header_lines`]).
    pub fn expect_printed_header(&self, line: &str, hint: &str) -> Result<&ProgramOutput, Failure> {
        let expected = format!("after the status line, one line per header, among them {line}");
        let headers = self.printed_header_lines();
        let shown = headers.iter().any(|shown| shown.eq_ignore_ascii_case(line));
        self.expect(|_| shown, expected, hint)
    }
}
