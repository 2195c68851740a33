//! The registry: every lesson of the course, in order, as data.
//!
//! A lesson is one entry of [`ALL`] (its number, folder, binaries, package,
//! whether its starter must fail) and one file of checks and hints,
//! `lessonN.rs`, declared just below. Everything else is derived from this
//! list: `cargo course`, the `cargo test` of every lesson
//! (`course/tests/lessons.rs`), and `cargo course verify`, which checks that
//! the lesson folders, the binaries of every Cargo.toml and this list agree.

use crate::Lesson;

mod lesson0;
mod lesson1;
mod lesson2;
mod lesson3;
mod lesson4;
mod lesson5;
mod lesson6;
mod lesson7;
mod lesson8;
mod lesson9;

/// The lessons, in the order students take them.
pub static ALL: &[Lesson] = &[
    Lesson {
        number: 0,
        folder: "0_hello_server",
        title: "Hello server",
        binary: "hello_server",
        package: "http-course",
        is_server: true,
        tour: true,
        checks: lesson0::CHECKS,
        hints: lesson0::HINTS,
        mutants: include_str!("lesson0.mutants.toml"),
    },
    Lesson {
        number: 1,
        folder: "1_echo_server",
        title: "Echo server",
        binary: "echo_server",
        package: "http-course",
        is_server: true,
        tour: false,
        checks: lesson1::CHECKS,
        hints: lesson1::HINTS,
        mutants: include_str!("lesson1.mutants.toml"),
    },
    Lesson {
        number: 2,
        folder: "2_messageboard",
        title: "Messageboard",
        binary: "messageboard",
        package: "http-course",
        is_server: true,
        tour: false,
        checks: lesson2::CHECKS,
        hints: lesson2::HINTS,
        mutants: include_str!("lesson2.mutants.toml"),
    },
    Lesson {
        number: 3,
        folder: "3_client",
        title: "Client",
        binary: "client",
        package: "net-lessons",
        is_server: false,
        tour: false,
        checks: lesson3::CHECKS,
        hints: lesson3::HINTS,
        mutants: include_str!("lesson3.mutants.toml"),
    },
    Lesson {
        number: 4,
        folder: "4_bookmark_server",
        title: "Bookmark server",
        binary: "bookmark_server",
        package: "net-lessons",
        is_server: true,
        tour: false,
        checks: lesson4::CHECKS,
        hints: lesson4::HINTS,
        mutants: include_str!("lesson4.mutants.toml"),
    },
    Lesson {
        number: 5,
        folder: "5_cookie_server",
        title: "Cookie server",
        binary: "cookie_server",
        package: "http-course",
        is_server: true,
        tour: false,
        checks: lesson5::CHECKS,
        hints: lesson5::HINTS,
        mutants: include_str!("lesson5.mutants.toml"),
    },
    Lesson {
        number: 6,
        folder: "6_threaded_server",
        title: "Threaded server",
        binary: "threaded_server",
        package: "http-course",
        is_server: true,
        tour: false,
        checks: lesson6::CHECKS,
        hints: lesson6::HINTS,
        mutants: include_str!("lesson6.mutants.toml"),
    },
    Lesson {
        number: 7,
        folder: "7_file_server",
        title: "File server",
        binary: "file_server",
        package: "http-course",
        is_server: true,
        tour: false,
        checks: lesson7::CHECKS,
        hints: lesson7::HINTS,
        mutants: include_str!("lesson7.mutants.toml"),
    },
    Lesson {
        number: 8,
        folder: "8_todo_api",
        title: "Todo API",
        binary: "todo_api",
        package: "net-lessons",
        is_server: true,
        tour: false,
        checks: lesson8::CHECKS,
        hints: lesson8::HINTS,
        mutants: include_str!("lesson8.mutants.toml"),
    },
    Lesson {
        number: 9,
        folder: "9_todo_app",
        title: "Todo app",
        binary: "todo_app",
        package: "db-lesson",
        is_server: true,
        tour: false,
        checks: lesson9::CHECKS,
        hints: lesson9::HINTS,
        mutants: include_str!("lesson9.mutants.toml"),
    },
];

pub use crate::kit::seed::random_number;

/// Finds a lesson by number (`1`), binary (`echo_server`, `echo_server_sol`)
/// or folder (`1_echo_server`).
pub fn find(name: &str) -> Option<&'static Lesson> {
    let name = name.trim().trim_end_matches('/');
    let name = name.rsplit('/').next().unwrap_or(name);
    let binary = name.strip_suffix("_sol").unwrap_or(name);
    ALL.iter().find(|lesson| {
        lesson.number.to_string() == name || lesson.binary == binary || lesson.folder == name
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
            assert_eq!(
                lesson.folder,
                format!("{}_{}", lesson.number, lesson.binary)
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
