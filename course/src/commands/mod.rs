//! The commands of `cargo course`, one file each, and what they share.

use anyhow::{Context, Result};
use course::Lesson;
use course::lessons::{ALL, find};
use course::progress::{Progress, State};

pub mod check;
pub mod hint;
pub mod list;
pub mod paint;
pub mod reset;
pub mod verify;
pub mod watch;

/// The lesson called `name`; for an unknown name, an error that suggests
/// the closest one and lists them all.
pub fn lesson_named(name: &str) -> Result<&'static Lesson> {
    find(name).with_context(|| {
        let names: Vec<String> = ALL
            .iter()
            .map(|lesson| format!("{} ({})", lesson.number, lesson.binary))
            .collect();
        let closest = ALL
            .iter()
            .min_by_key(|lesson| distance(name, lesson.binary))
            .filter(|lesson| distance(name, lesson.binary) <= lesson.binary.len() / 2)
            .map(|lesson| format!(" Did you mean `{}`?", lesson.binary))
            .unwrap_or_default();
        format!(
            "there is no lesson {name:?}.{closest} The lessons are {}",
            names.join(", ")
        )
    })
}

/// How many letters to add, remove or change to turn `a` into `b`
/// (Levenshtein's distance), for "did you mean".
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The first lesson that is not done, if any.
pub fn next_unfinished() -> Option<&'static Lesson> {
    let progress = Progress::load();
    ALL.iter()
        .find(|lesson| progress.state(lesson) != State::Done)
}

/// The lesson that follows `lesson` in the course: the next one in
/// [`ALL`], which may skip a number whose lesson is not there.
pub fn next_lesson_after(lesson: &Lesson) -> Option<&'static Lesson> {
    ALL.iter().find(|next| next.number > lesson.number)
}

pub fn how_to_start(lesson: &Lesson) -> String {
    // A lesson in steps is checked one step at a time, from the first.
    let first_step = lesson
        .steps()
        .first()
        .map(|step| format!(" {step}"))
        .unwrap_or_default();
    format!(
        "lesson {}, {}: read lessons/{}/README.md, then run `cargo course check {}{first_step}`",
        lesson.number,
        lesson.title,
        lesson.folder(),
        lesson.binary
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_lesson_is_the_next_one_in_the_registry_even_past_a_missing_number() {
        for pair in ALL.windows(2) {
            let next = next_lesson_after(&pair[0]).map(|lesson| lesson.number);
            assert_eq!(
                next,
                Some(pair[1].number),
                "after lesson {}",
                pair[0].number
            );
        }
        let last = ALL.last().expect("the course has lessons");
        assert!(next_lesson_after(last).is_none());
    }

    #[test]
    fn measures_distances_between_names() {
        assert_eq!(distance("echo_server", "echo_server"), 0);
        assert_eq!(distance("echo_sever", "echo_server"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn suggests_the_closest_lesson() {
        let error = lesson_named("mesageboard").unwrap_err().to_string();
        assert!(error.contains("Did you mean `messageboard`?"), "{error}");
    }
}
