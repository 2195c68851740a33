//! Lesson 9, the todo app, in four steps: (a) the list page comes from a
//! template, (b) the store is SQL with parameters (checked through lesson
//! 8's JSON API, which is given), (c) forms with Post/Redirect/Get, (d) the
//! todos survive a restart, in the file `TODO_DB` names.
//!
//! Every run of the checks uses a fresh database in the session's own
//! temporary folder (`TODO_DB` is always set, and the server runs there),
//! never the student's `todo.sqlite3`. The
//! checks of one run share that database, so each looks only for the
//! todos it made, by random markers.

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::kit::crowd::{at_once, post_form_expecting, problems};
use crate::kit::html::{PageForm, Tag, forms, start_tags, title_of};
use crate::kit::seed::random_number;
use crate::process::{self, Launch, ServerProcess};
use crate::session::encode_form;
use crate::session::{Outgoing, Reply, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};

/// Lesson 9, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(9, "todo_app", "Todo app").checks(
    CHECKS,
    HINTS,
    include_str!("lesson9.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
pub const CHECKS: &[Check] = &[
    Check::step(
        "a",
        "GET / answers 200 with an HTML page titled Todo List, made from the templates",
        serves_the_list_page,
    ),
    Check::step(
        "a",
        "the list template shows every todo in an <li>, a completed one with class=\"completed\", and an <li> when there are none",
        lists_every_todo,
    ),
    Check::step(
        "a",
        "titles are escaped: a <script> title shows as text on the page",
        titles_are_escaped,
    ),
    Check::step(
        "b",
        "the JSON API at /todos creates, lists, reads, changes and deletes todos with your SQL",
        api_stores_todos,
    ),
    Check::step(
        "b",
        "an unknown or non-numeric id gets 404 with a JSON error",
        unknown_ids_are_404,
    ),
    Check::step(
        "b",
        "SQL parameters: titles like '); DROP TABLE todos;-- are stored (POST), changed (PATCH) and shown as typed",
        titles_are_parameters,
    ),
    Check::step(
        "b",
        "20 clients at once, 25 new todos each: all 500 stored, each once, no errors",
        no_todo_lost_under_load,
    ),
    Check::step(
        "b",
        "a title over 500 characters gets 400 from the API (POST and PATCH); 500 characters are kept",
        api_limits_titles,
    ),
    Check::step(
        "b",
        "5,000 writes (adds, then PATCHes) leave the -wal file under 8 MiB: each RETURNING statement runs to its end",
        write_ahead_log_stays_small,
    ),
    Check::step(
        "c",
        "the page has the forms: POST / with a title, and per todo POST /toggle/<id> and /delete/<id>",
        page_has_the_forms,
    ),
    Check::step(
        "c",
        "the add form's POST stores the todo and answers 303 See Other to / (Post/Redirect/Get)",
        add_form_redirects,
    ),
    Check::step(
        "c",
        "POST /toggle/<id> and /delete/<id> change the todo and answer 303 See Other to /",
        toggle_and_delete_redirect,
    ),
    Check::step(
        "c",
        "clicks at once: 16 clients toggle the same todos, and no click is lost",
        no_click_lost,
    ),
    Check::step(
        "c",
        "an empty title gets 400 with the form and a message; an unknown id gets 404",
        bad_forms_are_refused,
    ),
    Check::step(
        "c",
        "a title over 500 characters gets 400, a message naming the limit, and the form with what was typed",
        long_titles_are_refused,
    ),
    Check::step(
        "c",
        "a change another site's page sent (Origin, Sec-Fetch-Site) gets 403 and changes nothing, forms and API alike",
        cross_site_changes_are_refused,
    ),
    Check::step(
        "d",
        "stopped and started again on the same TODO_DB, the server still has every todo",
        todos_survive_a_restart,
    ),
    Check::step(
        "d",
        "the database is the file TODO_DB names, or todo.sqlite3 in the current folder when TODO_DB is unset or empty",
        database_is_the_named_file,
    ),
    Check::step(
        "d",
        "a TODO_DB whose folder does not exist gets one clear error line and a non-zero exit",
        bad_database_path_is_refused,
    ),
];

/// Graduated hints for each step: `cargo course hint todo_app a`.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Step a is the LIST_TEMPLATE constant in exercises/9_todo_app/main.rs; open http://localhost:8000/ to see what it makes. Until step b, the todos are the two samples of Store::list.",
        concept: "A template repeats HTML with {% for todo in todos %} ... {% endfor %}, chooses with {% if todo.completed %} ... {% endif %}, and shows a value with {{ todo.title }}, escaped for you because the template's name ends in .html.",
        code: "<ul class=\"todos\">{% for todo in todos %}<li{% if todo.completed %} class=\"completed\"{% endif %}>{{ forms.toggle_form(todo) }} <span class=\"title\">{{ todo.title }}</span> {{ forms.delete_form(todo) }}</li>{% else %}<li>Nothing to do.</li>{% endfor %}</ul>",
    },
    Hint {
        step: Some("b"),
        nudge: "Step b is the TODO(b) region: the methods of Store, each answering 501 for now. The checks go through lesson 8's JSON API at /todos (api.rs, given), which calls them.",
        concept: "Each method is one SQL statement on self.connection(), its values passed as parameters (?1, ?2, ...), never pasted into the SQL with format!: then a title with a ' in it is only data, and one statement cannot mix with another thread's.",
        code: "Above impl Store, in the region: use rusqlite::OptionalExtension; and fn todo_from_row(row: &rusqlite::Row) -> rusqlite::Result<Todo> { Ok(Todo { id: row.get(0)?, title: row.get(1)?, completed: row.get(2)?, order: row.get(3)? }) }. add: query_one(\"INSERT INTO todos (title, completed, position) VALUES (?1, ?2, ?3) RETURNING id, title, completed, position\", rusqlite::params![title, completed, order], todo_from_row) (query_one, not query_row: it runs the statement to its end, and only then does SQLite fold its -wal file back); get: query_row(\"SELECT id, title, completed, position FROM todos WHERE id = ?1\", [id], todo_from_row).optional()?; delete: execute(\"DELETE FROM todos WHERE id = ?1\", [id])? == 1.",
    },
    Hint {
        step: Some("c"),
        nudge: "Step c has two TODO(c) regions: the forms, in FORMS_TEMPLATE, and the routes they post to, in impl TodoApp. Each POST ends like lesson 2's.",
        concept: "A form POSTs to a path of its own: / with a title field to add, /toggle/<id> and /delete/<id> with just a button. After the change, Post/Redirect/Get: 303 See Other with Location: /, so a reload never sends the form again.",
        code: "Macros: <form method=\"post\" action=\"/\" class=\"add\"><label for=\"new-title\">New todo</label><input name=\"title\" id=\"new-title\" required autocomplete=\"off\" value=\"{{ typed }}\"><button type=\"submit\">Add</button></form>, and action=\"/toggle/{{ todo.id }}\" (and /delete/...) with a <button type=\"submit\">. Routes: an empty title gets self.send_list(response, 400, Some(\"...\"), typed), and so does a title that title_too_long(title) finds too long, with its sentence; toggle or delete returning false gets Err(HttpError::new(404, \"...\").into()).",
    },
    Hint {
        step: Some("d"),
        nudge: "Step d is in open_store: the starter keeps the todos in a database in memory, Connection::open_in_memory(), gone when the server stops.",
        concept: "Open a file instead: the one the TODO_DB environment variable names, or todo.sqlite3 in the current folder. If it cannot be opened, say so in one line and stop: return an Err, which main prints before it exits with code 1.",
        code: "let path = std::env::var_os(\"TODO_DB\").map_or_else(|| \"todo.sqlite3\".into(), std::path::PathBuf::from); let place = path.display().to_string(); let connection = Connection::open(&path).map_err(|error| format!(\"cannot open the database: {error} (does its folder exist?)\"))?; (rusqlite's error already names the file.)",
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
    session.set_launch(
        Launch::default()
            .env("TODO_DB", path.display().to_string())
            .in_dir(folder),
    );
    Ok(path)
}

// ---- Talking to the JSON API ----

