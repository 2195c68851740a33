//! `cargo course` as students and instructors use it, on a scratch copy of
//! the course (so the real exercises are never touched): an untouched
//! starter fails its check, the solution in its place passes, `list`
//! remembers across runs, `hint`, `reset` and `watch` work, and a broken
//! solution makes `verify` fail and name the lesson and the check.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The real course, next to this package.
fn real_course() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == ".course" {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(&name));
        if source.is_dir() {
            copy_tree(&source, &destination);
        } else {
            fs::copy(&source, &destination).unwrap();
        }
    }
}

/// A copy of the course in its own git repository (reset takes starters
/// from git), building into a target folder of its own.
struct Scratch {
    root: PathBuf,
    target: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let real = real_course();
        let build_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| real.join("target"));
        let root = build_dir.join("scratch-courses").join(name);
        let _ = fs::remove_dir_all(&root);
        for part in [
            "Cargo.toml",
            "Cargo.lock",
            // verify reads its map of the lessons
            "README.md",
            ".cargo",
            "src",
            "exercises",
            "solutions",
            "lessons",
            "course",
            "packages",
        ] {
            let source = real.join(part);
            if source.is_dir() {
                copy_tree(&source, &root.join(part));
            } else {
                fs::create_dir_all(&root).unwrap();
                fs::copy(&source, root.join(part)).unwrap();
            }
        }
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .current_dir(&root)
                .args([
                    "-c",
                    "user.name=course",
                    "-c",
                    "user.email=course@localhost",
                ])
                .args(args)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "git {args:?}");
        };
        // The exercises as shipped, never the student's edited ones.
        for (path, bytes) in course::shipped::shipped_exercises().unwrap_or_default() {
            fs::write(root.join(path), bytes).unwrap();
        }
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "the course"]);
        // One target folder per copy, kept between runs. Copies must not
        // share one: Cargo names a package's build after its path relative
        // to the workspace, which is the same in every copy, so two copies
        // building at once would overwrite each other's binaries.
        let target = build_dir
            .join("scratch-courses")
            .join(format!("{name}.target"));
        Scratch { root, target }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_course"));
        command
            .args(args)
            .env("COURSE_ROOT", &self.root)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("NO_COLOR", "1");
        command
    }

    /// Runs `course ARGS` and returns its exit code and its output.
    fn course(&self, args: &[&str]) -> (i32, String) {
        let Output {
            status,
            stdout,
            stderr,
        } = self.command(args).stdin(Stdio::null()).output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        );
        (status.code().unwrap_or(-1), text)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    fn solve(&self, folder: &str) {
        let solution = fs::read(self.path(&format!("solutions/{folder}/main.rs"))).unwrap();
        fs::write(self.path(&format!("exercises/{folder}/main.rs")), solution).unwrap();
    }
}

