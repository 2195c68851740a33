//! The course's Cargo workspace as its manifests describe it: which
//! package builds which binary, from which file. A lesson's package is
//! found here (the package whose manifest has a `[[bin]]` named the
//! lesson's binary), never written twice.
//!
//! The manifests are read with the `toml` crate, not `cargo metadata`: it
//! takes a millisecond, starts no process and needs no network or lock
//! file. Members are the workspace's `members`, written out (no globs).
//!
//! ```
//! use course::workspace;
//!
//! let hello = workspace::package_of("hello_server").unwrap();
//! assert_eq!(hello.name, "http-course");
//! assert_eq!(workspace::package_of("todo_app_sol").unwrap().name, "db-lesson");
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use crate::process::repository_root;

/// One `[[bin]]` of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bin {
    /// Its `name`.
    pub name: String,
    /// Its `path`, relative to the workspace's top folder
    /// (`exercises/3_client/main.rs`), `..` resolved.
    pub path: String,
}

/// One package of the workspace.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its name (`net-lessons`).
    pub name: String,
    /// Its folder, relative to the workspace's top folder (`packages/net`,
    /// or empty for the top package).
    pub folder: String,
    /// Its `[[bin]]` blocks, in order.
    pub bins: Vec<Bin>,
    /// Its `[features]`: each feature with what it enables.
    pub features: BTreeMap<String, Vec<String>>,
}

impl Package {
    /// Its manifest, relative to the workspace's top folder.
    pub fn manifest(&self) -> String {
        if self.folder.is_empty() {
            "Cargo.toml".to_owned()
        } else {
            format!("{}/Cargo.toml", self.folder)
        }
    }

    /// The `[[bin]]` called `name`, if the package has one.
    pub fn bin(&self, name: &str) -> Option<&Bin> {
        self.bins.iter().find(|bin| bin.name == name)
    }
}

fn read_manifest(root: &Path, folder: &str) -> Result<toml::Table, String> {
    let path = root.join(folder).join("Cargo.toml");
    let text = fs::read_to_string(&path)
        .map_err(|error| format!("could not read {}: {error}", path.display()))?;
    text.parse::<toml::Table>()
        .map_err(|error| format!("{} is not valid TOML: {error}", path.display()))
}

/// `a/b/../c` as `a/c`, and `./a` as `a`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// Every package of the workspace whose top folder is `root`, in the order
/// of its `members`.
pub fn packages_in(root: &Path) -> Result<Vec<Package>, String> {
    let top = read_manifest(root, "")?;
    let members: Vec<String> = top
        .get("workspace")
        .and_then(|workspace| workspace.get("members"))
        .and_then(|members| members.as_array())
        .map(|members| {
            members
                .iter()
                .filter_map(|member| member.as_str())
                .map(normalize)
                .collect()
        })
        .unwrap_or_else(|| vec![String::new()]);
    let mut packages = Vec::new();
    for folder in members {
        let manifest = if folder.is_empty() {
            top.clone()
        } else {
            read_manifest(root, &folder)?
        };
        let Some(name) = manifest
            .get("package")
            .and_then(|package| package.get("name"))
            .and_then(|name| name.as_str())
        else {
            continue; // a virtual manifest
        };
        let bins = manifest
            .get("bin")
            .and_then(|bins| bins.as_array())
            .into_iter()
            .flatten()
            .filter_map(|bin| {
                let name = bin.get("name")?.as_str()?;
                let path = bin.get("path")?.as_str()?;
                Some(Bin {
                    name: name.to_owned(),
                    path: normalize(&format!("{folder}/{path}")),
                })
            })
            .collect();
        let features = manifest
            .get("features")
            .and_then(|features| features.as_table())
            .into_iter()
            .flatten()
            .map(|(feature, enables)| {
                let enables = enables
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|item| item.as_str().map(str::to_owned))
                    .collect();
                (feature.clone(), enables)
            })
            .collect();
        packages.push(Package {
            name: name.to_owned(),
            folder,
            bins,
            features,
        });
    }
    Ok(packages)
}

/// The course's own packages, read once (an unreadable manifest is
/// reported by `cargo course verify`; here it leaves the list empty).
pub fn packages() -> &'static [Package] {
    static PACKAGES: OnceLock<Vec<Package>> = OnceLock::new();
    PACKAGES.get_or_init(|| packages_in(&repository_root()).unwrap_or_default())
}

/// The package of the course that has a `[[bin]]` called `binary`.
pub fn package_of(binary: &str) -> Option<&'static Package> {
    packages()
        .iter()
        .find(|package| package.bin(binary).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_has_a_package_that_builds_both_its_binaries() {
        for lesson in crate::lessons::ALL {
            let package = lesson.package();
            assert!(package.is_some(), "lesson {} has no package", lesson.number);
            let solution = package_of(&format!("{}_sol", lesson.binary));
            assert_eq!(package, solution.map(|package| package.name.as_str()));
        }
        // The std-only lessons live in the top package, with the module.
        assert_eq!(crate::lessons::ALL[0].package(), Some("http-course"));
    }

    #[test]
    fn reads_members_bins_and_features() {
        let root = crate::verify::tests::scratch("workspace");
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\".\", \"packages/x\"]\n\n[package]\nname = \"top\"\n\n[[bin]]\nname = \"a\"\npath = \"./exercises/0_a/main.rs\"\n",
        )
        .unwrap();
        fs::create_dir_all(root.join("packages/x")).unwrap();
        fs::write(
            root.join("packages/x/Cargo.toml"),
            "[package]\nname = \"x\"\n\n[features]\nshipped-starter = [\"top/shipped-starter\"]\n\n[[bin]]\nname = \"b_sol\"\npath = \"../../solutions/1_b/main.rs\"\n",
        )
        .unwrap();
        let packages = packages_in(&root).unwrap();
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].manifest(), "Cargo.toml");
        assert_eq!(packages[0].bin("a").unwrap().path, "exercises/0_a/main.rs");
        assert_eq!(packages[1].manifest(), "packages/x/Cargo.toml");
        assert_eq!(
            packages[1].bin("b_sol").unwrap().path,
            "solutions/1_b/main.rs"
        );
        assert_eq!(
            packages[1].features["shipped-starter"],
            ["top/shipped-starter"]
        );
        assert!(packages_in(&root.join("nowhere")).is_err());
    }
}
