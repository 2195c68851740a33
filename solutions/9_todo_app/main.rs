//! Lesson 9: the todo app.
//!
//! Lesson 8's todo list, now kept in a real database (SQLite) and also
//! made into HTML on the server with templates, so that it works in a
//! browser with JavaScript turned off. You build it in four steps:
//! (a) show the list with a template, (b) store and load todos with SQL,
//! (c) add, toggle and delete them with forms and Post/Redirect/Get,
//! (d) keep them in a file, so that they survive a restart.
//!
//! Run it with `cargo run --bin todo_app`, open http://localhost:8000/, and
//! check a step with `cargo course check todo_app a` (or `b`, `c`, `d`).
//! The lesson text is lessons/9_todo_app/README.md. Lesson 8's JSON API, at
//! `/todos`, is given in `api.rs`.

use std::collections::HashMap;
use std::io::Write; // gives `Response` its `write_all` method
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http_server::{
    CrossSiteGuard, Form, Handler, HandlerResult, HttpError, Request, Response, STYLESHEET,
    ThreadingHttpServer,
};
use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use rusqlite::Connection;
use serde::Serialize;

mod api;

/// The lesson's folder, with the layout template and the database schema.
/// Found from where this package is, so the program runs from any folder.
const LESSON_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lessons/9_todo_app");

/// Lesson 7's front-end (HTML, CSS, JavaScript), served at `/app/`.
const FRONT_END_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../lessons/7_file_server/public"
);

// TODO(a): show every todo in the list
/// The list page. It fills in the layout's `content` block (the layout is
/// lessons/9_todo_app/templates/layout.html) with the add form and one
/// `<li>` per todo: `{% for %}` repeats its body for each, `{% else %}` is
/// what shows when there are none, and `{{ todo.title }}` is escaped.
const LIST_TEMPLATE: &str = r#"{% extends "layout.html" %}
{% import "forms.html" as forms %}
{% block content %}
{{ forms.add_form(typed) }}
<ul class="todos">
{%- for todo in todos %}
  <li{% if todo.completed %} class="completed"{% endif %}>
    {{ forms.toggle_form(todo) }}
    <span class="title">{{ todo.title }}</span>
    {{ forms.delete_form(todo) }}
  </li>
{%- else %}
  <li class="empty">Nothing to do: add a todo above.</li>
{%- endfor %}
</ul>
{% endblock %}
"#;
// END TODO(a)

// TODO(c): write the forms that add, toggle and delete a todo
/// The forms, as macros the list template calls. Each is a POST to a path
/// of its own; the browser sends the fields named in it (`title=...`),
/// or none at all for the buttons, whose path says everything. `typed` is
/// what the visitor typed when a title was refused (a 400), put back in
/// the field (escaped, like every value) so that nothing is lost. The
/// classes are the front-end's design (its style.css, which the layout
/// links): `toggle` draws the button as a box, ticked when `aria-pressed`
/// is true; each button's `aria-label` names its todo, for screen readers.
const FORMS_TEMPLATE: &str = r#"{% macro add_form(typed) -%}
<form method="post" action="/" class="add">
  <label for="new-title">New todo</label>
  <input name="title" id="new-title" required autocomplete="off" value="{{ typed }}">
  <button type="submit">Add</button>
</form>
{%- endmacro %}

{% macro toggle_form(todo) -%}
<form method="post" action="/toggle/{{ todo.id }}">
  <button type="submit" class="toggle" aria-pressed="{% if todo.completed %}true{% else %}false{% endif %}"
          aria-label="Done: “{{ todo.title }}”"></button>
</form>
{%- endmacro %}

{% macro delete_form(todo) -%}
<form method="post" action="/delete/{{ todo.id }}">
  <button type="submit" class="delete" aria-label="Delete “{{ todo.title }}”">Delete</button>
</form>
{%- endmacro %}
"#;
// END TODO(c)