/// Sends a request to the JSON API with a JSON body (or none).
fn api(
    session: &mut Session,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Reply, Failure> {
    let headers = if body.is_some() {
        vec![("Content-Type", "application/json")]
    } else {
        Vec::new()
    };
    session.send(Outgoing {
        method,
        path,
        headers,
        body: body.map(|body| body.to_string().into_bytes()),
    })
}

/// The reply's body as JSON (`Null` if it is not JSON).
fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or(Value::Null)
}

/// The path of a todo's `url`: `/todos/7` for `http://host/todos/7`.
fn path_of_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let path = &rest[rest.find('/')?..];
    path.starts_with("/todos/").then(|| path.to_owned())
}

/// The id in a todo's `url`.
fn id_of(todo: &Value) -> Option<i64> {
    let path = path_of_url(todo["url"].as_str()?)?;
    path.strip_prefix("/todos/")?.parse().ok()
}

/// Answers that mean "step b is not written yet": the starter's `501`.
fn store_not_written(reply: &Reply) -> bool {
    reply.status == 501
}

/// The hint for a 501 from the store.
const WRITE_THE_STORE: &str = "The store answers 501 Not Implemented: that is the starter's Store, \
    whose methods are not written yet. Write them with SQL in the TODO(b) region (step b).";

/// Creates a todo through the API; `None` if the store is not written yet.
fn try_create(session: &mut Session, title: &str) -> Result<Option<Value>, Failure> {
    let reply = api(session, "POST", "/todos", Some(&json!({ "title": title })))?;
    if store_not_written(&reply) {
        return Ok(None);
    }
    let todo = json_of(&reply);
    if reply.status != 201 || todo["title"] != title || id_of(&todo).is_none() {
        return Err(reply.fail(
            format!(
                "201 Created and the new todo as JSON, with \"title\": {title:?} and its \"url\""
            ),
            "The API is given; what it stores and gives back comes from Store::add: insert the \
             title, completed and order with parameters, and return the new row (RETURNING id, \
             title, completed, position).",
        ));
    }
    Ok(Some(todo))
}

/// Creates a todo through the API, which needs the store of step b.
fn create(session: &mut Session, title: &str) -> Result<Value, Failure> {
    match try_create(session, title)? {
        Some(todo) => Ok(todo),
        None => Err(Failure::plain(
            "POST /todos answered 501: the store is not written yet",
            "This check needs step b: write the SQL of Store first.",
        )),
    }
}

/// Marks a todo completed through the API.
fn complete(session: &mut Session, todo: &Value) -> CheckResult {
    let path = path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default();
    let reply = api(session, "PATCH", &path, Some(&json!({ "completed": true })))?;
    if reply.status != 200 || json_of(&reply)["completed"] != true {
        return Err(reply.fail(
            "200 OK and the todo with \"completed\": true",
            "PATCH calls Store::update: UPDATE todos SET completed = coalesce(?3, completed), ... \
             WHERE id = ?1 RETURNING id, title, completed, position.",
        ));
    }
    Ok(())
}

// ---- Reading the page ----

/// HTML text as a reader sees it: character references decoded.
fn unescape(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let number = |digits: &str, radix| {
                u32::from_str_radix(digits, radix)
                    .ok()
                    .and_then(char::from_u32)
            };
            match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if name.starts_with("#x") || name.starts_with("#X") => number(&name[2..], 16),
                _ if name.starts_with('#') => number(&name[1..], 10),
                _ => None,
            }
        });
        match (decoded, end) {
            (Some(character), Some(end)) => {
                text.push(character);
                rest = &rest[end + 1..];
            }
            _ => {
                text.push('&');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    text
}

/// The text of some HTML: tags dropped, references decoded. (An escaped
/// title has no `<` left in it, so dropping tags cannot cut into one.)
fn text_of(html: &str) -> String {
    let mut bare = String::new();
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                bare.push(' ');
            }
            _ if !in_tag => bare.push(character),
            _ => {}
        }
    }
    unescape(&bare)
}

/// Every `<li>` of the page: its tag and the HTML inside it.
fn list_items(html: &str) -> Vec<(Tag, String)> {
    let lower = html.to_ascii_lowercase();
    start_tags(html, "li")
        .into_iter()
        .map(|tag| {
            let end = lower[tag.end..]
                .find("</li")
                .or_else(|| lower[tag.end..].find("<li"))
                .map_or(html.len(), |end| tag.end + end);
            let inside = html[tag.end..end].to_owned();
            (tag, inside)
        })
        .collect()
}

/// The `<li>` whose text shows `title`, if there is one.
fn item_showing(html: &str, title: &str) -> Option<(Tag, String)> {
    list_items(html)
        .into_iter()
        .find(|(_, inside)| text_of(inside).contains(title))
}

fn is_completed(tag: &Tag) -> bool {
    tag.attribute("class")
        .is_some_and(|class| class.split_whitespace().any(|name| name == "completed"))
}

/// The form of the page that POSTs to `action`, if there is one.
fn form_posting_to(html: &str, action: &str) -> Option<PageForm> {
    forms(html)
        .into_iter()
        .find(|form| form.method == "post" && form.action == action)
}

/// A page for a report: status, type, and the part of the body around
/// the first of `looked_for` it has (the todo a check looked for, say), or
/// else from `<body>` on (the `<head>` of the layout is the same on every
/// page, and long).
fn page_summary(page: &Reply, looked_for: &[&str]) -> String {
    page.summary_around(looked_for)
}

/// A failure about a page, showing it around the first of `looked_for`.
fn page_fail(
    page: &Reply,
    looked_for: &[&str],
    expected: impl Into<String>,
    hint: impl Into<String>,
) -> Failure {
    Failure {
        got: page_summary(page, looked_for),
        ..page.fail(expected, hint)
    }
}

/// Where a page shows its todos, for a report that looked for one that is
/// not there.
const THE_LIST: [&str; 3] = ["<ul", "<li", "<p>(The list"];

/// GET /, expecting the page.
fn get_page(session: &mut Session) -> Result<Reply, Failure> {
    let page = session.get("/")?;
    if page.status != 200 {
        return Err(page_fail(
            &page,
            &[],
            "200 OK and the list page",
            "GET / sends the page made from the templates: a 500 body names the template, the \
             line and what is wrong with it.",
        ));
    }
    Ok(page)
}

// ---- Step a ----

fn serves_the_list_page(session: &mut Session) -> CheckResult {
    database(session)?;
    let page = get_page(session)?;
    if page.media_type().as_deref() != Some("text/html") {
        return Err(page_fail(
            &page,
            &[],
            "Content-Type: text/html; charset=utf-8",
            "The page is HTML: send_list sends it with text/html; charset=utf-8. Keep that line.",
        ));
    }
    match title_of(&page.body) {
        Some(title) if title == "Todo List" => Ok(()),
        _ => Err(page_fail(
            &page,
            &[],
            "a page with <title>Todo List</title>",
            "The title comes from the layout, lessons/9_todo_app/templates/layout.html: LIST_TEMPLATE \
             must start with {% extends \"layout.html\" %} and put its HTML in {% block content %}.",
        )),
    }
}

fn lists_every_todo(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let open_title = format!("Open todo {run}");
    let done_title = format!("Done todo {run}");
    // With the store of step b, todos of our own; before it, the samples
    // of the starter's Store::list.
    let (open_title, done_title, how) = match try_create(session, &open_title)? {
        Some(_) => {
            let done = create(session, &done_title)?;
            complete(session, &done)?;
            (
                open_title,
                done_title,
                "two todos made with the API (the second one completed), then",
            )
        }
        None => (
            "Sample: storing todos is not written yet (step b)".to_owned(),
            "Sample: a <b>done</b> todo, its tags shown as typed".to_owned(),
            "with the starter's two sample todos (step b not written yet):",
        ),
    };
    let page = get_page(session)?;
    // The todos are found by their marker (or the samples by "Sample:"),
    // which escaping leaves as it is.
    let shown = if open_title.contains(&run) {
        run.as_str()
    } else {
        "Sample:"
    };
    let fail = |expected: String, hint: &str| Failure {
        sent: format!("{how} {}", page.sent),
        expected,
        got: page_summary(&page, &[shown, THE_LIST[0], THE_LIST[1], THE_LIST[2]]),
        hint: hint.into(),
    };
    let Some((open_item, _)) = item_showing(&page.body, &open_title) else {
        return Err(fail(
            format!("an <li> that shows {open_title:?}"),
            "The page has no <li> with this todo's title: in LIST_TEMPLATE, write \
             {% for todo in todos %}<li>{{ todo.title }}</li>{% endfor %} inside a <ul>.",
        ));
    };
    let Some((done_item, _)) = item_showing(&page.body, &done_title) else {
        return Err(fail(
            format!("an <li> that shows {done_title:?}"),
            "Only some todos are on the page: the for loop should show every one of `todos`.",
        ));
    };
    if is_completed(&open_item) || !is_completed(&done_item) {
        return Err(fail(
            format!(
                "<li class=\"completed\"> for {done_title:?}, and a plain <li> for {open_title:?}"
            ),
            "Mark done todos only: <li{% if todo.completed %} class=\"completed\"{% endif %}>.",
        ));
    }
    if shown == run.as_str() {
        empty_list_has_an_item(session)?;
    }
    Ok(())
}