#[test]
fn a_student_checks_solves_lists_hints_and_resets() {
    let scratch = Scratch::new("student");

    let (code, output) = scratch.course(&["check", "echo_server"]);
    assert_eq!(code, 1, "an untouched starter fails its check\n{output}");
    assert!(output.contains("✗") && output.contains("hint"), "{output}");
    assert!(
        output.contains("curl -i http://localhost:8000/"),
        "{output}"
    );

    scratch.solve("1_echo_server");
    let (code, output) = scratch.course(&["check", "1"]);
    assert_eq!(
        code, 0,
        "the solution in place of the starter passes\n{output}"
    );
    assert!(
        output.contains("lesson 1 is done") && output.contains("Next: lesson 2"),
        "{output}"
    );

    let (code, output) = scratch.course(&["check", "hello_server"]);
    assert_eq!(code, 0, "{output}");

    // A new run of the command still knows both lessons are done.
    let (code, output) = scratch.course(&["list"]);
    assert_eq!(code, 0);
    let done = format!("2 of {} lessons done", course::lessons::ALL.len());
    assert!(output.contains(&done), "{output}");
    let echo_line = output
        .lines()
        .find(|line| line.contains("echo_server"))
        .unwrap();
    assert!(echo_line.contains("done"), "{output}");
    assert!(output.contains("Next: lesson 2"), "{output}");

    let (_, first) = scratch.course(&["hint", "echo_server"]);
    let (_, second) = scratch.course(&["hint", "echo_server"]);
    assert!(
        first.contains("Hint 1 of 3 (a nudge)") && second.contains("Hint 2 of 3 (the idea)"),
        "{first}\n{second}"
    );
    let (_, third) = scratch.course(&["hint", "echo_server"]);
    let (_, again) = scratch.course(&["hint", "echo_server"]);
    assert!(
        third.contains("Hint 3 of 3 (the code)")
            && third.contains("That was the last hint")
            && again.contains("Hint 1 of 3 (a nudge)"),
        "{third}\n{again}"
    );

    let (code, output) = scratch.course(&["reset", "echo_server", "--yes"]);
    assert_eq!(code, 0, "{output}");
    let starter = fs::read_to_string(scratch.path("exercises/1_echo_server/main.rs")).unwrap();
    let original = course::shipped::shipped_exercises()
        .and_then(|files| {
            files
                .into_iter()
                .find(|(path, _)| path == "exercises/1_echo_server/main.rs")
        })
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .unwrap();
    assert_eq!(starter, original, "reset puts the shipped starter back");
    let backup = scratch.path(".course/backup/1_echo_server-main.rs");
    let solution = fs::read_to_string(scratch.path("solutions/1_echo_server/main.rs")).unwrap();
    assert_eq!(
        fs::read_to_string(backup).unwrap(),
        solution,
        "the student's version is kept"
    );
    // Reset keeps the record that the lesson passed, unless asked.
    let (_, output) = scratch.course(&["list"]);
    assert!(output.contains("changed since it passed"), "{output}");

    // Without --yes, reset asks, and anything but "y" leaves the file alone.
    scratch.solve("1_echo_server");
    let mut asking = scratch
        .command(&["reset", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    asking.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let answer = asking.wait_with_output().unwrap();
    assert!(!answer.status.success());
    assert!(String::from_utf8_lossy(&answer.stdout).contains("[y/N]"));
    assert_eq!(
        fs::read_to_string(scratch.path("exercises/1_echo_server/main.rs")).unwrap(),
        solution
    );
}

#[test]
fn check_reports_compile_errors_crashes_and_bad_names() {
    let scratch = Scratch::new("mistakes");
    let exercise = scratch.path("exercises/1_echo_server/main.rs");

    fs::write(&exercise, "fn main() { let x: u8 = \"not a number\"; }\n").unwrap();
    let (code, output) = scratch.course(&["check", "echo_server"]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("error[E0308]"),
        "Cargo's own message is shown\n{output}"
    );
    assert!(output.contains("does not compile"), "{output}");

    fs::write(&exercise, "fn main() { panic!(\"the student's bug\"); }\n").unwrap();
    let (code, output) = scratch.course(&["check", "echo_server"]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("stopped before it printed its address"),
        "{output}"
    );
    assert!(
        output.contains("the student's bug"),
        "the server's own output is shown\n{output}"
    );

    let (code, output) = scratch.course(&["check", "no_such_lesson"]);
    assert_eq!(code, 2);
    assert!(
        output.contains("there is no lesson") && output.contains("echo_server"),
        "{output}"
    );
    let (code, output) = scratch.course(&["check", "mesageboard"]);
    assert_eq!(code, 2);
    assert!(output.contains("Did you mean `messageboard`?"), "{output}");
    let (code, output) = scratch.course(&["check", "messageboard", "z"]);
    assert_eq!(code, 2);
    assert!(output.contains("steps a, b, c"), "{output}");
}

#[test]
fn watch_checks_again_when_the_exercise_is_saved() {
    let scratch = Scratch::new("watch");
    let mut watch = scratch
        .command(&["watch", "echo_server"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, output) = mpsc::channel();
    let stdout = watch.stdout.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let mut wait_for = |text: &str| {
        while !seen.contains(text) {
            match output.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => seen.push_str(&(line + "\n")),
                Err(_) => panic!("watch never printed {text:?}; it printed:\n{seen}"),
            }
        }
    };
    wait_for("Watching exercises/1_echo_server/");
    scratch.solve("1_echo_server");
    wait_for("lesson 1 is done");
    wait_for("Watching exercises/2_messageboard/");
    watch.stdin.take().unwrap().write_all(b"q\n").unwrap();
    assert!(watch.wait().unwrap().success());
}

#[test]
fn verify_names_the_lesson_and_the_check_of_a_broken_solution() {
    let scratch = Scratch::new("verify");
    let (code, output) = scratch.course(&["verify", "echo_server"]);
    assert_eq!(code, 0, "the shipped lesson verifies\n{output}");

    let solution = scratch.path("solutions/1_echo_server/main.rs");
    let text = fs::read_to_string(&solution).unwrap();
    assert!(text.contains("send_response(200)"));
    fs::write(
        &solution,
        text.replace("send_response(200)", "send_response(201)"),
    )
    .unwrap();
    let (code, output) = scratch.course(&["verify", "echo_server"]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("lesson 1: the solution fails the check"),
        "{output}"
    );
    assert!(
        output.contains("201"),
        "the failure says what came back\n{output}"
    );

    let layout = scratch.path("exercises/9_unknown");
    fs::create_dir_all(&layout).unwrap();
    let (code, output) = scratch.course(&["verify", "hello_server"]);
    assert_eq!(code, 1);
    assert!(
        output.contains("exercises/9_unknown has no lesson"),
        "{output}"
    );
}

/// The TODO region of `step` in `text`, its marker lines included.
fn region<'a>(text: &'a str, step: &str) -> &'a str {
    let start = text.find(&format!("// TODO({step})")).unwrap();
    let end_marker = format!("// END TODO({step})");
    let end = text[start..].find(&end_marker).unwrap() + start + end_marker.len();
    &text[start..end]
}