/// A todo, as the database keeps it and the templates show it.
#[derive(Debug, Clone, Serialize)]
struct Todo {
    /// The number SQLite gave it.
    id: i64,
    title: String,
    completed: bool,
    /// Where a client of the JSON API wants it in its list, if it said.
    order: Option<i64>,
}

/// What a `PATCH` changes: the fields that are `Some`.
#[derive(Debug, Default)]
struct Change {
    title: Option<String>,
    completed: Option<bool>,
    order: Option<i64>,
}

impl Change {
    /// Whether it changes nothing at all.
    fn is_empty(&self) -> bool {
        self.title.is_none() && self.completed.is_none() && self.order.is_none()
    }
}

/// What the store's methods return: an error can be SQLite's (a 500) or an
/// `HttpError` (answered with its own status).
type StoreResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The todos, in an SQLite database.
///
/// One connection, behind a `Mutex`, serves every thread: one SQL statement
/// runs at a time, as SQLite writes one at a time anyway, so no thread ever
/// finds the database locked by another (see the lesson text).
struct Store {
    connection: Mutex<Connection>,
}

impl Store {
    /// The connection, locked: other threads wait for it until the guard
    /// this returns goes out of scope (at the end of the statement, or of
    /// the variable that holds it).
    fn connection(&self) -> MutexGuard<'_, Connection> {
        // A thread that panicked while holding the lock leaves SQLite's
        // data as it was: each statement happens entirely or not at all.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How many todos there are: the smallest SQL call, shown at start-up.
    fn count(&self) -> rusqlite::Result<i64> {
        self.connection()
            .query_row("SELECT count(*) FROM todos", [], |row| row.get(0))
    }
}

// ---- Limits: what one client can make the server keep ----
//
// Without them one client could fill the memory or the disk: 200 titles
// of a megabyte each made every GET / build a page of 200 MB (four at
// once took the server to 3.3 GB).

/// The longest title, in characters (not bytes: `é` is one).
const MAX_TITLE_CHARS: usize = 500;

/// The sentence of a full list: `schema.sql`'s trigger refuses the
/// 10,001st todo with exactly this message, and the server answers it
/// with `507 Insufficient Storage`.
const LIST_FULL: &str = "The list is full: it keeps at most 10,000 todos.";

/// `Some(sentence)` if `title` (already trimmed) is longer than the limit.
fn title_too_long(title: &str) -> Option<String> {
    let length = title.chars().count();
    (length > MAX_TITLE_CHARS).then(|| {
        format!(
            "A todo's title can be at most {} characters; yours has {}.",
            with_commas(MAX_TITLE_CHARS),
            with_commas(length)
        )
    })
}