/// With no todo at all, the list still says so: the `{% else %}` item.
/// Only once the store deletes (Store::delete_all); until then step b's
/// checks say what is missing.
fn empty_list_has_an_item(session: &mut Session) -> CheckResult {
    let cleared = api(session, "DELETE", "/todos", None)?;
    if cleared.status != 204 {
        return Ok(());
    }
    let page = get_page(session)?;
    if list_items(&page.body).is_empty() {
        return Err(page_fail(
            &page,
            &THE_LIST,
            "with no todos (after DELETE /todos), an <li> that says the list is empty",
            "An empty list should say so, not show nothing: put {% else %} before {% endfor %}, \
             and after it an <li> such as <li class=\"empty\">Nothing to do.</li>.",
        ));
    }
    Ok(())
}

/// The names of the elements whose start tags are in `html`, once each.
fn element_names(html: &str) -> Vec<String> {
    let mut names: Vec<String> = html
        .split('<')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The first start tag of `html` that has the attribute `attribute`, as
/// `<name ...>`, if any.
fn tag_with_attribute(html: &str, attribute: &str) -> Option<String> {
    element_names(html).into_iter().find_map(|name| {
        start_tags(html, &name)
            .into_iter()
            .find(|tag| tag.attribute(attribute).is_some())
            .map(|tag| html[tag.start..tag.end].to_owned())
    })
}

fn titles_are_escaped(session: &mut Session) -> CheckResult {
    database(session)?;
    let tag = marker();
    let title = format!("<script>alert(\"{tag}\")</script> & <b>bold</b>");
    let made = try_create(session, &title)?.is_some();
    let (title, raw, how) = if made {
        (
            title,
            format!("<script>alert(\"{tag}\")"),
            "a todo made with the API, then",
        )
    } else {
        let sample = "Sample: a <b>done</b> todo, its tags shown as typed".to_owned();
        (
            sample,
            "<b>done</b>".to_owned(),
            "with the starter's samples:",
        )
    };
    let page = get_page(session)?;
    if page.body.contains(&raw) || !text_of(&page.body).contains(&title) {
        return Err(Failure {
            sent: format!("{how} {}", page.sent),
            expected: format!("the title {title:?} shown as text: &lt;script&gt;... in the HTML"),
            got: page_summary(&page, &[&raw, &tag, THE_LIST[0], THE_LIST[1]]),
            hint:
                "Let the template escape: {{ todo.title }} in a template whose name ends in .html \
                   is escaped for you. Do not add |safe, and do not build the page with format!."
                    .into(),
        });
    }
    if made {
        // Escaping keeps a title inside a quoted attribute, not an unquoted
        // one: spaces and = are not escaped.
        let attack = format!("x onmouseover=alert({tag}) {tag}");
        create(session, &attack)?;
        let page = get_page(session)?;
        if let Some(found) = tag_with_attribute(&page.body, "onmouseover") {
            return Err(Failure {
                sent: format!(
                    "a todo titled {attack:?} made with the API, then {}",
                    page.sent
                ),
                expected: "the title as text and in quoted attributes only: no tag with an \
                           onmouseover attribute"
                    .into(),
                got: format!("the tag {found}"),
                hint: "A value in an attribute must be in quotes: title=\"{{ todo.title }}\", \
                       never title={{ todo.title }}. Autoescaping escapes quotes and <, not \
                       spaces or =, so in an unquoted attribute the title's words become \
                       attributes of their own, and onmouseover=... a script in every \
                       visitor's browser."
                    .into(),
            });
        }
    }
    Ok(())
}

// ---- Step b ----

/// Checks a reply of the API: its status, and no CORS header.
fn expect_api(reply: &Reply, status: u16, expected: &str, hint: &str) -> CheckResult {
    if store_not_written(reply) {
        return Err(reply.fail(expected, WRITE_THE_STORE));
    }
    if reply.status != status {
        return Err(reply.fail(expected, hint));
    }
    if let Some(origin) = reply.header("access-control-allow-origin") {
        return Err(reply.fail(
            format!("no Access-Control-Allow-Origin (got {origin:?})"),
            "The API's front-end, /app/, comes from this same server, so no page of another \
             site needs to read the todos: with Access-Control-Allow-Origin: *, any site a \
             visitor opens could read their list. Keep api.rs as it was given.",
        ));
    }
    Ok(())
}

fn api_stores_todos(session: &mut Session) -> CheckResult {
    database(session)?;
    let title = format!("Buy milk {}", marker());
    let reply = api(
        session,
        "POST",
        "/todos",
        Some(&json!({ "title": title, "order": 5 })),
    )?;
    expect_api(
        &reply,
        201,
        "201 Created, a Location header, and the new todo as JSON",
        "POST /todos calls Store::add: INSERT the todo with parameters and return the new row.",
    )?;
    let todo = json_of(&reply);
    let Some(path) = todo["url"].as_str().and_then(path_of_url) else {
        return Err(reply.fail(
            "a todo with a \"url\" like http://localhost:8000/todos/1",
            "The url is made of the id: Store::add must return the id SQLite gave the row \
             (RETURNING id, ...).",
        ));
    };
    if todo["title"] != title.as_str() || todo["completed"] != false || todo["order"] != 5 {
        return Err(reply.fail(
            format!("the todo as sent: \"title\": {title:?}, \"completed\": false, \"order\": 5"),
            "Store::add should store title, completed and order (in the column position), and \
             todo_from_row read them back in the order of the SELECT's columns.",
        ));
    }

    let list = api(session, "GET", "/todos", None)?;
    expect_api(
        &list,
        200,
        "200 OK and every todo",
        "GET /todos calls Store::list.",
    )?;
    let listed = json_of(&list).as_array().is_some_and(|todos| {
        todos
            .iter()
            .any(|listed| listed["url"] == todo["url"] && listed["title"] == title.as_str())
    });
    if !listed {
        return Err(list.fail(
            format!("a JSON array with the new todo, {title:?}"),
            "Store::list should SELECT every row of todos and make a Todo of each.",
        ));
    }
    // Oldest first: two todos without an order, listed as they were made.
    let first = create(session, &format!("First {}", marker()))?;
    let second = create(session, &format!("Second {}", marker()))?;
    let list = api(session, "GET", "/todos", None)?;
    let todos = json_of(&list);
    let at = |todo: &Value| {
        todos
            .as_array()
            .and_then(|todos| todos.iter().position(|listed| listed["url"] == todo["url"]))
    };
    if let (Some(first_at), Some(second_at)) = (at(&first), at(&second))
        && first_at > second_at
    {
        return Err(list.fail(
            format!(
                "{:?} listed before {:?}, which was made after it: oldest first",
                first["title"], second["title"]
            ),
            "The list is oldest first, as Store::list's comment says: a new todo goes at the \
             bottom of the page and of GET /todos. SQL gives rows in no promised order unless \
             asked: ORDER BY id (ascending, not DESC).",
        ));
    }

    let one = api(session, "GET", &path, None)?;
    expect_api(
        &one,
        200,
        "200 OK and the todo",
        "GET /todos/<id> calls Store::get: SELECT ... WHERE id = ?1.",
    )?;
    if json_of(&one)["title"] != title.as_str() {
        return Err(one.fail(
            format!("the todo {title:?}"),
            "Store::get should return the row whose id is the parameter: WHERE id = ?1, with [id].",
        ));
    }

    let changed = api(session, "PATCH", &path, Some(&json!({ "completed": true })))?;
    expect_api(
        &changed,
        200,
        "200 OK and the whole todo, now completed",
        "PATCH calls Store::update.",
    )?;
    let after = json_of(&changed);
    if after["completed"] != true || after["title"] != title.as_str() || after["order"] != 5 {
        return Err(changed.fail(
            format!("{{\"title\": {title:?}, \"completed\": true, \"order\": 5, ...}}: only completed changed"),
            "Store::update changes only what the PATCH sent: SET title = coalesce(?2, title), \
             completed = coalesce(?3, completed), position = coalesce(?4, position).",
        ));
    }
    let new_title = format!("Buy oat milk {}", marker());
    let renamed = api(
        session,
        "PATCH",
        &path,
        Some(&json!({ "title": new_title })),
    )?;
    expect_api(
        &renamed,
        200,
        "200 OK and the whole todo, renamed",
        "PATCH calls Store::update.",
    )?;
    let after = json_of(&renamed);
    if after["title"] != new_title.as_str() || after["completed"] != true {
        return Err(renamed.fail(
            format!("{{\"title\": {new_title:?}, \"completed\": true, ...}}: still completed"),
            "A PATCH that sends only a title keeps completed as it was: coalesce(?3, completed).",
        ));
    }

    let deleted = api(session, "DELETE", &path, None)?;
    expect_api(
        &deleted,
        204,
        "204 No Content",
        "DELETE /todos/<id> calls Store::delete.",
    )?;
    let gone = api(session, "GET", &path, None)?;
    expect_api(
        &gone,
        404,
        "404 Not Found: the todo was deleted",
        "Store::delete should DELETE FROM todos WHERE id = ?1, and Store::get return None when \
         no row has the id: query_row(...).optional(), from rusqlite::OptionalExtension.",
    )?;

    // A new todo can be completed from the start: the API sends what the
    // client sent.
    let other = format!("Clear me {}", marker());
    let reply = api(
        session,
        "POST",
        "/todos",
        Some(&json!({ "title": other, "completed": true })),
    )?;
    expect_api(
        &reply,
        201,
        "201 Created and the new todo, completed as sent",
        "POST /todos calls Store::add.",
    )?;
    if json_of(&reply)["completed"] != true {
        return Err(reply.fail(
            format!("the new todo {other:?} with \"completed\": true, as sent"),
            "Store::add should store completed as it is given (the API passes what the client \
             sent): VALUES (?1, ?2, ?3) with rusqlite::params![title, completed, order].",
        ));
    }
    let cleared = api(session, "DELETE", "/todos", None)?;
    expect_api(
        &cleared,
        204,
        "204 No Content",
        "DELETE /todos calls Store::delete_all.",
    )?;
    let list = api(session, "GET", "/todos", None)?;
    if json_of(&list) != json!([]) {
        return Err(list.fail(
            format!("[] after DELETE /todos (it had {other:?})"),
            "Store::delete_all should DELETE FROM todos, every row.",
        ));
    }
    Ok(())
}

fn unknown_ids_are_404(session: &mut Session) -> CheckResult {
    database(session)?;
    // A todo that existed: its id is certainly unknown once it is gone.
    let todo = create(session, &format!("Soon gone {}", marker()))?;
    let path = path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default();
    let deleted = api(session, "DELETE", &path, None)?;
    expect_api(
        &deleted,
        204,
        "204 No Content",
        "DELETE /todos/<id> calls Store::delete.",
    )?;
    let patch = json!({ "completed": true });
    let requests = [
        (
            "GET",
            path.as_str(),
            None,
            "Store::get returns None when no row has the id: query_row(...).optional().",
        ),
        (
            "PATCH",
            path.as_str(),
            Some(&patch),
            "Store::update returns None when no row has the id: .optional().",
        ),
        (
            "DELETE",
            path.as_str(),
            None,
            "Store::delete returns false when no row was deleted: execute(...)? == 1.",
        ),
        (
            "GET",
            "/todos/not-a-number",
            None,
            "The API answers a path like this itself; keep api.rs as given.",
        ),
    ];
    for (method, path, body, hint) in requests {
        let reply = api(session, method, path, body)?;
        expect_api(
            &reply,
            404,
            "404 Not Found, with a JSON body {\"error\": \"...\"}",
            hint,
        )?;
        if !json_of(&reply)["error"].is_string() {
            return Err(reply.fail("a JSON body {\"error\": \"...\"}", "Keep api.rs as given."));
        }
    }
    // A todo that exists has one URL: other spellings of its id are 404.
    let kept = create(session, &format!("One URL {}", marker()))?;
    let id = id_of(&kept).unwrap_or_default();
    for odd in [format!("+{id}"), format!("0{id}"), format!("{id}/")] {
        let path = format!("/todos/{odd}");
        let reply = api(session, "GET", &path, None)?;
        expect_api(
            &reply,
            404,
            &format!(
                "404 Not Found: the todo is /todos/{id}, and {odd:?} is not how its id is written"
            ),
            "The API reads ids with id_from (given in main.rs), which takes only the plain decimal \
             form: str::parse would also read +7 and 07 as 7, giving one todo many URLs. Keep \
             api.rs and id_from as given.",
        )?;
    }
    Ok(())
}

fn titles_are_parameters(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let titles = [
        "'); DROP TABLE todos;--".to_owned(),
        format!("Robert'); DELETE FROM todos; -- {run}"),
        format!("It's 100% \"quoted\", with ?1 and \\ and ; {run}"),
    ];
    let mut made = Vec::new();
    for title in &titles {
        let reply = api(session, "POST", "/todos", Some(&json!({ "title": title })))?;
        expect_api(
            &reply,
            201,
            &format!("201 Created, with the title stored as typed: {title:?}"),
            "A title with a ' breaks SQL that pastes it into the statement (format!): pass it as \
             a parameter, VALUES (?1, ?2, ?3) with rusqlite::params![...], and SQLite never \
             reads it as SQL.",
        )?;
        made.push(json_of(&reply));
    }
    for (title, todo) in titles.iter().zip(&made) {
        let path = path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default();
        let reply = api(session, "GET", &path, None)?;
        if reply.status != 200 || json_of(&reply)["title"] != title.as_str() {
            return Err(reply.fail(
                format!("200 OK and the title exactly as typed: {title:?}"),
                "Store the title itself, as a parameter: no escaping, no quotes added.",
            ));
        }
    }
    let page = get_page(session)?;
    let text = text_of(&page.body);
    if let Some(title) = titles.iter().find(|title| !text.contains(title.as_str())) {
        return Err(page_fail(
            &page,
            &[&run, THE_LIST[0], THE_LIST[1]],
            format!(
                "the page to show {title:?} as typed (the table still there, every todo on it)"
            ),
            "The titles must be stored and listed as they were sent: with parameters, a title is \
             only ever data.",
        ));
    }
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
        let (_, before) = snapshot(session)?;
        let path = path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default();
        let reply = api(session, "PATCH", &path, Some(&json!({ "title": title })))?;
        let expected =
            format!("200 OK, and only the todo {path} renamed, exactly as typed: {title:?}");
        expect_api(&reply, 200, &expected, hint)?;
        let (list, after) = snapshot(session)?;
        // Every other todo as it was: the lines of the two snapshots that
        // are not about this one.
        let others = |todos: &[String]| -> Vec<String> {
            let own = format!("{path} ");
            todos
                .iter()
                .filter(|todo| !todo.starts_with(&own))
                .cloned()
                .collect()
        };
        let (others_before, others_after) = (others(&before), others(&after));
        if others_before != others_after {
            let changed = others_before
                .iter()
                .filter(|todo| !others_after.contains(todo))
                .count();
            return Err(list.fail(
                format!(
                    "after PATCH {path}, every other todo as it was; {changed} of {} changed \
                     (the title became SQL)",
                    others_before.len()
                ),
                hint,
            ));
        }
        if json_of(&reply)["title"] != title.as_str() {
            return Err(reply.fail(expected, hint));
        }
        let now = todo_at(session, &path)?;
        if now["title"] != title.as_str() {
            return Err(reply.fail(
                format!("then GET {path} to show the title exactly as typed: {title:?}"),
                hint,
            ));
        }
    }
    Ok(())
}

