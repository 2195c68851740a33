//! The course's checks: they prove that a lesson's program does what the
//! lesson asks, and say what is wrong, in the lesson's words, when it does
//! not.
//!
//! A check builds a lesson's binary (the student's exercise or the
//! solution), starts it on a free port (`PORT=0`), reads the address from
//! its first line of output, talks to it over real HTTP, and compares what
//! comes back with what the lesson promises. The same checks serve three
//! masters:
//!
//! - `cargo test` runs them against every solution (they must pass) and
//!   every starter (they must fail): see `course/tests/`;
//! - `cargo course check LESSON` runs them against a student's exercise;
//! - `cargo course verify` proves the whole course for an instructor.
//!
//! | module | what it holds |
//! |---|---|
//! | [`cargo_env`] | Cargo's variables a Cargo started from inside must not inherit |
//! | [`check`] | a lesson, its checks, and a failure report |
//! | [`hints`] | hints that cannot drift from the solutions |
//! | [`kit`] | the check toolkit every lesson's checks share |
//! | [`shipped`] | the starters as the course ships them, for `cargo test` |
//! | [`process`] | building a binary and running it as a server or a program |
//! | [`session`] | talking HTTP to the server under check |
//! | [`lessons`] | every lesson's checks |
//! | [`mutants`] | the catalogs of wrong programs the checks must catch |
//! | [`regions`] | TODO regions: where a starter may differ from its solution |
//! | [`progress`] | which lessons a student has passed |
//! | [`verify`] | the instructor's proof that the course is whole |
//! | [`workspace`] | the workspace's packages and binaries, from its manifests |

// Every public item is documented (CI's clippy -D warnings holds us to it).
#![warn(missing_docs)]

pub mod cargo_env;
pub mod check;
pub mod hints;
pub mod kit;
pub mod lessons;
pub mod mutants;
pub mod process;
pub mod progress;
pub mod regions;
pub mod session;
pub mod shipped;
pub mod verify;
pub mod workspace;

pub use check::{Check, CheckResult, Failure, Hint, Lesson, Side};
pub use session::{Reply, Session};
