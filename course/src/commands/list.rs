//! `cargo course list`: every lesson, its state, and a progress bar.

use anyhow::Result;
use course::lessons::ALL;
use course::progress::{Progress, State};

use super::how_to_start;
use super::paint::{Paint, say};

/// `list`: every lesson with its state, and a progress bar.
pub fn list() -> Result<bool> {
    let paint = Paint::new();
    let progress = Progress::load();
    let mut done = 0;
    let mut next = None;
    say!(
        "{}",
        paint.bold("  #  lesson           binary          state")
    );
    for lesson in ALL {
        let state = progress.state(lesson);
        let shown = match &state {
            State::Done => {
                done += 1;
                paint.good("✓ done")
            }
            State::Changed => paint.color("33", "~ changed since it passed: check again"),
            State::Steps(passed, all) => paint.color("33", &format!("◐ {passed} of {all} steps")),
            State::NotYet => paint.dim("· not yet"),
        };
        if state != State::Done && next.is_none() {
            next = Some(lesson);
        }
        say!(
            "  {:<2} {:<16} {:<15} {shown}",
            lesson.number,
            lesson.title,
            lesson.binary
        );
    }
    let width = 24;
    let filled = done * width / ALL.len();
    let bar = format!("{}{}", "█".repeat(filled), "░".repeat(width - filled));
    say!();
    say!(
        "  [{}]  {done} of {} lessons done",
        paint.good(&bar),
        ALL.len()
    );
    match next {
        Some(lesson) => say!("  Next: {}.", how_to_start(lesson)),
        None => say!("  Every lesson is done. Well done!"),
    }
    Ok(true)
}