fn no_todo_lost_under_load(session: &mut Session) -> CheckResult {
    const CLIENTS: usize = 20;
    const TODOS: usize = 25;
    database(session)?;
    let run = marker();
    let url = format!("{}/todos", session.server()?.base_url());
    let client = session.client().clone();
    let sent = format!(
        "{CLIENTS} clients at once, each sending {TODOS} POSTs to /todos \
         (like curl -d '{{\"title\": \"...\"}}' http://localhost:8000/todos)"
    );
    let results = at_once(CLIENTS, |number| {
        for todo in 0..TODOS {
            let title = format!("{run}-{number:02}-{todo:02}");
            let result = client
                .post(&url)
                .header("Content-Type", "application/json")
                .body(json!({ "title": title }).to_string())
                .send();
            let response = result.map_err(|error| format!("a POST got no answer: {error}"))?;
            let status = response.status().as_u16();
            let body = response.text().unwrap_or_default();
            if status != 201 {
                return Err(format!("a POST got {status}: {body}"));
            }
            let stored: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if stored["title"] != title.as_str() {
                return Err(format!(
                    "the POST of {title:?} was answered with another todo: {body}"
                ));
            }
        }
        Ok(())
    });
    let problems = problems(&results);
    if let Some(problem) = problems.first() {
        return Err(Failure {
            sent,
            expected: "every POST answered 201 Created with its own todo".into(),
            got: format!(
                "{} of {CLIENTS} clients had trouble; the first: {problem}",
                problems.len()
            ),
            hint:
                "Each method of Store should lock the connection once (self.connection()) and do \
                   its work in one statement: INSERT ... RETURNING gives the new row back at once. \
                   Reading last_insert_rowid or max(id) in a second statement can get another \
                   thread's todo."
                    .into(),
        });
    }
    let list = api(session, "GET", "/todos", None)?;
    let todos = json_of(&list);
    let titles: Vec<&str> = todos
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|todo| todo["title"].as_str())
        .filter(|title| title.starts_with(run.as_str()))
        .collect();
    let mut missing = Vec::new();
    let mut repeated = Vec::new();
    for number in 0..CLIENTS {
        for todo in 0..TODOS {
            let title = format!("{run}-{number:02}-{todo:02}");
            match titles.iter().filter(|listed| **listed == title).count() {
                0 => missing.push(title),
                1 => {}
                _ => repeated.push(title),
            }
        }
    }
    if missing.is_empty() && repeated.is_empty() {
        return Ok(());
    }
    Err(list.fail(
        format!(
            "all {} todos in GET /todos, each once ({} missing, {} more than once, such as {:?})",
            CLIENTS * TODOS,
            missing.len(),
            repeated.len(),
            missing.first().or(repeated.first())
        ),
        "Every POST that was answered 201 must be in the database, once: one INSERT per todo.",
    ))
}

