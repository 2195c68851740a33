//! `cargo course verify [LESSON]`: the instructor's proof, lesson by lesson;
//! `verify --mutants [LESSON]`: the proof that the checks catch mistakes.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};
use course::Lesson;
use course::kit::seed;
use course::lessons::ALL;
use course::mutants::{self, Mutant};
use course::verify;

use super::lesson_named;
use super::paint::{Paint, say};

/// `verify [--fix] [LESSON]`: every check of [`course::verify`], lesson by
/// lesson; with `fix`, first what [`verify::fix_in`] can write.
pub fn verify_course(only: Option<&str>, fix: bool) -> Result<bool> {
    let chosen = only.map(lesson_named).transpose()?;
    let paint = Paint::new();
    if fix {
        let lessons: Vec<course::Lesson> = ALL
            .iter()
            .filter(|lesson| chosen.is_none_or(|chosen| chosen.number == lesson.number))
            .copied()
            .collect();
        let written = verify::fix_in(&course::process::repository_root(), &lessons)
            .map_err(anyhow::Error::msg)?;
        say!("{}", paint.bold("Fixed"));
        if written.is_empty() {
            say!(
                "  {}",
                paint
                    .dim("nothing to add: every lesson with a package has both its [[bin]] blocks")
            );
        }
        for line in written {
            say!("  {} {line}", paint.good("+"));
        }
    }
    let mut problems = 0;
    let mut show = |title: &str, found: Vec<String>| {
        if found.is_empty() {
            say!("  {} {title}", paint.good("✓"));
        } else {
            for problem in found {
                problems += 1;
                // A block to add (a [[bin]], Cargo's messages) is indented
                // under its sentence.
                let problem = problem.trim_end().replace('\n', "\n    ");
                say!("  {} {problem}", paint.bad("✗"));
            }
        }
    };
    say!(
        "{}",
        paint.dim("(Starters are checked as the course ships them, from git: your own exercises are left out.)")
    );
    say!("{}", paint.bold("The course"));
    show(
        "every numbered folder has a lesson; every lesson its text, starter, solution, check file, registry lines, catalog, browser cases and map row",
        verify::layout_problems(),
    );
    show(
        "every lesson has its two [[bin]] blocks in one package, and every lesson binary is registered",
        verify::manifest_problems(),
    );
    for lesson in ALL
        .iter()
        .filter(|lesson| chosen.is_none_or(|chosen| chosen.number == lesson.number))
    {
        say!(
            "{}",
            paint.bold(&format!(
                "Lesson {}, {} ({})",
                lesson.number, lesson.title, lesson.binary
            ))
        );
        let files = if lesson.tour {
            "starter and solution are the same file (a tour)"
        } else {
            "every file of the starter is its solution's outside TODO regions"
        };
        show(files, verify::region_problems(lesson));
        let checks = if lesson.tour {
            "starter and solution pass every check"
        } else {
            "the solution passes every check; the starter fails one, with a hint"
        };
        show(checks, verify::check_problems(lesson));
        show(
            "every hint's code is the solution's own, or a short pointer at the text",
            course::hints::hint_problems(lesson),
        );
        show(
            "starter and solution are rustfmt- and clippy-clean",
            verify::style_problems(lesson),
        );
    }
    say!();
    if problems == 0 {
        let verified = if chosen.is_some() { 1 } else { ALL.len() };
        say!(
            "{}",
            paint.good(&format!(
                "The course is sound: {verified} lesson(s) verified."
            ))
        );
        Ok(true)
    } else {
        say!("{}", paint.bad(&format!("{problems} problem(s) found.")));
        Ok(false)
    }
}

