//! Step b: the store is SQL with parameters, checked through lesson 8's
//! JSON API (given), which calls it.

use super::*;
use crate::kit::crowd::{at_once, expect_crowd_ok, send_json_expecting};
use crate::kit::startup::ScratchFolder;
use crate::process::ServerProcess;

/// Where `todo` is in a list the API gave, found by its `url`.
fn position_in(todos: &Value, todo: &Value) -> Option<usize> {
    let todos = todos.as_array()?;
    todos.iter().position(|listed| listed["url"] == todo["url"])
}

pub(super) fn api_stores_todos(session: &mut Session) -> CheckResult {
    database(session)?;
    let title = format!("Buy milk {}", marker());
    let new = json!({ "title": title, "order": 5 });
    let made = api(session, "POST", "/todos", Some(new))?;
    made.expect_api(
        201,
        "201 Created, a Location header, and the new todo as JSON",
        "POST /todos calls Store::add: INSERT the todo with parameters and return the new row.",
    )?
    .expect_json_that(
        |todo| todo["url"].as_str().and_then(path_of_url).is_some(),
        "a todo with a \"url\" like http://localhost:8000/todos/1",
        "The url is made of the id: Store::add returns the id SQLite gave (RETURNING id, ...).",
    )?
    .expect_json_that(
        |todo| todo["title"] == *title && todo["completed"] == false && todo["order"] == 5,
        format!("the todo as sent: \"title\": {title:?}, \"completed\": false, \"order\": 5"),
        "Store::add should store title, completed and order (in the column position), and \
         todo_from_row read them back in the order of the SELECT's columns.",
    )?;
    let todo = made.json_or_null();
    let path = path_of(&todo);

    let list = "GET /todos calls Store::list.";
    api(session, "GET", "/todos", None)?
        .expect_api(200, "200 OK and every todo", list)?
        .expect_json_that(
            |todos| position_in(todos, &todo).is_some_and(|at| todos[at]["title"] == *title),
            format!("a JSON array with the new todo, {title:?}"),
            "Store::list should SELECT every row of todos and make a Todo of each.",
        )?;
    // Oldest first: two todos without an order, listed as they were made.
    let first = create(session, &format!("First {}", marker()))?;
    let second = create(session, &format!("Second {}", marker()))?;
    let (first_title, second_title) = (&first["title"], &second["title"]);
    api(session, "GET", "/todos", None)?.expect_json_that(
        |todos| match (position_in(todos, &first), position_in(todos, &second)) {
            (Some(first_at), Some(second_at)) => first_at < second_at,
            _ => true,
        },
        format!(
            "{first_title} listed before {second_title}, which was made after it: oldest first"
        ),
        "The list is oldest first, as Store::list's comment says: a new todo goes at the \
         bottom. SQL gives rows in no promised order unless asked: ORDER BY id (not DESC).",
    )?;

    let get = "GET /todos/<id> calls Store::get: SELECT ... WHERE id = ?1.";
    api(session, "GET", &path, None)?
        .expect_api(200, "200 OK and the todo", get)?
        .expect_json_that(
            |one| one["title"] == *title,
            format!("the todo {title:?}"),
            "Store::get should return the row whose id is the parameter: WHERE id = ?1, with [id].",
        )?;

    let patch = "PATCH calls Store::update.";
    let done = json!({ "completed": true });
    api(session, "PATCH", &path, Some(done))?
        .expect_api(200, "200 OK and the whole todo, now completed", patch)?
        .expect_json_that(
            |after| after["completed"] == true && after["title"] == *title && after["order"] == 5,
            format!("{{\"title\": {title:?}, \"completed\": true, \"order\": 5, ...}}: only that"),
            "Store::update changes only what the PATCH sent: SET title = coalesce(?2, title), \
             completed = coalesce(?3, completed), position = coalesce(?4, position).",
        )?;
    let new_title = format!("Buy oat milk {}", marker());
    api(session, "PATCH", &path, Some(json!({ "title": new_title })))?
        .expect_api(200, "200 OK and the whole todo, renamed", patch)?
        .expect_json_that(
            |after| after["title"] == *new_title && after["completed"] == true,
            format!("{{\"title\": {new_title:?}, \"completed\": true, ...}}: still completed"),
            "A PATCH that sends only a title keeps completed as it was: coalesce(?3, completed).",
        )?;

    let delete = "DELETE /todos/<id> calls Store::delete.";
    api(session, "DELETE", &path, None)?.expect_api(204, "204 No Content", delete)?;
    api(session, "GET", &path, None)?.expect_api(
        404,
        "404 Not Found: the todo was deleted",
        "Store::delete should DELETE FROM todos WHERE id = ?1, and Store::get return None when \
         no row has the id: query_row(...).optional(), from rusqlite::OptionalExtension.",
    )?;

    // A new todo can be completed from the start: the API sends what the
    // client sent.
    let other = format!("Clear me {}", marker());
    let add = "POST /todos calls Store::add.";
    let new = json!({ "title": other, "completed": true });
    api(session, "POST", "/todos", Some(new))?
        .expect_api(201, "201 Created and the new todo, completed as sent", add)?
        .expect_json_that(
            |todo| todo["completed"] == true,
            format!("the new todo {other:?} with \"completed\": true, as sent"),
            "Store::add should store completed as it is given (the API passes what the client \
             sent): VALUES (?1, ?2, ?3) with rusqlite::params![title, completed, order].",
        )?;
    let clear = "DELETE /todos calls Store::delete_all.";
    api(session, "DELETE", "/todos", None)?.expect_api(204, "204 No Content", clear)?;
    api(session, "GET", "/todos", None)?.expect_json_that(
        |todos| *todos == json!([]),
        format!("[] after DELETE /todos (it had {other:?})"),
        "Store::delete_all should DELETE FROM todos, every row.",
    )?;
    Ok(())
}