/// A title of `length` characters, made of `piece` repeated (and cut).
fn title_of_length(piece: &str, length: usize) -> String {
    piece.chars().cycle().take(length).collect()
}

fn api_limits_titles(session: &mut Session) -> CheckResult {
    database(session)?;
    // 500 characters of two bytes each: kept (the limit counts characters).
    let longest = title_of_length(&format!("é{}", marker()), 500);
    let reply = api(
        session,
        "POST",
        "/todos",
        Some(&json!({ "title": longest })),
    )?;
    expect_api(
        &reply,
        201,
        "201 Created: a title of 500 characters (1,000 bytes or so) is within the limit",
        "The limit is 500 characters, counted with chars().count(), not bytes: title_too_long, \
         given in main.rs.",
    )?;
    let path = path_of_url(json_of(&reply)["url"].as_str().unwrap_or("")).unwrap_or_default();
    let too_long = title_of_length(&format!("x{}", marker()), 501);
    let limit_hint = "The API refuses a title over 500 characters with 400 and a sentence that \
                      names the limit (refuse_long in api.rs, given): one client must not fill \
                      the disk, or make every page huge. Keep api.rs as given.";
    for (method, at) in [("POST", "/todos"), ("PATCH", path.as_str())] {
        let reply = api(session, method, at, Some(&json!({ "title": too_long })))?;
        let error = json_of(&reply)["error"].as_str().unwrap_or("").to_owned();
        if reply.status != 400 || !error.contains("500") {
            return Err(reply.fail(
                "400 Bad Request and a JSON error that names the limit, 500 characters",
                limit_hint,
            ));
        }
    }
    if todo_at(session, &path)?["title"] != longest.as_str() {
        return Err(Failure::plain(
            format!("after a refused PATCH of a 501-character title, GET {path} changed"),
            limit_hint,
        ));
    }
    Ok(())
}

/// A folder removed when it is dropped.
struct FolderGone(PathBuf);

impl Drop for FolderGone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
fn write_ahead_log_stays_small(session: &mut Session) -> CheckResult {
    const WRITES: usize = 2_500;
    const MAX_WAL: u64 = 8 << 20;
    let folder = session.temp_dir()?;
    let in_memory = PathBuf::from("/dev/shm");
    let place = if in_memory.is_dir() {
        in_memory.join(format!(
            "course-todo-wal-{}-{}",
            std::process::id(),
            marker()
        ))
    } else {
        folder.join("wal")
    };
    std::fs::create_dir_all(&place)
        .map_err(|error| Failure::plain(format!("cannot make {}: {error}", place.display()), ""))?;
    let _gone = FolderGone(place.clone());
    let db = place.join("wal.sqlite3");
    let wal = place.join("wal.sqlite3-wal");
    let launch = Launch::default()
        .env("TODO_DB", db.display().to_string())
        .in_dir(folder);
    let name = session.binary_name();
    let server = ServerProcess::start_with(session.binary(), &name, &launch)?;
    let url = format!("{}/todos", server.base_url());
    let client = session.client().clone();
    let send = |method: reqwest::Method, url: &str, title: String, expected: u16| {
        let response = client
            .request(method, url)
            .header("Content-Type", "application/json")
            .body(json!({ "title": title }).to_string())
            .send()
            .map_err(|error| format!("no answer: {error}"))?;
        let status = response.status().as_u16();
        let body = response.text().unwrap_or_default();
        if status == expected {
            Ok(body)
        } else {
            Err(format!("{status}: {body}"))
        }
    };
    let sent = |what: &str| {
        format!(
            "TODO_DB={} {name}, then {what} (like curl -d '{{\"title\": \"...\"}}' \
             http://localhost:8000/todos)",
            db.display()
        )
    };
    let wal_size = || std::fs::metadata(&wal).map_or(0, |metadata| metadata.len());
    let mut paths = Vec::new();
    for number in 0..WRITES {
        let body = send(reqwest::Method::POST, &url, format!("Todo {number}"), 201).map_err(
            |problem| Failure::plain(format!("POST /todos got {problem}"), WRITE_THE_STORE),
        )?;
        let todo: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        paths.push(path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default());
    }
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20));
    let hint = |statement: &str| {
        format!(
            "SQLite appends every write to the -wal file and folds it back into the database \
             every 1,000 pages, but only when a statement is stepped to its end. query_row stops \
             after the first row of {statement} ... RETURNING: the write is kept, the log is \
             never folded back, and it grows with every todo until the disk is full. Use \
             query_one, which reads on to the end to make sure there is only one row."
        )
    };
    let after_adds = wal_size();
    if after_adds >= MAX_WAL {
        return Err(Failure {
            sent: sent(&format!("{WRITES} POSTs to /todos, one after the other")),
            expected: format!("the -wal file under {}", mib(MAX_WAL)),
            got: format!(
                "{} of -wal (the database itself: {})",
                mib(after_adds),
                mib(std::fs::metadata(&db).map_or(0, |m| m.len()))
            ),
            hint: hint("INSERT (Store::add)"),
        });
    }
    for number in 0..WRITES {
        let path = &paths[number % paths.len()];
        let at = format!("{}{path}", server.base_url());
        send(reqwest::Method::PATCH, &at, format!("Edited {number}"), 200).map_err(|problem| {
            Failure::plain(format!("PATCH {path} got {problem}"), WRITE_THE_STORE)
        })?;
    }
    let after_edits = wal_size();
    drop(server);
    if after_edits >= MAX_WAL {
        return Err(Failure {
            sent: sent(&format!(
                "{WRITES} POSTs to /todos (the -wal file: {}), then {WRITES} PATCHes of their titles",
                mib(after_adds)
            )),
            expected: format!("the -wal file still under {}", mib(MAX_WAL)),
            got: format!("{} of -wal", mib(after_edits)),
            hint: hint("UPDATE (Store::update)"),
        });
    }
    Ok(())
}

