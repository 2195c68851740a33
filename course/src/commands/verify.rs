//! `cargo course verify [LESSON]`: the instructor's proof, lesson by lesson;
//! `verify --mutants [LESSON]`: the proof that the checks catch mistakes.

use anyhow::Result;
use course::Lesson;
use course::lessons::ALL;
use course::{mutants, verify};

use super::lesson_named;
use super::paint::{Paint, say};

/// `verify [LESSON]`: every check of [`course::verify`], lesson by lesson.
pub fn verify_course(only: Option<&str>) -> Result<bool> {
    let chosen = only.map(lesson_named).transpose()?;
    let paint = Paint::new();
    let mut problems = 0;
    let mut show = |title: &str, found: Vec<String>| {
        if found.is_empty() {
            say!("  {} {title}", paint.good("✓"));
        } else {
            for problem in found {
                problems += 1;
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
        "every numbered folder has a lesson, a text, a starter and a solution",
        verify::layout_problems(),
    );
    show(
        "every lesson has its two binaries in its package, and every lesson binary is registered",
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
            "starter and solution differ only inside TODO regions"
        };
        show(files, verify::region_problems(lesson));
        let checks = if lesson.tour {
            "starter and solution pass every check"
        } else {
            "the solution passes every check; the starter fails one, with a hint"
        };
        show(checks, verify::check_problems(lesson));
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

/// `verify --mutants [LESSON]`: every wrong program of the catalogs must be
/// caught by the check it names, and first.
pub fn verify_mutants(only: Option<&str>) -> Result<bool> {
    let chosen: Vec<&'static Lesson> = match only {
        Some(name) => vec![lesson_named(name)?],
        None => ALL.iter().collect(),
    };
    let paint = Paint::new();
    say!(
        "{}",
        paint.bold("The catalog of wrong programs: each must fail the check it names, first")
    );
    let mut problems = 0;
    let (_, tallies) = mutants::verify_mutants(&chosen, |verdict| match &verdict.problem {
        None => say!(
            "  {} lesson {}, {}",
            paint.good("✓"),
            verdict.lesson,
            verdict.id
        ),
        Some(problem) => {
            problems += 1;
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
    });
    say!();
    say!(
        "  {:<24} {:>7} {:>7} {:>8}",
        "lesson",
        "mutants",
        "caught",
        "seconds"
    );
    let (mut mutants, mut caught, mut seconds) = (0, 0, 0.0);
    for tally in &tallies {
        say!(
            "  {:<24} {:>7} {:>7} {:>8.1}",
            format!("{} {}", tally.lesson.number, tally.lesson.title),
            tally.mutants,
            tally.caught,
            tally.time.as_secs_f64()
        );
        mutants += tally.mutants;
        caught += tally.caught;
        seconds += tally.time.as_secs_f64();
    }
    say!("  {:<24} {mutants:>7} {caught:>7} {seconds:>8.1}", "all");
    say!();
    if problems == 0 {
        say!(
            "{}",
            paint.good(&format!(
                "Every one of the {mutants} wrong programs is caught by its check."
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
