//! Step d: the todos survive a restart, in the file `TODO_DB` names.

use super::*;
use crate::kit::crowd::send_json_expecting;
use crate::kit::startup::startup_line_containing;
use crate::process::{self, ServerProcess};

/// A todo made with the API and completed, one added with the form; then
/// the server stopped as a crash would stop it, and started again.
pub(super) fn todos_survive_a_restart(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let kept = create(session, &format!("Kept through a restart {run}"))?;
    complete(session, &kept)?;
    let from_form = format!("Added with the form, kept too {run}");
    let reply = session.post_form("/", &[("title", &from_form)])?;
    reply.expect_see_other(&run, "The add form must work first (step c).")?;
    let (_, before) = snapshot(session)?;
    session.restart()?;
    let (list, after) = snapshot(session)?;
    let lost = before.iter().filter(|todo| !after.contains(todo)).count();
    list.expect(
        |_| after == before,
        format!(
            "after the restart, the same {} todos as before (the server was stopped as a crash \
             would stop it, then started again with the same TODO_DB); {lost} are missing or \
             changed",
            before.len()
        ),
        "The todos live in a database in memory, which goes with the server. Open the file \
         TODO_DB names instead: Connection::open(&path) in the TODO(d) region.",
    )?;
    get_page(session)?.expect_on_page(
        |page| item_showing(&page.body, &from_form).is_some(),
        &[&run, THE_LIST[0], THE_LIST[1]],
        format!("after the restart, the list to show {from_form:?}"),
        "The page and the API read the same database.",
    )?;
    Ok(())
}

/// A todo made on the session's `TODO_DB`; then servers of their own,
/// without `TODO_DB` and with it empty, each in a folder of its own.
pub(super) fn database_is_the_named_file(session: &mut Session) -> CheckResult {
    let path = database(session)?;
    create(session, &format!("In the file {}", marker()))?;
    let size = std::fs::metadata(&path).map_or(0, |metadata| metadata.len());
    if size == 0 {
        return Err(Failure::plain(
            format!(
                "TODO_DB={} but that file is missing or empty",
                path.display()
            ),
            "Open the file that the TODO_DB environment variable names: \
             std::env::var_os(\"TODO_DB\").",
        ));
    }
    // The start-up line says where the todos are kept: the same file.
    let line = startup_line_containing(session.server()?, " kept in ");
    let named = path.display().to_string();
    if !line.as_deref().is_some_and(|line| line.contains(&named)) {
        return Err(Failure {
            sent: format!("TODO_DB={named} {}", session.binary_name()),
            expected: format!("a start-up line like \"3 todos kept in {named}\""),
            got: line.map_or("no start-up line".to_owned(), |line| format!("{line:?}")),
            hint: "The line \"N todos kept in ...\" names `place`: in the TODO(d) region, set \
                   place to the path you opened (path.display().to_string())."
                .into(),
        });
    }
    let unset_hint = "When TODO_DB is not set, use \"todo.sqlite3\": a relative path, so the \
                      file is made in the folder the server runs in.";
    let empty_hint = "An empty TODO_DB is as if it were not set (a script's TODO_DB= often \
                      means \"unset\"): SQLite would open \"\" as a temporary database, lost at \
                      exit. Filter it out: std::env::var_os(\"TODO_DB\").filter(|path| \
                      !path.is_empty()), then \"todo.sqlite3\" when there is none.";
    let ways = [
        (
            "default",
            Launch::default().env_remove("TODO_DB"),
            "TODO_DB not set",
            unset_hint,
        ),
        (
            "empty",
            Launch::default().env("TODO_DB", ""),
            "TODO_DB set to \"\"",
            empty_hint,
        ),
    ];
    for (folder, launch, how, hint) in ways {
        let folder = session.temp_dir()?.join(folder);
        std::fs::create_dir_all(&folder).map_err(|error| {
            Failure::plain(format!("cannot make {}: {error}", folder.display()), "")
        })?;
        let name = session.binary_name();
        let server = ServerProcess::start_with(session.binary(), &name, &launch.in_dir(&folder))?;
        let url = format!("{}/todos", server.base_url());
        let todo = json!({ "title": "default file" });
        let created = send_json_expecting(session.client(), "POST", &url, &todo, 201);
        drop(server);
        let expected = folder.join("todo.sqlite3");
        if created.is_err() || !expected.is_file() {
            return Err(Failure {
                sent: format!(
                    "cd {} && {name}   ({how}), then a POST to /todos",
                    folder.display()
                ),
                expected: "a new file todo.sqlite3 in the current folder".into(),
                got: format!(
                    "the POST got {:?}; todo.sqlite3 there: {}",
                    created.err().unwrap_or_else(|| "201".into()),
                    expected.is_file()
                ),
                hint: hint.into(),
            });
        }
    }
    Ok(())
}

/// A `TODO_DB` in a folder that does not exist: started as a server first,
/// whose first line says at once whether it serves (no waiting for a
/// program that never ends); one that does not serve is then run to its
/// end, for its exit code and output.
pub(super) fn bad_database_path_is_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let bad = session
        .temp_dir()?
        .join("no-such-folder")
        .join("todo.sqlite3");
    let launch = Launch::default()
        .env("TODO_DB", bad.display().to_string())
        .env("PORT", "0");
    let name = session.binary_name();
    let sent = format!("TODO_DB={} {name}", bad.display());
    let expected =
        "one line that says the database cannot be opened, then an exit code that is not 0";
    if ServerProcess::start_with(session.binary(), &name, &launch).is_ok() {
        return Err(Failure {
            sent,
            expected: expected.into(),
            got: "it started serving, with a database it cannot have opened".into(),
            hint: "Open the file TODO_DB names (Connection::open), and return its error: main \
                   prints it and exits."
                .into(),
        });
    }
    let ran = process::run_program(session.binary(), &name, &launch)?;
    let output = format!("{}{}", ran.stdout, ran.stderr);
    let lines: Vec<&str> = output
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let file_name = bad.display().to_string();
    let clear = lines.len() == 1
        && !lines[0].contains("panicked")
        && (lines[0].contains(&file_name) || lines[0].contains("TODO_DB"));
    if clear && ran.code.is_some_and(|code| code != 0) {
        return Ok(());
    }
    Err(Failure {
        sent,
        expected: expected.into(),
        got: format!(
            "exit code {}, and it printed:\n{output}",
            ran.code
                .map_or("(none: stopped by a signal)".to_owned(), |code| code
                    .to_string())
        ),
        hint: "Do not unwrap() or expect() the open: map its error to one sentence (rusqlite's \
               error names the file), return Err(...), and let main print it."
            .into(),
    })
}