/// `2345` as `2,345`.
fn with_commas(number: usize) -> String {
    let digits = number.to_string();
    let mut text = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// Turns the error of an INSERT that `schema.sql`'s trigger refused (the
/// list is full) into `507 Insufficient Storage`; any other error stays.
fn full_list_is_507(
    error: Box<dyn std::error::Error + Send + Sync>,
) -> Box<dyn std::error::Error + Send + Sync> {
    match error.downcast_ref::<rusqlite::Error>() {
        Some(rusqlite::Error::SqliteFailure(_, Some(message))) if message == LIST_FULL => {
            HttpError::new(507, LIST_FULL).into()
        }
        _ => error,
    }
}

/// A todo's id as a path spells it: only the plain decimal form (`7`;
/// never `07`, `+7` or ` 7`, which `str::parse` would also read as 7), so
/// that each todo has exactly one URL and any other spelling is a 404.
fn id_from(text: &str) -> Option<i64> {
    let canonical = text.bytes().all(|byte| byte.is_ascii_digit()) && !text.starts_with('0');
    if canonical { text.parse().ok() } else { None }
}

// TODO(b): store and load todos with SQL, parameters only
// .optional() on a query: "no row" becomes None instead of an error.
use rusqlite::OptionalExtension;

/// Makes a `Todo` of a row whose columns are `id, title, completed, position`.
fn todo_from_row(row: &rusqlite::Row) -> rusqlite::Result<Todo> {
    Ok(Todo {
        id: row.get(0)?,
        title: row.get(1)?,
        completed: row.get(2)?,
        order: row.get(3)?,
    })
}

impl Store {
    /// Every todo, oldest first.
    fn list(&self) -> StoreResult<Vec<Todo>> {
        let connection = self.connection();
        let mut statement =
            connection.prepare("SELECT id, title, completed, position FROM todos ORDER BY id")?;
        let todos = statement
            .query_map([], todo_from_row)?
            .collect::<Result<Vec<Todo>, _>>()?;
        Ok(todos)
    }

    /// Adds a todo and returns it, with the id SQLite gave it.
    fn add(&self, title: &str, completed: bool, order: Option<i64>) -> StoreResult<Todo> {
        // ?1, ?2, ?3 are parameters: SQLite receives the title apart from
        // the SQL, so no title can change what the statement does.
        // RETURNING gives back the new row in the same statement.
        // query_one, not query_row: it steps the statement to its end (to
        // make sure there is no second row), and only a statement that
        // reaches its end runs SQLite's write-ahead-log hook, which folds
        // the -wal file back into the database every 1,000 pages.
        // query_row stops after the row; the write is still committed, but
        // the hook never runs and the -wal file grows with every todo.
        let todo = self.connection().query_one(
            "INSERT INTO todos (title, completed, position) VALUES (?1, ?2, ?3)
             RETURNING id, title, completed, position",
            rusqlite::params![title, completed, order],
            todo_from_row,
        )?;
        Ok(todo)
    }

    /// The todo with this id, if there is one.
    fn get(&self, id: i64) -> StoreResult<Option<Todo>> {
        let todo = self
            .connection()
            .query_row(
                "SELECT id, title, completed, position FROM todos WHERE id = ?1",
                [id],
                todo_from_row,
            )
            .optional()?;
        Ok(todo)
    }

    /// Changes the fields `change` has, and returns the whole todo (None if
    /// there is no todo with this id).
    fn update(&self, id: i64, change: &Change) -> StoreResult<Option<Todo>> {
        // coalesce(?2, title) is ?2, or the title as it was if ?2 is NULL
        // (a field the PATCH did not send): one statement changes the row.
        // query_one runs it to its end, as in `add`.
        let todo = self
            .connection()
            .query_one(
                "UPDATE todos SET title = coalesce(?2, title),
                                  completed = coalesce(?3, completed),
                                  position = coalesce(?4, position)
                 WHERE id = ?1
                 RETURNING id, title, completed, position",
                rusqlite::params![id, change.title, change.completed, change.order],
                todo_from_row,
            )
            .optional()?;
        Ok(todo)
    }

    /// Marks a todo done, or not done again; false if there is no such todo.
    fn toggle(&self, id: i64) -> StoreResult<bool> {
        // In one statement, so two clicks at once toggle twice; reading the
        // todo, then writing it, could lose one.
        let changed = self.connection().execute(
            "UPDATE todos SET completed = NOT completed WHERE id = ?1",
            [id],
        )?;
        Ok(changed == 1)
    }

    /// Deletes a todo; false if there is no such todo.
    fn delete(&self, id: i64) -> StoreResult<bool> {
        let deleted = self
            .connection()
            .execute("DELETE FROM todos WHERE id = ?1", [id])?;
        Ok(deleted == 1)
    }

    /// Deletes every todo.
    fn delete_all(&self) -> StoreResult<()> {
        self.connection().execute("DELETE FROM todos", [])?;
        Ok(())
    }
}
// END TODO(b)

/// Opens the database and makes it ready: its table, if it is new, and
/// settings for many threads and for crashes. Returns the store and where
/// it is, for the start-up message; or a sentence that says what is wrong.
fn open_store() -> Result<(Store, String), String> {
    // TODO(d): keep the todos in the file that TODO_DB names
    // The file TODO_DB names, or todo.sqlite3 in the current folder; SQLite
    // makes it if it does not exist yet (but not the folder it goes in).
    let path = std::env::var_os("TODO_DB")
        .filter(|path| !path.is_empty())
        .map_or_else(|| "todo.sqlite3".into(), std::path::PathBuf::from);
    let place = path.display().to_string();
    let connection = Connection::open(&path)
        .map_err(|error| format!("cannot open the database: {error} (does its folder exist?)"))?;
    // END TODO(d)
    set_up(&connection).map_err(|error| format!("cannot use the database {place}: {error}"))?;
    let store = Store {
        connection: Mutex::new(connection),
    };
    Ok((store, place))
}

/// Settings, then the table (lessons/9_todo_app/schema.sql).
fn set_up(connection: &Connection) -> Result<(), String> {
    let sql = |error: rusqlite::Error| error.to_string();
    // WAL ("write-ahead log"): a write is appended to todo.sqlite3-wal, and
    // readers in other programs (the sqlite3 shell) never block it.
    connection
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(sql)?;
    // FULL: a write is on the disk itself before SQLite says it is done, so
    // a todo that was answered survives even a power cut.
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(sql)?;
    // If another program holds the database for a moment, wait for it (up
    // to 5 s) instead of failing at once with "database is locked".
    connection
        .busy_timeout(Duration::from_secs(5))
        .map_err(sql)?;
    let schema_file = Path::new(LESSON_DIR).join("schema.sql");
    let schema = std::fs::read_to_string(&schema_file)
        .map_err(|error| format!("cannot read {}: {error}", schema_file.display()))?;
    connection.execute_batch(&schema).map_err(sql)
}

/// The page templates: every `.html` file in lessons/9_todo_app/templates
/// (the layout), and the two written in this file, read once at start-up.
///
/// They are compiled when a page first needs them, so that a mistake in
/// one is a `500` page that names it (and a line in the log), and the
/// server keeps running while you fix it.
fn load_templates() -> Result<Environment<'static>, String> {
    let folder = Path::new(LESSON_DIR).join("templates");
    let cannot = |error: std::io::Error| {
        format!("cannot read the templates in {}: {error}", folder.display())
    };
    let mut sources = HashMap::new();
    for entry in std::fs::read_dir(&folder).map_err(cannot)? {
        let file = entry.map_err(cannot)?.path();
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".html") {
            sources.insert(name, std::fs::read_to_string(&file).map_err(cannot)?);
        }
    }
    sources.insert("list.html".to_owned(), LIST_TEMPLATE.to_owned());
    sources.insert("forms.html".to_owned(), FORMS_TEMPLATE.to_owned());
    // Names ending in .html get HTML escaping: minijinja's default.
    let mut templates = Environment::new();
    templates.set_loader(move |name| Ok(sources.get(name).cloned()));
    // The course's stylesheet (src/style.css), which the layout puts in its
    // <style>: marked safe, because it is CSS to keep as it is, not text to
    // escape.
    templates.add_global("stylesheet", Value::from_safe_string(STYLESHEET.to_owned()));
    // Say at once if a template does not compile (the page will say it too).
    if let Err(error) = templates.get_template("list.html") {
        eprintln!("warning: {}", template_problem(&error));
    }
    Ok(templates)
}

