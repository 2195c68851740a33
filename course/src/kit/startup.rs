//! What a check needs around a program it starts on its own (beside the
//! session's server): the line it prints at start-up, and a scratch
//! folder in memory that goes when the check ends.
//!
//! ```
//! use course::kit::startup::ScratchFolder;
//!
//! let scratch = ScratchFolder::new("doc-example", std::env::temp_dir())?;
//! assert!(scratch.path().is_dir());
//! let gone = scratch.path().to_owned();
//! drop(scratch);
//! assert!(!gone.exists());
//! # Ok::<(), course::Failure>(())
//! ```

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::Failure;
use crate::process::ServerProcess;

/// The first line `server` printed that contains `text`, waiting up to
/// five seconds for it. A server that prints it before its address has
/// it in the pipe already when it is up: the wait is only for the thread
/// that reads the pipe, and it ends as soon as the line is there.
pub fn startup_line_containing(server: &ServerProcess, text: &str) -> Option<String> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let output = server.output();
        if let Some(line) = output.lines().find(|line| line.contains(text)) {
            return Some(line.to_owned());
        }
        if Instant::now() >= until {
            return None;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// A folder of a check's own, in memory (`/dev/shm`) where the machine
/// has one, else in `fallback`: for files a check writes many times and
/// only measures (a disk would make it slow). Removed when dropped.
#[derive(Debug)]
pub struct ScratchFolder(PathBuf);

impl ScratchFolder {
    /// Makes a new folder named after `name`, this process and a random
    /// number.
    pub fn new(name: &str, fallback: impl AsRef<Path>) -> Result<ScratchFolder, Failure> {
        let in_memory = Path::new("/dev/shm");
        let unique = format!(
            "course-{name}-{}-{:016x}",
            std::process::id(),
            crate::kit::seed::random_number()
        );
        let place = if in_memory.is_dir() {
            in_memory.join(unique)
        } else {
            fallback.as_ref().join(unique)
        };
        std::fs::create_dir_all(&place).map_err(|error| {
            Failure::plain(format!("cannot make {}: {error}", place.display()), "")
        })?;
        Ok(ScratchFolder(place))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Expects the program under check, started with `launch` (an
/// environment it cannot work with), to refuse to start: not to serve,
/// and, run to its end, to print exactly one line that names one of
/// `mentions` (and no panic), then to exit with a code that is not 0.
/// It is started as a server first: its first line says at once whether
/// it serves, with no waiting for a program that never ends.
///
/// ```no_run
/// # fn check(session: &mut course::Session) -> course::CheckResult {
/// use course::kit::startup::expect_refusal_to_start;
/// use course::process::Launch;
///
/// let launch = Launch::default().env("TODO_DB", "/no/such/folder/todo.sqlite3");
/// expect_refusal_to_start(
///     session,
///     &launch,
///     "one line that says the database cannot be opened, then an exit code that is not 0",
///     &["/no/such/folder/todo.sqlite3", "TODO_DB"],
///     "Return the open's error: main prints it and exits.",
/// )
/// # }
/// ```
pub fn expect_refusal_to_start(
    session: &crate::Session,
    launch: &crate::process::Launch,
    expected: &str,
    mentions: &[&str],
    hint: &str,
) -> crate::CheckResult {
    let name = session.binary_name();
    let environment: Vec<String> = launch
        .env
        .iter()
        .map(|(variable, value)| format!("{variable}={}", crate::process::shell_quote(value)))
        .collect();
    let failure = |got: String| Failure {
        sent: format!("{} {name}", environment.join(" ")),
        expected: expected.to_owned(),
        got,
        hint: hint.to_owned(),
    };
    if ServerProcess::start_with(session.binary(), &name, launch).is_ok() {
        return Err(failure("it started serving".to_owned()));
    }
    let ran = crate::process::run_program(session.binary(), &name, launch)?;
    let output = format!("{}{}", ran.stdout, ran.stderr);
    let lines: Vec<&str> = output
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let clear = lines.len() == 1
        && !lines[0].contains("panicked")
        && mentions.iter().any(|mention| lines[0].contains(mention));
    if clear && ran.code.is_some_and(|code| code != 0) {
        return Ok(());
    }
    let code = ran
        .code
        .map_or("(none: stopped by a signal)".to_owned(), |code| {
            code.to_string()
        });
    Err(failure(format!(
        "exit code {code}, and it printed:\n{output}"
    )))
}
