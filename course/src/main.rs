//! `cargo course`: ask the course whether your exercise is right.
//!
//! ```text
//! cargo course list                    every lesson and where you stand
//! cargo course check                   check the next lesson you have not finished
//! cargo course check echo_server       check your exercise (a lesson number works too)
//! cargo course check messageboard a    check one step of a lesson
//! cargo course hint echo_server        the next hint for a lesson
//! cargo course watch                   check again each time you save
//! cargo course reset echo_server       start a lesson over from the starter
//! cargo course verify                  (instructors) prove the whole course
//! cargo course verify --fix            (instructors) add a lesson's missing [[bin]] blocks, then verify
//! cargo course verify --mutants        (instructors) prove the checks catch the catalog's mistakes
//! ```

use std::process::ExitCode;

mod commands;

use commands::check::{check, check_next};
use commands::hint::hint;
use commands::list::list;
use commands::paint::say;
use commands::reset::reset;
use commands::verify::{verify_course, verify_mutants};
use commands::watch::watch;

const USAGE: &str = "\
usage: cargo course <command>

  list                 every lesson and where you stand
  check [LESSON [STEP]] build your exercise and check it (LESSON: a number or a name, like 1 or echo_server;
                       none: the next lesson not done); --full shows whole response bodies and every request
  hint LESSON [STEP]   the next hint for a lesson (or for one of its steps)
  watch [LESSON]       check again each time you save (Enter: check now, q: quit)
  reset LESSON [--yes] [--forget]
                       put a lesson's starter back (your version is kept in .course/backup/;
                       --forget also forgets that you passed it)
  verify [LESSON]      (instructors) prove every lesson (or one): its pieces (text, starter, solution, check
                       file, registry line, catalog, browser cases, map row, [[bin]] blocks), TODO regions,
                       checks, style; each missing piece is named with the file to write
  verify --fix [LESSON]
                       (instructors) first add the [[bin]] blocks a lesson's package lacks to its Cargo.toml
                       (only what can be derived; exercises/ is never touched), then verify
  verify --mutants [LESSON [ID]]
                       (instructors) prove that the checks catch every wrong program of the lessons' catalogs
                       (or one of them); COURSE_MUTANT_JOBS=N checks N at once (3)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|arg| arg == "--full");
    course::session::show_full_bodies(full);
    let forget = args.iter().any(|arg| arg == "--forget");
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|arg| !matches!(*arg, "--full" | "--forget"))
        .collect();
    let result = match words.as_slice() {
        ["list"] => list(),
        ["check"] => check_next(),
        ["check", lesson] => check(lesson, None),
        ["check", lesson, step] => check(lesson, Some(step)),
        ["hint", lesson] => hint(lesson, None),
        ["hint", lesson, step] => hint(lesson, Some(step)),
        ["watch"] => watch(None),
        ["watch", lesson] => watch(Some(lesson)),
        ["reset", lesson] => reset(lesson, false, forget),
        ["reset", lesson, "--yes"] => reset(lesson, true, forget),
        ["verify"] => verify_course(None, false),
        ["verify", "--fix"] => verify_course(None, true),
        ["verify", "--fix", lesson] | ["verify", lesson, "--fix"] => {
            verify_course(Some(lesson), true)
        }
        ["verify", "--mutants"] => verify_mutants(None, None),
        ["verify", "--mutants", lesson] | ["verify", lesson, "--mutants"] => {
            verify_mutants(Some(lesson), None)
        }
        ["verify", "--mutants", lesson, id] => verify_mutants(Some(lesson), Some(id)),
        ["verify", lesson] => verify_course(Some(lesson), false),
        [] | ["help" | "--help" | "-h"] => {
            say!("{USAGE}");
            Ok(true)
        }
        _ => {
            eprintln!(
                "error: I do not understand `cargo course {}`\n\n{USAGE}",
                args.join(" ")
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
