//! `cargo course reset LESSON [--yes] [--forget]`: put the starter back.

use std::fs;
use std::io::{self, Write};
use std::process::Command;

use anyhow::{Context, Result, bail};
use course::Side;
use course::process::repository_root;
use course::progress::{Progress, state_folder};

use super::lesson_named;
use super::paint::{say, say_part};

/// `reset LESSON`: put the starter back, as the repository has it, after
/// keeping a copy of the student's version.
pub fn reset(name: &str, confirmed: bool, forget: bool) -> Result<bool> {
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
        say!("{path} is already the starter; nothing to do.");
        return Ok(true);
    }
    let backup_folder = state_folder().join("backup");
    let backup = backup_folder.join(format!("{}-main.rs", lesson.folder()));
    if !confirmed {
        say_part!(
            "Replace {path} with the starter? Your version will be kept as .course/backup/{}-main.rs. [y/N] ",
            lesson.folder()
        );
        io::stdout().flush()?;
        let mut answer = String::new();
        io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
            say!("Nothing changed.");
            return Ok(false);
        }
    }
    fs::create_dir_all(&backup_folder)?;
    fs::write(&backup, &current).context("could not keep a copy of your version")?;
    fs::write(root.join(&path), &starter.stdout)
        .with_context(|| format!("could not write {path}"))?;
    say!(
        "{path} is the starter again (your version: {}).",
        backup.display()
    );
    if forget {
        let mut progress = Progress::load();
        progress.forget(lesson);
        progress.save()?;
        say!("Your progress in lesson {} is forgotten.", lesson.number);
    } else {
        say!(
            "Your progress is kept (`--forget` would forget it): check the lesson again when you have redone it."
        );
    }
    Ok(true)
}
