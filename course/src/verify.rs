//! `cargo course verify`: the instructor's proof that the course is whole.
//!
//! For every lesson it checks that the three folders and both binaries
//! exist, that starter and solution differ only inside TODO regions, that
//! the solution passes every check and the starter fails one (a tour
//! excepted), and that both are rustfmt- and clippy-clean. Each problem is
//! reported with the lesson it belongs to, so a teacher adding a lesson
//! learns exactly what is missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::check::{Outcome, run_lesson};
use crate::lessons::ALL;
use crate::process::{self, cargo_command, repository_root};
use crate::workspace;
use crate::{Lesson, Side, regions, shipped};

/// The numbered folders (`0_hello_server`, ...) under `top`.
fn numbered_folders(root: &Path, top: &str) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(root.join(top)) else {
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
    layout_problems_in(&repository_root(), ALL)
}

/// [`layout_problems`] for the course at `root` with the registry
/// `lessons`: every piece of a lesson that cannot be derived, each missing
/// one named with the file to write.
pub fn layout_problems_in(root: &Path, lessons: &[Lesson]) -> Vec<String> {
    let mut problems = Vec::new();
    let registered: BTreeSet<String> = lessons.iter().map(Lesson::folder).collect();
    for top in ["lessons", "exercises", "solutions"] {
        for folder in numbered_folders(root, top).difference(&registered) {
            problems.push(format!(
                "{top}/{folder} has no lesson in course/src/lessons/mod.rs (add one, or rename the folder)"
            ));
        }
    }
    let read = |file: &str| fs::read_to_string(root.join(file)).unwrap_or_default();
    let registry = read("course/src/lessons/mod.rs");
    // A check file written but not registered: the compiler never sees it.
    let numbers: BTreeSet<String> = lessons
        .iter()
        .map(|lesson| lesson.number.to_string())
        .collect();
    let check_files = fs::read_dir(root.join("course/src/lessons"))
        .into_iter()
        .flatten();
    for entry in check_files.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(number) = name
            .strip_prefix("lesson")
            .and_then(|rest| rest.strip_suffix(".rs"))
        else {
            continue;
        };
        if !numbers.contains(number) {
            problems.push(format!(
                "course/src/lessons/{name} is not in the registry: add `mod lesson{number};` and \
                 `lesson{number}::LESSON,` to course/src/lessons/mod.rs"
            ));
        }
    }
    let browser_suite = read("packages/browser/tests/pages/main.rs");
    let map = read("README.md");
    for lesson in lessons {
        let (number, folder) = (lesson.number, lesson.folder());
        let mut missing = |problem: String| problems.push(format!("lesson {number}: {problem}"));
        let mut files = vec![
            (format!("lessons/{folder}/README.md"), "its text"),
            (lesson.source_path(Side::Exercise), "its starter"),
            (lesson.source_path(Side::Solution), "its solution"),
            (
                format!("course/src/lessons/lesson{number}.rs"),
                "its check file (declares LESSON, CHECKS, HINTS)",
            ),
            (
                format!("course/src/lessons/lesson{number}.mutants.toml"),
                "its catalog of wrong programs (README: \"The catalog of wrong programs\")",
            ),
        ];
        if lesson.is_server {
            files.push((
                format!("packages/browser/tests/pages/lesson{number}.rs"),
                "its browser cases (README: \"Browser tests\")",
            ));
        }
        for (file, what) in &files {
            if !root.join(file).is_file() {
                missing(format!("{file} is missing: {what}"));
            }
        }
        let has_line = |text: &str, line: &str| text.lines().any(|found| found.trim() == line);
        if !has_line(&registry, &format!("mod lesson{number};")) {
            missing(format!(
                "course/src/lessons/mod.rs has no `mod lesson{number};` line"
            ));
        }
        if !has_line(&registry, &format!("lesson{number}::LESSON,")) {
            missing(format!(
                "course/src/lessons/mod.rs has no `lesson{number}::LESSON,` line in ALL"
            ));
        }
        if lesson.is_server && !has_line(&browser_suite, &format!("mod lesson{number};")) {
            missing(format!(
                "packages/browser/tests/pages/main.rs has no `mod lesson{number};` line"
            ));
        }
        if !map.contains(&format!("](lessons/{folder}/README.md)")) {
            missing(format!(
                "README.md's map of the lessons has no row linking lessons/{folder}/README.md"
            ));
        }
    }
    problems
}

