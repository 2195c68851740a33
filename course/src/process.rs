//! Building a lesson's binary with Cargo, and running it: as a server on a
//! free port, or as a program with arguments.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::Failure;

/// How long a server may take to print its address.
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a program run by a check may take.
const PROGRAM_TIMEOUT: Duration = Duration::from_secs(30);

/// The repository's top folder, where Cargo.toml and the lessons are: the
/// one this program was built in, unless `COURSE_ROOT` names another copy
/// of the course (the course's own tests use that to work on a scratch copy).
pub fn repository_root() -> PathBuf {
    if let Some(root) = std::env::var_os("COURSE_ROOT") {
        return PathBuf::from(root);
    }
    let course = Path::new(env!("CARGO_MANIFEST_DIR"));
    course.parent().unwrap_or(course).to_path_buf()
}

/// The feature every lesson package declares, set when a copy of the
/// course (the shipped starters, the mutants) is built: see [`crate::shipped`].
pub const FEATURE: &str = "shipped-starter";

/// Where builds go: `CARGO_TARGET_DIR`, or `target/` in the course.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target"))
}

/// What Cargo said when a build failed (empty if it printed to the terminal).
#[derive(Debug, Clone)]
pub struct BuildOutput {
    /// Cargo's messages, as it prints them.
    pub messages: String,
}

/// A `cargo` command for the course's workspace, run in its top folder,
/// without the variables that describe this program's own package (see
/// [`crate::cargo_env`]).
pub fn cargo_command() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command.current_dir(repository_root());
    crate::cargo_env::scrub(&mut command);
    command
}

/// Builds a binary of the workspace with Cargo and returns its path.
///
/// With `show` set, Cargo prints its progress and any compiler errors to
/// the terminal exactly as `cargo build` would; otherwise they are captured
/// and returned when the build fails.
pub fn build(binary: &str, show: bool) -> Result<PathBuf, BuildOutput> {
    build_in(&repository_root(), None, binary, show)
}

/// Builds a binary of `package` (any package that has it, if `None`) in the
/// copy of the course at `root`, and returns its path.
pub fn build_in(
    root: &Path,
    package: Option<&str>,
    binary: &str,
    show: bool,
) -> Result<PathBuf, BuildOutput> {
    build_artifact(root, package, binary, show, false)
}

/// Builds the tests of a binary (its `#[cfg(test)]` functions) in the copy
/// of the course at `root`, as `cargo test --no-run --bin BINARY` does, and
/// returns the test program's path: run it with a test's name and
/// `--exact` to run that one test.
pub fn build_tests_in(
    root: &Path,
    package: Option<&str>,
    binary: &str,
) -> Result<PathBuf, BuildOutput> {
    build_artifact(root, package, binary, false, true)
}

/// What a checked program's own test said.
#[derive(Debug, Clone)]
pub struct UnitTest {
    /// Whether the test ran and passed.
    pub passed: bool,
    /// Whether a test of that name exists at all.
    pub found: bool,
    /// What it printed when it failed (its panic message), else empty.
    pub output: String,
}

/// Runs the test called `name` (its full path, `tests::name`) of a test
/// program built by [`build_tests_in`].
pub fn run_unit_test(tests: &Path, name: &str) -> Result<UnitTest, Failure> {
    let output = Command::new(tests)
        // `--include-ignored`: the lesson's tests of the student's own code
        // are marked #[ignore], so that a plain `cargo test` stays green
        // whatever state the exercise is in; the check runs them by name.
        .args([name, "--exact", "--include-ignored", "--test-threads=1"])
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| Failure::plain(format!("could not run the tests: {error}"), ""))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let found = text.contains("running 1 test");
    // libtest prints a failed test's output between `---- NAME stdout ----`
    // and the next blank line before `failures:`.
    let said = text
        .split_once(&format!("---- {name} stdout ----"))
        .map(|(_, rest)| rest.split("\nfailures:").next().unwrap_or(rest).trim())
        .unwrap_or("")
        .to_owned();
    Ok(UnitTest {
        passed: found && output.status.success(),
        found,
        output: said,
    })
}

