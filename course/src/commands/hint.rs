//! `cargo course hint LESSON [STEP]`: graduated hints, one more each time:
//! first a nudge, then the idea, then the code. The answer is never the
//! first thing shown.

use std::fs;

use anyhow::{Result, bail};
use course::progress::{Progress, state_folder};

use super::lesson_named;
use super::paint::say;

/// What each level of a hint is, as the heading shows it.
const LEVELS: [&str; 3] = ["a nudge", "the idea", "the code"];

/// `hint LESSON [STEP]`: the next level of the hints for a step (for a
/// lesson in steps without a step named, the first step not passed yet).
pub fn hint(name: &str, step: Option<&str>) -> Result<bool> {
    let lesson = lesson_named(name)?;
    let steps = lesson.steps();
    if let Some(step) = step
        && !steps.contains(&step)
    {
        bail!("lesson {} has no step {step:?}", lesson.number);
    }
    let progress = Progress::load();
    let step = step.or_else(|| {
        steps
            .iter()
            .copied()
            .find(|step| !progress.step_passed(lesson, step))
            .or(steps.first().copied())
    });
    let Some(hint) = lesson.hints.iter().find(|hint| hint.step == step) else {
        say!(
            "There are no hints for that; the lesson text is lessons/{}/README.md.",
            lesson.folder()
        );
        return Ok(true);
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
    let levels = hint.levels();
    let index = shown % levels.len();
    let which = step
        .map(|step| format!(" step {step} of"))
        .unwrap_or_default();
    say!(
        "Hint {} of {} ({}) for{which} lesson {}, {}:",
        index + 1,
        levels.len(),
        LEVELS[index],
        lesson.number,
        lesson.title
    );
    say!("  {}", levels[index]);
    let again = step.map(|step| format!(" {step}")).unwrap_or_default();
    if index + 1 < levels.len() {
        say!(
            "(Run `cargo course hint {}{again}` again for {}.)",
            lesson.binary,
            LEVELS[index + 1]
        );
    } else {
        // The count goes round: say so, or hint 1 coming back looks like a bug.
        say!(
            "(That was the last hint; `cargo course hint {}{again}` starts again from the first.)",
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
