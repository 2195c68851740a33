//! Lesson 1: being written.

use crate::Lesson;

pub const LESSON: Lesson = Lesson {
    number: 1,
    folder: "1_echo_server",
    title: "Echo server",
    binary: "echo_server",
    is_server: true,
    tour: false,
    checks: &[],
    hints: &[],
};
