//! Lessons, checks, and what a failed check reports.

use std::fmt;
use std::path::PathBuf;

use crate::process::{self, BuildOutput};
use crate::session::{Session, Source};
use crate::shipped;

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

/// A failure is an error, so that `?` passes it on anywhere.
impl std::error::Error for Failure {}

/// What a check returns.
pub type CheckResult = Result<(), Failure>;

/// One check of a lesson. A lesson's table builds each with
/// [`Check::new`] (a lesson without steps) or [`Check::step`]:
///
/// ```
/// use course::{Check, CheckResult, Session};
///
/// fn says_hello(session: &mut Session) -> CheckResult {
///     session.get("/")?.expect_status(200, "Answer every GET with 200.")?;
///     Ok(())
/// }
///
/// const CHECKS: &[Check] = &[
///     Check::step("a", "GET / answers 200", says_hello),
///     Check::step("b", "GET / says hello, again", says_hello).optional(),
/// ];
/// assert_eq!(CHECKS[1].step, Some("b"));
/// assert!(CHECKS[1].optional);
/// ```
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

impl Check {
    /// A check of a lesson without steps.
    pub const fn new(name: &'static str, run: fn(&mut Session) -> CheckResult) -> Check {
        Check {
            name,
            step: None,
            optional: false,
            run,
        }
    }

    /// A check of step `step` ("a", "b", ...).
    pub const fn step(
        step: &'static str,
        name: &'static str,
        run: fn(&mut Session) -> CheckResult,
    ) -> Check {
        Check {
            step: Some(step),
            ..Check::new(name, run)
        }
    }

    /// The same check, as "going further": shown, but not needed to
    /// finish the lesson.
    pub const fn optional(self) -> Check {
        Check {
            optional: true,
            ..self
        }
    }
}

/// The hints for a lesson, or for one step of it, from a gentle nudge to
/// the code: `cargo course hint` shows one more each time it is asked, so
/// that the answer is never the first thing a student sees.
#[derive(Debug, Clone, Copy)]
pub struct Hint {
    /// The step these hints are for (`Some("a")`), or `None` for a lesson
    /// without steps.
    pub step: Option<&'static str>,
    /// Where to look, without giving anything away.
    pub nudge: &'static str,
    /// The idea that solves it, in the lesson's words.
    pub concept: &'static str,
    /// The code, or nearly.
    pub code: &'static str,
}

impl Hint {
    /// The three levels, in the order they are shown.
    pub fn levels(&self) -> [&'static str; 3] {
        [self.nudge, self.concept, self.code]
    }
}

/// A lesson: its binaries, its checks and its hints. Each lesson's check
/// file declares its own (`lessonN::LESSON`), built with [`Lesson::new`];
/// the registry, [`crate::lessons::ALL`], lists them in order.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    /// Its number, the start of its folder's name.
    pub number: u32,
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
    /// Hints, one set per step (or one for a lesson without steps).
    pub hints: &'static [Hint],
    /// Its catalog of wrong programs, as TOML (`lessonN.mutants.toml`
    /// beside its checks): see [`crate::mutants`].
    pub mutants: &'static str,
    /// The end of its folder's name, when it is not the binary's:
    /// `10_https` for `https_server` (see [`Lesson::folder_slug`]).
    pub folder_slug: Option<&'static str>,
}

/// Which of a lesson's two programs to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The student's program, in `exercises/`.
    Exercise,
    /// The finished program, in `solutions/`.
    Solution,
    /// The starter as the course ships it (git's `HEAD`), whatever the
    /// student has done to `exercises/`: what `cargo test` and
    /// `cargo course verify` prove fails its checks.
    ShippedStarter,
}

impl Lesson {
    /// A server lesson with no checks yet: the other `const fn`s below
    /// fill in the rest. Its package is not declared: see
    /// [`Lesson::package`].
    ///
    /// ```
    /// use course::Lesson;
    ///
    /// const LESSON: Lesson = Lesson::new(3, "client", "Client").client();
    /// assert_eq!(LESSON.folder(), "3_client");
    /// assert!(!LESSON.is_server);
    /// ```
    pub const fn new(number: u32, binary: &'static str, title: &'static str) -> Lesson {
        Lesson {
            number,
            title,
            binary,
            is_server: true,
            tour: false,
            checks: &[],
            hints: &[],
            mutants: "",
            folder_slug: None,
        }
    }

    /// Its folder is `{number}_{slug}` rather than `{number}_{binary}`:
    /// lesson 10's binary is `https_server`, its folder `10_https`.
    ///
    /// ```
    /// use course::Lesson;
    ///
    /// const LESSON: Lesson = Lesson::new(10, "https_server", "HTTPS").folder_slug("https");
    /// assert_eq!(LESSON.folder(), "10_https");
    /// ```
    pub const fn folder_slug(self, slug: &'static str) -> Lesson {
        Lesson {
            folder_slug: Some(slug),
            ..self
        }
    }

