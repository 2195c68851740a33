//! The variables Cargo sets for the program it runs (`cargo run`,
//! `cargo test`) that a Cargo started from inside must not inherit.
//!
//! `cargo run` and `cargo test` hand the program they start variables that
//! describe *that* program's package (`CARGO_MANIFEST_DIR`,
//! `CARGO_PKG_NAME`, `OUT_DIR`, ...). Some build scripts (ring's, under
//! reqwest) rebuild whenever they change, so an inner and an outer Cargo
//! would keep rebuilding those crates for each other.
//!
//! This file is std only and is the one list: the checker (`course`) has
//! it as a module, and the launcher (`packages/launcher`, which must build
//! in a second, so it depends on nothing) includes the same file with
//! `#[path]`.

use std::process::Command;

/// The variables, other than `CARGO_PKG_*`, that describe the package of
/// the program Cargo started.
pub const PACKAGE_VARIABLES: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
    "OUT_DIR",
];

/// Whether the variable `name` describes the package of the program Cargo
/// started (and so must not reach a Cargo started from inside).
pub fn describes_a_package(name: &str) -> bool {
    name.starts_with("CARGO_PKG_") || PACKAGE_VARIABLES.contains(&name)
}

/// Removes from `command` every variable of this process's environment
/// that describes its package.
pub fn scrub(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if describes_a_package(&name) {
            command.env_remove(name.as_ref());
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_what_describes_a_package_and_keeps_the_rest() {
        for name in [
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "CARGO_MANIFEST_DIR",
            "CARGO_TARGET_TMPDIR",
            "OUT_DIR",
        ] {
            assert!(describes_a_package(name), "{name}");
        }
        for name in [
            "CARGO",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "PATH",
            "RUSTFLAGS",
        ] {
            assert!(!describes_a_package(name), "{name}");
        }
    }

    #[test]
    fn a_scrubbed_command_removes_them() {
        let mut command = Command::new("cargo");
        scrub(&mut command);
        // Under `cargo test`, Cargo sets CARGO_MANIFEST_DIR and
        // CARGO_PKG_NAME for this test program: both are removed.
        let removed: Vec<String> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        for name in ["CARGO_MANIFEST_DIR", "CARGO_PKG_NAME"] {
            assert!(
                removed.iter().any(|removed| removed == name),
                "{name}: {removed:?}"
            );
        }
    }
}