/// A template error in one line: what is wrong, and where (minijinja
/// adds the template's name and line: `(in list.html:7)`).
fn template_problem(error: &minijinja::Error) -> String {
    format!("template error: {error}")
}

/// The todo app: the store, the templates, and the routes.
struct TodoApp {
    store: Store,
    templates: Environment<'static>,
}

impl TodoApp {
    /// Sends the list page: every todo, the forms, and an error message if
    /// there is one (with a status that is not 200), with `typed` put back
    /// in the add form's field (`""` on a normal page).
    fn send_list(
        &self,
        response: &mut Response,
        status: u16,
        error: Option<&str>,
        typed: &str,
    ) -> HandlerResult {
        // A copy of the todos: `list` gives the database back (unlocks it)
        // when it returns, so the page is rendered without holding the
        // lock, and a slow render (or a slow client) never makes the other
        // threads wait for the database.
        let todos = self.store.list()?;
        let page = self
            .templates
            .get_template("list.html")
            .and_then(|template| {
                template.render(context! { todos => Serde(&todos), error => error, typed => typed })
            })
            .map_err(|error| template_problem(&error))?;
        response.send_response(status);
        response.send_header("Content-Type", "text/html; charset=utf-8");
        response.end_headers();
        response.write_all(page.as_bytes())?;
        Ok(())
    }
}

