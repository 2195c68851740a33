//! `cargo course ...` starts here: build the course's checker if needed,
//! with Cargo's progress on screen, then run it with the same arguments.
//!
//! The checker (the `course` package) needs reqwest, whose first build takes
//! one to three minutes on a two-core machine (once; later builds take
//! seconds). Run directly by `cargo run --quiet`, those minutes would pass
//! in silence; this launcher uses std only, so it is ready in a second
//! and can say what is happening while Cargo works.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::SystemTime;

// The one list of Cargo's package variables, shared with the checker: a
// std-only file of its own, so the launcher stays free of dependencies.
#[path = "../../../course/src/cargo_env.rs"]
mod cargo_env;

/// The workspace's top folder: two levels above this package.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).unwrap_or(here).to_path_buf()
}

/// A `cargo` command that does not inherit the variables `cargo run` set
/// for this launcher (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, ...): some
/// build scripts rebuild whenever those change.
fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root());
    cargo_env::scrub(&mut command);
    command
}

/// The newest modification time of the files under `path`.
fn newest(path: &Path) -> Option<SystemTime> {
    let metadata = path.metadata().ok()?;
    if metadata.is_file() {
        return metadata.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest(&entry.path()))
        .max()
}

/// Whether the checker was built after its sources last changed: a guess,
/// only used to decide whether to show Cargo's progress (Cargo itself
/// decides what to rebuild).
fn checker_looks_fresh(root: &Path) -> bool {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let binary = target
        .join("debug")
        .join(format!("course{}", std::env::consts::EXE_SUFFIX));
    let Some(built) = newest(&binary) else {
        return false;
    };
    let sources = [
        root.join("Cargo.lock"),
        root.join("Cargo.toml"),
        root.join("course"),
        root.join("src"),
    ];
    sources
        .iter()
        .filter_map(|path| newest(path))
        .all(|changed| changed <= built)
}

/// The path in a JSON string value at `key` in `line` (Cargo's messages
/// escape only `\` and `"` in paths).
fn json_string(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

fn main() -> ExitCode {
    let root = workspace_root();
    let fresh = checker_looks_fresh(&root);
    if !fresh {
        eprintln!(
            "Building the course checker (the first time takes 1 to 3 minutes, once; after an update, seconds)..."
        );
    }
    let mut build = cargo();
    build
        .args(["build", "--package", "course", "--bin", "course"])
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if fresh {
        build.arg("--quiet");
    }
    let output = match build.output() {
        Ok(output) => output,
        Err(error) => {
            eprintln!("error: could not run cargo: {error}");
            return ExitCode::from(2);
        }
    };
    if !output.status.success() {
        eprintln!("error: the course checker did not build (Cargo's messages are above)");
        return ExitCode::from(2);
    }
    let messages = String::from_utf8_lossy(&output.stdout);
    let checker = messages
        .lines()
        .filter(|line| line.contains("\"reason\":\"compiler-artifact\""))
        .filter(|line| line.contains("\"name\":\"course\"") && line.contains("\"bin\""))
        .find_map(|line| json_string(line, "executable"));
    let Some(checker) = checker else {
        eprintln!("error: cargo built no `course` program");
        return ExitCode::from(2);
    };
    if !fresh {
        eprintln!("The course checker is ready.\n");
    }
    // The checker strips Cargo's package variables itself before it
    // starts Cargo (see course/src/process.rs).
    let status = Command::new(&checker)
        .args(std::env::args_os().skip(1))
        .status();
    match status {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
            None => ExitCode::from(2),
        },
        Err(error) => {
            eprintln!("error: could not run {checker}: {error}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_from_cargo_messages() {
        let line = r#"{"reason":"compiler-artifact","executable":"/a \"b\"/c\\d","fresh":true}"#;
        assert_eq!(
            json_string(line, "executable").as_deref(),
            Some(r#"/a "b"/c\d"#)
        );
        assert_eq!(json_string(line, "missing"), None);
    }
}
