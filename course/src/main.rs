//! `cargo course`: ask the course whether your exercise is right.
//!
//! ```text
//! cargo course list                    every lesson and where you stand
//! cargo course check echo_server       check your exercise (a lesson number works too)
//! cargo course check messageboard a    check one step of a lesson
//! cargo course hint echo_server        the next hint for a lesson
//! cargo course watch                   check again each time you save
//! cargo course reset echo_server       start a lesson over from the starter
//! cargo course verify                  (instructors) prove the whole course
//! ```

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::process::{Command, ExitCode};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use course::check::{Outcome, run_lesson};
use course::lessons::{ALL, find};
use course::process::repository_root;
use course::progress::{Progress, State, state_folder};
use course::{Lesson, Side, verify};

const USAGE: &str = "\
usage: cargo course <command>

  list                 every lesson and where you stand
  check LESSON [STEP]  build your exercise and check it (LESSON: a number or a name, like 1 or echo_server)
  hint LESSON [STEP]   the next hint for a lesson (or for one of its steps)
  watch [LESSON]       check again each time you save (Enter: check now, q: quit)
  reset LESSON [--yes] put a lesson's starter back (your version is kept in .course/backup/)
  verify [LESSON]      (instructors) prove every lesson (or one): layout, TODO regions, checks, style";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        ["list"] => list(),
        ["check", lesson] => check(lesson, None),
        ["check", lesson, step] => check(lesson, Some(step)),
        ["hint", lesson] => hint(lesson, None),
        ["hint", lesson, step] => hint(lesson, Some(step)),
        ["watch"] => watch(None),
        ["watch", lesson] => watch(Some(lesson)),
        ["reset", lesson] => reset(lesson, false),
        ["reset", lesson, "--yes"] => reset(lesson, true),
        ["verify"] => verify_course(None),
        ["verify", lesson] => verify_course(Some(lesson)),
        [] | ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => {
            eprintln!(
                "error: I do not understand `cargo course {}`\n\n{USAGE}",
                args.join(" ")
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Colours for a terminal, nothing for a file or a pipe (or with NO_COLOR).
struct Paint {
    on: bool,
}

impl Paint {
    fn new() -> Paint {
        Paint {
            on: io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn color(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn good(&self, text: &str) -> String {
        self.color("32", text)
    }

    fn bad(&self, text: &str) -> String {
        self.color("31", text)
    }

    fn dim(&self, text: &str) -> String {
        self.color("2", text)
    }

    fn bold(&self, text: &str) -> String {
        self.color("1", text)
    }
}

fn lesson_named(name: &str) -> Result<&'static Lesson> {
    find(name).with_context(|| {
        let names: Vec<String> = ALL
            .iter()
            .map(|lesson| format!("{} ({})", lesson.number, lesson.binary))
            .collect();
        format!(
            "there is no lesson {name:?}; the lessons are {}",
            names.join(", ")
        )
    })
}

fn next_lesson_after(lesson: &Lesson) -> Option<&'static Lesson> {
    ALL.iter().find(|next| next.number == lesson.number + 1)
}

fn how_to_start(lesson: &Lesson) -> String {
    // A lesson in steps is checked one step at a time, from the first.
    let first_step = lesson
        .steps()
        .first()
        .map(|step| format!(" {step}"))
        .unwrap_or_default();
    format!(
        "lesson {}, {}: read lessons/{}/README.md, then run `cargo course check {}{first_step}`",
        lesson.number, lesson.title, lesson.folder, lesson.binary
    )
}

/// `check LESSON [STEP]`: build the exercise, run the checks, report.
fn check(name: &str, step: Option<&str>) -> Result<bool> {
    let lesson = lesson_named(name)?;
    let steps = lesson.steps();
    if let Some(step) = step
        && !steps.contains(&step)
    {
        if steps.is_empty() {
            bail!(
                "lesson {} has no steps; run `cargo course check {}`",
                lesson.number,
                lesson.binary
            );
        }
        bail!(
            "lesson {} has the steps {}; there is no step {step:?}",
            lesson.number,
            steps.join(", ")
        );
    }
    let paint = Paint::new();
    let what = match step {
        Some(step) => format!("step {step} of lesson {}", lesson.number),
        None => format!("lesson {}", lesson.number),
    };
    println!(
        "{} {what}, {}: building {}...",
        paint.bold("Checking"),
        lesson.title,
        lesson.binary
    );
    let _ = io::stdout().flush();
    let outcome = run_lesson(lesson, Side::Exercise, step, true);
    let passed = report(lesson, &outcome, &paint);
    if passed {
        let mut progress = Progress::load();
        progress.record_pass(lesson, step);
        progress
            .save()
            .context("could not save your progress in .course/")?;
        println!();
        println!("{}", paint.good(&format!("{} {what} is done!", "✓")));
        match step.and_then(|step| steps.iter().skip_while(|&&s| s != step).nth(1)) {
            Some(next_step) => println!(
                "Next: step {next_step}. Read its part of lessons/{}/README.md, then run `cargo course check {} {next_step}`.",
                lesson.folder, lesson.binary
            ),
            None if step.is_some() => println!(
                "That was the last step. Check the whole lesson with `cargo course check {}`.",
                lesson.binary
            ),
            None => match next_lesson_after(lesson) {
                Some(next) => println!("Next: {}.", how_to_start(next)),
                None => println!("That was the last lesson. Well done!"),
            },
        }
    }
    Ok(passed)
}

/// Prints each check's result; returns whether the required ones passed.
fn report(lesson: &Lesson, outcome: &Outcome, paint: &Paint) -> bool {
    match outcome {
        Outcome::BuildFailed(_) => {
            println!();
            println!(
                "{} Your program does not compile yet. Cargo's messages are above: fix the first error, then check again.",
                paint.bad("✗")
            );
            false
        }
        Outcome::Ran(results) => {
            for (check, result) in results {
                let label = if check.optional {
                    format!("going further: {}", check.name)
                } else {
                    check.name.to_owned()
                };
                match result {
                    Ok(()) => println!("  {} {label}", paint.good("✓")),
                    Err(_) if check.optional => {
                        println!(
                            "  {} {label} {}",
                            paint.dim("○"),
                            paint.dim("(optional, not done yet)")
                        );
                    }
                    Err(failure) => {
                        println!("  {} {label}", paint.bad("✗"));
                        print!("{failure}");
                    }
                }
            }
            let passed = outcome.passed();
            if !passed {
                println!();
                if lesson.is_server {
                    println!(
                        "To see it yourself: `cargo run --bin {}`, then run the `sent` command in a second terminal.",
                        lesson.binary
                    );
                } else {
                    println!("To see it yourself, run the `sent` command.");
                }
                let step = results.last().and_then(|(check, _)| check.step);
                let step = step.map(|step| format!(" {step}")).unwrap_or_default();
                println!(
                    "Stuck? `cargo course hint {}{step}` gives a hint.",
                    lesson.binary
                );
            }
            passed
        }
    }
}

/// `list`: every lesson with its state, and a progress bar.
fn list() -> Result<bool> {
    let paint = Paint::new();
    let progress = Progress::load();
    let mut done = 0;
    let mut next = None;
    println!(
        "{}",
        paint.bold("  #  lesson           binary          state")
    );
    for lesson in &ALL {
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
        println!(
            "  {:<2} {:<16} {:<15} {shown}",
            lesson.number, lesson.title, lesson.binary
        );
    }
    let width = 24;
    let filled = done * width / ALL.len();
    let bar = format!("{}{}", "█".repeat(filled), "░".repeat(width - filled));
    println!();
    println!(
        "  [{}]  {done} of {} lessons done",
        paint.good(&bar),
        ALL.len()
    );
    match next {
        Some(lesson) => println!("  Next: {}.", how_to_start(lesson)),
        None => println!("  Every lesson is done. Well done!"),
    }
    Ok(true)
}

/// `hint LESSON [STEP]`: the next hint, one per call, starting over after
/// the last. The hints of a lesson in steps start with `Step a:` and so on,
/// so that a step's hints can be asked for alone.
fn hint(name: &str, step: Option<&str>) -> Result<bool> {
    let lesson = lesson_named(name)?;
    let hints: Vec<&str> = match step {
        None => lesson.hints.to_vec(),
        Some(step) => {
            if !lesson.steps().contains(&step) {
                bail!("lesson {} has no step {step:?}", lesson.number);
            }
            let prefix = format!("Step {step}:");
            lesson
                .hints
                .iter()
                .copied()
                .filter(|hint| hint.starts_with(&prefix))
                .collect()
        }
    };
    let key = match step {
        Some(step) => format!("{}/{step}", lesson.binary),
        None => lesson.binary.to_owned(),
    };
    let file = state_folder().join("hints");
    let text = fs::read_to_string(&file).unwrap_or_default();
    let mut seen: Vec<(String, usize)> = text
        .lines()
        .filter_map(|line| {
            let (key, count) = line.split_once(' ')?;
            Some((key.to_owned(), count.parse().ok()?))
        })
        .collect();
    let shown = seen
        .iter()
        .find(|(seen_key, _)| *seen_key == key)
        .map_or(0, |(_, count)| *count);
    let index = shown % hints.len().max(1);
    let Some(text) = hints.get(index) else {
        println!(
            "There are no hints for that; the lesson text is lessons/{}/README.md.",
            lesson.folder
        );
        return Ok(true);
    };
    let which = step
        .map(|step| format!(" step {step} of"))
        .unwrap_or_default();
    println!(
        "Hint {} of {} for{which} lesson {}, {}:",
        index + 1,
        hints.len(),
        lesson.number,
        lesson.title
    );
    println!("  {text}");
    if index + 1 < hints.len() {
        let again = step.map(|step| format!(" {step}")).unwrap_or_default();
        println!(
            "(Run `cargo course hint {}{again}` again for the next hint.)",
            lesson.binary
        );
    }
    seen.retain(|(seen_key, _)| *seen_key != key);
    seen.push((key, index + 1));
    fs::create_dir_all(state_folder())?;
    fs::write(
        &file,
        seen.iter()
            .map(|(key, count)| format!("{key} {count}\n"))
            .collect::<String>(),
    )?;
    Ok(true)
}

/// The newest modification time of the lesson's exercise files.
fn last_change(lesson: &Lesson) -> Option<SystemTime> {
    let folder = repository_root().join("exercises").join(lesson.folder);
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
fn watch(name: Option<&str>) -> Result<bool> {
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
                println!("Every lesson is done. Well done!");
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
        let passed = check(lesson.binary, None)?;
        if passed {
            match next_lesson_after(lesson) {
                Some(next) => {
                    lesson = next;
                    println!("\nWatching lesson {} now.", lesson.number);
                }
                None => return Ok(true),
            }
        }
        // Note the files' time before saying we watch, so that a save
        // right after the message is never missed.
        let seen = last_change(lesson);
        println!(
            "\nWatching exercises/{}/ for changes (Enter: check now, q then Enter: quit)...",
            lesson.folder
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
        println!("\n{}", "─".repeat(60));
    }
}

/// `reset LESSON`: put the starter back, as the repository has it, after
/// keeping a copy of the student's version.
fn reset(name: &str, confirmed: bool) -> Result<bool> {
    let lesson = lesson_named(name)?;
    let path = lesson.source_path(Side::Exercise);
    let root = repository_root();
    let starter = Command::new("git")
        .current_dir(&root)
        .args(["show", &format!("HEAD:{path}")])
        .output()
        .context("could not run git, which keeps the starters")?;
    if !starter.status.success() {
        bail!("git does not know {path}; reset needs the course's git repository");
    }
    let current = fs::read(root.join(&path)).unwrap_or_default();
    if current == starter.stdout {
        println!("{path} is already the starter; nothing to do.");
        return Ok(true);
    }
    let backup_folder = state_folder().join("backup");
    let backup = backup_folder.join(format!("{}-main.rs", lesson.folder));
    if !confirmed {
        print!(
            "Replace {path} with the starter? Your version will be kept as .course/backup/{}-main.rs. [y/N] ",
            lesson.folder
        );
        io::stdout().flush()?;
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            println!("Nothing changed.");
            return Ok(false);
        }
    }
    fs::create_dir_all(&backup_folder)?;
    fs::write(&backup, &current).context("could not keep a copy of your version")?;
    fs::write(root.join(&path), &starter.stdout)
        .with_context(|| format!("could not write {path}"))?;
    let mut progress = Progress::load();
    progress.forget(lesson);
    progress.save()?;
    println!(
        "{path} is the starter again (your version: {}).",
        backup.display()
    );
    Ok(true)
}

/// `verify [LESSON]`: every check of [`course::verify`], lesson by lesson.
fn verify_course(only: Option<&str>) -> Result<bool> {
    let chosen = only.map(lesson_named).transpose()?;
    let paint = Paint::new();
    let mut problems = 0;
    let mut show = |title: &str, found: Vec<String>| {
        if found.is_empty() {
            println!("  {} {title}", paint.good("✓"));
        } else {
            for problem in found {
                problems += 1;
                println!("  {} {problem}", paint.bad("✗"));
            }
        }
    };
    println!("{}", paint.bold("The course"));
    show(
        "every numbered folder has a lesson, a text, a starter and a solution",
        verify::layout_problems(),
    );
    show(
        "every lesson has its two binaries in a Cargo.toml",
        verify::manifest_problems(),
    );
    for lesson in ALL
        .iter()
        .filter(|lesson| chosen.is_none_or(|chosen| chosen.number == lesson.number))
    {
        println!(
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
    println!();
    if problems == 0 {
        let verified = if chosen.is_some() { 1 } else { ALL.len() };
        println!(
            "{}",
            paint.good(&format!(
                "The course is sound: {verified} lesson(s) verified."
            ))
        );
        Ok(true)
    } else {
        println!("{}", paint.bad(&format!("{problems} problem(s) found.")));
        Ok(false)
    }
}
