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
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::process::{cargo_command, repository_root};
use crate::session::Session;
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
    let folder = repository_root().join("solutions").join(lesson.folder);
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
                edit.file, lesson.folder
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
#[derive(Debug)]
pub struct Verdict {
    /// The lesson's number.
    pub lesson: u32,
    /// The mutant's id.
    pub id: String,
    /// `None` when the named check was the first to fail; otherwise what
    /// went wrong, as a sentence.
    pub problem: Option<String>,
}

/// The binary name of a mutant in the copy of the course.
fn binary_name(lesson: &Lesson, mutant: &Mutant) -> String {
    format!("mutant-{}-{}", lesson.number, mutant.id)
}

/// Where the package `package` keeps its manifest, relative to the top
/// folder: the top package's is `Cargo.toml`, the others' are under
/// `packages/` (`cargo metadata` says which).
fn manifest_of(package: &str) -> Result<PathBuf, String> {
    let output = cargo_command()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output()
        .map_err(|error| format!("could not run cargo metadata: {error}"))?;
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|error| error.to_string())?;
    let root = repository_root();
    metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|candidate| candidate["name"] == package)
        .and_then(|found| found["manifest_path"].as_str())
        .and_then(|path| {
            Path::new(path)
                .strip_prefix(&root)
                .ok()
                .map(Path::to_path_buf)
        })
        .ok_or_else(|| format!("cargo metadata does not know the package {package}"))
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
    let mut manifests: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    for plan in planned {
        let files = mutated_files(plan.lesson, plan.mutant)?;
        let folder = copy
            .join("solutions")
            .join(format!("{}.mutant-{}", plan.lesson.folder, plan.mutant.id));
        for (name, text) in &files {
            shipped::write_if_changed(&folder.join(name), text.as_bytes())
                .map_err(|error| format!("could not write the mutant: {error}"))?;
        }
        let manifest = copy.join(manifest_of(plan.lesson.package)?);
        if !manifests.contains_key(&manifest) {
            let original = fs::read_to_string(&manifest)
                .map_err(|error| format!("could not read {}: {error}", manifest.display()))?;
            manifests.insert(manifest.clone(), (original.clone(), original));
        }
        let (_, text) = manifests.get_mut(&manifest).expect("inserted above");
        text.push_str(&format!(
            "\n[[bin]]\nname = {:?}\npath = {:?}\n",
            plan.binary,
            folder.join("main.rs").display().to_string()
        ));
    }
    let mut originals = Vec::new();
    for (manifest, (original, text)) in manifests {
        shipped::write_if_changed(&manifest, text.as_bytes())
            .map_err(|error| format!("could not write {}: {error}", manifest.display()))?;
        originals.push((manifest, original));
    }
    Ok(originals)
}

/// Builds every planned mutant of one package in one Cargo call that goes
/// on past a mutant that does not compile. Returns, per binary name, its
/// path or the compiler's errors.
fn build_package(
    copy: &Path,
    package: &str,
    binaries: &[&str],
) -> BTreeMap<String, Result<PathBuf, String>> {
    let mut command = cargo_command();
    command
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", shipped::target_dir())
        .args([
            "build",
            "--keep-going",
            "--message-format=json",
            "--package",
            package,
        ])
        .args(["--features", shipped::FEATURE]);
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    let output = command.stdin(Stdio::null()).stderr(Stdio::piped()).output();
    let mut built: BTreeMap<String, Result<PathBuf, String>> = BTreeMap::new();
    let output = match output {
        Ok(output) => output,
        Err(error) => {
            for binary in binaries {
                built.insert(
                    (*binary).to_owned(),
                    Err(format!("could not run cargo: {error}")),
                );
            }
            return built;
        }
    };
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let target = message["target"]["name"].as_str().unwrap_or("").to_owned();
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(path) = message["executable"].as_str() {
                    built.insert(target, Ok(PathBuf::from(path)));
                }
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let rendered = message["message"]["rendered"].as_str().unwrap_or("");
                errors.entry(target).or_default().push_str(rendered);
            }
            _ => {}
        }
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    for binary in binaries {
        if !built.contains_key(*binary) {
            let why = errors
                .remove(*binary)
                .unwrap_or_else(|| format!("Cargo built nothing:\n{stderr}"));
            built.insert((*binary).to_owned(), Err(why));
        }
    }
    built
}

/// Runs `lesson`'s checks against `binary` in order, up to and including
/// the check named `until`, and says which failed first (`None`: none).
fn first_failing_check(
    lesson: &Lesson,
    binary: PathBuf,
    until: &str,
) -> Option<(&'static str, String)> {
    let mut session = Session::new(binary, lesson.is_server);
    for check in lesson.checks {
        session.forget_sent();
        if let Err(failure) = (check.run)(&mut session) {
            return Some((check.name, failure.to_string()));
        }
        if check.name == until {
            break;
        }
    }
    None
}