/// The folder under `packages/` whose manifest names a binary of `lesson`,
/// if the workspace does not list it: a new package not yet a member.
fn outside_the_workspace(root: &Path, lesson: &Lesson) -> Option<String> {
    let folders = fs::read_dir(root.join("packages")).ok()?;
    folders.filter_map(Result::ok).find_map(|entry| {
        let folder = format!("packages/{}", entry.file_name().to_string_lossy());
        let manifest = fs::read_to_string(root.join(&folder).join("Cargo.toml")).ok()?;
        let names = [Side::Exercise, Side::Solution].map(|side| lesson.binary_name(side));
        names
            .iter()
            .any(|name| manifest.contains(&format!("name = \"{name}\"")))
            .then_some(folder)
    })
}

/// The `[[bin]]` block for one side of `lesson`, in the manifest of
/// `package`, as `cargo course verify --fix` writes it.
fn bin_block(lesson: &Lesson, side: Side, package_folder: &str) -> String {
    let up = "../".repeat(
        package_folder
            .split('/')
            .filter(|part| !part.is_empty())
            .count(),
    );
    format!(
        "[[bin]]\nname = \"{}\"\npath = \"{up}{}\"\n",
        lesson.binary_name(side),
        lesson.source_path(side)
    )
}

/// Problems with the binaries: each lesson needs `<binary>` built from its
/// exercise and `<binary>_sol` from its solution, in one package's manifest.
pub fn manifest_problems() -> Vec<String> {
    manifest_problems_in(&repository_root(), ALL)
}

