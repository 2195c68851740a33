//! The catalog of wrong programs: proof that the checks catch mistakes.
//!
//! A check that passes a wrong program teaches false confidence. So each
//! lesson keeps, beside its checks, a catalog of plausible mistakes
//! (`course/src/lessons/lessonN.mutants.toml`): each one a small edit of the
//! lesson's solution, the mistake in a sentence as a student would make it,
//! and the check that must be the first to fail. `cargo course verify
//! --mutants` applies every edit to a copy of the solution, builds all of a
//! package's mutants in one Cargo call, runs the lesson's checks in order
//! up to the named one, and reports every mutant that is not caught there.
//!
//! ```
//! use course::mutants::Catalog;
//!
//! let catalog = Catalog::parse(r#"
//! [[mutant]]
//! id = "still-hello"
//! mistake = "the body still says hello"
//! check = "GET /Balloon answers Balloon"
//! find = '''
//! let body = path;
//! '''
//! replace = '''
//! let body = "Hello, HTTP!";
//! '''
//! "#).unwrap();
//! assert_eq!(catalog.mutant[0].id, "still-hello");
//! let edited = catalog.mutant[0].edits()[0].apply("fn f() {\nlet body = path;\n}\n").unwrap();
//! assert_eq!(edited, "fn f() {\nlet body = \"Hello, HTTP!\";\n}\n");
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::process::{self, cargo_command, repository_root};
use crate::session::{Session, Source};
use crate::{Lesson, shipped};

/// One lesson's catalog, as its TOML file has it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The wrong programs, in the file's order.
    #[serde(default)]
    pub mutant: Vec<Mutant>,
}

/// A wrong program: one or more edits of the solution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mutant {
    /// A short name, unique in the lesson (`patch-sql-with-format`).
    pub id: String,
    /// The mistake, as a student would make it.
    pub mistake: String,
    /// The `name` of the check that must be the first to fail.
    pub check: String,
    /// The file of the solution's folder that the first edit changes.
    #[serde(default = "main_rs")]
    pub file: String,
    /// Lines of the solution, which must occur exactly once in `file`.
    pub find: String,
    /// What the student wrote instead.
    pub replace: String,
    /// Anything an instructor should know (how a race was sized, ...).
    #[serde(default)]
    pub note: String,
    /// Further edits, for a mistake that spans two places.
    #[serde(default)]
    pub edit: Vec<Edit>,
}

/// One edit: `find`, which must occur exactly once in `file`, becomes
/// `replace`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// The file in the solution's folder.
    #[serde(default = "main_rs")]
    pub file: String,
    /// The lines to find.
    pub find: String,
    /// What takes their place.
    pub replace: String,
}

fn main_rs() -> String {
    "main.rs".to_owned()
}

impl Catalog {
    /// Reads a catalog from its TOML text.
    pub fn parse(text: &str) -> Result<Catalog, String> {
        toml::from_str(text).map_err(|error| error.to_string())
    }

    /// The catalog of `lesson`, or a sentence saying what is wrong with it.
    pub fn of(lesson: &Lesson) -> Result<Catalog, String> {
        Catalog::parse(lesson.mutants).map_err(|error| {
            format!(
                "lesson {}: course/src/lessons/lesson{}.mutants.toml does not parse: {error}",
                lesson.number, lesson.number
            )
        })
    }
}

impl Mutant {
    /// Every edit of the mutant, the first one included.
    pub fn edits(&self) -> Vec<Edit> {
        let first = Edit {
            file: self.file.clone(),
            find: self.find.clone(),
            replace: self.replace.clone(),
        };
        std::iter::once(first).chain(self.edit.clone()).collect()
    }
}