/// One lesson's line of the table: how many mutants, how many caught, and
/// how long building and checking them took.
#[derive(Debug)]
pub struct Tally {
    /// The lesson.
    pub lesson: &'static Lesson,
    /// Mutants in its catalog.
    pub mutants: usize,
    /// Mutants its named check caught first.
    pub caught: usize,
    /// Time spent checking them (its share of the build included).
    pub time: Duration,
}

/// Builds and checks every mutant of `lessons`. `progress` is told of each
/// verdict as it comes (for a live line on screen).
pub fn verify_mutants(
    lessons: &[&'static Lesson],
    mut progress: impl FnMut(&Verdict),
) -> (Vec<Verdict>, Vec<Tally>) {
    let mut verdicts = Vec::new();
    let mut tallies = Vec::new();
    let catalogs: Vec<(&'static Lesson, Catalog)> = lessons
        .iter()
        .map(|&lesson| (lesson, Catalog::of(lesson)))
        .filter_map(|(lesson, catalog)| match catalog {
            Ok(catalog) => Some((lesson, catalog)),
            Err(problem) => {
                verdicts.push(Verdict {
                    lesson: lesson.number,
                    id: String::new(),
                    problem: Some(problem),
                });
                None
            }
        })
        .collect();
    // Mutants that do not apply are reported now and never built.
    let mut planned = Vec::new();
    for (lesson, catalog) in &catalogs {
        for mutant in &catalog.mutant {
            match mutated_files(lesson, mutant) {
                Ok(_) => planned.push(Planned {
                    lesson,
                    mutant,
                    binary: binary_name(lesson, mutant),
                }),
                Err(problem) => verdicts.push(Verdict {
                    lesson: lesson.number,
                    id: mutant.id.clone(),
                    problem: Some(format!("it no longer applies: {problem}")),
                }),
            }
        }
    }
    for verdict in &verdicts {
        progress(verdict);
    }
    let copy = match shipped::shipped_course() {
        Ok(copy) => copy,
        Err(problem) => {
            verdicts.push(Verdict {
                lesson: 0,
                id: String::new(),
                problem: Some(problem),
            });
            return (verdicts, tallies);
        }
    };
    // One build per package, all of its mutants at once (Cargo compiles
    // them in parallel); the manifests are put back whatever happens.
    let started = Instant::now();
    let mut built = BTreeMap::new();
    match write_mutants(&copy, &planned) {
        Ok(originals) => {
            let mut packages: Vec<&str> = planned.iter().map(|plan| plan.lesson.package).collect();
            packages.sort_unstable();
            packages.dedup();
            for package in packages {
                let binaries: Vec<&str> = planned
                    .iter()
                    .filter(|plan| plan.lesson.package == package)
                    .map(|plan| plan.binary.as_str())
                    .collect();
                built.extend(build_package(&copy, package, &binaries));
            }
            for (manifest, original) in originals {
                let _ = shipped::write_if_changed(&manifest, original.as_bytes());
            }
        }
        Err(problem) => {
            for plan in &planned {
                built.insert(plan.binary.clone(), Err(problem.clone()));
            }
        }
    }
    let build_time = started.elapsed();
    let build_share = build_time / u32::try_from(planned.len().max(1)).unwrap_or(u32::MAX);
    for (lesson, catalog) in &catalogs {
        let started = Instant::now();
        let mut caught = 0;
        for plan in planned
            .iter()
            .filter(|plan| plan.lesson.number == lesson.number)
        {
            let problem = match built.remove(&plan.binary) {
                None => Some("it was not built".to_owned()),
                Some(Err(errors)) => Some(format!(
                    "it does not compile, so it proves nothing: make it a program that builds\n{}",
                    indent(errors.trim_end())
                )),
                Some(Ok(binary)) => match first_failing_check(lesson, binary, &plan.mutant.check) {
                    None => Some(format!(
                        "it passes every check up to {:?}: no check catches this mistake",
                        plan.mutant.check
                    )),
                    Some((name, _)) if name == plan.mutant.check => None,
                    Some((name, failure)) => Some(format!(
                        "the first check to fail is {name:?}, not {:?}\n{}",
                        plan.mutant.check,
                        indent(failure.trim_end())
                    )),
                },
            };
            caught += usize::from(problem.is_none());
            let verdict = Verdict {
                lesson: lesson.number,
                id: plan.mutant.id.clone(),
                problem,
            };
            progress(&verdict);
            verdicts.push(verdict);
        }
        let count = planned
            .iter()
            .filter(|plan| plan.lesson.number == lesson.number)
            .count();
        tallies.push(Tally {
            lesson,
            mutants: catalog.mutant.len(),
            caught,
            time: started.elapsed() + build_share * u32::try_from(count).unwrap_or(0),
        });
    }
    (verdicts, tallies)
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