// TODO(c): add, toggle and delete todos from the forms, then redirect
impl TodoApp {
    /// `POST /` with `title=...`: adds the todo.
    fn add_from_form(&self, form: &Form, response: &mut Response) -> HandlerResult {
        let typed = form.get("title").unwrap_or("");
        let title = typed.trim();
        if title.is_empty() {
            // Nothing to store: the page again, with the form and a message,
            // and 400 to say that the request was at fault.
            return self.send_list(
                response,
                400,
                Some("A todo needs a title: type what needs to be done."),
                typed,
            );
        }
        if let Some(problem) = title_too_long(title) {
            // Too long to keep: the page again, what was typed put back in
            // the field, so the visitor can shorten it.
            return self.send_list(response, 400, Some(&problem), typed);
        }
        self.store.add(title, false, None)?;
        back_to_the_list(response);
        Ok(())
    }

    /// `POST /toggle/<id>`: marks the todo done, or not done again.
    fn toggle_from_form(&self, id: i64, response: &mut Response) -> HandlerResult {
        if !self.store.toggle(id)? {
            return Err(HttpError::new(404, format!("there is no todo {id}")).into());
        }
        back_to_the_list(response);
        Ok(())
    }

    /// `POST /delete/<id>`: deletes the todo.
    fn delete_from_form(&self, id: i64, response: &mut Response) -> HandlerResult {
        if !self.store.delete(id)? {
            return Err(HttpError::new(404, format!("there is no todo {id}")).into());
        }
        back_to_the_list(response);
        Ok(())
    }
}

/// Post/Redirect/Get, as in lesson 2: `303 See Other` sends the browser to
/// the list with a GET, so reloading it does not send the form again.
fn back_to_the_list(response: &mut Response) {
    response.send_response(303);
    response.send_header("Location", "/");
    response.end_headers();
}
// END TODO(c)

/// The request's path without its query string: `/` for `/?x=1`.
fn path_of(request: &Request) -> String {
    let path = request.path();
    path.split(['?', '#']).next().unwrap_or(path).to_owned()
}

/// The id in `/toggle/7` (with `prefix` `/toggle/`), if the path has one.
fn id_after(path: &str, prefix: &str) -> Option<Option<i64>> {
    path.strip_prefix(prefix).map(id_from)
}

/// The methods a path of the HTML side supports, or None if there is no
/// such path.
fn methods_of(path: &str) -> Option<&'static str> {
    if path == "/" {
        Some("GET, HEAD, POST")
    } else if path.starts_with("/toggle/") || path.starts_with("/delete/") {
        Some("POST")
    } else if path == "/app" || path.starts_with("/app/") {
        Some("GET, HEAD")
    } else {
        None
    }
}