impl Edit {
    /// `text` with this edit made, or why it cannot be made.
    pub fn apply(&self, text: &str) -> Result<String, String> {
        match text.matches(self.find.as_str()).count() {
            1 => Ok(text.replacen(self.find.as_str(), &self.replace, 1)),
            0 => Err(format!(
                "its lines are no longer in {}: bring the catalog up to date with the solution\n{}",
                self.file,
                indent(&self.find)
            )),
            times => Err(format!(
                "its lines occur {times} times in {}: make `find` longer so that it names one place",
                self.file
            )),
        }
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    | {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The solution's files of `lesson` with the mutant's edits made: every
/// file of the solution's folder, by name, with its text.
pub fn mutated_files(lesson: &Lesson, mutant: &Mutant) -> Result<BTreeMap<String, String>, String> {
    let folder = repository_root().join("solutions").join(lesson.folder());
    let mut files = BTreeMap::new();
    let entries = fs::read_dir(&folder)
        .map_err(|error| format!("could not read {}: {error}", folder.display()))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_file() {
            let text = fs::read_to_string(&path)
                .map_err(|error| format!("could not read {}: {error}", path.display()))?;
            files.insert(entry.file_name().to_string_lossy().into_owned(), text);
        }
    }
    for edit in mutant.edits() {
        let Some(text) = files.get_mut(&edit.file) else {
            return Err(format!(
                "it edits {}, which solutions/{}/ does not have",
                edit.file,
                lesson.folder()
            ));
        };
        *text = edit.apply(text)?;
    }
    Ok(files)
}

/// Problems a catalog has before anything is built: a check that does not
/// exist, an id used twice or not kebab-case, an edit that no longer
/// applies. Each problem is one sentence that names the mutant.
pub fn catalog_problems(lesson: &Lesson) -> Vec<String> {
    let catalog = match Catalog::of(lesson) {
        Ok(catalog) => catalog,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for mutant in &catalog.mutant {
        let name = format!("lesson {}, mutant {}", lesson.number, mutant.id);
        let kebab = !mutant.id.is_empty()
            && mutant
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !kebab {
            problems.push(format!("{name}: an id is made of a-z, 0-9 and -"));
        }
        if seen.contains(&mutant.id) {
            problems.push(format!("{name}: the id is used twice"));
        }
        seen.push(mutant.id.clone());
        if mutant.mistake.trim().is_empty() {
            problems.push(format!("{name}: say the mistake in `mistake`"));
        }
        if !lesson.checks.iter().any(|check| check.name == mutant.check) {
            problems.push(format!(
                "{name}: the lesson has no check named {:?}; its checks are:\n{}",
                mutant.check,
                lesson
                    .checks
                    .iter()
                    .map(|check| format!("    {:?}", check.name))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
        if let Err(problem) = mutated_files(lesson, mutant) {
            problems.push(format!("{name}: {problem}"));
        }
    }
    problems
}

/// What became of one mutant.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The lesson's number.
    pub lesson: u32,
    /// The mutant's id (empty for a problem of the whole catalog).
    pub id: String,
    /// `None` when the named check was the first to fail; otherwise what
    /// went wrong, as a sentence.
    pub problem: Option<String>,
    /// How long its checks took.
    pub time: Duration,
}

impl Verdict {
    fn problem(lesson: u32, id: &str, problem: String) -> Verdict {
        Verdict {
            lesson,
            id: id.to_owned(),
            problem: Some(problem),
            time: Duration::ZERO,
        }
    }
}

/// The binary name of a mutant in the copy of the course.
fn binary_name(lesson: &Lesson, mutant: &Mutant) -> String {
    format!("mutant-{}-{}", lesson.number, mutant.id)
}

/// A mutant ready to be built: its lesson, itself, and its binary's name.
struct Planned<'a> {
    lesson: &'static Lesson,
    mutant: &'a Mutant,
    binary: String,
}

/// Writes every mutant of `planned` into the copy of the course at `copy`
/// (a folder beside the solution's, `solutions/<folder>.mutant-<id>/`, so
/// that the solution's relative paths still hold) and adds a `[[bin]]`
/// for each to its package's manifest; returns the manifests' texts as
/// they were, to be put back after the build.
fn write_mutants(copy: &Path, planned: &[Planned<'_>]) -> Result<Vec<(PathBuf, String)>, String> {
    let mut edited: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    for plan in planned {
        let files = mutated_files(plan.lesson, plan.mutant)?;
        let folder = copy.join("solutions").join(format!(
            "{}.mutant-{}",
            plan.lesson.folder(),
            plan.mutant.id
        ));
        for (name, text) in &files {
            shipped::write_if_changed(&folder.join(name), text.as_bytes())
                .map_err(|error| format!("could not write the mutant: {error}"))?;
        }
        let package = crate::workspace::package_of(plan.lesson.binary).ok_or_else(|| {
            format!(
                "no package builds `{}` (run cargo course verify)",
                plan.lesson.binary
            )
        })?;
        let manifest = copy.join(package.manifest());
        if !edited.contains_key(&manifest) {
            let original = fs::read_to_string(&manifest)
                .map_err(|error| format!("could not read {}: {error}", manifest.display()))?;
            edited.insert(manifest.clone(), (original.clone(), original));
        }
        let (_, text) = edited.get_mut(&manifest).expect("inserted above");
        text.push_str(&format!(
            "\n[[bin]]\nname = {:?}\npath = {:?}\n",
            plan.binary,
            folder.join("main.rs").display().to_string()
        ));
    }
    let mut originals = Vec::new();
    for (manifest, (original, text)) in edited {
        shipped::write_if_changed(&manifest, text.as_bytes())
            .map_err(|error| format!("could not write {}: {error}", manifest.display()))?;
        originals.push((manifest, original));
    }
    Ok(originals)
}

/// Builds the `binaries` of one package in one Cargo call that goes on past
/// a mutant that does not compile, and hands each binary to `built` as soon
/// as Cargo has made it (so that its checks start while the others are
/// still compiling). Returns the compiler's errors for those it could not
/// build.
fn build_package(
    copy: &Path,
    package: &str,
    binaries: &[&str],
    mut built: impl FnMut(&str, PathBuf),
) -> BTreeMap<String, String> {
    let mut command = cargo_command();
    command
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", process::target_dir())
        .args(["build", "--keep-going", "--message-format=json"])
        .args(["--package", package, "--features", process::FEATURE]);
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    let mut missing: BTreeMap<String, String> = binaries
        .iter()
        .map(|binary| ((*binary).to_owned(), String::new()))
        .collect();
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            for why in missing.values_mut() {
                *why = format!("could not run cargo: {error}");
            }
            return missing;
        }
    };
    let stderr = child.stderr.take();
    let stderr = thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    });
    let lines = child.stdout.take().map(|out| BufReader::new(out).lines());
    for line in lines.into_iter().flatten().map_while(Result::ok) {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let target = message["target"]["name"].as_str().unwrap_or("");
        let Some(why) = missing.get_mut(target) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(path) = message["executable"].as_str() {
                    let target = target.to_owned();
                    missing.remove(&target);
                    built(&target, PathBuf::from(path));
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                why.push_str(message["message"]["rendered"].as_str().unwrap_or(""));
            }
            _ => {}
        }
    }
    let _ = child.wait();
    let stderr = stderr.join().unwrap_or_default();
    for why in missing.values_mut().filter(|why| why.is_empty()) {
        *why = format!("Cargo built nothing:\n{stderr}");
    }
    missing
}