#[test]
fn a_going_further_step_fails_when_named_or_started_and_counts_only_when_it_passes() {
    let scratch = Scratch::new("optional-step");
    let exercise = scratch.path("exercises/6_threaded_server/main.rs");
    let starter = fs::read_to_string(&exercise).unwrap();
    let solution = fs::read_to_string(scratch.path("solutions/6_threaded_server/main.rs")).unwrap();

    // Named, a going-further step that fails is a failure: the starter's 501.
    let (code, output) = scratch.course(&["check", "threaded_server", "c"]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("✗ going further: POST /shutdown stops accepting"),
        "{output}"
    );
    assert!(
        output.contains("Stuck? `cargo course hint threaded_server c`"),
        "{output}"
    );
    assert!(!output.contains("is done"), "{output}");
    assert!(!output.contains("not done yet"), "{output}");

    // Steps a and b done, step c not started: the lesson is done, and step
    // c is "not done yet", with no hint offered.
    let untouched_c = solution.replace(region(&solution, "c"), region(&starter, "c"));
    fs::write(&exercise, &untouched_c).unwrap();
    let (code, output) = scratch.course(&["check", "threaded_server"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("(optional, not done yet)"), "{output}");
    assert!(!output.contains("Stuck?"), "{output}");
    assert!(output.contains("lesson 6 is done"), "{output}");

    // Step c started, but wrong (no 403 for other computers): the lesson
    // is still done, the step says it fails, and it does not count as
    // passed: the next hint is step c's.
    let guard = "if !request.client_address().ip().to_canonical().is_loopback() {";
    assert!(solution.contains(guard));
    let no_guard = solution.replace(guard, "if false {");
    fs::write(&exercise, &no_guard).unwrap();
    let (code, output) = scratch.course(&["check", "threaded_server"]);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("(optional: started, but not right yet)"),
        "{output}"
    );
    assert!(
        output.contains("Stuck? `cargo course hint threaded_server c`"),
        "{output}"
    );
    let (_, hint) = scratch.course(&["hint", "threaded_server"]);
    assert!(hint.contains("POST /shutdown"), "{hint}");

    // Named, the same step fails, with a non-zero exit.
    let (code, output) = scratch.course(&["check", "threaded_server", "c"]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("192.0.2.1"), "{output}");

    // Right, it passes, named or not.
    scratch.solve("6_threaded_server");
    let (code, output) = scratch.course(&["check", "threaded_server", "c"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("step c of lesson 6 is done"), "{output}");
}
