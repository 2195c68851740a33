//! The registry: every lesson of the course, in order, as data.
//!
//! A lesson is one file of checks and hints, `lessonN.rs`, which declares
//! the lesson itself (`LESSON`: its number, binary, title and package; its
//! folder follows from the first two), and one line of [`ALL`]. Everything
//! else is derived from this list: `cargo course`, the `cargo test` of every lesson
//! (`course/tests/lessons.rs`), and `cargo course verify`, which checks that
//! the lesson folders, the binaries of every Cargo.toml and this list agree.

use crate::Lesson;

mod lesson0;
mod lesson1;
mod lesson10;
mod lesson2;
mod lesson3;
mod lesson4;
mod lesson5;
mod lesson6;
mod lesson7;
mod lesson8;
mod lesson9;

/// The lessons, in the order students take them: each declared in its
/// own file of checks.
pub static ALL: &[Lesson] = &[
    lesson0::LESSON,
    lesson1::LESSON,
    lesson2::LESSON,
    lesson3::LESSON,
    lesson4::LESSON,
    lesson5::LESSON,
    lesson6::LESSON,
    lesson7::LESSON,
    lesson8::LESSON,
    lesson9::LESSON,
    lesson10::LESSON,
];

/// Finds a lesson by number (`1`), binary (`echo_server`, `echo_server_sol`)
/// or folder (`1_echo_server`).
pub fn find(name: &str) -> Option<&'static Lesson> {
    let name = name.trim().trim_end_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name);
    let binary = name.strip_suffix("_sol").unwrap_or(name);
    ALL.iter().find(|lesson| {
        lesson.number.to_string() == name || lesson.binary == binary || lesson.folder() == name
    })
}

/// The longest a hint's code may be when it is not the solution's own
/// code: past that, it must appear in the solution, so that it cannot
/// drift from it.
pub const SHORT_HINT: usize = 300;

/// The hints of `lesson` whose code (the third level) is longer than
/// [`SHORT_HINT`] characters and, with all whitespace removed, does not
/// appear in `solutions` (the text of the lesson's solution files, also
/// without whitespace): each as a sentence naming its step.
pub fn drifting_hints(lesson: &crate::Lesson, solutions: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hint;

    /// Every `.rs` file of a lesson's solution, whitespace removed.
    fn solution_without_whitespace(lesson: &crate::Lesson) -> String {
        let folder = crate::process::repository_root()
            .join("solutions")
            .join(lesson.folder());
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| std::fs::read_to_string(path).unwrap())
            .collect::<String>()
            .split_whitespace()
            .collect()
    }

    #[test]
    fn every_long_hint_is_the_solutions_own_code() {
        let problems: Vec<String> = ALL
            .iter()
            .flat_map(|lesson| drifting_hints(lesson, &solution_without_whitespace(lesson)))
            .collect();
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

    #[test]
    fn finds_lessons_by_any_of_their_names() {
        for name in [
            "1",
            "echo_server",
            "echo_server_sol",
            "1_echo_server",
            "exercises/1_echo_server/",
        ] {
            assert_eq!(find(name).map(|lesson| lesson.number), Some(1), "{name}");
        }
        assert!(find("nope").is_none());
    }

    #[test]
    fn lessons_are_numbered_in_order_and_named_after_their_folders() {
        // Every lesson, numbered by its place in the course.
        for (index, lesson) in ALL.iter().enumerate() {
            assert_eq!(
                lesson.number as usize, index,
                "lesson {} is out of place in ALL",
                lesson.number
            );
            assert!(
                !lesson.checks.is_empty(),
                "lesson {} has no checks",
                lesson.number
            );
            assert!(
                !lesson.hints.is_empty(),
                "lesson {} has no hints",
                lesson.number
            );
            for step in lesson.steps() {
                assert!(
                    lesson.hints.iter().any(|hint| hint.step == Some(step)),
                    "lesson {}: no hints for step {step}, so `cargo course hint {} {step}` has none",
                    lesson.number,
                    lesson.binary
                );
            }
        }
    }
}