/// Runs `lesson`'s checks against the built `mutant` in order, up to and
/// including the check it names. `None` when that check is the first to
/// fail; otherwise what went wrong, as a sentence. `copy` is the copy of
/// the course it was built in, where a check that builds the program's own
/// tests (lesson 6) finds its files.
pub fn check_mutant(
    lesson: &Lesson,
    mutant: &Mutant,
    binary: PathBuf,
    copy: &Path,
) -> Option<String> {
    let named = mutant.check.as_str();
    let mut session = Session::new(binary, lesson.is_server);
    session.set_source(Source {
        root: copy.to_path_buf(),
        package: lesson.package().map(str::to_owned),
        binary: binary_name(lesson, mutant),
    });
    for check in lesson.checks {
        session.forget_sent();
        if let Err(failure) = (check.run)(&mut session) {
            let failure = session.with_scenario(failure);
            return (check.name != named).then(|| {
                format!(
                    "the first check to fail is {:?}, not {named:?}\n{}",
                    check.name,
                    indent(failure.to_string().trim_end())
                )
            });
        }
        if check.name == named {
            break;
        }
    }
    Some(format!(
        "it passes every check up to {named:?}: no check catches this mistake"
    ))
}

/// How the checks of one built mutant are run: `cargo course` runs each
/// mutant's in a process of its own, several at once, so that each draws
/// the same random inputs from the seed as `cargo course check` would.
/// It gets the lesson, the mutant, its binary and the copy of the course it
/// was built in (see [`check_mutant`]).
pub type Checker<'a> = dyn Fn(&'static Lesson, &Mutant, &Path, &Path) -> Option<String> + Sync + 'a;

