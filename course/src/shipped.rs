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
//! builds its lesson package with the feature [`FEATURE`](crate::process::FEATURE) (which changes no
//! code), and the two builds never take each other's place.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

// The dependency runs one way: this module builds on `process` (where
// builds go, the feature that keeps a copy's build apart), and `process`
// knows nothing of shipped starters.
use crate::process::{repository_root, target_dir};
use crate::{Lesson, Side};

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

/// The student's build of a lesson binary, set aside while the shipped
/// starter of the same name is built: after `cargo test`,
/// `target/debug/file_server` must still run the student's program.
#[derive(Debug)]
pub struct StudentBuild {
    place: PathBuf,
    aside: PathBuf,
    existed: bool,
}

impl StudentBuild {
    /// Moves `target/debug/<binary>` aside, if it is there.
    pub fn set_aside(binary: &str) -> StudentBuild {
        StudentBuild::set_aside_in(&target_dir().join("debug"), binary)
    }

    fn set_aside_in(folder: &Path, binary: &str) -> StudentBuild {
        let file = format!("{binary}{}", std::env::consts::EXE_SUFFIX);
        let place = folder.join(&file);
        let aside = folder.join(format!(".{file}.student"));
        let existed = fs::rename(&place, &aside).is_ok();
        StudentBuild {
            place,
            aside,
            existed,
        }
    }

    /// Puts the student's build back; where there was none, removes the
    /// starter Cargo left there, so that nothing runs it by mistake (the
    /// next `cargo run` or `cargo build` puts the student's back).
    pub fn put_back(self) {
        if self.existed {
            let _ = fs::rename(&self.aside, &self.place);
        } else {
            let _ = fs::remove_file(&self.place);
        }
    }
}

/// Whether the student has started a step (`Some("c")`), or a lesson's
/// "going further" part (`None`): whether any of its TODO regions differs
/// from the shipped starter's. `None` when that cannot be told (no git, no
/// region tagged for it).
///
/// A step's regions open with `// TODO(c)`; the going-further part of a
/// lesson without steps has "going further" in its opening line.
pub fn step_attempted(lesson: &Lesson, step: Option<&str>) -> Option<bool> {
    let path = lesson.source_path(Side::Exercise);
    let (_, shipped) = shipped_exercises()?
        .into_iter()
        .find(|(shipped_path, _)| *shipped_path == path)?;
    let current = fs::read(repository_root().join(&path)).ok()?;
    let tagged = |title: &str| match step {
        Some(step) => title.starts_with(&format!("// TODO({step})")),
        None => title.contains("going further"),
    };
    let before = crate::regions::inside(&String::from_utf8_lossy(&shipped), tagged)?;
    let now = crate::regions::inside(&String::from_utf8_lossy(&current), tagged)?;
    if before.is_empty() {
        return None;
    }
    Some(before != now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_students_build_is_put_back_and_a_stray_starter_removed() {
        let folder = target_dir().join("course-tmp").join("student-build-test");
        let _ = fs::remove_dir_all(&folder);
        fs::create_dir_all(&folder).unwrap();
        let place = folder.join(format!("lesson{}", std::env::consts::EXE_SUFFIX));
        fs::write(&place, "student").unwrap();
        let aside = StudentBuild::set_aside_in(&folder, "lesson");
        assert!(!place.exists(), "set aside");
        fs::write(&place, "starter").unwrap(); // what Cargo leaves there
        aside.put_back();
        assert_eq!(fs::read_to_string(&place).unwrap(), "student");

        fs::remove_file(&place).unwrap();
        let nothing = StudentBuild::set_aside_in(&folder, "lesson");
        fs::write(&place, "starter").unwrap();
        nothing.put_back();
        assert!(
            !place.exists(),
            "no starter left where the student's build goes"
        );
        let _ = fs::remove_dir_all(&folder);
    }
}
