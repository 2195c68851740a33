//! Step d: the todos survive a restart, in the file `TODO_DB` names.

use super::*;
use crate::kit::startup::{expect_refusal_to_start, startup_line_containing};

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
            "after the restart (stopped as a crash would stop it, then started on the same \
             TODO_DB), the same {} todos as before; {lost} are missing or changed",
            before.len()
        ),
        "The todos live in a database in memory, which goes with the server. Open the file \
         TODO_DB names instead: Connection::open(&path) in the TODO(d) region.",
    )?;
    get_page(session)?.expect_on_page(
        |page| list_item_showing(&page.body, &from_form).is_some(),
        &[&run, THE_LIST[0], THE_LIST[1]],
        format!("after the restart, the list to show {from_form:?}"),
        "The page and the API read the same database.",
    )?;
    Ok(())
}

pub(super) fn database_is_the_named_file(session: &mut Session) -> CheckResult {
    let path = database(session)?;
    create(session, &format!("In the file {}", marker()))?;
    let size = std::fs::metadata(&path).map_or(0, |metadata| metadata.len());
    let named = path.display().to_string();
    if size == 0 {
        return Err(Failure::plain(
            format!("TODO_DB={named} but that file is missing or empty"),
            "Open the file that the TODO_DB environment variable names: var_os(\"TODO_DB\").",
        ));
    }
    // The start-up line says where the todos are kept: the same file.
    let line = startup_line_containing(session.server()?, " kept in ");
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
    // Without TODO_DB, and with TODO_DB set to nothing, in a folder of
    // its own: todo.sqlite3 appears there.
    let ways = [
        (
            "default",
            Launch::default().env_remove("TODO_DB"),
            "not set",
            unset_hint,
        ),
        (
            "empty",
            Launch::default().env("TODO_DB", ""),
            "set to \"\"",
            empty_hint,
        ),
    ];
    for (name, launch, how, hint) in ways {
        let folder = session.temp_dir()?.join(name);
        std::fs::create_dir_all(&folder).map_err(|error| {
            Failure::plain(format!("cannot make {}: {error}", folder.display()), "")
        })?;
        session.set_launch(launch.in_dir(&folder));
        session.restart()?;
        let todo = json!({ "title": "default file" });
        let created = api(session, "POST", "/todos", Some(todo))?;
        let file = folder.join("todo.sqlite3");
        created.expect(
            |created| created.status == 201 && file.is_file(),
            format!(
                "with TODO_DB {how}, a new file todo.sqlite3 in the current folder, {}",
                folder.display()
            ),
            hint,
        )?;
    }
    // The session's own database again, for any check that follows.
    database(session)?;
    session.restart()?;
    Ok(())
}

pub(super) fn bad_database_path_is_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let bad = session
        .temp_dir()?
        .join("no-such-folder")
        .join("todo.sqlite3");
    let file_name = bad.display().to_string();
    let launch = Launch::default()
        .env("TODO_DB", &file_name)
        .env("PORT", "0");
    expect_refusal_to_start(
        session,
        &launch,
        "one line that says the database cannot be opened, then an exit code that is not 0",
        &[&file_name, "TODO_DB"],
        "Open the file TODO_DB names (Connection::open), and return its error: main prints it \
         and exits. Do not unwrap() or expect() the open: map its error to one sentence \
         (rusqlite's error names the file), return Err(...), and let main print it.",
    )
}
