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

#[cfg(test)]
mod tests {
    use super::*;

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
