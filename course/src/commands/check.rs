//! `cargo course check [LESSON [STEP]] [--full]`: build the exercise, run
//! the checks, report.

use std::io::{self, Write};

use anyhow::{Context, Result, bail};
use course::check::{Outcome, run_lesson};
use course::progress::Progress;
use course::{Lesson, Side};

use super::paint::{Paint, say, say_part};
use super::{how_to_start, lesson_named, next_lesson_after, next_unfinished};

/// `check LESSON [STEP]`: build the exercise, run the checks, report.
pub fn check(name: &str, step: Option<&str>) -> Result<bool> {
    let lesson = lesson_named(name)?;
    check_lesson(lesson, step)
}

/// `check` with no lesson: the next one not done yet.
pub fn check_next() -> Result<bool> {
    let Some(lesson) = next_unfinished() else {
        say!("Every lesson is done: the course is finished. Well done!");
        say!(
            "Check one again with `cargo course check LESSON`; `cargo course list` shows them all."
        );
        return Ok(true);
    };
    say!(
        "Checking the next lesson you have not finished: lesson {}, {} (`cargo course check LESSON` picks another).",
        lesson.number,
        lesson.title
    );
    check_lesson(lesson, None)
}

/// Checks one lesson (or one of its steps) and reports.
pub fn check_lesson(lesson: &'static Lesson, step: Option<&str>) -> Result<bool> {
    let steps = lesson.steps();
    if let Some(step) = step
        && !steps.contains(&step)
    {
        if steps.is_empty() {
            bail!(
                "lesson {} has no steps; run `cargo course check {}`",
                lesson.number,
                lesson.binary
            );
        }
        bail!(
            "lesson {} has the steps {}; there is no step {step:?}",
            lesson.number,
            steps.join(", ")
        );
    }
    let paint = Paint::new();
    let what = match step {
        Some(step) => format!("step {step} of lesson {}", lesson.number),
        None => format!("lesson {}", lesson.number),
    };
    say!(
        "{} {what}, {}: building {}...",
        paint.bold("Checking"),
        lesson.title,
        lesson.binary
    );
    let _ = io::stdout().flush();
    let outcome = run_lesson(lesson, Side::Exercise, step, true);
    let passed = report(lesson, step, &outcome, &paint);
    if passed {
        let mut progress = Progress::load();
        progress.record_pass(lesson, step);
        if step.is_none() {
            // Each step whose checks all passed, so that a going-further
            // step counts only when it passed.
            for done in steps
                .iter()
                .filter(|&&each| outcome.step_passed(each, lesson.checks_for(Some(each)).len()))
            {
                progress.record_pass(lesson, Some(done));
            }
        }
        progress
            .save()
            .context("could not save your progress in .course/")?;
        say!();
        // A going-further step that was started and fails: "done" would
        // read as if it were right too.
        let going_further_failing: Vec<&str> = match &outcome {
            Outcome::Ran(results) if step.is_none() => {
                let mut failing: Vec<&str> = results
                    .iter()
                    .filter(|(check, result)| {
                        check.optional
                            && result.is_err()
                            && course::shipped::step_attempted(lesson, check.step) == Some(true)
                    })
                    .filter_map(|(check, _)| check.step)
                    .collect();
                failing.dedup();
                failing
            }
            _ => Vec::new(),
        };
        if going_further_failing.is_empty() {
            say!("{}", paint.good(&format!("{} {what} is done!", "✓")));
        } else {
            let steps = going_further_failing
                .iter()
                .map(|step| format!("step {step}"))
                .collect::<Vec<_>>()
                .join(", ");
            say!(
                "{}",
                paint.good(&format!(
                    "✓ the required steps of {what} are done; the going-further {steps} is started but not right yet (the ✗ above says why)."
                ))
            );
        }
        match step.and_then(|step| steps.iter().skip_while(|&&s| s != step).nth(1)) {
            Some(next_step) => say!(
                "Next: step {next_step}. Read its part of lessons/{}/README.md, then run `cargo course check {} {next_step}`.",
                lesson.folder(),
                lesson.binary
            ),
            None if step.is_some() => say!(
                "That was the last step. Check the whole lesson with `cargo course check {}`.",
                lesson.binary
            ),
            None => match next_lesson_after(lesson) {
                Some(next) => say!("Next: {}.", how_to_start(next)),
                None => match next_unfinished() {
                    Some(left) => say!(
                        "That was the last lesson; lesson {} is not done yet: {}.",
                        left.number,
                        how_to_start(left)
                    ),
                    None => say!("That was the last lesson: the course is finished. Well done!"),
                },
            },
        }
    }
    Ok(passed)
}

/// Prints each check's result; returns whether the lesson passed: its
/// required checks, or, for a step the student named, every check of it,
/// a going-further step's too.
fn report(lesson: &Lesson, step: Option<&str>, outcome: &Outcome, paint: &Paint) -> bool {
    match outcome {
        Outcome::BuildFailed(_) => {
            say!();
            say!(
                "{} Your program does not compile yet. Cargo's messages are above: fix the first error, then check again.",
                paint.bad("✗")
            );
            false
        }
        Outcome::Ran(results) => {
            // The step of the first check that failed and was not skipped
            // as "not done yet": the one a hint should be about.
            let mut stuck_on: Option<Option<&str>> = None;
            for (check, result) in results {
                let label = if check.optional {
                    format!("going further: {}", check.name)
                } else {
                    check.name.to_owned()
                };
                let Err(failure) = result else {
                    say!("  {} {label}", paint.good("✓"));
                    continue;
                };
                // A going-further check the student did not ask for by name
                // and has not started is "not done yet"; once its TODO
                // region is started, its failure is a failure.
                let not_started = check.optional
                    && step.is_none()
                    && course::shipped::step_attempted(lesson, check.step) != Some(true);
                if not_started {
                    say!(
                        "  {} {label} {}",
                        paint.dim("○"),
                        paint.dim("(optional, not done yet)")
                    );
                } else if check.optional && step.is_none() {
                    say!(
                        "  {} {label} {}",
                        paint.bad("✗"),
                        paint.dim("(optional: started, but not right yet)")
                    );
                    stuck_on.get_or_insert(check.step);
                } else {
                    say!("  {} {label}", paint.bad("✗"));
                    stuck_on.get_or_insert(check.step);
                }
                say_part!("{failure}");
            }
            let passed = match step {
                Some(_) => outcome.passed() && results.iter().all(|(_, result)| result.is_ok()),
                None => outcome.passed(),
            };
            if let Some(failed_step) = stuck_on {
                say!();
                if lesson.is_server {
                    say!(
                        "To see it yourself: `cargo run --bin {}`, then run the `sent` commands, in order, in a second terminal.",
                        lesson.binary
                    );
                } else {
                    say!("To see it yourself, run the `sent` commands, in order.");
                }
                let step = failed_step
                    .map(|step| format!(" {step}"))
                    .unwrap_or_default();
                say!(
                    "Stuck? `cargo course hint {}{step}` gives a hint. `--full` shows whole bodies and every request.",
                    lesson.binary
                );
                say!("{}.", paint.dim(&course::kit::seed::replay_line()));
            }
            passed
        }
    }
}
