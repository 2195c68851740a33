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
//   This template is the list page. It already fills in the layout's
//   `content` block (the layout is lessons/9_todo_app/templates/layout.html)
//   and puts the add form on top; where the list goes it only has a
//   placeholder. Replace the placeholder with the list:
//   1. a <ul class="todos"> element;
//   2. inside it, {% for todo in todos %} ... {% endfor %}: its body is
//      repeated for each todo, with `todo` set to it;
//   3. the body: an <li>, made <li class="completed"> when todo.completed
//      is true: {% if todo.completed %}...{% endif %};
//   4. in the <li>, in this order: {{ forms.toggle_form(todo) }} (the
//      Done button of step c), the title, {{ todo.title }}, in a
//      <span class="title">, and {{ forms.delete_form(todo) }} (its Delete
//      button); until step c the two buttons are empty;
//   5. {% else %} before {% endfor %}: an <li> to show when there are none.
//   Do not escape anything yourself: a template whose name ends in .html
//   escapes every {{ value }}.
/// The list page (the list is missing until step a is done).
const LIST_TEMPLATE: &str = r#"{% extends "layout.html" %}
{% import "forms.html" as forms %}
{% block content %}
{{ forms.add_form(typed) }}
<p>(The list of todos will go here: step a.)</p>
{% endblock %}
"#;
// END TODO(a)

// TODO(c): write the forms that add, toggle and delete a todo
//   Three macros, one per form; the list template calls them. For now
//   they show placeholders. Write each as a <form method="post"> with a
//   <button type="submit"> inside, and:
//   1. add_form: <form method="post" action="/" class="add"> (the layout's
//      style lays out form.add), with <label for="new-title">New todo</label>
//      and <input name="title" id="new-title" required autocomplete="off"
//      value="{{ typed }}"> (what is typed travels as title=...; the browser
//      need not offer old titles; `typed` is what a refused POST sent, put
//      back so that the visitor loses nothing: empty on a normal page);
//   2. toggle_form(todo): action="/toggle/{{ todo.id }}", no fields: the
//      path says which todo (the button can say "Done", or "Undo" when
//      todo.completed; the solution draws it as the front-end's tick box:
//      <button type="submit" class="toggle" aria-pressed="true" (or "false")
//      aria-label="Done: “{{ todo.title }}”"></button>);
//   3. delete_form(todo): action="/delete/{{ todo.id }}", a
//      <button class="delete"> (the layout's style draws it as an outline)
//      whose aria-label names the todo: "Delete “{{ todo.title }}”".
/// The forms, as macros the list template calls (placeholders until step c).
const FORMS_TEMPLATE: &str = r#"{% macro add_form(typed) -%}
<p>(The form to add a todo will go here: step c.)</p>
{%- endmacro %}

{% macro toggle_form(todo) -%}
{%- endmacro %}

{% macro delete_form(todo) -%}
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
//   Write each method of the store below with SQL: self.connection() is
//   the database (see Store::count above for the smallest example). Until
//   you do, list() shows two samples, and the others answer 501.
//   1. list: connection.prepare("SELECT id, title, completed, position
//      FROM todos ORDER BY id")?, then statement.query_map([], todo_from_row)
//      (see below: todo_from_row makes a Todo of a row).
//   2. add: INSERT INTO todos (title, completed, position) VALUES
//      (?1, ?2, ?3), with rusqlite::params![title, completed, order].
//      Never put a title into the SQL text yourself (format!): a title
//      like '); DROP TABLE todos;-- would become SQL. `RETURNING id, ...`
//      at the end gives back the new row, id included: use query_one, not
//      query_row (query_one runs the statement to its end, which lets
//      SQLite keep its -wal file small: see the lesson text).
//   3. get: SELECT ... WHERE id = ?1; .optional() (from
//      rusqlite::OptionalExtension, see below) makes "no such row" None.
//   4. update: UPDATE todos SET title = coalesce(?2, title), ... WHERE
//      id = ?1 RETURNING ...: coalesce keeps the old value when the new one
//      is NULL (None). query_one again, with .optional().
//   5. toggle, delete: execute(...) returns how many rows changed: 0 means
//      there is no such todo. Toggle in one statement: completed = NOT completed.
//   6. delete_all: DELETE FROM todos.
//   Lock the connection once per method: two statements with other
//   threads' statements in between can mix up their todos.
//   What the methods share goes in this region too, above `impl Store`:
//   `use rusqlite::OptionalExtension;` (for .optional()) and a free function
//   fn todo_from_row(row: &rusqlite::Row) -> rusqlite::Result<Todo>, which
//   makes a Todo of a row: Ok(Todo { id: row.get(0)?, ... }).
impl Store {
    /// Every todo, oldest first (two samples until step b is done).
    fn list(&self) -> StoreResult<Vec<Todo>> {
        let sample = |id, title: &str, completed| Todo {
            id,
            title: title.to_owned(),
            completed,
            order: None,
        };
        Ok(vec![
            sample(
                1,
                "Sample: storing todos is not written yet (step b)",
                false,
            ),
            sample(
                2,
                "Sample: a <b>done</b> todo, its tags shown as typed",
                true,
            ),
        ])
    }

