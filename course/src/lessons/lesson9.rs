//! Lesson 9, the todo app, in four steps: (a) the list page comes from a
//! template, (b) the store is SQL with parameters (checked through lesson
//! 8's JSON API, which is given), (c) forms with Post/Redirect/Get, (d) the
//! todos survive a restart, in the file `TODO_DB` names.
//!
//! Every run of the checks uses a fresh database in the session's own
//! temporary folder (`TODO_DB` is always set, and the server runs there),
//! never the student's `todo.sqlite3`. The checks of one run share that
//! database, so each looks only for the todos it made, by random markers.

mod api;
mod file;
mod forms;
mod list;

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::kit::html::{list_item_showing, text_of_html};
use crate::kit::seed::random_number;
use crate::process::Launch;
use crate::session::{Reply, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};

/// Lesson 9, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(9, "todo_app", "Todo app").checks(
    CHECKS,
    HINTS,
    include_str!("lesson9.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "GET / answers 200 with an HTML page titled Todo List, made from the templates", list::serves_the_list_page),
    Check::step("a", "the list template shows every todo in an <li>, a completed one with class=\"completed\", and an <li> when there are none", list::lists_every_todo),
    Check::step("a", "titles are escaped: a <script> title shows as text on the page", list::titles_are_escaped),
    Check::step("b", "the JSON API at /todos creates, lists, reads, changes and deletes todos with your SQL", api::api_stores_todos),
    Check::step("b", "an unknown or non-numeric id gets 404 with a JSON error", api::unknown_ids_are_404),
    Check::step("b", "SQL parameters: titles like '); DROP TABLE todos;-- are stored (POST), changed (PATCH) and shown as typed", api::titles_are_parameters),
    Check::step("b", "20 clients at once, 25 new todos each: all 500 stored, each once, no errors", api::no_todo_lost_under_load),
    Check::step("b", "a title over 500 characters gets 400 from the API (POST and PATCH); 500 characters are kept", api::api_limits_titles),
    Check::step("b", "5,000 writes (adds, then PATCHes) leave the -wal file under 8 MiB: each RETURNING statement runs to its end", api::write_ahead_log_stays_small),
    Check::step("c", "the page has the forms: POST / with a title, and per todo POST /toggle/<id> and /delete/<id>", forms::page_has_the_forms),
    Check::step("c", "the add form's POST stores the todo and answers 303 See Other to / (Post/Redirect/Get)", forms::add_form_redirects),
    Check::step("c", "POST /toggle/<id> and /delete/<id> change the todo and answer 303 See Other to /", forms::toggle_and_delete_redirect),
    Check::step("c", "clicks at once: 16 clients toggle the same todos, and no click is lost", forms::no_click_lost),
    Check::step("c", "an empty title gets 400 with the form and a message; an unknown id gets 404", forms::bad_forms_are_refused),
    Check::step("c", "a title over 500 characters gets 400, a message naming the limit, and the form with what was typed", forms::long_titles_are_refused),
    Check::step("c", "a change another site's page sent (Origin, Sec-Fetch-Site) gets 403 and changes nothing, forms and API alike", forms::cross_site_changes_are_refused),
    Check::step("d", "stopped and started again on the same TODO_DB, the server still has every todo", file::todos_survive_a_restart),
    Check::step("d", "the database is the file TODO_DB names, or todo.sqlite3 in the current folder when TODO_DB is unset or empty", file::database_is_the_named_file),
    Check::step("d", "a TODO_DB whose folder does not exist gets one clear error line and a non-zero exit", file::bad_database_path_is_refused),
];