/// Builds a binary, or its tests, and returns the path of what was built.
fn build_artifact(
    root: &Path,
    package: Option<&str>,
    binary: &str,
    show: bool,
    tests: bool,
) -> Result<PathBuf, BuildOutput> {
    let mut command = cargo_command();
    let is_copy = root != repository_root();
    if is_copy {
        // A copy of the course builds into the course's own target folder,
        // so that it compiles only what differs (see `shipped`).
        command.env("CARGO_TARGET_DIR", target_dir());
    }
    let build: &[&str] = if tests {
        &["test", "--no-run"]
    } else {
        &["build"]
    };
    command.current_dir(root).args(build).args([
        "--bin",
        binary,
        "--message-format=json-render-diagnostics",
    ]);
    if let Some(package) = package {
        command.args(["--package", package]);
        if is_copy {
            // Cargo names a package's build after its path inside its
            // workspace, the same in the copy: this feature keeps the two
            // builds apart.
            command.args(["--features", FEATURE]);
        }
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if show {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
    let output = command.output().map_err(|error| BuildOutput {
        messages: format!("could not run cargo: {error}"),
    })?;
    let messages = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(BuildOutput { messages });
    }
    // Cargo's JSON messages name the file each build made.
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == binary)
        .filter(|message| message["profile"]["test"] == tests)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or(BuildOutput {
            messages: format!("cargo built no executable called {binary}\n{messages}"),
        })
}

/// Collects what a child process prints, line by line, on a thread.
fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut text = into.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            text.push_str(&line);
            text.push('\n');
        }
    })
}

/// How a check starts the program under check: its arguments, its
/// environment, and its working folder. Every program gets a clean
/// environment: `HOST`, `PORT` and the proxy variables of the student's
/// shell are removed (a stray `HTTP_PROXY` would send a client lesson's
/// requests elsewhere), `NO_PROXY` names loopback, and a server gets
/// `PORT=0`. Whatever a check sets here is set on purpose.
///
/// ```
/// use course::process::Launch;
///
/// let launch = Launch::default()
///     .arg("public")
///     .env("TODO_DB", "/tmp/todos.sqlite")
///     .env_remove("RUST_LOG");
/// assert_eq!(launch.args, ["public"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Command-line arguments.
    pub args: Vec<String>,
    /// Variables to set (after the clean-up), in order.
    pub env: Vec<(String, String)>,
    /// Variables to remove as well.
    pub env_removed: Vec<String>,
    /// The working folder (the repository's top folder if `None`).
    pub current_dir: Option<PathBuf>,
}

/// Variables a program under check never inherits from the student's shell.
const NOT_INHERITED: &[&str] = &[
    "HOST",
    "PORT",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

impl Launch {
    /// Adds a command-line argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Launch {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable for the program.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Launch {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Removes an environment variable the program would inherit.
    pub fn env_remove(mut self, name: impl Into<String>) -> Launch {
        self.env_removed.push(name.into());
        self
    }

    /// Runs the program in `folder`.
    pub fn in_dir(mut self, folder: impl Into<PathBuf>) -> Launch {
        self.current_dir = Some(folder.into());
        self
    }

    /// A command for `binary`, with this launch's arguments and a clean
    /// environment (see [`Launch`]).
    pub fn command(&self, binary: &Path) -> Command {
        let mut command = Command::new(binary);
        command
            .current_dir(self.current_dir.clone().unwrap_or_else(repository_root))
            .args(&self.args)
            .env("RUST_BACKTRACE", "0");
        for name in NOT_INHERITED
            .iter()
            .copied()
            .chain(self.env_removed.iter().map(String::as_str))
        {
            command.env_remove(name);
        }
        command.env("NO_PROXY", "127.0.0.1,localhost");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }
}

/// A lesson server started by a check. It is stopped when dropped, so a
/// check can never leave a server running.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    base_url: String,
    /// The first line it printed, where it says where it listens.
    first_line: String,
    output: Arc<Mutex<String>>,
    /// The thread that collects stderr, where a panic message goes.
    stderr_reader: Option<thread::JoinHandle<()>>,
}

impl ServerProcess {
    /// Starts `binary` with `PORT=0` and waits for its first line of output,
    /// which must name the address it listens on, like
    /// `Serving HTTP on http://127.0.0.1:41234/ (Ctrl-C to stop)`.
    pub fn start(binary: &Path, name: &str) -> Result<ServerProcess, Failure> {
        ServerProcess::start_with(binary, name, &Launch::default())
    }

