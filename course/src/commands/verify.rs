//! `cargo course verify [LESSON]`: the instructor's proof, lesson by lesson.

use anyhow::Result;
use course::lessons::ALL;
use course::verify;

use super::lesson_named;
use super::paint::{Paint, say};

/// `verify [LESSON]`: every check of [`course::verify`], lesson by lesson.
pub fn verify_course(only: Option<&str>) -> Result<bool> {
    let chosen = only.map(lesson_named).transpose()?;
    let paint = Paint::new();
    let mut problems = 0;
    let mut show = |title: &str, found: Vec<String>| {
        if found.is_empty() {
            say!("  {} {title}", paint.good("✓"));
        } else {
            for problem in found {
                problems += 1;
                say!("  {} {problem}", paint.bad("✗"));
            }
        }
    };
    say!(
        "{}",
        paint.dim("(Starters are checked as the course ships them, from git: your own exercises are left out.)")
    );
    say!("{}", paint.bold("The course"));
    show(
        "every numbered folder has a lesson, a text, a starter and a solution",
        verify::layout_problems(),
    );
    show(
        "every lesson has its two binaries in its package, and every lesson binary is registered",
        verify::manifest_problems(),
    );
    for lesson in ALL
        .iter()
        .filter(|lesson| chosen.is_none_or(|chosen| chosen.number == lesson.number))
    {
        say!(
            "{}",
            paint.bold(&format!(
                "Lesson {}, {} ({})",
                lesson.number, lesson.title, lesson.binary
            ))
        );
        let files = if lesson.tour {
            "starter and solution are the same file (a tour)"
        } else {
            "starter and solution differ only inside TODO regions"
        };
        show(files, verify::region_problems(lesson));
        let checks = if lesson.tour {
            "starter and solution pass every check"
        } else {
            "the solution passes every check; the starter fails one, with a hint"
        };
        show(checks, verify::check_problems(lesson));
        show(
            "starter and solution are rustfmt- and clippy-clean",
            verify::style_problems(lesson),
        );
    }
    say!();
    if problems == 0 {
        let verified = if chosen.is_some() { 1 } else { ALL.len() };
        say!(
            "{}",
            paint.good(&format!(
                "The course is sound: {verified} lesson(s) verified."
            ))
        );
        Ok(true)
    } else {
        say!("{}", paint.bad(&format!("{problems} problem(s) found.")));
        Ok(false)
    }
}