/// Sends a request about a todo that is not there: 404 and a JSON error.
fn expect_json_404(
    session: &mut Session,
    method: &str,
    path: &str,
    body: Option<Value>,
    hint: &str,
) -> CheckResult {
    api(session, method, path, body)?
        .expect_api(
            404,
            "404 Not Found, with a JSON body {\"error\": \"...\"}",
            hint,
        )?
        .expect_json_that(
            |body| body["error"].is_string(),
            "a JSON body {\"error\": \"...\"}",
            "Keep api.rs as given.",
        )?;
    Ok(())
}

pub(super) fn unknown_ids_are_404(session: &mut Session) -> CheckResult {
    database(session)?;
    // A todo that existed: its id is certainly unknown once it is gone.
    let path = path_of(&create(session, &format!("Soon gone {}", marker()))?);
    let delete = "DELETE /todos/<id> calls Store::delete.";
    api(session, "DELETE", &path, None)?.expect_api(204, "204 No Content", delete)?;
    let (get, patch) = ("Store::get", "Store::update");
    let done = Some(json!({ "completed": true }));
    let none = "returns None when no row has the id: query_row(...).optional().";
    expect_json_404(session, "GET", &path, None, &format!("{get} {none}"))?;
    expect_json_404(session, "PATCH", &path, done, &format!("{patch} {none}"))?;
    let deleted = "Store::delete returns false when no row was deleted: execute(...)? == 1.";
    expect_json_404(session, "DELETE", &path, None, deleted)?;
    let word = "The API answers a path like this itself; keep api.rs as given.";
    expect_json_404(session, "GET", "/todos/not-a-number", None, word)?;
    // A todo that exists has one URL: other spellings of its id are 404.
    let id = create_id(session, &format!("One URL {}", marker()))?;
    for odd in [format!("+{id}"), format!("0{id}"), format!("{id}/")] {
        api(session, "GET", &format!("/todos/{odd}"), None)?.expect_api(
            404,
            &format!(
                "404 Not Found: the todo is /todos/{id}, and {odd:?} is not how its id is written"
            ),
            "The API reads ids with id_from (given in main.rs), which takes only the plain \
             decimal form: str::parse would also read +7 and 07 as 7. Keep them as given.",
        )?;
    }
    Ok(())
}