    /// Adds a todo and returns it, with the id SQLite gave it.
    fn add(&self, title: &str, completed: bool, order: Option<i64>) -> StoreResult<Todo> {
        let _ = (title, completed, order);
        Store::not_written()
    }

    /// The todo with this id, if there is one.
    fn get(&self, id: i64) -> StoreResult<Option<Todo>> {
        let _ = id;
        Store::not_written()
    }

    /// Changes the fields `change` has, and returns the whole todo (None if
    /// there is no todo with this id).
    fn update(&self, id: i64, change: &Change) -> StoreResult<Option<Todo>> {
        let _ = (id, change);
        Store::not_written()
    }

    /// Marks a todo done, or not done again; false if there is no such todo.
    fn toggle(&self, id: i64) -> StoreResult<bool> {
        let _ = id;
        Store::not_written()
    }

    /// Deletes a todo; false if there is no such todo.
    fn delete(&self, id: i64) -> StoreResult<bool> {
        let _ = id;
        Store::not_written()
    }

    /// Deletes every todo.
    fn delete_all(&self) -> StoreResult<()> {
        Store::not_written()
    }

    /// The answer of a method not written yet: 501 Not Implemented.
    fn not_written<T>() -> StoreResult<T> {
        let why = "storing todos is not written yet: step b of lessons/9_todo_app/README.md";
        Err(HttpError::new(501, why).into())
    }
}
// END TODO(b)

/// Opens the database and makes it ready: its table, if it is new, and
/// settings for many threads and for crashes. Returns the store and where
/// it is, for the start-up message; or a sentence that says what is wrong.
fn open_store() -> Result<(Store, String), String> {
    // TODO(d): keep the todos in the file that TODO_DB names
    //   For now the todos live in a database in memory: stop the server and
    //   they are gone. Keep them in a file instead:
    //   1. the path: std::env::var_os("TODO_DB"), or "todo.sqlite3" if it
    //      is not set (PathBuf::from turns either into a path);
    //   2. Connection::open(&path) opens it (and makes the file if needed);
    //   3. if it fails, return Err with one sentence that says so: the
    //      program prints it and stops with a non-zero exit code. rusqlite's
    //      error already names the file, so do not repeat it:
    //      format!("cannot open the database: {error} (does its folder exist?)");
    //   4. set `place` to the path, for the messages below.
    let place = "memory, until step d (stop the server and they are gone)".to_owned();
    let connection = Connection::open_in_memory()
        .map_err(|error| format!("cannot open a database in memory: {error}"))?;
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
//   Each form posts to a method below; for now they answer 501. After the
//   POST, answer as in lesson 2 (Post/Redirect/Get): 303 See Other with
//   `Location: /`, and no body.
//   1. add_from_form: the title is form.get("title"); trim it. Store it
//      with self.store.add(title, false, None)?. If it is empty, do not
//      redirect: send the page again with the form and a message,
//      self.send_list(response, 400, Some("..."), typed), where `typed` is
//      the title as it came (the form shows it again). If it is too long,
//      title_too_long(title) (given, above) is Some(sentence): answer the
//      same way, with that sentence.
//   2. toggle_from_form, delete_from_form: self.store.toggle(id)? (or
//      delete) is false when there is no such todo: answer 404 with
//      return Err(HttpError::new(404, "...").into()).
impl TodoApp {
    /// `POST /` with `title=...`: adds the todo.
    fn add_from_form(&self, form: &Form, response: &mut Response) -> HandlerResult {
        let _ = form;
        forms_not_written(response)
    }

    /// `POST /toggle/<id>`: marks the todo done, or not done again.
    fn toggle_from_form(&self, id: i64, response: &mut Response) -> HandlerResult {
        let _ = id;
        forms_not_written(response)
    }

    /// `POST /delete/<id>`: deletes the todo.
    fn delete_from_form(&self, id: i64, response: &mut Response) -> HandlerResult {
        let _ = id;
        forms_not_written(response)
    }
}

/// The answer of a form not written yet: 501 Not Implemented.
fn forms_not_written(response: &mut Response) -> HandlerResult {
    let _ = response;
    let why = "the forms' routes are not written yet: step c of lessons/9_todo_app/README.md";
    Err(HttpError::new(501, why).into())
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
