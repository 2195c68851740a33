//! Lesson 2: being written.

use crate::Lesson;

pub const LESSON: Lesson = Lesson {
    number: 2,
    folder: "2_messageboard",
    title: "Messageboard",
    binary: "messageboard",
    is_server: true,
    tour: false,
    checks: &[],
    hints: &[],
};
