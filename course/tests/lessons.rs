//! Every lesson's checks, against every solution (they must pass) and every
//! shipped starter (they must fail, helpfully), as `cargo test` runs them.
//!
//! The tests are made from the registry, `course::lessons::ALL`: two per
//! lesson, `<binary>::solution_passes` and `<binary>::starter_fails` (or
//! `starter_is_the_tour`). A filter runs some of them, as with any test:
//! `cargo test -p course --test lessons -- messageboard`. Starters are the
//! shipped ones (git's `HEAD`), so a student's work never fails this.

use std::process::ExitCode;

use course::check::{Outcome, run_lesson};
use course::kit::seed;
use course::lessons::ALL;
use course::{Lesson, Side};

fn report(outcome: &Outcome) -> String {
    match outcome {
        Outcome::BuildFailed(output) => format!("build failed:\n{}", output.messages),
        Outcome::Ran(results) => results
            .iter()
            .map(|(check, result)| match result {
                Ok(()) => format!("ok    {}\n", check.name),
                Err(failure) => format!("FAIL  {}\n{failure}", check.name),
            })
            .collect(),
    }
}

/// The solution passes every check, the optional ones included.
fn solution_passes(lesson: &Lesson) -> Result<(), String> {
    let outcome = run_lesson(lesson, Side::Solution, None, false);
    match &outcome {
        Outcome::Ran(results)
            if results.len() == lesson.checks.len()
                && results.iter().all(|(_, result)| result.is_ok()) =>
        {
            Ok(())
        }
        _ => Err(report(&outcome)),
    }
}

/// The shipped starter compiles and fails a required check, with a hint;
/// a tour's passes.
fn starter_fails_helpfully(lesson: &Lesson) -> Result<(), String> {
    let outcome = run_lesson(lesson, Side::ShippedStarter, None, false);
    if matches!(outcome, Outcome::BuildFailed(_)) {
        return Err(report(&outcome));
    }
    if lesson.tour {
        return match outcome.passed() {
            true => Ok(()),
            false => Err(format!("a tour's starter must pass\n{}", report(&outcome))),
        };
    }
    let Some((check, failure)) = outcome.first_failure() else {
        return Err(format!(
            "the starter passes its checks\n{}",
            report(&outcome)
        ));
    };
    if check.optional {
        return Err("the first failure should be a required check".into());
    }
    if failure.hint.is_empty() {
        return Err(format!(
            "the failure of `{}` has no hint\n{failure}",
            check.name
        ));
    }
    Ok(())
}

type Test = (String, Box<dyn Fn() -> Result<(), String>>);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let exact = args.iter().any(|arg| arg == "--exact");
    let listing = args.iter().any(|arg| arg == "--list");
    let filters: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
    let mut tests: Vec<Test> = Vec::new();
    for lesson in ALL {
        tests.push((
            format!("{}::solution_passes", lesson.binary),
            Box::new(|| solution_passes(lesson)),
        ));
        let starter = if lesson.tour {
            "starter_is_the_tour"
        } else {
            "starter_fails"
        };
        tests.push((
            format!("{}::{starter}", lesson.binary),
            Box::new(|| starter_fails_helpfully(lesson)),
        ));
    }
    let chosen: Vec<&Test> = tests
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|filter| match exact {
                    true => name == *filter,
                    false => name.contains(filter.as_str()),
                })
        })
        .collect();
    if listing {
        for (name, _) in &chosen {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    for changed in course::shipped::changed_exercises() {
        println!("note: {changed} differs from its committed starter; the committed one is tested");
    }
    println!("\nrunning {} tests", chosen.len());
    let mut failures = Vec::new();
    for (name, test) in &chosen {
        match test() {
            Ok(()) => println!("test {name} ... ok"),
            Err(problem) => {
                println!("test {name} ... FAILED");
                failures.push((name, problem));
            }
        }
    }
    if !failures.is_empty() {
        println!("\nfailures:\n");
        for (name, problem) in &failures {
            println!("---- {name} ----\n{problem}\n{}\n", seed::replay_line());
        }
    }
    let passed = chosen.len() - failures.len();
    let state = if failures.is_empty() { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {state}. {passed} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        failures.len(),
        tests.len() - chosen.len()
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