    /// Starts `binary` as [`ServerProcess::start`] does, with the arguments
    /// and environment of `launch` (`PORT` is `0` unless `launch` sets it).
    pub fn start_with(
        binary: &Path,
        name: &str,
        launch: &Launch,
    ) -> Result<ServerProcess, Failure> {
        let mut command = launch.command(binary);
        if !launch.env.iter().any(|(name, _)| name == "PORT") {
            command.env("PORT", "0");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|error| {
                Failure::plain(
                    format!("could not start {name}: {error}"),
                    "Build it with `cargo build --bin NAME` and try again.".replace("NAME", name),
                )
            })?;
        let output = Arc::new(Mutex::new(String::new()));
        let stderr_reader = child
            .stderr
            .take()
            .map(|stderr| collect(stderr, Arc::clone(&output)));
        let (first_line, first_line_arrived) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            let rest = Arc::clone(&output);
            thread::spawn(move || {
                let mut lines = BufReader::new(stdout).lines();
                let _ = first_line.send(lines.next().and_then(Result::ok));
                for line in lines.map_while(Result::ok) {
                    let mut text = rest.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    text.push_str(&line);
                    text.push('\n');
                }
            });
        }
        let mut server = ServerProcess {
            child,
            base_url: String::new(),
            first_line: String::new(),
            output,
            stderr_reader,
        };
        let line = match first_line_arrived.recv_timeout(START_TIMEOUT) {
            Ok(Some(line)) => line,
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = server.wait_for_exit(Duration::from_secs(2));
                return Err(Failure::plain(
                    format!(
                        "{name} stopped before it printed its address ({}).{}",
                        describe_exit(status),
                        server.output_for_report()
                    ),
                    "A server must keep running. Read the error above: a panic names the file and line; \
                     \"address already in use\" means something else has the port.",
                ));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(Failure::plain(
                    format!(
                        "{name} printed nothing for {} seconds",
                        START_TIMEOUT.as_secs()
                    ),
                    "The first line a server prints must be its address: keep the `ThreadingHttpServer::from_env()` and \
                     `serve_forever` lines of the starter.",
                ));
            }
        };
        server.first_line = line.clone();
        match address_in(&line) {
            Some(url) => server.base_url = url,
            None => {
                return Err(Failure::plain(
                    format!("{name}'s first line of output was {line:?}"),
                    "The first line must name the address, like `Serving HTTP on http://127.0.0.1:8000/`; \
                     print anything else after `serve_forever` has started (or on stderr).",
                ));
            }
        }
        Ok(server)
    }

    /// The server's address, like `http://127.0.0.1:41234`, without a
    /// final slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The first line the server printed: lesson 10's names its
    /// `https://` address beside the `http://` one.
    pub fn first_line(&self) -> &str {
        &self.first_line
    }

    /// The server's process id, to read what it uses from `/proc/PID/`
    /// (lesson 7's memory check reads its peak memory there).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the server process has ended, and how.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Everything the server printed after its first line (its request log,
    /// panics, ...).
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// How much the server has printed so far: a mark for
    /// [`ServerProcess::output_for_report_since`].
    pub fn output_mark(&self) -> usize {
        self.output
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// What the server printed after `mark` (from
    /// [`ServerProcess::output_mark`] just before a request was sent), ready
    /// to add to the report of that request: lines of earlier requests would
    /// only mislead, and a request that was never answered is never logged.
    pub fn output_for_report_since(&self, mark: usize) -> String {
        let output = self.output();
        let since = output.get(mark..).unwrap_or("");
        report_lines(
            since,
            "The server printed, after this request was sent",
            "The server printed nothing after this request was sent (a request is logged once it \
             is answered).",
        )
    }

    /// The last lines of the server's output, ready to add to a report.
    pub fn output_for_report(&self) -> String {
        report_lines(&self.output(), "The server printed", "")
    }

    /// Waits up to `limit` for the process to end; once it has, also waits
    /// for the rest of its output, so that a report shows all of it.
    fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Some(status) = self.exit_status() {
                if let Some(reader) = self.stderr_reader.take() {
                    let _ = reader.join();
                }
                return Some(status);
            }
            thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of `output` under `heading`, or `if_none` (which may be
/// empty) when there are none.
fn report_lines(output: &str, heading: &str, if_none: &str) -> String {
    const SHOWN: usize = 12;
    let lines: Vec<&str> = output.lines().collect();
    if lines.is_empty() {
        return if if_none.is_empty() {
            String::new()
        } else {
            format!("\n{if_none}")
        };
    }
    let tail = &lines[lines.len().saturating_sub(SHOWN)..];
    format!("\n{heading}:\n  | {}", tail.join("\n  | "))
}

/// The `http://host:port` in a line like
/// `Serving HTTP on http://127.0.0.1:8000/ (Ctrl-C to stop)`.
fn address_in(line: &str) -> Option<String> {
    let start = line.find("http://")?;
    let rest = &line[start + "http://".len()..];
    let end = rest
        .find(|c: char| c == '/' || c.is_whitespace())
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let (_, port) = authority.rsplit_once(':')?;
    port.parse::<u16>().ok().filter(|&port| port != 0)?;
    Some(format!("http://{authority}"))
}

fn describe_exit(status: Option<ExitStatus>) -> String {
    match status {
        Some(status) => match status.code() {
            Some(code) => format!("exit code {code}"),
            None => "stopped by a signal".to_owned(),
        },
        None => "it closed its output".to_owned(),
    }
}

/// What a program run by a check printed, and how it ended.
#[derive(Debug, Clone)]
pub struct ProgramOutput {
    /// The command line, as the student would type it.
    pub command: String,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit code (`None` if a signal stopped it).
    pub code: Option<i32>,
}

/// Runs a program to its end (at most 30 seconds) and collects its output.
pub fn run_program(
    binary: &Path,
    display_name: &str,
    launch: &Launch,
) -> Result<ProgramOutput, Failure> {
    let command = std::iter::once(display_name.to_owned())
        .chain(launch.args.iter().map(|arg| shell_quote(arg)))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = launch
        .command(binary)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| Failure::plain(format!("could not start {display_name}: {error}"), ""))?;
    let stdout = Arc::new(Mutex::new(String::new()));
    let stderr = Arc::new(Mutex::new(String::new()));
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|out| reader_thread(out, Arc::clone(&stdout))),
        child
            .stderr
            .take()
            .map(|err| reader_thread(err, Arc::clone(&stderr))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let until = Instant::now() + PROGRAM_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().ok().flatten() {
            break status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failure {
                sent: command,
                expected: "the program to finish".into(),
                got: format!(
                    "it was still running after {} seconds",
                    PROGRAM_TIMEOUT.as_secs()
                ),
                hint: "Does it wait for input, or retry forever? Give requests a timeout.".into(),
            });
        }
        thread::sleep(Duration::from_millis(10));
    };
    for reader in readers {
        let _ = reader.join();
    }
    let text =
        |shared: &Arc<Mutex<String>>| shared.lock().map(|text| text.clone()).unwrap_or_default();
    Ok(ProgramOutput {
        command,
        stdout: text(&stdout),
        stderr: text(&stderr),
        code: status.code(),
    })
}