pub(super) fn titles_are_parameters(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let titles = [
        "'); DROP TABLE todos;--".to_owned(),
        format!("Robert'); DELETE FROM todos; -- {run}"),
        format!("It's 100% \"quoted\", with ?1 and \\ and ; {run}"),
    ];
    let mut made = Vec::new();
    for title in &titles {
        let reply = api(session, "POST", "/todos", Some(json!({ "title": title })))?;
        reply.expect_api(
            201,
            &format!("201 Created, with the title stored as typed: {title:?}"),
            "A title with a ' breaks SQL that pastes it into the statement (format!): pass it \
             as a parameter, VALUES (?1, ?2, ?3) with rusqlite::params![...].",
        )?;
        made.push(reply.json_or_null());
    }
    for (title, todo) in titles.iter().zip(&made) {
        let expected = format!("200 OK and the title exactly as typed: {title:?}");
        let hint = "Store the title itself, as a parameter: no escaping, no quotes added.";
        api(session, "GET", &path_of(todo), None)?
            .expect(|reply| reply.status == 200, &expected, hint)?
            .expect_json_that(|todo| todo["title"] == **title, &expected, hint)?;
    }
    let page = get_page(session)?;
    let text = text_of_html(&page.body);
    let missing = titles.iter().find(|title| !text.contains(title.as_str()));
    page.expect_on_page(
        |_| missing.is_none(),
        &[&run, THE_LIST[0], THE_LIST[1]],
        format!(
            "the page to show {:?} as typed (the table still there, every todo on it)",
            missing.cloned().unwrap_or_default()
        ),
        "Store and list titles as they were sent: with parameters, a title is only data.",
    )?;
    titles_are_parameters_in_patch(session, &run, &made)
}

/// The same kind of titles through PATCH, each given to one of the todos
/// `made`: that todo takes it exactly as typed, and no other todo changes.
/// The first is built to turn an UPDATE that pastes the title into its SQL
/// into one that renames every todo, and still runs: its `?1 OR ?2 OR ?3`
/// use the parameters such a statement keeps.
fn titles_are_parameters_in_patch(session: &mut Session, run: &str, made: &[Value]) -> CheckResult {
    let titles = [
        format!(
            "PWNED', title) WHERE 1=1 OR ?1 OR ?2 OR ?3 RETURNING id, title, completed, position -- {run}"
        ),
        format!("Renamed'); DELETE FROM todos; -- {run}"),
        format!("It's 100% \"renamed\", with ?1 and \\ and ; {run}"),
    ];
    let hint = "A title with a ' breaks SQL that pastes it into the statement (format!), or \
                turns it into other SQL: pass it as a parameter, SET title = coalesce(?2, title) \
                with rusqlite::params![id, change.title, ...], and SQLite never reads it as SQL.";
    for (title, todo) in titles.iter().zip(made) {
        let path = path_of(todo);
        // Every other todo: the lines of a snapshot not about this one.
        let own = format!("{path} ");
        let others = |mut todos: Vec<String>| {
            todos.retain(|todo| !todo.starts_with(&own));
            todos
        };
        let before = others(snapshot(session)?.1);
        let reply = api(session, "PATCH", &path, Some(json!({ "title": title })))?;
        let expected =
            format!("200 OK, and only the todo {path} renamed, exactly as typed: {title:?}");
        reply.expect_api(200, &expected, hint)?;
        let (list, after) = snapshot(session)?;
        let after = others(after);
        let changed = before.iter().filter(|todo| !after.contains(todo)).count();
        list.expect(
            |_| before == after,
            format!(
                "after PATCH {path}, every other todo as it was; {changed} of {} changed",
                before.len()
            ),
            hint,
        )?;
        reply.expect_json_that(|todo| todo["title"] == title.as_str(), &expected, hint)?;
        let now = todo_at(session, &path)?;
        reply.expect(
            |_| now["title"] == title.as_str(),
            format!("then GET {path} to show the title exactly as typed: {title:?}"),
            hint,
        )?;
    }
    Ok(())
}

