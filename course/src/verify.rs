//! `cargo course verify`: the instructor's proof that the course is whole.
//!
//! For every lesson it checks that the three folders and both binaries
//! exist, that starter and solution differ only inside TODO regions, that
//! the solution passes every check and the starter fails one (a tour
//! excepted), and that both are rustfmt- and clippy-clean. Each problem is
//! reported with the lesson it belongs to, so a teacher adding a lesson
//! learns exactly what is missing.

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use crate::check::{Outcome, run_lesson};
use crate::lessons::ALL;
use crate::process::{cargo_command, repository_root};
use crate::{Lesson, Side, regions, shipped};

/// The numbered folders (`0_hello_server`, ...) under `top`.
fn numbered_folders(top: &str) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(repository_root().join(top)) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(|c: char| c.is_ascii_digit()))
        .collect()
}

/// Problems with the course's layout: folders without a lesson, lessons
/// without folders or files. Each problem is one sentence.
pub fn layout_problems() -> Vec<String> {
    let mut problems = Vec::new();
    let registered: BTreeSet<String> = ALL.iter().map(|lesson| lesson.folder()).collect();
    for top in ["lessons", "exercises", "solutions"] {
        for folder in numbered_folders(top).difference(&registered) {
            problems.push(format!(
                "{top}/{folder} has no lesson in course/src/lessons/mod.rs (add one, or rename the folder)"
            ));
        }
    }
    for lesson in ALL {
        let root = repository_root();
        let files = [
            format!("lessons/{}/README.md", lesson.folder()),
            lesson.source_path(Side::Exercise),
            lesson.source_path(Side::Solution),
        ];
        for file in files {
            if !root.join(&file).is_file() {
                problems.push(format!("lesson {}: {file} is missing", lesson.number));
            }
        }
    }
    problems
}

/// Problems with the binaries: each lesson needs `<binary>` built from its
/// exercise and `<binary>_sol` from its solution, in some package's manifest.
pub fn manifest_problems() -> Vec<String> {
    let output = cargo_command()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .output();
    let metadata: serde_json::Value = match output {
        Ok(output) if output.status.success() => {
            serde_json::from_slice(&output.stdout).unwrap_or_default()
        }
        _ => return vec!["`cargo metadata` failed: is Cargo.toml valid?".to_owned()],
    };
    // (package, binary, source file) for every binary of the workspace.
    let mut binaries: Vec<(String, String, String)> = Vec::new();
    let mut problems = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let package_name = package["name"].as_str().unwrap_or("").to_owned();
        let has_lessons = ALL.iter().any(|lesson| lesson.package == package_name);
        // The feature must reach the server module too: otherwise the copy's
        // build of the module replaces the course's own in the target folder.
        let wanted: &[String] = if package_name == "http-course" {
            &[]
        } else {
            &[format!("http-course/{}", shipped::FEATURE)]
        };
        let feature = package["features"].get(shipped::FEATURE);
        let enables = |wanted: &String| {
            feature
                .and_then(|list| list.as_array())
                .is_some_and(|list| list.iter().any(|item| item == wanted.as_str()))
        };
        if has_lessons && (feature.is_none() || !wanted.iter().all(enables)) {
            problems.push(format!(
                "package {package_name} builds lessons but has no `{} = {wanted:?}` feature: add it under `[features]` in its Cargo.toml (cargo test needs it to build the shipped starters apart)",
                shipped::FEATURE,
            ));
        }
        for target in package["targets"].as_array().into_iter().flatten() {
            let is_bin = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"));
            if let (true, Some(name), Some(path)) =
                (is_bin, target["name"].as_str(), target["src_path"].as_str())
            {
                let path = normalize(&path.replace('\\', "/"));
                binaries.push((package_name.clone(), name.to_owned(), path));
            }
        }
    }
    for lesson in ALL {
        for side in [Side::Exercise, Side::Solution] {
            let name = lesson.binary_name(side);
            let source = lesson.source_path(side);
            match binaries.iter().find(|(_, binary, _)| *binary == name) {
                None => problems.push(format!(
                    "lesson {}: no binary `{name}` in a Cargo.toml; add a [[bin]] with path \"{source}\" to the package {}",
                    lesson.number, lesson.package
                )),
                Some((_, _, path)) if !path.ends_with(&format!("/{source}")) => problems.push(format!(
                    "lesson {}: binary `{name}` is built from {path}, not {source}",
                    lesson.number
                )),
                Some((package, _, _)) if package != lesson.package => problems.push(format!(
                    "lesson {}: binary `{name}` is in the package {package}, but the registry says {}",
                    lesson.number, lesson.package
                )),
                Some(_) => {}
            }
        }
    }
    // And the other way: a binary built from a lesson folder belongs to a
    // registered lesson.
    for (package, name, path) in &binaries {
        let lesson_file = ["/exercises/", "/solutions/"]
            .iter()
            .any(|top| path.contains(top));
        let registered = ALL.iter().any(|lesson| {
            [Side::Exercise, Side::Solution]
                .iter()
                .any(|&side| lesson.binary_name(side) == *name)
        });
        if lesson_file && !registered {
            problems.push(format!(
                "binary `{name}` (package {package}, {path}) is no lesson's: add the lesson to ALL in course/src/lessons/mod.rs"
            ));
        }
    }
    problems
}

