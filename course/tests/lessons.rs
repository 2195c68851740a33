//! Every lesson's checks, against every solution (they must pass) and every
//! shipped starter (they must fail, helpfully), as `cargo test` runs them.

use course::check::{Outcome, run_lesson};
use course::lessons::find;
use course::{Lesson, Side};

fn lesson(name: &str) -> &'static Lesson {
    find(name).unwrap_or_else(|| panic!("no lesson {name}"))
}

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
fn solution_passes(name: &str) {
    let lesson = lesson(name);
    let outcome = run_lesson(lesson, Side::Solution, None, false);
    let Outcome::Ran(results) = &outcome else {
        panic!("{}", report(&outcome));
    };
    assert_eq!(results.len(), lesson.checks.len(), "{}", report(&outcome));
    assert!(
        results.iter().all(|(_, result)| result.is_ok()),
        "{}",
        report(&outcome)
    );
}

/// The starter compiles and fails a check, with a hint; a tour passes.
fn starter_fails_helpfully(name: &str) {
    let lesson = lesson(name);
    let outcome = run_lesson(lesson, Side::Exercise, None, false);
    assert!(
        !matches!(outcome, Outcome::BuildFailed(_)),
        "{}",
        report(&outcome)
    );
    if lesson.tour {
        assert!(
            outcome.passed(),
            "lesson {name} is a tour: its starter must pass\n{}",
            report(&outcome)
        );
        return;
    }
    let Some((check, failure)) = outcome.first_failure() else {
        panic!(
            "the starter of lesson {name} passes its checks\n{}",
            report(&outcome)
        );
    };
    assert!(
        !check.optional,
        "the first failure should be a required check"
    );
    assert!(
        !failure.hint.is_empty(),
        "the failure of `{}` has no hint\n{failure}",
        check.name
    );
}

macro_rules! lesson_tests {
    ($($solution:ident, $starter:ident => $name:literal;)*) => {$(
        #[test]
        fn $solution() {
            solution_passes($name);
        }

        #[test]
        fn $starter() {
            starter_fails_helpfully($name);
        }
    )*};
}

lesson_tests! {
    hello_server_solution_passes, hello_server_starter_is_the_tour => "hello_server";
    echo_server_solution_passes, echo_server_starter_fails => "echo_server";
    messageboard_solution_passes, messageboard_starter_fails => "messageboard";
    client_solution_passes, client_starter_fails => "client";
}