/// `404` for a path nobody serves, or `405` and `Allow` for a method a path
/// does not support.
fn not_here(path: &str, request: &Request, response: &mut Response) -> HandlerResult {
    let Some(allow) = methods_of(path) else {
        return Err(
            HttpError::new(404, format!("there is nothing at {path}: the list is at /")).into(),
        );
    };
    response.send_response(405);
    response.send_header("Allow", allow);
    response.send_header("Content-Type", "text/plain; charset=utf-8");
    response.end_headers();
    let method = request.method();
    write!(
        response,
        "405 Method Not Allowed\n\n{method} is not allowed on {path}; these are: {allow}\n"
    )?;
    Ok(())
}

impl Handler for TodoApp {
    /// The list page, the JSON API, and lesson 7's front-end.
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let path = path_of(request);
        if api::serves(&path) {
            return api::answer(&self.store, &path, request, response);
        }
        match path.as_str() {
            "/" => self.send_list(response, 200, None, ""),
            "/app" => {
                // The front-end's links are relative: they need the slash.
                response.send_response(301);
                response.send_header("Location", "/app/");
                response.end_headers();
                Ok(())
            }
            _ if path.starts_with("/app/") => send_front_end_file(&path, response),
            _ => not_here(&path, request, response),
        }
    }

    /// The forms (add, toggle, delete) and the JSON API's `POST /todos`.
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let path = path_of(request);
        if api::serves(&path) {
            return api::answer(&self.store, &path, request, response);
        }
        // A form's fields, like title=Buy+milk (or none, for the buttons).
        let form = http_server::parse_qs(request.read_body()?)?;
        let no_todo = || HttpError::new(404, format!("there is no todo at {path}"));
        if path == "/" {
            // A full list (schema.sql's trigger) is a 507, not a 500.
            self.add_from_form(&form, response)
                .map_err(full_list_is_507)
        } else if let Some(id) = id_after(&path, "/toggle/") {
            self.toggle_from_form(id.ok_or_else(no_todo)?, response)
        } else if let Some(id) = id_after(&path, "/delete/") {
            self.delete_from_form(id.ok_or_else(no_todo)?, response)
        } else {
            not_here(&path, request, response)
        }
    }

    fn do_patch(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.api_only(request, response)
    }

    fn do_delete(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.api_only(request, response)
    }

    fn do_options(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.api_only(request, response)
    }

    fn do_put(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.api_only(request, response)
    }
}

impl TodoApp {
    /// Methods only the JSON API answers (PATCH, DELETE, OPTIONS, PUT).
    fn api_only(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let path = path_of(request);
        if api::serves(&path) {
            return api::answer(&self.store, &path, request, response);
        }
        not_here(&path, request, response)
    }
}

/// Lesson 7's front-end: the path it is served at, its file in lesson 7's
/// folder, and the file's content type. A fixed table, so no path can
/// reach any other file.
const FRONT_END_FILES: [(&str, &str, &str); 8] = [
    ("/app/", "index.html", "text/html; charset=utf-8"),
    ("/app/index.html", "index.html", "text/html; charset=utf-8"),
    ("/app/style.css", "style.css", "text/css; charset=utf-8"),
    ("/app/app.js", "app.js", "text/javascript; charset=utf-8"),
    (
        "/app/sample-todos.json",
        "sample-todos.json",
        "application/json",
    ),
    ("/app/images/logo.svg", "images/logo.svg", "image/svg+xml"),
    ("/app/images/done.png", "images/done.png", "image/png"),
    ("/app/favicon.ico", "favicon.ico", "image/x-icon"),
];

/// The front-end's page names its API in a tag, empty in the file (lesson
/// 7 sends it as it is, and has no API); this server fills in its own, so
/// that the page's script asks for `/todos`.
const NO_API_TAG: &str = r#"<meta name="todo-api" content="">"#;
const THIS_API_TAG: &str = r#"<meta name="todo-api" content="/todos">"#;