/// Graduated hints for each step: `cargo course hint todo_app a`. The
/// code of each is a fragment of the solution, word for word.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Step a is the LIST_TEMPLATE constant in exercises/9_todo_app/main.rs; open http://localhost:8000/ to see what it makes. Until step b, the todos are the two samples of Store::list.",
        concept: "A template repeats HTML with {% for todo in todos %} ... {% endfor %}, chooses with {% if todo.completed %} ... {% endif %}, and shows a value with {{ todo.title }}, escaped for you because the template's name ends in .html.",
        code: r#"<ul class="todos"> {%- for todo in todos %} <li{% if todo.completed %} class="completed"{% endif %}> {{ forms.toggle_form(todo) }} <span class="title">{{ todo.title }}</span> {{ forms.delete_form(todo) }} </li> {%- else %} <li class="empty">Nothing to do: add a todo above.</li> {%- endfor %} </ul>"#,
    },
    Hint {
        step: Some("b"),
        nudge: "Step b is the TODO(b) region: the methods of Store, each answering 501 for now. The checks go through lesson 8's JSON API at /todos (api.rs, given), which calls them.",
        concept: "Each method is one SQL statement on self.connection(), its values passed as parameters (?1, ?2, ...), never pasted into the SQL with format!: then a title with a ' in it is only data, and one statement cannot mix with another thread's. query_one, not query_row, runs a RETURNING statement to its end, so SQLite folds its -wal file back. get and delete: query_row(...).optional() and execute(...)? == 1.",
        code: r#"let todo = self.connection().query_one( "INSERT INTO todos (title, completed, position) VALUES (?1, ?2, ?3) RETURNING id, title, completed, position", rusqlite::params![title, completed, order], todo_from_row, )?;"#,
    },
    Hint {
        step: Some("c"),
        nudge: "Step c has two TODO(c) regions: the forms, in FORMS_TEMPLATE, and the routes they post to, in impl TodoApp. Each POST ends like lesson 2's.",
        concept: "A form POSTs to a path of its own: / with a title field to add, /toggle/<id> and /delete/<id> with just a button. After the change, Post/Redirect/Get: 303 See Other with Location: /, so a reload never sends the form again. A title empty or too long (title_too_long) gets self.send_list(response, 400, Some(...), typed); an unknown id Err(HttpError::new(404, ...).into()).",
        code: r#"{% macro add_form(typed) -%} <form method="post" action="/" class="add"> <label for="new-title">New todo</label> <input name="title" id="new-title" required autocomplete="off" value="{{ typed }}"> <button type="submit">Add</button> </form> {%- endmacro %} {% macro toggle_form(todo) -%} <form method="post" action="/toggle/{{ todo.id }}">"#,
    },
    Hint {
        step: Some("d"),
        nudge: "Step d is in open_store: the starter keeps the todos in a database in memory, Connection::open_in_memory(), gone when the server stops.",
        concept: "Open a file instead: the one the TODO_DB environment variable names, or todo.sqlite3 in the current folder. If it cannot be opened, say so in one line and stop: return an Err, which main prints before it exits with code 1.",
        code: r#"let path = std::env::var_os("TODO_DB") .filter(|path| !path.is_empty()) .map_or_else(|| "todo.sqlite3".into(), std::path::PathBuf::from); let place = path.display().to_string(); let connection = Connection::open(&path) .map_err(|error| format!("cannot open the database: {error} (does its folder exist?)"))?;"#,
    },
];

/// A marker no other todo contains: 16 random hex digits.
fn marker() -> String {
    format!("{:016x}", random_number())
}

/// The file `TODO_DB` names for this session, in its temporary folder,
/// set (again: it is the same every time) before the server starts. The
/// server runs in that folder too, so that even a program that ignores
/// `TODO_DB` never touches the student's own `todo.sqlite3`.
fn database(session: &mut Session) -> Result<PathBuf, Failure> {
    let folder = session.temp_dir()?;
    // Not todo.sqlite3: a program that ignores TODO_DB must not find it.
    let path = folder.join("checked.sqlite3");
    let launch = Launch::default().env("TODO_DB", path.display().to_string());
    session.set_launch(launch.in_dir(folder));
    Ok(path)
}

/// A title of `length` characters, made of `piece` repeated (and cut).
fn title_of_length(piece: &str, length: usize) -> String {
    piece.chars().cycle().take(length).collect()
}

// ---- Talking to the JSON API ----

/// Sends a request to the JSON API, with a JSON body or none.
fn api(
    session: &mut Session,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Result<Reply, Failure> {
    let body = body.map(|body| body.to_string());
    session.send_json_request(method, path, body.as_deref(), &[])
}

/// The path of a todo's `url`: `/todos/7` for `http://host/todos/7`.
fn path_of_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let path = &rest[rest.find('/')?..];
    path.starts_with("/todos/").then(|| path.to_owned())
}

/// The path of a todo the API gave (empty if its `url` has none).
fn path_of(todo: &Value) -> String {
    path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default()
}

/// The id in a todo's `url`.
fn id_of(todo: &Value) -> Option<i64> {
    path_of(todo).strip_prefix("/todos/")?.parse().ok()
}

/// The hint for a 501 from the store: step b is not written yet.
const WRITE_THE_STORE: &str = "The store answers 501 Not Implemented: that is the starter's Store, \
    whose methods are not written yet. Write them with SQL in the TODO(b) region (step b).";

/// Creates a todo through the API; `None` if the store is not written yet.
fn try_create(session: &mut Session, title: &str) -> Result<Option<Value>, Failure> {
    let reply = api(session, "POST", "/todos", Some(json!({ "title": title })))?;
    if reply.status == 501 {
        return Ok(None);
    }
    reply.expect_json_that(
        |todo| reply.status == 201 && todo["title"] == title && id_of(todo).is_some(),
        format!("201 Created and the new todo as JSON, with \"title\": {title:?} and its \"url\""),
        "The API is given; what it stores and gives back comes from Store::add: insert title, \
         completed and order with parameters, and return the new row (RETURNING ...).",
    )?;
    Ok(Some(reply.json_or_null()))
}