// ---- Step c ----

fn page_has_the_forms(session: &mut Session) -> CheckResult {
    database(session)?;
    let todo = create(session, &format!("Form me {}", marker()))?;
    let id = id_of(&todo).unwrap_or_default();
    let page = get_page(session)?;
    let Some(add) = form_posting_to(&page.body, "/") else {
        return Err(page_fail(
            &page,
            &["<form", THE_LIST[0]],
            "<form method=\"post\" action=\"/\"> with an <input name=\"title\">",
            "Write the add_form macro in FORMS_TEMPLATE: a form that POSTs to /, so that the \
             browser sends title=... in the body.",
        ));
    };
    let has_title = add
        .field("title")
        .is_some_and(|field| field.tag == "input" || field.tag == "textarea");
    if !has_title || !add.has_submit() {
        return Err(page_fail(
            &page,
            &["<form", THE_LIST[0]],
            "inside the add form: <input name=\"title\"> and a <button type=\"submit\">",
            "The field's name is what the text travels under: name=\"title\" makes title=... .",
        ));
    }
    for action in ["toggle", "delete"] {
        let path = format!("/{action}/{id}");
        match form_posting_to(&page.body, &path) {
            Some(form) if form.has_submit() => {}
            Some(_) => {
                return Err(page_fail(
                    &page,
                    &[&format!("/{action}/{id}"), &format!("{id}\""), THE_LIST[0]],
                    format!("a submit button inside <form method=\"post\" action=\"{path}\">"),
                    "Without a <button type=\"submit\"> there is nothing to press.",
                ));
            }
            None => {
                return Err(page_fail(
                    &page,
                    &[&format!("/{action}/{id}"), &format!("{id}\""), THE_LIST[0]],
                    format!("<form method=\"post\" action=\"{path}\"> for the todo {id}"),
                    "Write the toggle_form and delete_form macros: each a form that POSTs to \
                     /toggle/{{ todo.id }} (or /delete/...), with a button.",
                ));
            }
        }
    }
    Ok(())
}

/// Checks a redirect: 303 See Other to `/`. A page instead is shown
/// around `about`, the todo the POST was about.
fn expect_see_other(reply: &Reply, about: &str, hint: &str) -> CheckResult {
    let expected = "303 See Other, with Location: /";
    match reply.status {
        303 => {}
        501 => return Err(reply.fail(expected, hint)),
        200 => {
            return Err(page_fail(
                reply,
                &[about, THE_LIST[0]],
                expected,
                "Do not answer a POST with the page: reloading it would send the form again. \
                 Answer 303 See Other with Location: / (Post/Redirect/Get, lesson 2).",
            ));
        }
        302 => {
            return Err(reply.fail(
                expected,
                "Use 303 See Other: it says plainly \"GET the result at Location\". 302 only says \
                 \"it is elsewhere for now\", without saying with which method; browsers happen \
                 to follow it with a GET, but the code does not promise it.",
            ));
        }
        301 | 307 | 308 => {
            return Err(reply.fail(
                expected,
                "Use 303 See Other: it tells the browser to GET the list; after 307 or 308 it \
                 would POST the form again, and 301 says the form's path moved for good.",
            ));
        }
        _ => return Err(reply.fail(expected, hint)),
    }
    if reply.header("location") != Some("/") {
        return Err(reply.fail(
            expected,
            "The list is at /: send_header(\"Location\", \"/\").",
        ));
    }
    Ok(())
}

/// The todo the API has at `path`, if any (`Null` if none).
fn todo_at(session: &mut Session, path: &str) -> Result<Value, Failure> {
    let reply = api(session, "GET", path, None)?;
    Ok(if reply.status == 200 {
        json_of(&reply)
    } else {
        Value::Null
    })
}

fn add_form_redirects(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let title = format!("Water the plants {run}");
    // Typed with spaces around it, as people do: stored trimmed.
    let typed = format!("  {title}   ");
    let reply = session.post_form("/", &[("title", &typed)])?;
    expect_see_other(
        &reply,
        &run,
        "In add_from_form: take form.get(\"title\"), store it with self.store.add(title, false, None)?, \
         then answer 303 See Other with Location: /.",
    )?;
    let page = get_page(session)?;
    if item_showing(&page.body, &title).is_none() {
        return Err(page_fail(
            &page,
            &[&run, THE_LIST[0], THE_LIST[1]],
            format!("after the 303, the list to show {title:?}"),
            "add_from_form should store the title with self.store.add before it redirects.",
        ));
    }
    let list = api(session, "GET", "/todos", None)?;
    let untrimmed = json_of(&list)
        .as_array()
        .is_some_and(|todos| todos.iter().any(|todo| todo["title"] == typed.as_str()));
    if untrimmed {
        return Err(list.fail(
            format!("GET /todos to have the todo {title:?}, trimmed (the form sent {typed:?})"),
            "Store the title trimmed: let title = typed.trim(); then self.store.add(title, false, \
             None)?, not typed. Spaces around a title are not part of it (and the empty test \
             and the limit look at the trimmed title too).",
        ));
    }
    let in_api = json_of(&list).as_array().is_some_and(|todos| {
        todos
            .iter()
            .any(|todo| todo["title"] == title.as_str() && todo["completed"] == false)
    });
    if !in_api {
        return Err(list.fail(
            format!("GET /todos to have the todo {title:?}, not completed"),
            "The page and the API share one store: add the todo with self.store.add.",
        ));
    }
    Ok(())
}

fn toggle_and_delete_redirect(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let todo = create(session, &format!("Toggle me {run}"))?;
    let id = id_of(&todo).unwrap_or_default();
    let path = format!("/todos/{id}");
    for expected in [true, false] {
        let reply = session.post_form(&format!("/toggle/{id}"), &[])?;
        expect_see_other(
            &reply,
            &run,
            "In toggle_from_form: self.store.toggle(id)?, then 303 See Other with Location: /.",
        )?;
        let now = todo_at(session, &path)?;
        if now["completed"] != expected {
            return Err(reply.fail(
                format!("after the POST, GET {path} to say \"completed\": {expected}"),
                "Toggling flips completed, each time: UPDATE todos SET completed = NOT completed \
                 WHERE id = ?1.",
            ));
        }
    }
    let reply = session.post_form(&format!("/delete/{id}"), &[])?;
    expect_see_other(
        &reply,
        &run,
        "In delete_from_form: self.store.delete(id)?, then 303 See Other with Location: /.",
    )?;
    if !todo_at(session, &path)?.is_null() {
        return Err(reply.fail(
            format!("after the POST, GET {path} to answer 404: the todo is gone"),
            "delete_from_form should call self.store.delete(id).",
        ));
    }
    Ok(())
}

