//! A student's progress: which lessons (and steps) last passed their
//! checks, kept in `.course/progress` so it survives a restart.
//!
//! Each line is `binary step fingerprint`, where `step` is `*` for the whole
//! lesson and the fingerprint is a hash of the exercise file when it passed.
//! Editing the file after passing shows up as "changed since it passed".

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use crate::process::repository_root;
use crate::{Lesson, Side};

/// Where the course keeps its own state (git ignores it).
pub fn state_folder() -> PathBuf {
    repository_root().join(".course")
}

/// A lesson's state, as `list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Its checks passed, and the file has not changed since.
    Done,
    /// Its checks passed, but the file has changed since.
    Changed,
    /// Some steps passed: how many, out of how many.
    Steps(usize, usize),
    /// Not passed yet.
    NotYet,
}

/// Passed checks, by lesson binary and step.
#[derive(Debug, Default)]
pub struct Progress {
    passed: BTreeMap<(String, String), u64>,
}

/// FNV-1a: a small hash that stays the same across Rust versions, unlike
/// the standard library's.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn exercise_fingerprint(lesson: &Lesson) -> u64 {
    let path = repository_root().join(lesson.source_path(Side::Exercise));
    fingerprint(&fs::read(path).unwrap_or_default())
}

impl Progress {
    fn file() -> PathBuf {
        state_folder().join("progress")
    }

    /// Reads the saved progress (none yet is fine).
    pub fn load() -> Progress {
        let text = fs::read_to_string(Progress::file()).unwrap_or_default();
        let passed = text
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                let (binary, step, hash) = (words.next()?, words.next()?, words.next()?);
                Some(((binary.to_owned(), step.to_owned()), hash.parse().ok()?))
            })
            .collect();
        Progress { passed }
    }

    /// Writes the progress back.
    pub fn save(&self) -> std::io::Result<()> {
        fs::create_dir_all(state_folder())?;
        let text: String = self
            .passed
            .iter()
            .map(|((binary, step), hash)| format!("{binary} {step} {hash}\n"))
            .collect();
        fs::write(Progress::file(), text)
    }

    /// Records that `lesson` (or one step of it) passed its checks.
    pub fn record_pass(&mut self, lesson: &Lesson, step: Option<&str>) {
        let key = (lesson.binary.to_owned(), step.unwrap_or("*").to_owned());
        self.passed.insert(key, exercise_fingerprint(lesson));
    }

    /// Forgets everything about `lesson` (after a reset).
    pub fn forget(&mut self, lesson: &Lesson) {
        self.passed.retain(|(binary, _), _| binary != lesson.binary);
    }

    /// Whether one step of `lesson` passed with the exercise as it is now
    /// (or the whole lesson did, for a step that is not optional: the
    /// lesson passes without its going-further step, which counts only
    /// when its own checks passed).
    pub fn step_passed(&self, lesson: &Lesson, step: &str) -> bool {
        let current = exercise_fingerprint(lesson);
        let passed = |key: &str| {
            self.passed.get(&(lesson.binary.to_owned(), key.to_owned())) == Some(&current)
        };
        let required = lesson
            .checks_for(Some(step))
            .iter()
            .any(|check| !check.optional);
        passed(step) || (required && passed("*"))
    }

    /// Where `lesson` stands.
    pub fn state(&self, lesson: &Lesson) -> State {
        let current = exercise_fingerprint(lesson);
        let key = |step: &str| (lesson.binary.to_owned(), step.to_owned());
        if let Some(&hash) = self.passed.get(&key("*")) {
            return if hash == current {
                State::Done
            } else {
                State::Changed
            };
        }
        let steps = lesson.steps();
        let done = steps
            .iter()
            .filter(|step| self.passed.get(&key(step)) == Some(&current))
            .count();
        if done > 0 {
            State::Steps(done, steps.len())
        } else {
            State::NotYet
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fingerprint(b"ab"), fingerprint(b"ba"));
    }
}