pub(super) fn no_todo_lost_under_load(session: &mut Session) -> CheckResult {
    const CLIENTS: usize = 20;
    const TODOS: usize = 25;
    database(session)?;
    let run = marker();
    let url = format!("{}/todos", session.server()?.base_url());
    let client = session.client().clone();
    let title = |number: usize, todo: usize| format!("{run}-{number:02}-{todo:02}");
    let results = at_once(CLIENTS, |number| {
        for todo in 0..TODOS {
            let title = title(number, todo);
            let stored =
                send_json_expecting(&client, "POST", &url, &json!({ "title": title }), 201)?;
            if stored["title"] != title.as_str() {
                return Err(format!(
                    "the POST of {title:?} was answered with another todo: {stored}"
                ));
            }
        }
        Ok(())
    });
    expect_crowd_ok(
        results,
        &format!(
            "{CLIENTS} clients at once, each sending {TODOS} POSTs to /todos (like curl -d \
             '{{\"title\": \"...\"}}' http://localhost:8000/todos)"
        ),
        "every POST answered 201 Created with its own todo",
        "Each method of Store should lock the connection once (self.connection()) and do its \
         work in one statement: INSERT ... RETURNING gives the new row back at once. Reading \
         last_insert_rowid or max(id) in a second statement can get another thread's todo.",
    )?;
    let list = api(session, "GET", "/todos", None)?;
    let todos = list.json_or_null();
    let titles: Vec<&Value> = todos
        .as_array()
        .into_iter()
        .flatten()
        .map(|todo| &todo["title"])
        .collect();
    let listed = |title: &String| titles.iter().filter(|listed| **listed == title).count();
    let all: Vec<String> = (0..CLIENTS * TODOS)
        .map(|n| title(n / TODOS, n % TODOS))
        .collect();
    let missing: Vec<&String> = all.iter().filter(|title| listed(title) == 0).collect();
    let repeated: Vec<&String> = all.iter().filter(|title| listed(title) > 1).collect();
    list.expect(
        |_| missing.is_empty() && repeated.is_empty(),
        format!(
            "all {} todos in GET /todos, each once ({} missing, {} more than once, such as {:?})",
            CLIENTS * TODOS,
            missing.len(),
            repeated.len(),
            missing.first().or(repeated.first())
        ),
        "Every POST that was answered 201 must be in the database, once: one INSERT per todo.",
    )?;
    Ok(())
}

pub(super) fn api_limits_titles(session: &mut Session) -> CheckResult {
    database(session)?;
    // 500 characters of two bytes each: kept (the limit counts characters).
    let longest = title_of_length(&format!("é{}", marker()), 500);
    let reply = api(session, "POST", "/todos", Some(json!({ "title": longest })))?;
    reply.expect_api(
        201,
        "201 Created: a title of 500 characters (1,000 bytes or so) is within the limit",
        "The limit is 500 characters, chars().count(), not bytes: title_too_long (given).",
    )?;
    let path = path_of(&reply.json_or_null());
    let too_long = title_of_length(&format!("x{}", marker()), 501);
    let limit_hint = "The API refuses a title over 500 characters with 400 and a sentence that \
                      names the limit (refuse_long in api.rs, given): one client must not fill \
                      the disk, or make every page huge. Keep api.rs as given.";
    for (method, at) in [("POST", "/todos"), ("PATCH", path.as_str())] {
        api(session, method, at, Some(json!({ "title": too_long })))?
            .expect_status(400, limit_hint)?
            .expect_json_that(
                |body| body["error"].as_str().unwrap_or("").contains("500"),
                "a JSON error that names the limit, 500 characters",
                limit_hint,
            )?;
    }
    api(session, "GET", &path, None)?.expect_json_that(
        |todo| todo["title"] == *longest,
        format!("after a refused PATCH of a 501-character title, GET {path} unchanged"),
        limit_hint,
    )?;
    Ok(())
}