/// `a/b/../c` as `a/c`: Cargo gives the paths of `packages/net`'s binaries
/// as written in its manifest (`packages/net/../../exercises/...`).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// A lesson's starter as shipped (git's `HEAD`), or the working tree's
/// outside git.
fn shipped_starter(lesson: &Lesson) -> Option<String> {
    let path = lesson.source_path(Side::Exercise);
    match shipped::shipped_exercises() {
        Some(files) => files
            .into_iter()
            .find(|(file, _)| *file == path)
            .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned()),
        None => fs::read_to_string(repository_root().join(path)).ok(),
    }
}

/// Problems with a lesson's two files: a tour's must be the same file; an
/// exercise's must have TODO regions and differ from its solution only there.
pub fn region_problems(lesson: &Lesson) -> Vec<String> {
    let root = repository_root();
    let solution = fs::read_to_string(root.join(lesson.source_path(Side::Solution)));
    let (Some(starter), Ok(solution)) = (shipped_starter(lesson), solution) else {
        return Vec::new(); // reported by layout_problems
    };
    let number = lesson.number;
    if lesson.tour {
        return if starter == solution {
            Vec::new()
        } else {
            vec![format!(
                "lesson {number} is a tour: its starter and solution must be the same file"
            )]
        };
    }
    match regions::compare(&starter, &solution) {
        Ok(0) => vec![format!(
            "lesson {number}: the starter has no `// TODO` region for the student"
        )],
        Ok(_) => Vec::new(),
        Err(difference) => vec![format!("lesson {number}: {difference}")],
    }
}

/// Problems with a lesson's checks: the solution must pass all of them, the
/// starter must fail one (unless the lesson is a tour, which must pass).
pub fn check_problems(lesson: &Lesson) -> Vec<String> {
    let number = lesson.number;
    let mut problems = Vec::new();
    match run_lesson(lesson, Side::Solution, None, false) {
        Outcome::BuildFailed(output) => {
            problems.push(format!(
                "lesson {number}: the solution does not build:\n{}",
                output.messages
            ));
        }
        Outcome::Ran(results) => {
            for (check, result) in results {
                if let Err(failure) = result {
                    problems.push(format!(
                        "lesson {number}: the solution fails the check \"{}\":\n{failure}",
                        check.name
                    ));
                }
            }
        }
    }
    let starter = run_lesson(lesson, Side::ShippedStarter, None, false);
    match (&starter, lesson.tour) {
        (Outcome::BuildFailed(output), _) => {
            problems.push(format!("lesson {number}: the starter does not build:\n{}", output.messages));
        }
        (_, true) if !starter.passed() => {
            problems.push(format!("lesson {number} is a tour, but its starter fails a check"));
        }
        (_, false) if starter.passed() => problems.push(format!(
            "lesson {number}: the starter passes every check, so there is nothing to do (or a check cannot fail)"
        )),
        (_, false) => {
            if let Some((check, failure)) = starter.first_failure()
                && failure.hint.is_empty()
            {
                problems.push(format!(
                    "lesson {number}: the starter fails \"{}\" without a hint for the student",
                    check.name
                ));
            }
        }
        _ => {}
    }
    problems
}

/// Problems of style: rustfmt and clippy on both of a lesson's files (the
/// starter as shipped).
pub fn style_problems(lesson: &Lesson) -> Vec<String> {
    let mut problems = Vec::new();
    for side in [Side::ShippedStarter, Side::Solution] {
        let root = match side {
            Side::ShippedStarter => match shipped::shipped_course() {
                Ok(root) => root,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            },
            _ => repository_root(),
        };
        let source = lesson.source_path(side);
        let formatted = Command::new("rustfmt")
            .current_dir(&root)
            .args(["--edition", "2024", "--check", &source])
            .output();
        if !formatted.is_ok_and(|output| output.status.success()) {
            problems.push(format!(
                "lesson {}: {source} is not rustfmt-clean (run cargo fmt)",
                lesson.number
            ));
        }
        let linted = cargo_command()
            .current_dir(&root)
            .env("CARGO_TARGET_DIR", shipped::target_dir())
            .args([
                "clippy",
                "--quiet",
                "--message-format=short",
                "--package",
                lesson.package,
                "--bin",
                &lesson.binary_name(side),
            ])
            .args(match side {
                Side::ShippedStarter => vec!["--features", shipped::FEATURE],
                _ => vec![],
            })
            .args(["--", "-D", "warnings"])
            .output();
        match linted {
            Ok(output) if output.status.success() => {}
            Ok(output) => problems.push(format!(
                "lesson {}: clippy finds problems in {source}:\n{}",
                lesson.number,
                String::from_utf8_lossy(&output.stderr).trim_end()
            )),
            Err(error) => problems.push(format!("could not run cargo clippy: {error}")),
        }
    }
    problems
}