/// [`manifest_problems`] for the course at `root` with the registry
/// `lessons`.
pub fn manifest_problems_in(root: &Path, lessons: &[Lesson]) -> Vec<String> {
    let packages = match workspace::packages_in(root) {
        Ok(packages) => packages,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    let package_of = |name: &str| packages.iter().find(|package| package.bin(name).is_some());
    for lesson in lessons {
        let number = lesson.number;
        let sides = [Side::Exercise, Side::Solution];
        let Some(package) = sides
            .iter()
            .find_map(|&side| package_of(&lesson.binary_name(side)))
        else {
            if let Some(outside) = outside_the_workspace(root, lesson) {
                problems.push(format!(
                    "lesson {number}: {outside}/Cargo.toml builds `{}`, but {outside} is not a \
                     member of the workspace: add \"{outside}\" to `members` and `default-members` \
                     in the top Cargo.toml",
                    lesson.binary
                ));
                continue;
            }
            problems.push(format!(
                "lesson {number} has no package: no Cargo.toml has a [[bin]] named `{0}` or `{0}_sol`; add both to the manifest of the package that has what it needs (the top Cargo.toml for std only, packages/net/Cargo.toml for reqwest and serde, ...):\n{1}\n{2}",
                lesson.binary,
                bin_block(lesson, Side::Exercise, ""),
                bin_block(lesson, Side::Solution, ""),
            ));
            continue;
        };
        for side in sides {
            let name = lesson.binary_name(side);
            let source = lesson.source_path(side);
            match package_of(&name) {
                None => problems.push(format!(
                    "lesson {number}: {} has no [[bin]] named `{name}` (cargo course verify --fix adds it):\n{}",
                    package.manifest(),
                    bin_block(lesson, side, &package.folder)
                )),
                Some(other) if other.name != package.name => problems.push(format!(
                    "lesson {number}: `{name}` is in {}, but `{}` is in {}: both binaries of a lesson belong to one package",
                    other.manifest(),
                    lesson.binary,
                    package.manifest()
                )),
                Some(other) => {
                    let path = &other.bin(&name).expect("found by name").path;
                    if *path != source {
                        problems.push(format!(
                            "lesson {number}: the [[bin]] `{name}` in {} is built from {path}, not {source}",
                            other.manifest()
                        ));
                    }
                }
            }
        }
    }
    for package in &packages {
        let has_lessons = lessons
            .iter()
            .any(|lesson| package.bin(lesson.binary).is_some());
        // The feature must reach the server module too: otherwise the copy's
        // build of the module replaces the course's own in the target folder.
        let wanted: Vec<String> = if package.name == "http-course" {
            Vec::new()
        } else {
            vec![format!("http-course/{}", process::FEATURE)]
        };
        let declared = package.features.get(process::FEATURE);
        if has_lessons
            && !declared.is_some_and(|enables| wanted.iter().all(|item| enables.contains(item)))
        {
            problems.push(format!(
                "package {} builds lessons but has no `{} = {wanted:?}` feature: add it under `[features]` in {} (cargo test needs it to build the shipped starters apart)",
                package.name,
                process::FEATURE,
                package.manifest(),
            ));
        }
        // And the other way: a binary built from a lesson folder belongs to
        // a registered lesson.
        for bin in &package.bins {
            let lesson_file =
                bin.path.starts_with("exercises/") || bin.path.starts_with("solutions/");
            let registered = lessons.iter().any(|lesson| {
                [Side::Exercise, Side::Solution]
                    .iter()
                    .any(|&side| lesson.binary_name(side) == bin.name)
            });
            if lesson_file && !registered {
                problems.push(format!(
                    "binary `{}` ({}, {}) is no lesson's: add the lesson to ALL in course/src/lessons/mod.rs",
                    bin.name,
                    package.manifest(),
                    bin.path
                ));
            }
        }
    }
    problems
}

/// `cargo course verify --fix`: adds the [[bin]] blocks a lesson's
/// package lacks to its manifest, for the course at `root`, and says what
/// it wrote. It writes only what it can derive: a lesson's package is the
/// one that has either of its two binaries (a lesson with neither is left
/// to `verify` to report), and it never touches `exercises/`.
pub fn fix_in(root: &Path, lessons: &[Lesson]) -> Result<Vec<String>, String> {
    let packages = workspace::packages_in(root)?;
    let mut written = Vec::new();
    for lesson in lessons {
        let sides = [Side::Exercise, Side::Solution];
        let in_package = |side: Side| {
            packages
                .iter()
                .find(|package| package.bin(&lesson.binary_name(side)).is_some())
        };
        let Some(package) = sides.iter().find_map(|&side| in_package(side)) else {
            continue;
        };
        for side in sides {
            if in_package(side).is_some() {
                continue;
            }
            let manifest = root.join(package.manifest());
            let text = fs::read_to_string(&manifest)
                .map_err(|error| format!("could not read {}: {error}", manifest.display()))?;
            let block = bin_block(lesson, side, &package.folder);
            let other = match side {
                Side::Solution => lesson.binary_name(Side::Exercise),
                _ => lesson.binary_name(Side::Solution),
            };
            let text = insert_beside(&text, &other, &block, side == Side::Solution);
            fs::write(&manifest, text)
                .map_err(|error| format!("could not write {}: {error}", manifest.display()))?;
            written.push(format!(
                "lesson {}: added the [[bin]] `{}` to {}",
                lesson.number,
                lesson.binary_name(side),
                package.manifest()
            ));
        }
    }
    Ok(written)
}

/// `text` (a manifest) with `block` inserted after (or before) the
/// `[[bin]]` block named `beside`, or at its end if there is none.
fn insert_beside(text: &str, beside: &str, block: &str, after: bool) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let named = format!("name = \"{beside}\"");
    let at = lines
        .iter()
        .position(|line| line.trim() == named)
        .map(|name| {
            if after {
                // The block ends at its first blank, comment or header line.
                (name + 1..lines.len())
                    .find(|&index| {
                        let line = lines[index].trim();
                        line.is_empty() || line.starts_with('#') || line.starts_with('[')
                    })
                    .unwrap_or(lines.len())
            } else {
                (0..name)
                    .rev()
                    .find(|&index| lines[index].trim() == "[[bin]]")
                    .unwrap_or(name)
            }
        });
    let Some(at) = at else {
        return format!("{}\n\n{block}", text.trim_end());
    };
    let mut out: Vec<String> = lines[..at].iter().map(|line| line.to_string()).collect();
    if after {
        out.push(String::new());
    }
    out.push(block.trim_end().to_owned());
    if !after {
        out.push(String::new());
    }
    out.extend(lines[at..].iter().map(|line| line.to_string()));
    out.join("\n") + "\n"
}

/// The `.rs` files of `folder` (relative to `root`), by name.
pub(crate) fn rust_files(root: &Path, folder: &str) -> BTreeMap<String, String> {
    let Ok(entries) = fs::read_dir(root.join(folder)) else {
        return BTreeMap::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = fs::read_to_string(entry.path()).ok()?;
            name.ends_with(".rs").then_some((name, text))
        })
        .collect()
}