/// 2,500 adds, then 2,500 PATCHes, on a server of their own: after each
/// half, the `-wal` file must be under 8 MiB. SQLite folds the log back
/// into the database (a checkpoint) every 1,000 pages, about 4 MiB, but
/// only from a statement stepped to its end: `query_row` stops after the
/// row of an `INSERT ... RETURNING`, and then the log grows by a page or
/// two with every write (20 MiB after the adds). The database goes in
/// /dev/shm, in memory, where there is one: the check is about the log's
/// size, and 5,000 writes each waiting for a disk (synchronous = FULL) take
/// half a minute on a slow one.
pub(super) fn write_ahead_log_stays_small(session: &mut Session) -> CheckResult {
    const WRITES: usize = 2_500;
    const MAX_WAL: u64 = 8 << 20;
    let folder = session.temp_dir()?;
    let scratch = ScratchFolder::new("todo-wal", &folder)?;
    let db = scratch.path().join("wal.sqlite3");
    let wal = scratch.path().join("wal.sqlite3-wal");
    let db_name = db.display().to_string();
    let launch = Launch::default().env("TODO_DB", db_name).in_dir(folder);
    let name = session.binary_name();
    let server = ServerProcess::start_with(session.binary(), &name, &launch)?;
    let (client, base) = (session.client().clone(), server.base_url().to_owned());
    let write = |method: &str, path: &str, title: String, status: u16| {
        let url = format!("{base}{path}");
        send_json_expecting(&client, method, &url, &json!({ "title": title }), status).map_err(
            |problem| Failure::plain(format!("{method} {path}: {problem}"), WRITE_THE_STORE),
        )
    };
    let size = |file: &PathBuf| std::fs::metadata(file).map_or(0, |metadata| metadata.len());
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20));
    // The failure when the log has grown past MAX_WAL with `statement`.
    let too_big = |what: String, got: String, statement: &str| Failure {
        sent: format!(
            "TODO_DB={} {name}, then {what} (like curl -d '{{\"title\": \"...\"}}' \
             http://localhost:8000/todos)",
            db.display()
        ),
        expected: format!("the -wal file under {}", mib(MAX_WAL)),
        got,
        hint: format!(
            "SQLite appends every write to the -wal file and folds it back into the database \
             every 1,000 pages, but only when a statement is stepped to its end. query_row stops \
             after the first row of {statement} ... RETURNING: the write is kept, the log is \
             never folded back, and it grows with every todo until the disk is full. Use \
             query_one, which reads on to the end to make sure there is only one row."
        ),
    };
    let mut paths = Vec::new();
    for number in 0..WRITES {
        let todo = write("POST", "/todos", format!("Todo {number}"), 201)?;
        paths.push(path_of(&todo));
    }
    let after_adds = size(&wal);
    if after_adds >= MAX_WAL {
        let what = format!("{WRITES} POSTs to /todos, one after the other");
        let db_size = mib(size(&db));
        let got = format!(
            "{} of -wal (the database itself: {db_size})",
            mib(after_adds)
        );
        return Err(too_big(what, got, "INSERT (Store::add)"));
    }
    for number in 0..WRITES {
        let path = &paths[number % paths.len()];
        write("PATCH", path, format!("Edited {number}"), 200)?;
    }
    let after_edits = size(&wal);
    drop(server);
    if after_edits >= MAX_WAL {
        let what = format!(
            "{WRITES} POSTs to /todos (the -wal file: {}), then {WRITES} PATCHes of their titles",
            mib(after_adds)
        );
        let got = format!("{} of -wal", mib(after_edits));
        return Err(too_big(what, got, "UPDATE (Store::update)"));
    }
    Ok(())
}