/// Builds and checks every mutant of `lessons` (only the one called
/// `only_id`, if given), `jobs` at a time, with `check`. `progress` is told
/// of each verdict as it comes.
pub fn verify_mutants(
    lessons: &[&'static Lesson],
    only_id: Option<&str>,
    jobs: usize,
    check: &Checker<'_>,
    progress: &mut dyn FnMut(&Verdict),
) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let mut catalogs: Vec<(&'static Lesson, Catalog)> = Vec::new();
    for &lesson in lessons {
        match Catalog::of(lesson) {
            Ok(catalog) => catalogs.push((lesson, catalog)),
            Err(problem) => verdicts.push(Verdict::problem(lesson.number, "", problem)),
        }
    }
    // Mutants that do not apply are reported now and never built.
    let mut planned = Vec::new();
    for (lesson, catalog) in &catalogs {
        for mutant in &catalog.mutant {
            if only_id.is_some_and(|id| id != mutant.id) {
                continue;
            }
            match mutated_files(lesson, mutant) {
                Ok(_) => planned.push(Planned {
                    lesson,
                    mutant,
                    binary: binary_name(lesson, mutant),
                }),
                Err(problem) => verdicts.push(Verdict::problem(
                    lesson.number,
                    &mutant.id,
                    format!("it no longer applies: {problem}"),
                )),
            }
        }
    }
    if let Some(id) = only_id
        && planned.is_empty()
        && verdicts.is_empty()
    {
        verdicts.push(Verdict::problem(
            lessons.first().map_or(0, |lesson| lesson.number),
            id,
            "the catalog has no mutant with this id".to_owned(),
        ));
    }
    for verdict in &verdicts {
        progress(verdict);
    }
    let copy = match shipped::shipped_course() {
        Ok(copy) => copy,
        Err(problem) => {
            verdicts.push(Verdict::problem(0, "", problem));
            return verdicts;
        }
    };
    let originals = match write_mutants(&copy, &planned) {
        Ok(originals) => originals,
        Err(problem) => {
            verdicts.push(Verdict::problem(0, "", problem));
            return verdicts;
        }
    };
    let by_binary: BTreeMap<&str, &Planned<'_>> = planned
        .iter()
        .map(|plan| (plan.binary.as_str(), plan))
        .collect();
    let (job_sender, job_receiver) = mpsc::channel::<(&Planned<'_>, PathBuf)>();
    let job_receiver = Mutex::new(job_receiver);
    let (verdict_sender, verdict_receiver) = mpsc::channel::<Verdict>();
    let copy = &copy;
    thread::scope(|scope| {
        // Checkers: each takes the next built mutant.
        for _ in 0..jobs.max(1) {
            let verdicts = verdict_sender.clone();
            let jobs = &job_receiver;
            scope.spawn(move || {
                loop {
                    let next = jobs.lock().map(|jobs| jobs.recv());
                    let Ok(Ok((plan, binary))) = next else {
                        break;
                    };
                    let started = Instant::now();
                    let problem = check(plan.lesson, plan.mutant, &binary, copy);
                    let _ = verdicts.send(Verdict {
                        lesson: plan.lesson.number,
                        id: plan.mutant.id.clone(),
                        problem,
                        time: started.elapsed(),
                    });
                }
            });
        }
        // The builder: one Cargo call per package.
        let failures = verdict_sender.clone();
        let by_binary = &by_binary;
        let planned = &planned;
        scope.spawn(move || {
            let mut packages: Vec<&str> = planned
                .iter()
                .filter_map(|plan| plan.lesson.package())
                .collect();
            packages.sort_unstable();
            packages.dedup();
            for package in packages {
                let binaries: Vec<&str> = planned
                    .iter()
                    .filter(|plan| plan.lesson.package() == Some(package))
                    .map(|plan| plan.binary.as_str())
                    .collect();
                let failed = build_package(copy, package, &binaries, |binary, path| {
                    if let Some(plan) = by_binary.get(binary) {
                        let _ = job_sender.send((plan, path));
                    }
                });
                for (binary, errors) in failed {
                    let plan = by_binary[binary.as_str()];
                    let _ = failures.send(Verdict::problem(
                        plan.lesson.number,
                        &plan.mutant.id,
                        format!(
                            "it does not compile, so it proves nothing: make it a program that builds\n{}",
                            indent(errors.trim_end())
                        ),
                    ));
                }
            }
        });
        drop(verdict_sender);
        for verdict in verdict_receiver {
            progress(&verdict);
            verdicts.push(verdict);
        }
    });
    // The manifests are put back once every mutant is checked: a check may
    // build the mutant's own tests (lesson 6), which needs its [[bin]].
    for (manifest, original) in originals {
        let _ = shipped::write_if_changed(&manifest, original.as_bytes());
    }
    verdicts
}

/// How to run the same inputs again, for the end of a report.
pub fn replay_hint() -> String {
    format!(
        "{}; `cargo course verify --mutants LESSON` checks one lesson's catalog",
        crate::kit::seed::replay_line()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::ALL;

    #[test]
    fn every_catalog_parses_names_real_checks_and_still_applies() {
        let problems: Vec<String> = ALL.iter().flat_map(catalog_problems).collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_lesson_has_enough_wrong_programs() {
        let mut total = 0;
        for lesson in ALL {
            let count = Catalog::of(lesson).map(|c| c.mutant.len()).unwrap_or(0);
            let least = if matches!(lesson.number, 0 | 3) { 2 } else { 6 };
            assert!(
                count >= least,
                "lesson {} has {count} mutants; it needs at least {least}",
                lesson.number
            );
            total += count;
        }
        assert!(
            total >= 70,
            "{total} mutants in all; the course needs at least 70"
        );
    }

    #[test]
    fn an_edit_must_name_exactly_one_place() {
        let edit = Edit {
            file: "main.rs".into(),
            find: "x".into(),
            replace: "y".into(),
        };
        assert_eq!(edit.apply("axb").unwrap(), "ayb");
        assert!(edit.apply("abc").unwrap_err().contains("no longer"));
        assert!(edit.apply("xx").unwrap_err().contains("2 times"));
    }
}