/// A lesson's starter files as shipped (git's `HEAD`), or the working
/// tree's outside git.
fn shipped_starter(lesson: &Lesson) -> BTreeMap<String, String> {
    let folder = format!("exercises/{}", lesson.folder());
    match shipped::shipped_exercises() {
        Some(files) => files
            .into_iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix(&format!("{folder}/"))?;
                (name.ends_with(".rs") && !name.contains('/')).then(|| {
                    (
                        name.to_owned(),
                        String::from_utf8_lossy(&bytes).into_owned(),
                    )
                })
            })
            .collect(),
        None => rust_files(&repository_root(), &folder),
    }
}

/// Problems with a lesson's files: every `.rs` file of the starter must be
/// the same file as the solution's outside its TODO regions (a tour's,
/// and a file without regions, such as lesson 9's `api.rs`, identical),
/// and an exercise must have a region somewhere.
pub fn region_problems(lesson: &Lesson) -> Vec<String> {
    let solutions = rust_files(
        &repository_root(),
        &format!("solutions/{}", lesson.folder()),
    );
    if solutions.is_empty() {
        return Vec::new(); // reported by layout_problems
    }
    let starters = shipped_starter(lesson);
    let folder = format!("exercises/{}", lesson.folder());
    if starters.is_empty() && !rust_files(&repository_root(), &folder).is_empty() {
        return vec![format!(
            "lesson {}: {folder}/ is not committed: verify checks the starter as the course \
             ships it (git's HEAD), so commit it first",
            lesson.number
        )];
    }
    compare_files(lesson, &starters, &solutions)
}