fn reader_thread(
    mut stream: impl Read + Send + 'static,
    into: Arc<Mutex<String>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        if let Ok(mut text) = into.lock() {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    })
}

/// Quotes a word for a POSIX shell, if it needs quoting.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_show_the_last_lines_or_say_there_were_none() {
        let output: String = (1..=20).map(|n| format!("line {n}\n")).collect();
        let report = report_lines(&output, "Printed", "");
        assert!(report.starts_with("\nPrinted:\n  | line 9\n"), "{report}");
        assert!(report.ends_with("  | line 20"), "{report}");
        assert_eq!(report_lines("", "Printed", ""), "");
        assert_eq!(report_lines("", "Printed", "Nothing."), "\nNothing.");
    }

    #[test]
    fn finds_the_address_in_the_first_line() {
        let line = "Serving HTTP on http://127.0.0.1:41234/ (Ctrl-C to stop)";
        assert_eq!(address_in(line).as_deref(), Some("http://127.0.0.1:41234"));
        assert_eq!(
            address_in("http://localhost:8000").as_deref(),
            Some("http://localhost:8000")
        );
        assert_eq!(address_in("Serving on port 8000"), None);
        assert_eq!(address_in("http://127.0.0.1:0/"), None);
    }

    #[test]
    fn quotes_only_what_needs_quoting() {
        assert_eq!(
            shell_quote("http://localhost:8000/"),
            "http://localhost:8000/"
        );
        assert_eq!(shell_quote("message=it's"), r"'message=it'\''s'");
        assert_eq!(shell_quote("a b"), "'a b'");
    }
}
