//! Every lesson of the course, in order, with its checks.
//!
//! To add a lesson, write its module here (copy a lesson of the same kind),
//! add it to [`ALL`], and add its binaries to the Cargo.toml that builds
//! them; `cargo course verify` tells you what is still missing.

use std::hash::{BuildHasher, RandomState};
use std::time::SystemTime;

use crate::Lesson;

mod lesson0;
mod lesson1;
mod lesson2;
mod lesson3;

/// The lessons, in the order students take them.
pub static ALL: [Lesson; 4] = [
    lesson0::LESSON,
    lesson1::LESSON,
    lesson2::LESSON,
    lesson3::LESSON,
];

/// A random number, different at each call and in each run, so that a
/// program cannot pass a check with answers written into it. The standard
/// library seeds the keys of its hash maps at random, which is all the
/// randomness a check needs.
fn random_number() -> u64 {
    RandomState::new().hash_one(SystemTime::now())
}

/// What the server module's `escape_html` makes of `text`: how a message
/// must appear on a page.
fn escaped_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

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
        for (index, lesson) in ALL.iter().enumerate() {
            assert_eq!(lesson.number as usize, index);
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
                let prefix = format!("Step {step}:");
                assert!(
                    lesson.hints.iter().any(|hint| hint.starts_with(&prefix)),
                    "lesson {}: no hint starts with {prefix:?}, so `cargo course hint {} {step}` has none",
                    lesson.number,
                    lesson.binary
                );
            }
        }
    }

    #[test]
    fn escapes_like_the_server_module() {
        assert_eq!(
            escaped_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;"
        );
    }
}