/// Sends a file of lesson 7's front-end, read now (so that an edit shows
/// at the next reload).
fn send_front_end_file(path: &str, response: &mut Response) -> HandlerResult {
    let Some((_, file, content_type)) = FRONT_END_FILES.iter().find(|(url, _, _)| *url == path)
    else {
        return Err(
            HttpError::new(404, format!("lesson 7's front-end has no file at {path}")).into(),
        );
    };
    let full_path = Path::new(FRONT_END_DIR).join(file);
    let Ok(mut bytes) = std::fs::read(&full_path) else {
        let why = format!("lessons/7_file_server/public/{file} is missing: it comes with lesson 7");
        return Err(HttpError::new(404, why).into());
    };
    if *file == "index.html" {
        bytes = String::from_utf8_lossy(&bytes)
            .replacen(NO_API_TAG, THIS_API_TAG, 1)
            .into_bytes();
    }
    response.send_response(200);
    response.send_header("Content-Type", content_type);
    response.end_headers();
    response.write_all(&bytes)?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the store and the templates, then serves until Ctrl-C.
fn run() -> Result<(), String> {
    let (store, place) = open_store()?;
    let count = store
        .count()
        .map_err(|error| format!("cannot read the database {place}: {error}"))?;
    eprintln!("{count} todos kept in {place}");
    let app = TodoApp {
        store,
        templates: load_templates()?,
    };
    // Listen on 127.0.0.1, port 8000 (or $HOST and $PORT), and serve the
    // app, each connection on a thread of its own.
    let server = ThreadingHttpServer::from_env().map_err(|error| error.to_string())?;
    // CrossSiteGuard refuses (403) any POST, PATCH, PUT or DELETE that a
    // browser says another site's page sent (Sec-Fetch-Site, Origin):
    // without it, any page on the web could make a visitor's browser
    // delete their todos. curl and other programs send neither header.
    server
        .serve_forever(CrossSiteGuard(app))
        .map_err(|error| error.to_string())
}

/// Tests of the given code (the limits, the ids), which the starter has
/// too; the checks (`cargo course check todo_app`) test your code.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_keeps_at_most_10000_todos() {
        let connection = Connection::open_in_memory().expect("a database in memory");
        set_up(&connection).expect("the schema");
        connection
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
                 INSERT INTO todos (title) SELECT 'todo ' || i FROM n",
            )
            .expect("10,000 todos fit");
        let error = connection
            .execute("INSERT INTO todos (title) VALUES ('one more')", [])
            .expect_err("the 10,001st is refused");
        let error = full_list_is_507(error.into());
        let error = error.downcast_ref::<HttpError>().expect("an HttpError");
        assert_eq!((error.status(), error.message()), (507, LIST_FULL));
        // Room again after a delete.
        connection
            .execute("DELETE FROM todos WHERE id = 1", [])
            .expect("a delete");
        connection
            .execute("INSERT INTO todos (title) VALUES ('one more')", [])
            .expect("room for one");
        // Any other error stays what it was (a 500).
        let other = connection
            .execute("INSERT INTO nowhere VALUES (1)", [])
            .expect_err("no such table");
        assert!(
            full_list_is_507(other.into())
                .downcast_ref::<HttpError>()
                .is_none()
        );
    }

    #[test]
    fn titles_are_counted_in_characters() {
        assert_eq!(title_too_long(&"é".repeat(500)), None);
        assert_eq!(
            title_too_long(&"x".repeat(2345)).as_deref(),
            Some("A todo's title can be at most 500 characters; yours has 2,345.")
        );
        assert_eq!(with_commas(7), "7");
        assert_eq!(with_commas(1_234_567), "1,234,567");
    }

    #[test]
    fn ids_have_one_spelling() {
        assert_eq!(id_from("7"), Some(7));
        assert_eq!(id_from("1234"), Some(1234));
        for other in [
            "",
            "07",
            "0",
            "+7",
            "-7",
            " 7",
            "7 ",
            "7/",
            "7a",
            "99999999999999999999",
        ] {
            assert_eq!(id_from(other), None, "{other:?}");
        }
    }
}