    /// A program the checks run themselves, not a server.
    pub const fn client(self) -> Lesson {
        Lesson {
            is_server: false,
            ..self
        }
    }

    /// A tour: the starter is already the solution.
    pub const fn tour(self) -> Lesson {
        Lesson { tour: true, ..self }
    }

    /// Its checks, hints and catalog of wrong programs.
    pub const fn checks(
        self,
        checks: &'static [Check],
        hints: &'static [Hint],
        mutants: &'static str,
    ) -> Lesson {
        Lesson {
            checks,
            hints,
            mutants,
            ..self
        }
    }

    /// Its folder in `lessons/`, `exercises/` and `solutions/`:
    /// `{number}_{binary}`, `1_echo_server`, unless a
    /// [`Lesson::folder_slug`] names it otherwise.
    pub fn folder(&self) -> String {
        format!(
            "{}_{}",
            self.number,
            self.folder_slug.unwrap_or(self.binary)
        )
    }

    /// The Cargo package that builds the lesson: the one whose manifest
    /// has a `[[bin]]` named its binary (`http-course` for the std-only
    /// lessons, `net-lessons` for `packages/net`, ...), read once from the
    /// workspace's manifests. `None` if no manifest has it, which
    /// `cargo course verify` reports.
    ///
    /// ```
    /// let client = course::lessons::find("client").unwrap();
    /// assert_eq!(client.package(), Some("net-lessons"));
    /// ```
    pub fn package(&self) -> Option<&'static str> {
        crate::workspace::package_of(self.binary).map(|package| package.name.as_str())
    }

    /// The binary for one side of the lesson.
    pub fn binary_name(&self, side: Side) -> String {
        match side {
            Side::Exercise | Side::ShippedStarter => self.binary.to_owned(),
            Side::Solution => format!("{}_sol", self.binary),
        }
    }

    /// The source file for one side of the lesson, relative to the
    /// repository's top folder.
    pub fn source_path(&self, side: Side) -> String {
        let top = match side {
            Side::Exercise | Side::ShippedStarter => "exercises",
            Side::Solution => "solutions",
        };
        format!("{top}/{}/main.rs", self.folder())
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

/// Builds one side of a lesson and returns the program's path, and where
/// it was built from.
fn build_side(
    lesson: &Lesson,
    side: Side,
    show_build: bool,
) -> Result<(PathBuf, Source), BuildOutput> {
    let binary = lesson.binary_name(side);
    let package = lesson.package().ok_or_else(|| BuildOutput {
        messages: format!(
            "no package of the course builds `{}` (cargo course verify says what is missing)",
            lesson.binary
        ),
    })?;
    let source = |root: PathBuf| Source {
        root,
        package: Some(package.to_owned()),
        binary: binary.clone(),
    };
    if side != Side::ShippedStarter {
        let root = process::repository_root();
        let built = process::build_in(&root, Some(package), &binary, show_build)?;
        return Ok((built, source(root)));
    }
    let plain = |messages: String| BuildOutput { messages };
    let root = shipped::shipped_course().map_err(plain)?;
    // Cargo puts every build of `binary` at the same place, target/debug/:
    // the student's program must still be the one found there afterwards.
    let student_build = shipped::StudentBuild::set_aside(&binary);
    let built = process::build_in(&root, Some(package), &binary, show_build);
    let kept = built.and_then(|built| {
        shipped::keep_binary(&built)
            .map_err(|error| plain(format!("could not copy {binary}: {error}")))
    });
    student_build.put_back();
    Ok((kept?, source(root)))
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

    /// Whether `step` ran all its `checks` checks, and each passed.
    pub fn step_passed(&self, step: &str, checks: usize) -> bool {
        match self {
            Outcome::BuildFailed(_) => false,
            Outcome::Ran(results) => {
                let of_step: Vec<_> = results
                    .iter()
                    .filter(|(check, _)| check.step == Some(step))
                    .collect();
                of_step.len() == checks && of_step.iter().all(|(_, result)| result.is_ok())
            }
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
    let (binary, source) = match build_side(lesson, side, show_build) {
        Ok(built) => built,
        Err(output) => return Outcome::BuildFailed(output),
    };
    let mut session = Session::new(binary, lesson.is_server);
    session.set_source(source);
    let mut results = Vec::new();
    for check in lesson.checks_for(step) {
        session.forget_sent();
        let result = (check.run)(&mut session).map_err(|failure| session.with_scenario(failure));
        let stop = result.is_err() && !check.optional;
        results.push((check, result));
        if stop {
            break;
        }
    }
    Outcome::Ran(results)
}