/// `verify --mutants [LESSON [ID]]`: every wrong program of the catalogs
/// must be caught by the check it names, and first.
pub fn verify_mutants(only: Option<&str>, only_id: Option<&str>) -> Result<bool> {
    let chosen: Vec<&'static Lesson> = match only {
        Some(name) => vec![lesson_named(name)?],
        None => ALL.iter().collect(),
    };
    // Each mutant's checks run in a process of their own (this program,
    // started again with the mutant's binary): see `check_built_mutant`.
    if let (Some(binary), Some(copy), [lesson], Some(id)) = (
        env::var_os(MUTANT_BINARY),
        env::var_os(MUTANT_COPY),
        chosen.as_slice(),
        only_id,
    ) {
        return check_built_mutant(lesson, id, PathBuf::from(binary), Path::new(&copy));
    }
    let program = env::current_exe().context("could not find the course's own program")?;
    let seed = seed::seed().to_string();
    let check = |lesson: &'static Lesson, mutant: &Mutant, binary: &Path, copy: &Path| {
        let output = Command::new(&program)
            .args(["verify", "--mutants", lesson.binary, &mutant.id])
            .env(MUTANT_BINARY, binary)
            .env(MUTANT_COPY, copy)
            .env("COURSE_SEED", &seed)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output();
        match output {
            Ok(output) if output.status.success() => None,
            Ok(output) => Some(
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                )
                .trim_end()
                .to_owned(),
            ),
            Err(error) => Some(format!("could not run its checks: {error}")),
        }
    };
    let jobs = env::var("COURSE_MUTANT_JOBS")
        .ok()
        .and_then(|jobs| jobs.parse().ok())
        .unwrap_or(3);
    let paint = Paint::new();
    say!(
        "{}",
        paint.bold("The catalog of wrong programs: each must fail the check it names, first")
    );
    let started = Instant::now();
    let verdicts =
        mutants::verify_mutants(
            &chosen,
            only_id,
            jobs,
            &check,
            &mut |verdict| match &verdict.problem {
                None => say!(
                    "  {} lesson {}, {} ({:.1} s)",
                    paint.good("✓"),
                    verdict.lesson,
                    verdict.id,
                    verdict.time.as_secs_f64()
                ),
                Some(problem) => {
                    let id = if verdict.id.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", verdict.id)
                    };
                    say!(
                        "  {} lesson {}{id}: {problem}",
                        paint.bad("✗"),
                        verdict.lesson
                    );
                }
            },
        );
    let problems = verdicts
        .iter()
        .filter(|verdict| verdict.problem.is_some())
        .count();
    say!();
    say!(
        "  {:<24} {:>7} {:>7} {:>8}",
        "lesson",
        "mutants",
        "caught",
        "seconds"
    );
    for lesson in &chosen {
        let mine: Vec<&mutants::Verdict> = verdicts
            .iter()
            .filter(|verdict| verdict.lesson == lesson.number && !verdict.id.is_empty())
            .collect();
        let caught = mine
            .iter()
            .filter(|verdict| verdict.problem.is_none())
            .count();
        let seconds: f64 = mine.iter().map(|verdict| verdict.time.as_secs_f64()).sum();
        say!(
            "  {:<24} {:>7} {caught:>7} {seconds:>8.1}",
            format!("{} {}", lesson.number, lesson.title),
            mine.len()
        );
    }
    let total = verdicts
        .iter()
        .filter(|verdict| !verdict.id.is_empty())
        .count();
    say!(
        "  {:<24} {total:>7} {:>7} {:>8.1}",
        "all",
        total - problems,
        started.elapsed().as_secs_f64()
    );
    say!(
        "  {}",
        paint.dim(&format!(
            "(a lesson's seconds are its checks' added up; all's are the wall clock, builds included: Cargo builds the mutants while {jobs} at a time are checked)"
        ))
    );
    say!();
    if problems == 0 {
        say!(
            "{}",
            paint.good(&format!(
                "Every one of the {total} wrong programs is caught by its check."
            ))
        );
    } else {
        say!(
            "{}",
            paint.bad(&format!(
                "{problems} problem(s) found. {}",
                mutants::replay_hint()
            ))
        );
    }
    Ok(problems == 0)
}

/// The variables that hand a built mutant, and the copy of the course it
/// was built in, to the process that checks it.
const MUTANT_BINARY: &str = "COURSE_MUTANT_BINARY";
const MUTANT_COPY: &str = "COURSE_MUTANT_COPY";

/// In the process started for one mutant: run its checks and print what is
/// wrong, if anything (exit status 1), or nothing (status 0).
fn check_built_mutant(
    lesson: &'static Lesson,
    id: &str,
    binary: PathBuf,
    copy: &Path,
) -> Result<bool> {
    let catalog = mutants::Catalog::of(lesson).map_err(anyhow::Error::msg)?;
    let mutant = catalog
        .mutant
        .iter()
        .find(|mutant| mutant.id == id)
        .with_context(|| format!("lesson {} has no mutant {id}", lesson.number))?;
    match mutants::check_mutant(lesson, mutant, binary, copy) {
        None => Ok(true),
        Some(problem) => {
            println!("{problem}");
            Ok(false)
        }
    }
}