/// Creates a todo through the API, which needs the store of step b.
fn create(session: &mut Session, title: &str) -> Result<Value, Failure> {
    try_create(session, title)?.ok_or_else(|| {
        Failure::plain(
            "POST /todos answered 501: the store is not written yet",
            "This check needs step b: write the SQL of Store first.",
        )
    })
}

/// Creates a todo through the API, and gives its id.
fn create_id(session: &mut Session, title: &str) -> Result<i64, Failure> {
    Ok(id_of(&create(session, title)?).unwrap_or_default())
}

/// Marks a todo completed through the API.
fn complete(session: &mut Session, todo: &Value) -> CheckResult {
    let hint = "PATCH calls Store::update: UPDATE todos SET completed = coalesce(?3, completed), \
                ... WHERE id = ?1 RETURNING id, title, completed, position.";
    let done = json!({ "completed": true });
    api(session, "PATCH", &path_of(todo), Some(done))?
        .expect_status(200, hint)?
        .expect_json_that(
            |todo| todo["completed"] == true,
            "the todo with \"completed\": true",
            hint,
        )?;
    Ok(())
}

/// The todo the API has at `path` (`Null` if none).
fn todo_at(session: &mut Session, path: &str) -> Result<Value, Failure> {
    let reply = api(session, "GET", path, None)?;
    Ok(match reply.status {
        200 => reply.json_or_null(),
        _ => Value::Null,
    })
}

/// What the API lists, without the `url`'s host (its port changes at a
/// restart): a line `path title completed=... order=...` per todo, in order.
fn snapshot(session: &mut Session) -> Result<(Reply, Vec<String>), Failure> {
    let list = api(session, "GET", "/todos", None)?;
    let line = |todo: &Value| {
        let (title, done, order) = (&todo["title"], &todo["completed"], &todo["order"]);
        format!("{} {title} completed={done} order={order}", path_of(todo))
    };
    let todos = list.json_or_null();
    let todos = todos.as_array().into_iter().flatten().map(line).collect();
    Ok((list, todos))
}

// ---- Reading the page ----

/// Where a page shows its todos, for a report that looked for one that is
/// not there.
const THE_LIST: [&str; 3] = ["<ul", "<li", "<p>(The list"];

/// GET /, expecting the page.
fn get_page(session: &mut Session) -> Result<Reply, Failure> {
    let page = session.get("/")?;
    let hint = "GET / sends the page made from the templates (a 500 says what is wrong).";
    page.expect_status(200, hint)?;
    Ok(page)
}

/// The hint for a redirect elsewhere than the list.
const LOCATION_HINT: &str = "The list is at /: send_header(\"Location\", \"/\").";

/// The answers of the todo app: its API's, and its forms'.
trait TodoReply {
    /// Expects an answer of the API: not the starter's 501, then
    /// `status`, and no CORS header.
    fn expect_api(&self, status: u16, expected: &str, hint: &str) -> Result<&Reply, Failure>;

    /// Expects Post/Redirect/Get: 303 See Other to `/`. A page instead is
    /// quoted around `about`, the todo the POST was about.
    fn expect_see_other(&self, about: &str, hint: &str) -> Result<&Reply, Failure>;
}

impl TodoReply for Reply {
    fn expect_api(&self, status: u16, expected: &str, hint: &str) -> Result<&Reply, Failure> {
        self.expect(|reply| reply.status != 501, expected, WRITE_THE_STORE)?
            .expect(|reply| reply.status == status, expected, hint)?
            .expect_no_header(
                "Access-Control-Allow-Origin",
                "The API's front-end, /app/, comes from this same server, so no page of another \
                 site needs to read the todos: with Access-Control-Allow-Origin: *, any site a \
                 visitor opens could read their list. Keep api.rs as it was given.",
            )
    }

    fn expect_see_other(&self, about: &str, hint: &str) -> Result<&Reply, Failure> {
        let hint = match self.status {
            200 => {
                "Do not answer a POST with the page: reloading it would send the form again. \
                 Answer 303 See Other with Location: / (Post/Redirect/Get, lesson 2)."
            }
            302 => {
                "Use 303 See Other: it says plainly \"GET the result at Location\". 302 only says \
                 \"it is elsewhere for now\", without saying with which method; browsers happen \
                 to follow it with a GET, but the code does not promise it."
            }
            301 | 307 | 308 => {
                "Use 303 See Other: it tells the browser to GET the list; after 307 or 308 it \
                 would POST the form again, and 301 says the form's path moved for good."
            }
            _ => hint,
        };
        self.expect_on_page(
            |reply| reply.status == 303,
            &[about, THE_LIST[0]],
            "303 See Other, with Location: /",
            hint,
        )?
        .expect_redirect(303, "/", LOCATION_HINT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_from_urls() {
        let todo = json!({ "url": "http://127.0.0.1:4000/todos/12" });
        assert_eq!(id_of(&todo), Some(12));
        assert_eq!(path_of_url("http://localhost/elsewhere/1"), None);
    }
}
