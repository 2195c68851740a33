//! Lesson 3: being written.

use crate::Lesson;

pub const LESSON: Lesson = Lesson {
    number: 3,
    folder: "3_client",
    title: "Client",
    binary: "client",
    is_server: false,
    tour: false,
    checks: &[],
    hints: &[],
};
