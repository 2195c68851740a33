//! Hints that cannot drift from the solutions: a hint's code (its third
//! level) is either short, pointing at the lesson text, or the solution's
//! own code, whitespace aside. `cargo test` and `cargo course verify` both
//! say which hint drifted.

use crate::Lesson;
use crate::process::repository_root;
use crate::verify::rust_files;

/// The longest a hint's code may be when it is not the solution's own
/// code: past that, it must appear in the solution, so that it cannot
/// drift from it.
pub const SHORT_HINT: usize = 300;

/// The hints of `lesson` whose code (the third level) is longer than
/// [`SHORT_HINT`] characters and, with all whitespace removed, does not
/// appear in `solutions` (the text of the lesson's solution files, also
/// without whitespace): each as a sentence naming its step.
pub fn drifting_hints(lesson: &Lesson, solutions: &str) -> Vec<String> {
    let squeeze = |text: &str| text.split_whitespace().collect::<String>();
    lesson
        .hints
        .iter()
        .filter(|hint| hint.code.chars().count() > SHORT_HINT)
        .filter(|hint| !solutions.contains(&squeeze(hint.code)))
        .map(|hint| {
            format!(
                "lesson {}, hint {}: its code ({} characters) is not in solutions/{}/ (whitespace aside); copy it from the solution, or shorten it to {SHORT_HINT} characters and point at the lesson text",
                lesson.number,
                hint.step.unwrap_or("-"),
                hint.code.chars().count(),
                lesson.folder()
            )
        })
        .collect()
}

/// Every `.rs` file of a lesson's solution, in name order, whitespace
/// removed.
pub fn solution_without_whitespace(lesson: &Lesson) -> String {
    let folder = format!("solutions/{}", lesson.folder());
    let files = rust_files(&repository_root(), &folder);
    files
        .values()
        .flat_map(|text| text.split_whitespace())
        .collect()
}

/// What `cargo course verify` reports about `lesson`'s hints: each hint
/// that drifted from the solution.
pub fn hint_problems(lesson: &Lesson) -> Vec<String> {
    drifting_hints(lesson, &solution_without_whitespace(lesson))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hint;
    use crate::lessons::{ALL, find};

    #[test]
    fn every_long_hint_is_the_solutions_own_code() {
        let problems: Vec<String> = ALL.iter().flat_map(hint_problems).collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_long_hint_not_in_the_solution_is_caught() {
        let echo = find("echo_server").unwrap();
        let solution = solution_without_whitespace(echo);
        let long_and_made_up = "let reply = format!(\"{}\", \"made up\");\n".repeat(10);
        const HINTS: &[Hint] = &[
            Hint {
                step: Some("a"),
                nudge: "",
                concept: "",
                code: "a short hint that points at the lesson text",
            },
            Hint {
                step: Some("b"),
                nudge: "",
                concept: "",
                code: "",
            },
        ];
        let mut lesson = *echo;
        lesson.hints = HINTS;
        assert_eq!(drifting_hints(&lesson, &solution), Vec::<String>::new());
        // A long hint is caught unless the solution has it, whitespace aside.
        let made_up: &'static str = Box::leak(long_and_made_up.into_boxed_str());
        let hints: &'static [Hint] = Box::leak(Box::new([Hint {
            code: made_up,
            ..HINTS[1]
        }]));
        lesson.hints = hints;
        let problems = drifting_hints(&lesson, &solution);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("lesson 1, hint b: its code (")
                && problems[0].contains("is not in solutions/1_echo_server/"),
            "{}",
            problems[0]
        );
        let in_solution = format!(
            "{}\n\n",
            " ".repeat(SHORT_HINT) + "let message =\n    path.strip_prefix('/').unwrap_or(path);"
        );
        let copied: &'static str = Box::leak(in_solution.into_boxed_str());
        let hints: &'static [Hint] = Box::leak(Box::new([Hint {
            code: copied,
            ..HINTS[1]
        }]));
        lesson.hints = hints;
        assert_eq!(drifting_hints(&lesson, &solution), Vec::<String>::new());
    }
}