/// Many clicks at once on the same todos, an even number on each: every
/// todo must end as it began. A toggle that reads the todo and then writes
/// it (two statements, the lock taken twice) lets two clicks read the same
/// state, and one of them is lost. Timing cannot force that interleaving,
/// so a crowd makes it all but certain: with the read-then-write toggle of
/// the lesson's catalog, this check failed 50 runs out of 50.
fn no_click_lost(session: &mut Session) -> CheckResult {
    // A todo whose lost clicks happen to be even ends right, so one todo
    // would pass half the time; twelve all pass about once in 4,000.
    const TODOS: usize = 12;
    const CLIENTS: usize = 16;
    const ROUNDS: usize = 4;
    database(session)?;
    let run = marker();
    let mut ids = Vec::new();
    for number in 0..TODOS {
        let todo = create(session, &format!("Click me {number} {run}"))?;
        ids.push(id_of(&todo).unwrap_or_default());
    }
    let base = session.server()?.base_url().to_owned();
    let client = session.client().clone();
    // Every client clicks the todos in the same order, ROUNDS times over,
    // so that the clicks on each todo come from many clients at once.
    let results = at_once(CLIENTS, |_| {
        for click in 0..TODOS * ROUNDS {
            let id = ids[click % TODOS];
            post_form_expecting(&client, &format!("{base}/toggle/{id}"), &[], 303)?;
        }
        Ok(())
    });
    let clicks = CLIENTS * ROUNDS;
    let sent = format!(
        "{CLIENTS} clients at once, each clicking Done/Undo {ROUNDS} times on each of {TODOS} \
         todos (like curl -X POST http://localhost:8000/toggle/{}): {clicks} clicks per todo",
        ids[0]
    );
    let problems = problems(&results);
    if let Some(problem) = problems.first() {
        return Err(Failure {
            sent,
            expected: "every POST answered 303 See Other".into(),
            got: format!(
                "{} of {CLIENTS} clients had trouble; the first: {problem}",
                problems.len()
            ),
            hint: "Each click is one POST /toggle/<id>: toggle the todo, then redirect.".into(),
        });
    }
    for id in ids {
        let path = format!("/todos/{id}");
        let now = todo_at(session, &path)?;
        if now["completed"] != false {
            return Err(Failure {
                sent,
                expected: format!(
                    "GET {path} to say \"completed\": false, as it began: {clicks} clicks, an even \
                     number, leave a todo as it was"
                ),
                got: format!("{now}: at least one click was lost"),
                hint: "Two clicks at the same moment both read the todo before either writes it, \
                       and write the same value: one click is lost. That happens when toggle reads \
                       the todo, then writes completed = !completed, locking the connection twice. \
                       Do it in one statement, which SQLite runs whole: UPDATE todos SET completed \
                       = NOT completed WHERE id = ?1."
                    .into(),
            });
        }
    }
    Ok(())
}

fn bad_forms_are_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let normal = get_page(session)?;
    for title in ["", "   "] {
        let reply = session.post_form("/", &[("title", title)])?;
        let expected = "400 Bad Request, and the page again: the add form and a message";
        if reply.status == 501 {
            return Err(reply.fail(expected, "Write add_from_form (step c)."));
        }
        if reply.status != 400 {
            return Err(reply.fail(
                expected,
                "A todo needs a title: when form.get(\"title\") is missing or blank (trim it), \
                 do not store anything; answer self.send_list(response, 400, Some(\"...\")).",
            ));
        }
        let has_form = form_posting_to(&reply.body, "/").is_some();
        let normal_lines: Vec<&str> = normal.body.lines().collect();
        let has_message = reply.body.lines().any(|line| {
            !line.trim().is_empty()
                && !normal_lines.contains(&line)
                && !text_of(line).trim().is_empty()
        });
        if reply.media_type().as_deref() != Some("text/html") || !has_form || !has_message {
            return Err(page_fail(
                &reply,
                &[],
                expected,
                "Answer with the list page, so that the visitor can try again, and a message \
                 that says what was wrong: self.send_list(response, 400, Some(\"A todo needs a title.\")).",
            ));
        }
    }
    for path in [
        "/toggle/999999999",
        "/delete/999999999",
        "/toggle/not-a-number",
    ] {
        let reply = session.post_form(path, &[])?;
        if reply.status != 404 {
            return Err(reply.fail(
                "404 Not Found: there is no such todo",
                "self.store.toggle(id)? (and delete) is false when no row has this id: answer \
                 return Err(HttpError::new(404, \"...\").into()).",
            ));
        }
    }
    // A todo that exists, named in other spellings of its id: 404, and
    // the todo as it was.
    let todo = create(session, &format!("Spelled one way {}", marker()))?;
    let id = id_of(&todo).unwrap_or_default();
    let path = format!("/todos/{id}");
    for odd in [
        format!("/toggle/+{id}"),
        format!("/delete/0{id}"),
        format!("/toggle/{id}/"),
    ] {
        let reply = session.post_form(&odd, &[])?;
        let now = todo_at(session, &path)?;
        if reply.status != 404 || now["completed"] != false {
            return Err(reply.fail(
                format!("404 Not Found, and todo {id} unchanged: its id is written {id}"),
                "do_post reads the id with id_after, which takes only the plain decimal form \
                 (id_from, given): str::parse would also read +7 and 07 as 7. Keep them as given.",
            ));
        }
    }
    Ok(())
}

fn long_titles_are_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    // 501 characters, with what must be escaped in an attribute.
    let too_long = title_of_length(&format!("Say \"<hi>\" & 'bye' {run} "), 501);
    let reply = session.post_form("/", &[("title", &too_long)])?;
    let expected = "400 Bad Request, and the page again: a message that names the limit (\"500 \
                    characters\"), and the add form with the title as typed in its field";
    let hint = "In add_from_form, title_too_long(title) (given) is Some(sentence) when the title \
                is over 500 characters: answer self.send_list(response, 400, Some(&sentence), \
                typed), and in add_form put it back: <input name=\"title\" ... value=\"{{ typed \
                }}\"> (escaped for you, quotes included).";
    if reply.status != 400 {
        return Err(reply.fail(expected, hint));
    }
    let form = form_posting_to(&reply.body, "/");
    let put_back = form
        .as_ref()
        .and_then(|form| form.field("title"))
        .is_some_and(|field| unescape(&field.value) == too_long);
    // "500 characters": other todos' random markers can hold a bare 500.
    if !put_back || !text_of(&reply.body).contains("500 character") {
        return Err(page_fail(&reply, &["<form", "500"], expected, hint));
    }
    if item_showing(&get_page(session)?.body, &run).is_some() {
        return Err(Failure::plain(
            "a title of 501 characters was refused with 400, but it is on the list",
            "Do not store a title that is too long: return before self.store.add.",
        ));
    }
    // 500 characters of two bytes each are within the limit.
    let longest = title_of_length(&format!("é {run} "), 500);
    let reply = session.post_form("/", &[("title", &longest)])?;
    expect_see_other(
        &reply,
        &run,
        "A title of 500 characters is within the limit: it counts characters \
         (chars().count(), as title_too_long does), not bytes (len()).",
    )?;
    // 500 characters with spaces around them: the limit is on the title
    // as stored, trimmed.
    let longest = title_of_length(&format!("Trim me {run} "), 500);
    let reply = session.post_form("/", &[("title", &format!("   {}   ", longest.trim()))])?;
    expect_see_other(
        &reply,
        &run,
        "The title, trimmed, has at most 500 characters: it is within the limit. Test the \
         trimmed title, title_too_long(title) with title = typed.trim(), not typed: the \
         spaces around it are not kept, so they do not count.",
    )
}

/// Sends a request as a browser on another site's page would: with the
/// headers it adds, `Origin` or `Sec-Fetch-Site`.
fn from_elsewhere(
    session: &mut Session,
    method: &str,
    path: &str,
    header: (&str, &str),
    body: Option<(&str, Vec<u8>)>,
) -> Result<Reply, Failure> {
    let mut headers = vec![header];
    if let Some((content_type, _)) = &body {
        headers.push(("Content-Type", content_type));
    }
    session.send(Outgoing {
        method,
        path,
        headers,
        body: body.map(|(_, bytes)| bytes),
    })
}

/// A request another site's page sends: method, path, the header that
/// gives it away, and a body with its type.
type Attempt<'a> = (
    &'a str,
    String,
    (&'a str, &'a str),
    Option<(&'a str, Vec<u8>)>,
);

