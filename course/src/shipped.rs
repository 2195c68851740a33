//! The shipped starters: the exercises as the course's git repository has
//! them (`HEAD`), never the student's edited files.
//!
//! `cargo test` and `cargo course verify` prove that every starter fails its
//! checks. A student's solved exercise must not turn that proof red, so
//! they check a copy of the course, kept in the target folder, whose
//! `exercises/` come from git and everything else from the working tree.
//! It builds into the same target folder, so only the changed lesson
//! binaries are compiled again. Cargo names a package's build after its
//! path inside its workspace, which is the same in the copy; so the copy
//! builds its lesson package with the feature [`FEATURE`] (which changes no
//! code), and the two builds never take each other's place.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process::repository_root;

/// The feature every lesson package declares, set when the copy is built.
pub const FEATURE: &str = "shipped-starter";

/// Where builds go: `CARGO_TARGET_DIR`, or `target/` in the course.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target"))
}

/// Writes `bytes` to `path` unless it already holds them, so that Cargo,
/// which compares modification times, does not rebuild what has not changed.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, bytes)
}

/// Copies the tree `from` into `to`, file by file, leaving out build
/// output, git's folder and the student's progress.
fn mirror(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if matches!(
            name.to_str(),
            Some("target" | ".git" | ".course" | "bench" | "exercises" | "node_modules")
        ) {
            continue;
        }
        let (source, destination) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            mirror(&source, &destination)?;
        } else {
            write_if_changed(&destination, &fs::read(&source)?)?;
        }
    }
    Ok(())
}

/// Runs git in the course and returns what it printed, if it succeeded.
fn git(args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("git")
        .current_dir(repository_root())
        .args(args)
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

/// The files of `exercises/` as git's `HEAD` has them, each with its bytes;
/// `None` if the course is not a git repository.
pub fn shipped_exercises() -> Option<Vec<(String, Vec<u8>)>> {
    let listing = git(&["ls-tree", "-r", "--name-only", "HEAD", "--", "exercises"])?;
    String::from_utf8_lossy(&listing)
        .lines()
        .map(|path| Some((path.to_owned(), git(&["show", &format!("HEAD:{path}")])?)))
        .collect()
}

/// The exercise files that differ from their shipped starter (a student's
/// work, or a starter being changed and not yet committed).
pub fn changed_exercises() -> Vec<String> {
    let Some(files) = shipped_exercises() else {
        return Vec::new();
    };
    let root = repository_root();
    files
        .into_iter()
        .filter(|(path, bytes)| fs::read(root.join(path)).ok().as_ref() != Some(bytes))
        .map(|(path, _)| path)
        .collect()
}

/// A copy of the course whose exercises are the shipped starters, brought
/// up to date; its path. Outside git, the working tree's exercises are all
/// there is, and the course itself is returned.
pub fn shipped_course() -> Result<PathBuf, String> {
    let Some(files) = shipped_exercises() else {
        return Ok(repository_root());
    };
    let copy = target_dir().join("course-shipped");
    mirror(&repository_root(), &copy)
        .and_then(|()| {
            for (path, bytes) in &files {
                write_if_changed(&copy.join(path), bytes)?;
            }
            Ok(())
        })
        .map_err(|error| format!("could not copy the course to {}: {error}", copy.display()))?;
    Ok(copy)
}

/// A private copy of a binary built in the shipped copy: the shipped
/// starter and the student's exercise have the same name, and Cargo puts
/// both at the same place in the shared target folder.
pub fn keep_binary(binary: &Path) -> std::io::Result<PathBuf> {
    let folder = target_dir().join("course-shipped-bin");
    fs::create_dir_all(&folder)?;
    let kept = folder.join(binary.file_name().unwrap_or_default());
    let _ = fs::remove_file(&kept);
    fs::copy(binary, &kept)?;
    Ok(kept)
}
