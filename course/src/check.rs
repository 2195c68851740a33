//! Lessons, checks, and what a failed check reports.

use std::fmt;

use crate::process::{self, BuildOutput};
use crate::session::Session;

/// What a failed check tells the student: what was sent, what the lesson
/// expects, what came back, and a hint at the likely mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The request, as a command the student can run themselves.
    pub sent: String,
    /// What the lesson expects.
    pub expected: String,
    /// What came back.
    pub got: String,
    /// The likely mistake and what to do next, in the lesson's terms.
    pub hint: String,
}

impl Failure {
    /// A failure that is not about a particular request (the server did not
    /// start, the program crashed, ...).
    pub fn plain(what: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure {
            sent: String::new(),
            expected: String::new(),
            got: what.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = [
            ("sent", &self.sent),
            ("expected", &self.expected),
            ("got", &self.got),
            ("hint", &self.hint),
        ];
        for (label, text) in rows {
            if text.is_empty() {
                continue;
            }
            let mut lines = text.lines();
            writeln!(f, "  {label:<9} {}", lines.next().unwrap_or(""))?;
            for line in lines {
                writeln!(f, "  {:<9} {line}", "")?;
            }
        }
        Ok(())
    }
}

/// What a check returns.
pub type CheckResult = Result<(), Failure>;

/// One check of a lesson.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// What it proves, as a sentence: "GET / answers 200 OK".
    pub name: &'static str,
    /// The lesson step it belongs to ("a", "b", ...), if the lesson has steps.
    pub step: Option<&'static str>,
    /// A "going further" check: shown, but not needed to finish the lesson.
    pub optional: bool,
    /// Runs the check against the program of the session.
    pub run: fn(&mut Session) -> CheckResult,
}

/// A lesson: its folder, its binaries, its checks and its hints.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    /// Its number, the start of its folder's name.
    pub number: u32,
    /// The folder in `lessons/`, `exercises/` and `solutions/`.
    pub folder: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The exercise binary; the solution's is this plus `_sol`.
    pub binary: &'static str,
    /// Whether the binary is a server (started with `PORT=0` for each run)
    /// or a program the checks run themselves (the client).
    pub is_server: bool,
    /// A tour with no blanks: the starter is already the solution.
    pub tour: bool,
    /// Every check, in the order the lesson text asks for them.
    pub checks: &'static [Check],
    /// Hints, from a gentle nudge to nearly the answer.
    pub hints: &'static [&'static str],
}

/// Which of a lesson's two programs to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The student's program, in `exercises/`.
    Exercise,
    /// The finished program, in `solutions/`.
    Solution,
}

impl Lesson {
    /// The binary for one side of the lesson.
    pub fn binary_name(&self, side: Side) -> String {
        match side {
            Side::Exercise => self.binary.to_owned(),
            Side::Solution => format!("{}_sol", self.binary),
        }
    }

    /// The source file for one side of the lesson, relative to the
    /// repository's top folder.
    pub fn source_path(&self, side: Side) -> String {
        let top = match side {
            Side::Exercise => "exercises",
            Side::Solution => "solutions",
        };
        format!("{top}/{}/main.rs", self.folder)
    }

    /// The checks of one step (`Some("b")`), or of every step (`None`).
    pub fn checks_for(&self, step: Option<&str>) -> Vec<&'static Check> {
        self.checks
            .iter()
            .filter(|check| step.is_none() || check.step == step)
            .collect()
    }

    /// The steps the lesson has, in order, without repeats.
    pub fn steps(&self) -> Vec<&'static str> {
        let mut steps: Vec<&'static str> = Vec::new();
        for step in self.checks.iter().filter_map(|check| check.step) {
            if !steps.contains(&step) {
                steps.push(step);
            }
        }
        steps
    }
}

/// How running a lesson's checks went.
#[derive(Debug)]
pub enum Outcome {
    /// The program did not compile; Cargo's messages were shown or kept.
    BuildFailed(BuildOutput),
    /// Every check ran; each with its result, in order. Stops at the first
    /// failure of a required check.
    Ran(Vec<(&'static Check, CheckResult)>),
}

impl Outcome {
    /// Whether every required check passed.
    pub fn passed(&self) -> bool {
        match self {
            Outcome::BuildFailed(_) => false,
            Outcome::Ran(results) => results
                .iter()
                .all(|(check, result)| check.optional || result.is_ok()),
        }
    }

    /// The first failed check and its failure, if any check failed.
    pub fn first_failure(&self) -> Option<(&'static Check, &Failure)> {
        match self {
            Outcome::BuildFailed(_) => None,
            Outcome::Ran(results) => results
                .iter()
                .find_map(|(check, result)| result.as_ref().err().map(|failure| (*check, failure))),
        }
    }
}

/// Builds one side of a lesson and runs its checks (those of `step`, or all),
/// stopping at the first required check that fails. `show_build` lets
/// Cargo print its progress and errors to the terminal, as a student expects;
/// otherwise they are kept in the outcome.
pub fn run_lesson(lesson: &Lesson, side: Side, step: Option<&str>, show_build: bool) -> Outcome {
    let binary = match process::build(&lesson.binary_name(side), show_build) {
        Ok(path) => path,
        Err(output) => return Outcome::BuildFailed(output),
    };
    let mut session = Session::new(binary, lesson.is_server);
    let mut results = Vec::new();
    for check in lesson.checks_for(step) {
        let result = (check.run)(&mut session);
        let stop = result.is_err() && !check.optional;
        results.push((check, result));
        if stop {
            break;
        }
    }
    Outcome::Ran(results)
}