fn cross_site_changes_are_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let todo = create(session, &format!("Mine, not theirs {run}"))?;
    let id = id_of(&todo).unwrap_or_default();
    let path = format!("/todos/{id}");
    let (origin, fetch) = (
        ("Origin", "http://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    );
    let form = "application/x-www-form-urlencoded";
    let json_type = "application/json";
    let title = format!("Planted {run}");
    let attempts: Vec<Attempt> = vec![
        ("POST", format!("/delete/{id}"), origin, None),
        ("POST", format!("/toggle/{id}"), fetch, None),
        (
            "POST",
            "/".to_owned(),
            origin,
            Some((form, encode_form(&[("title", &title)]).into_bytes())),
        ),
        (
            "PATCH",
            path.clone(),
            origin,
            Some((
                json_type,
                json!({ "completed": true }).to_string().into_bytes(),
            )),
        ),
        (
            "POST",
            "/todos".to_owned(),
            fetch,
            Some((
                json_type,
                json!({ "title": title }).to_string().into_bytes(),
            )),
        ),
        ("DELETE", "/todos".to_owned(), fetch, None),
    ];
    let hint = "Any page on the web can make a visitor's browser send a form (or a fetch) here; \
                the browser says so with Sec-Fetch-Site, or an Origin that is not this server. \
                main.rs serves CrossSiteGuard(app), which refuses such a POST, PATCH, PUT or \
                DELETE with 403 before the app sees it: keep it as given.";
    for (method, at, header, body) in attempts {
        let reply = from_elsewhere(session, method, &at, header, body)?;
        let now = todo_at(session, &path)?;
        let planted = api(session, "GET", "/todos", None)?.body.contains(&title);
        if reply.status != 403 || now["completed"] != false || planted {
            return Err(reply.fail(
                format!(
                    "403 Forbidden, and nothing changed: todo {id} still there, not completed, and \
                     no todo {title:?}"
                ),
                hint,
            ));
        }
    }
    // The server's own page is let through: its Origin is the server.
    let base = session.server()?.base_url().to_owned();
    let reply = from_elsewhere(
        session,
        "POST",
        &format!("/toggle/{id}"),
        ("Origin", &base),
        None,
    )?;
    expect_see_other(
        &reply,
        &run,
        "A form on the server's own page sends Origin: the server's own address; that one must \
         be served (303), not refused.",
    )
}

// ---- Step d ----

/// What the API lists, without the `url`'s host (its port changes at a
/// restart): `(path, title, completed, order)`, in order.
fn snapshot(session: &mut Session) -> Result<(Reply, Vec<String>), Failure> {
    let list = api(session, "GET", "/todos", None)?;
    let todos = json_of(&list)
        .as_array()
        .into_iter()
        .flatten()
        .map(|todo| {
            let path = path_of_url(todo["url"].as_str().unwrap_or("")).unwrap_or_default();
            format!(
                "{path} {} completed={} order={}",
                todo["title"], todo["completed"], todo["order"]
            )
        })
        .collect();
    Ok((list, todos))
}

fn todos_survive_a_restart(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let kept = create(session, &format!("Kept through a restart {run}"))?;
    complete(session, &kept)?;
    let from_form = format!("Added with the form, kept too {run}");
    let reply = session.post_form("/", &[("title", &from_form)])?;
    expect_see_other(&reply, &run, "The add form must work first (step c).")?;
    let (_, before) = snapshot(session)?;
    session.restart()?;
    let (list, after) = snapshot(session)?;
    if after != before {
        let lost = before.iter().filter(|todo| !after.contains(todo)).count();
        return Err(list.fail(
            format!(
                "after the restart, the same {} todos as before (the server was stopped as a crash \
                 would stop it, then started again with the same TODO_DB); {lost} are missing or changed",
                before.len()
            ),
            "The todos live in a database in memory, which goes with the server. Open the file \
             TODO_DB names instead: Connection::open(&path) in the TODO(d) region.",
        ));
    }
    let page = get_page(session)?;
    if item_showing(&page.body, &from_form).is_none() {
        return Err(page_fail(
            &page,
            &[&run, THE_LIST[0], THE_LIST[1]],
            format!("after the restart, the list to show {from_form:?}"),
            "The page and the API read the same database.",
        ));
    }
    Ok(())
}

fn database_is_the_named_file(session: &mut Session) -> CheckResult {
    let path = database(session)?;
    create(session, &format!("In the file {}", marker()))?;
    let size = std::fs::metadata(&path)
        .map(|metadata| metadata.len())
        .unwrap_or(0);
    if size == 0 {
        return Err(Failure::plain(
            format!(
                "TODO_DB={} but that file is missing or empty",
                path.display()
            ),
            "Open the file that the TODO_DB environment variable names: std::env::var_os(\"TODO_DB\").",
        ));
    }
    // The start-up line says where the todos are kept: the same file.
    let server = session.server()?;
    let line = start_up_line(server);
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
    // Without TODO_DB, and with TODO_DB set to nothing, in a folder of
    // its own: todo.sqlite3 appears there.
    for (unset, how) in [(true, "TODO_DB not set"), (false, "TODO_DB set to \"\"")] {
        let folder = session
            .temp_dir()?
            .join(if unset { "default" } else { "empty" });
        std::fs::create_dir_all(&folder).map_err(|error| {
            Failure::plain(format!("cannot make {}: {error}", folder.display()), "")
        })?;
        let launch = if unset {
            Launch::default().env_remove("TODO_DB")
        } else {
            Launch::default().env("TODO_DB", "")
        }
        .in_dir(folder.clone());
        let name = session.binary_name();
        let server = ServerProcess::start_with(session.binary(), &name, &launch)?;
        let created = session
            .client()
            .post(format!("{}/todos", server.base_url()))
            .body(json!({ "title": "default file" }).to_string())
            .send()
            .map(|response| response.status().as_u16())
            .map_err(|error| error.to_string());
        drop(server);
        let expected = folder.join("todo.sqlite3");
        if created != Ok(201) || !expected.is_file() {
            let hint = if unset {
                "When TODO_DB is not set, use \"todo.sqlite3\": a relative path, so the file is \
                 made in the folder the server runs in."
            } else {
                "An empty TODO_DB is as if it were not set (a script's TODO_DB= often means \
                 \"unset\"): SQLite would open \"\" as a temporary database, lost at exit. \
                 Filter it out: std::env::var_os(\"TODO_DB\").filter(|path| !path.is_empty()), \
                 then \"todo.sqlite3\" when there is none."
            };
            return Err(Failure {
                sent: format!(
                    "cd {} && {name}   ({how}), then a POST to /todos",
                    folder.display()
                ),
                expected: "a new file todo.sqlite3 in the current folder".into(),
                got: format!(
                    "the POST got {created:?}; todo.sqlite3 there: {}",
                    expected.is_file()
                ),
                hint: hint.into(),
            });
        }
    }
    Ok(())
}

/// The start-up line, `3 todos kept in todo.sqlite3`, if the server
/// printed it. `run` prints it before the server's address, so it is
/// already in the pipe when the server is up: the wait is only for the
/// thread that reads the pipe, and it ends as soon as the line is there.
fn start_up_line(server: &ServerProcess) -> Option<String> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let output = server.output();
        if let Some(line) = output.lines().find(|line| line.contains(" kept in ")) {
            return Some(line.to_owned());
        }
        if Instant::now() >= until {
            return None;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn bad_database_path_is_refused(session: &mut Session) -> CheckResult {
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
    // Started as a server first: its first line says at once whether it
    // serves (no waiting for a program that never ends). One that does
    // not serve is then run to its end, for its exit code and output.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pages_as_a_reader_would() {
        assert_eq!(
            unescape("&lt;b&gt; &amp; &#x27;x&#39; &#x2f; &nope; & a"),
            "<b> & 'x' / &nope; & a"
        );
        let page = r#"<ul><li class="completed done"><span>A &lt;b&gt;</span></li><li>B</li></ul>"#;
        let (tag, _) = item_showing(page, "A <b>").expect("the first item");
        assert!(is_completed(&tag));
        let (tag, _) = item_showing(page, "B").expect("the second item");
        assert!(!is_completed(&tag));
        assert!(item_showing(page, "C").is_none());
    }

    #[test]
    fn finds_forms_by_their_action() {
        let page = r#"<form method="post" action="/toggle/7"><button>Done</button></form>
            <form method="get" action="/delete/7"><button>x</button></form>"#;
        let toggle = form_posting_to(page, "/toggle/7").expect("the toggle form");
        assert!(toggle.has_submit());
        assert!(
            form_posting_to(page, "/delete/7").is_none(),
            "a GET form is not enough"
        );
    }

    #[test]
    fn reads_ids_from_urls() {
        let todo = json!({ "url": "http://127.0.0.1:4000/todos/12" });
        assert_eq!(id_of(&todo), Some(12));
        assert_eq!(path_of_url("http://localhost/elsewhere/1"), None);
    }
}
