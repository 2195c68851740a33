//! `cargo course watch [LESSON]`: check again each time the exercise is
//! saved.

use std::fs;
use std::io::{self, BufRead};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

use anyhow::Result;
use course::Lesson;
use course::lessons::ALL;
use course::process::repository_root;
use course::progress::{Progress, State};

use super::check::check_lesson;
use super::paint::say;
use super::{lesson_named, next_lesson_after};

/// The newest modification time of the lesson's exercise files.
pub fn last_change(lesson: &Lesson) -> Option<SystemTime> {
    let folder = repository_root().join("exercises").join(lesson.folder());
    fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().ok()?.modified().ok())
        .max()
}

/// `watch [LESSON]`: check, then check again whenever an exercise file is
/// saved. The file is polled twice a second (simple, and it works on every
/// system and editor); pressing Enter checks at once, in case a save was
/// missed; `q` quits. Moves on to the next lesson when one is done.
pub fn watch(name: Option<&str>) -> Result<bool> {
    let chosen = name.map(lesson_named).transpose()?;
    let progress = Progress::load();
    let mut lesson = match chosen {
        Some(lesson) => lesson,
        None => match ALL
            .iter()
            .find(|lesson| progress.state(lesson) != State::Done)
        {
            Some(lesson) => lesson,
            None => {
                say!("Every lesson is done. Well done!");
                return Ok(true);
            }
        },
    };
    let (keys, typed) = mpsc::channel::<String>();
    thread::spawn(move || {
        for line in io::stdin().lock().lines().map_while(Result::ok) {
            if keys.send(line).is_err() {
                break;
            }
        }
    });
    loop {
        let passed = check_lesson(lesson, None)?;
        if passed {
            match next_lesson_after(lesson) {
                Some(next) => {
                    say!(
                        "\nLesson {} is done: moving on to lesson {}, {}. Read lessons/{}/README.md.",
                        lesson.number,
                        next.number,
                        next.title,
                        next.folder()
                    );
                    lesson = next;
                }
                None => return Ok(true),
            }
        }
        // Note the files' time before saying we watch, so that a save
        // right after the message is never missed.
        let seen = last_change(lesson);
        say!(
            "\nWatching exercises/{}/ for changes (Enter: check now, q then Enter: quit)...",
            lesson.folder()
        );
        loop {
            match typed.recv_timeout(Duration::from_millis(500)) {
                Ok(line) if line.trim().eq_ignore_ascii_case("q") => return Ok(passed),
                Ok(_) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                // No keyboard (stdin is closed): keep polling the files.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    thread::sleep(Duration::from_millis(500))
                }
            }
            if last_change(lesson) != seen {
                break;
            }
        }
        say!("\n{}", "─".repeat(60));
    }
}