/// [`region_problems`] for given files, by name.
pub fn compare_files(
    lesson: &Lesson,
    starters: &BTreeMap<String, String>,
    solutions: &BTreeMap<String, String>,
) -> Vec<String> {
    let (number, folder) = (lesson.number, lesson.folder());
    let mut problems = Vec::new();
    let mut regions = 0;
    for name in starters
        .keys()
        .chain(solutions.keys())
        .collect::<BTreeSet<_>>()
    {
        let (Some(starter), Some(solution)) = (starters.get(name), solutions.get(name)) else {
            let (has, lacks) = if starters.contains_key(name) {
                ("exercises", "solutions")
            } else {
                ("solutions", "exercises")
            };
            problems.push(format!(
                "lesson {number}: {has}/{folder}/{name} has no counterpart in {lacks}/{folder}/ (starter and solution have the same files)"
            ));
            continue;
        };
        if lesson.tour {
            if starter != solution {
                problems.push(format!(
                    "lesson {number} is a tour: exercises/{folder}/{name} and solutions/{folder}/{name} must be the same file"
                ));
            }
            continue;
        }
        match regions::compare(starter, solution) {
            Ok(found) => regions += found,
            Err(difference) => problems.push(format!("lesson {number}, {name}: {difference}")),
        }
    }
    if !lesson.tour && problems.is_empty() && regions == 0 {
        problems.push(format!(
            "lesson {number}: the starter has no `// TODO` region for the student"
        ));
    }
    problems
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
        let Some(package) = lesson.package() else {
            continue; // reported by manifest_problems
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
            .env("CARGO_TARGET_DIR", process::target_dir())
            .args([
                "clippy",
                "--quiet",
                "--message-format=short",
                "--package",
                package,
                "--bin",
                &lesson.binary_name(side),
            ])
            .args(match side {
                Side::ShippedStarter => vec!["--features", process::FEATURE],
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

#[cfg(test)]
pub(crate) mod tests {
    use std::path::PathBuf;

    use super::*;

    /// An empty scratch folder of its own for a test.
    pub(crate) fn scratch(name: &str) -> PathBuf {
        let folder =
            std::env::temp_dir().join(format!("course-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&folder);
        fs::create_dir_all(&folder).unwrap();
        folder
    }

    fn write(root: &Path, file: &str, text: &str) {
        let path = root.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    const LESSON: Lesson = Lesson::new(4, "toy_server", "Toy server");

    /// A course with one whole lesson, 4_toy_server, in `packages/toy`.
    fn whole_course(name: &str) -> PathBuf {
        let root = scratch(name);
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\".\", \"packages/toy\"]\n\n[package]\nname = \"http-course\"\n",
        );
        write(
            &root,
            "packages/toy/Cargo.toml",
            "[package]\nname = \"toy\"\n\n[features]\nshipped-starter = [\"http-course/shipped-starter\"]\n\n# The toy lesson.\n[[bin]]\nname = \"toy_server\"\npath = \"../../exercises/4_toy_server/main.rs\"\n\n[[bin]]\nname = \"toy_server_sol\"\npath = \"../../solutions/4_toy_server/main.rs\"\n",
        );
        for file in [
            "lessons/4_toy_server/README.md",
            "exercises/4_toy_server/main.rs",
            "solutions/4_toy_server/main.rs",
            "course/src/lessons/lesson4.rs",
            "course/src/lessons/lesson4.mutants.toml",
            "packages/browser/tests/pages/lesson4.rs",
        ] {
            write(&root, file, "");
        }
        write(
            &root,
            "course/src/lessons/mod.rs",
            "mod lesson4;\n\npub static ALL: &[Lesson] = &[\n    lesson4::LESSON,\n];\n",
        );
        write(
            &root,
            "packages/browser/tests/pages/main.rs",
            "mod lesson4;\n",
        );
        write(
            &root,
            "README.md",
            "| 4 | [Toy](lessons/4_toy_server/README.md) |\n",
        );
        root
    }

    #[test]
    fn a_whole_lesson_has_no_problem() {
        let root = whole_course("whole");
        assert_eq!(layout_problems_in(&root, &[LESSON]), Vec::<String>::new());
        assert_eq!(manifest_problems_in(&root, &[LESSON]), Vec::<String>::new());
        assert_eq!(
            workspace::packages_in(&root).unwrap()[1]
                .bin("toy_server_sol")
                .unwrap()
                .path,
            "solutions/4_toy_server/main.rs"
        );
    }

    #[test]
    fn names_each_missing_piece_of_a_lesson() {
        let root = whole_course("missing");
        for file in [
            "lessons/4_toy_server/README.md",
            "course/src/lessons/lesson4.mutants.toml",
            "packages/browser/tests/pages/lesson4.rs",
        ] {
            fs::remove_file(root.join(file)).unwrap();
        }
        write(&root, "packages/browser/tests/pages/main.rs", "");
        write(&root, "README.md", "");
        write(&root, "course/src/lessons/mod.rs", "mod lesson4;\n");
        fs::create_dir_all(root.join("exercises/5_stray")).unwrap();
        let problems = layout_problems_in(&root, &[LESSON]).join("\n");
        for expected in [
            "exercises/5_stray has no lesson in course/src/lessons/mod.rs",
            "lesson 4: lessons/4_toy_server/README.md is missing: its text",
            "lesson 4: course/src/lessons/lesson4.mutants.toml is missing",
            "lesson 4: packages/browser/tests/pages/lesson4.rs is missing",
            "lesson 4: course/src/lessons/mod.rs has no `lesson4::LESSON,` line in ALL",
            "lesson 4: packages/browser/tests/pages/main.rs has no `mod lesson4;` line",
            "lesson 4: README.md's map of the lessons has no row linking lessons/4_toy_server/README.md",
        ] {
            assert!(problems.contains(expected), "{expected}\nin:\n{problems}");
        }
        assert_eq!(problems.lines().count(), 7, "{problems}");
    }

    #[test]
    fn names_a_check_file_not_registered_and_a_package_not_a_member() {
        let root = whole_course("unregistered");
        write(&root, "course/src/lessons/lesson5.rs", "");
        let problems = layout_problems_in(&root, &[LESSON]);
        assert_eq!(
            problems,
            [
                "course/src/lessons/lesson5.rs is not in the registry: add `mod lesson5;` and \
              `lesson5::LESSON,` to course/src/lessons/mod.rs"
            ]
        );
        write(
            &root,
            "Cargo.toml",
            "[workspace]\nmembers = [\".\"]\n\n[package]\nname = \"http-course\"\n",
        );
        let problems = manifest_problems_in(&root, &[LESSON]).join("\n");
        assert!(
            problems.contains(
                "lesson 4: packages/toy/Cargo.toml builds `toy_server`, but packages/toy is not a \
                 member of the workspace"
            ),
            "{problems}"
        );
    }

    #[test]
    fn a_missing_bin_is_reported_then_fixed() {
        let root = whole_course("fix");
        let manifest = root.join("packages/toy/Cargo.toml");
        let whole = fs::read_to_string(&manifest).unwrap();
        let solution_block = "\n[[bin]]\nname = \"toy_server_sol\"\npath = \"../../solutions/4_toy_server/main.rs\"\n";
        fs::write(&manifest, whole.replace(solution_block, "")).unwrap();
        let problems = manifest_problems_in(&root, &[LESSON]);
        assert_eq!(
            problems,
            [
                "lesson 4: packages/toy/Cargo.toml has no [[bin]] named `toy_server_sol` (cargo course verify --fix adds it):\n[[bin]]\nname = \"toy_server_sol\"\npath = \"../../solutions/4_toy_server/main.rs\"\n"
            ]
        );
        let written = fix_in(&root, &[LESSON]).unwrap();
        assert_eq!(
            written,
            ["lesson 4: added the [[bin]] `toy_server_sol` to packages/toy/Cargo.toml"]
        );
        assert_eq!(fs::read_to_string(&manifest).unwrap(), whole);
        assert_eq!(manifest_problems_in(&root, &[LESSON]), Vec::<String>::new());
        // The exercise's block goes before the solution's, and a second
        // run has nothing to do.
        let exercise_block =
            "[[bin]]\nname = \"toy_server\"\npath = \"../../exercises/4_toy_server/main.rs\"\n\n";
        fs::write(&manifest, whole.replace(exercise_block, "")).unwrap();
        fix_in(&root, &[LESSON]).unwrap();
        assert_eq!(fs::read_to_string(&manifest).unwrap(), whole);
        assert_eq!(fix_in(&root, &[LESSON]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_lesson_without_package_or_feature_or_path_is_reported() {
        let root = whole_course("package");
        let manifest = root.join("packages/toy/Cargo.toml");
        let whole = fs::read_to_string(&manifest).unwrap();
        fs::write(&manifest, "[package]\nname = \"toy\"\n").unwrap();
        let problems = manifest_problems_in(&root, &[LESSON]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("lesson 4 has no package: no Cargo.toml has a [[bin]] named `toy_server` or `toy_server_sol`"), "{}", problems[0]);
        // --fix cannot know the package: it writes nothing.
        assert_eq!(fix_in(&root, &[LESSON]).unwrap(), Vec::<String>::new());
        fs::write(
            &manifest,
            whole
                .replace("shipped-starter = [\"http-course/shipped-starter\"]", "")
                .replace("solutions/4_toy_server", "solutions/4_toy"),
        )
        .unwrap();
        let problems = manifest_problems_in(&root, &[LESSON]).join("\n");
        assert!(problems.contains("lesson 4: the [[bin]] `toy_server_sol` in packages/toy/Cargo.toml is built from solutions/4_toy/main.rs, not solutions/4_toy_server/main.rs"), "{problems}");
        assert!(
            problems.contains("package toy builds lessons but has no `shipped-starter"),
            "{problems}"
        );
    }

    #[test]
    fn every_file_of_a_lesson_is_compared_outside_its_regions() {
        let files = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect()
        };
        let solutions = files(&[
            ("main.rs", "a\n// TODO: b\nsolved\n// END TODO\n"),
            ("api.rs", "shared\n"),
        ]);
        let starters = files(&[
            ("main.rs", "a\n// TODO: b\ntodo!()\n// END TODO\n"),
            ("api.rs", "shared\n"),
        ]);
        assert_eq!(
            compare_files(&LESSON, &starters, &solutions),
            Vec::<String>::new()
        );
        let drifted = files(&[
            ("main.rs", "a\n// TODO: b\ntodo!()\n// END TODO\n"),
            ("api.rs", "drifted\n"),
            ("extra.rs", ""),
        ]);
        let problems = compare_files(&LESSON, &drifted, &solutions).join("\n");
        assert!(problems.contains("lesson 4, api.rs: "), "{problems}");
        assert!(
            problems.contains(
                "exercises/4_toy_server/extra.rs has no counterpart in solutions/4_toy_server/"
            ),
            "{problems}"
        );
        let no_regions = files(&[("main.rs", "a\n"), ("api.rs", "shared\n")]);
        assert_eq!(
            compare_files(&LESSON, &no_regions, &no_regions),
            ["lesson 4: the starter has no `// TODO` region for the student"]
        );
        assert_eq!(
            compare_files(&LESSON.tour(), &no_regions, &no_regions),
            Vec::<String>::new()
        );
    }
}
