//! Lesson 8, the todo API, in five steps: (a) the router, (b) todos out as
//! JSON with absolute URLs, (c) JSON in: create, validate, refuse clearly,
//! (d) PATCH and DELETE, (e) CORS. Together they cover what the public
//! Todo-Backend specification checks: creating, listing, deleting all,
//! fetching a todo by its `url`, a partial PATCH of each field, deleting
//! one, and the preflight of a page from another origin. The program also
//! serves lesson 7's front-end at `/` (given, outside the steps).
//!
//! Every check of a run talks to the same server, but for the crowd of
//! step c and the full store of step d, which start servers of their own
//! (the store keeps at most 10,000 todos). The program starts with
//! two example todos, so that step (b) can be checked before POST exists;
//! later checks make their own todos, with titles from the run's seed
//! (`kit::seed`, printed on failure), and look only at those.

mod cors;
mod load;
mod router;
mod todos;

use serde_json::Value;

use crate::kit::seed::random_number;
use crate::session::{Reply, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};

/// Lesson 8, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(8, "todo_api", "Todo API").checks(
    CHECKS,
    HINTS,
    include_str!("lesson8.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "GET / serves lesson 7's front-end: the page, style.css and app.js, each with its content type", router::serves_the_front_end),
    Check::step("a", "every route of the API reaches its handler (no 404 or 405 for GET, HEAD, POST, PATCH, DELETE, OPTIONS)", router::routes_reach_their_handlers),
    Check::step("a", "an unknown path, or a todo id that is not a number in its one spelling (+1, 01, 1/), gets 404 and a JSON error", router::unknown_paths_are_not_found),
    Check::step("a", "a method a path does not support gets 405, an Allow header and a JSON error", router::wrong_methods_are_not_allowed),
    Check::step("b", "GET /todos answers 200 with a JSON array of todos (title, completed)", todos::list_is_a_json_array),
    Check::step("b", "each todo has an id and an absolute url made from the Host header, and GET on the url gives the todo", todos::todos_have_absolute_urls),
    Check::step("b", "GET /todos/{id} of an id that is not there gets 404 and a JSON error", todos::unknown_todo_is_not_found),
    Check::step("c", "POST /todos answers 201 Created, Location: the new todo's url, and the todo as sent", todos::post_creates_a_todo),
    Check::step("c", "keys the server owns (url, id) or does not know are ignored, and any Content-Type is read as JSON", todos::extra_keys_are_ignored),
    Check::step("c", "a body that is not JSON, a field of the wrong type, or no title gets 400 and a JSON error that says why", todos::bad_bodies_are_refused),
    Check::step("c", "a title of 500 characters is kept; one of 501 gets 400 and a JSON error that names the limit", todos::long_titles_are_refused),
    Check::step("c", "50 clients at once, 190 todos each, five times: every todo is kept, none lost, each with its own id", load::no_todo_lost_under_load),
    Check::step("d", "PATCH /todos/{id} changes only the fields sent (title, completed, order) and answers the whole todo", todos::patch_changes_only_what_is_sent),
    Check::step("d", "PATCH with a whole todo sent back (url and id included) works; a wrong type or a title over 500 characters gets 400 and changes nothing", todos::patch_accepts_whole_todos),
    Check::step("d", "two clients PATCHing different fields of the same todos at once: both changes kept", load::no_patch_lost_under_load),
    Check::step("d", "DELETE /todos/{id} answers 204, and the todo is gone (404 for GET, PATCH and DELETE after); a new todo gets a new id", todos::delete_removes_one_todo),
    Check::step("d", "DELETE /todos answers 204, and GET /todos is then an empty array; ids are not given again", todos::delete_all_empties_the_list),
    Check::step("d", "with 10,000 todos kept, POST gets 507 and a JSON error that names the limit; after a DELETE there is room for one", load::full_store_is_refused),
    Check::step("e", "a preflight OPTIONS from a page on another port is answered 2xx, allowing its method and Content-Type", cors::preflight_is_allowed),
    Check::step("e", "every answer to another origin carries Access-Control-Allow-Origin, errors included", cors::every_answer_allows_other_origins),
];

/// The hints, per step: a nudge, the idea, then the code (a fragment of
/// the solution, as it is there).
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Try each route with curl first: `curl -i localhost:8000/todos`, `curl -i -X PATCH localhost:8000/todos/1`. Which answers come from the router (404, 405) rather than from a handler?",
        concept: "The router is one match on (method, segments.as_slice()), one arm per row of the API's table in the lesson text. (\"PATCH\", [\"todos\", id]) matches PATCH /todos/7 with id = \"7\". An id that is not a number in its one spelling (todo_id: digits only, no leading zero) names no todo (404); a path that exists with a method it does not support is 405, with the methods it does support in Allow.",
        code: "(method, [\"todos\", id]) => match todo_id(id) { None => Route::NotFound, Some(id) => match method { \"GET\" | \"HEAD\" => Route::GetTodo(id), \"PATCH\" => Route::UpdateTodo(id), \"DELETE\" => Route::DeleteTodo(id),",
    },
    Hint {
        step: Some("b"),
        nudge: "`curl -i localhost:8000/todos`: how would a client know where to send a PATCH for one of these todos?",
        concept: "A client changes a todo through its url, so the JSON of a todo has its id and url beside its own fields. The url is absolute, made from the Host header the client sent (todo_url(host, id)): a page served from elsewhere follows it. list() copies the todos out of the store, so that the lock is let go before the JSON is written.",
        code: "fn to_json(&self, id: u64, host: &str) -> TodoJson<'_> { TodoJson { id, todo: self, url: todo_url(host, id), } }",
    },
    Hint {
        step: Some("c"),
        nudge: "`curl -i -d '{\"title\": \"Buy milk\"}' localhost:8000/todos`, then the same with `-d 'oops'`: what should each get?",
        concept: "serde reads the body into TodoFields, whose fields are all Option (a PATCH sends only some) and which skips keys it does not know; its error message makes the 400. read_fields also refuses a title over MAX_TITLE_CHARS characters (chars().count(), not bytes), for POST and PATCH alike. create takes the id and stores the todo under one lock, unless the store is full (507), and answers 201 Created with the url in Location.",
        code: "let id = store.next_id; store.next_id += 1; let answer = Answer::json(201, &todo.to_json(id, host)); store.todos.insert(id, todo); Ok(answer.with_header(\"Location\", &todo_url(host, id)))",
    },
    Hint {
        step: Some("d"),
        nudge: "`curl -i -X PATCH -d '{\"completed\": true}' localhost:8000/todos/1`: the title must stay as it was.",
        concept: "PATCH changes only the fields that were sent, in the stored todo itself, with the store locked from reading it to answering. DELETE has nothing to say: 204 No Content (Answer::empty(204)), or 404 when the todo is not there. DELETE /todos clears the map but not next_id: ids are never given twice.",
        code: "let todo = store.todos.get_mut(&id).ok_or_else(|| no_such_todo(id))?; if let Some(title) = fields.title { todo.title = title; } if let Some(completed) = fields.completed { todo.completed = completed; }",
    },
    Hint {
        step: Some("e"),
        nudge: "A page from another origin (another port counts) may send a request, but the browser hides the answer unless the answer says the page may read it.",
        concept: "Access-Control-Allow-Origin: * on every answer, errors included (in Answer::send), lets any page read it. Before a PATCH, a DELETE or a JSON body, the browser first asks with OPTIONS (a preflight); preflight() lists the methods and headers it may send, and no second Allow-Origin (\"*, *\" is refused).",
        code: "Answer::empty(204).with_header(\"Access-Control-Allow-Methods\", \"GET, POST, PATCH, DELETE, OPTIONS\",).with_header(\"Access-Control-Allow-Headers\", \"Content-Type\")",
    },
];

/// An id no todo has: the checks never make this many.
const UNKNOWN_ID: u64 = 987_654_321;

/// A random title with something JSON must escape in it, from the run's
/// seed.
fn random_title() -> String {
    const WORDS: [&str; 8] = [
        "Buy milk",
        "Call \"Mum\"",
        "Fix the bike's brakes",
        "Read C:\\books\\rust.txt",
        "Water the plants 🌱",
        "Pay 12 € rent",
        "Write <b>tests</b> & docs",
        "Café at 10",
    ];
    let word = WORDS[(random_number() % WORDS.len() as u64) as usize];
    format!("{word} #{}", random_number() % 100_000)
}

/// A random `order` number.
fn random_order() -> i64 {
    (random_number() % 1000) as i64 + 1
}

/// The body as JSON (`Null` if it is not JSON).
fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or_default()
}

/// The id of a todo's JSON (0 if it has none: step b checks that).
fn id_of(todo: &Value) -> u64 {
    todo["id"].as_u64().unwrap_or(0)
}

/// The hint for an error whose status is right and whose body is not the
/// API's JSON error.
const JSON_ERRORS: &str = "The status is right. An API's errors are JSON too, so that a client \
    can show them: return Err(ApiError::new(status, \"what is wrong\")) and let into_answer() \
    write {\"error\": ...} with Content-Type: application/json.";

/// Expects an error answer of the API: `status` (else `hint`), and a JSON
/// body `{"error": "..."}` that says why.
fn expect_error(reply: &Reply, status: u16, hint: &str) -> CheckResult {
    reply
        .expect_status(status, hint)?
        .expect_media_type("application/json", JSON_ERRORS)?
        .expect_json_text("/error", JSON_ERRORS)?;
    Ok(())
}

/// The path of a todo's absolute url on the server under check, or a
/// failure that says what is wrong with the url.
fn path_of_url(session: &mut Session, reply: &Reply, url: &str) -> Result<String, Failure> {
    let base_url = session.server()?.base_url().to_owned();
    if let Some(path) = url.strip_prefix(&base_url)
        && path.starts_with("/todos/")
    {
        return Ok(path.to_owned());
    }
    let hint = if url.starts_with('/') {
        "The url is relative. A page served from another origin (lesson 7's front-end \
         elsewhere, a Todo-Backend test page) would follow it to its own server: make it \
         absolute, from the Host header the client sent: format!(\"http://{host}/todos/{id}\")."
    } else if url.contains("localhost:8000") || url.contains(":8000/") {
        "The url names port 8000, but the client asked on another port: build it from the \
         request's Host header, not from a fixed address."
    } else if !url.starts_with("http://") {
        "A todo's url is a full URL: http://, then the Host header's value, then /todos/{id}."
    } else {
        "The url should be http://{Host}/todos/{id}, with the Host header the client sent."
    };
    Err(reply.fail(
        format!("a url of the form {base_url}/todos/{{id}} (got {url:?})"),
        hint,
    ))
}

/// Makes a todo with POST and returns its JSON (which has a url) and the
/// url's path; for the checks of the steps after (c).
fn create(session: &mut Session, fields: &Value) -> Result<(Value, String), Failure> {
    let reply = session.send_json_request("POST", "/todos", Some(&fields.to_string()), &[])?;
    let todo = json_of(&reply);
    reply
        .expect(
            |reply| reply.status == 201,
            "201 Created (this check makes a todo to work on)",
            "POST /todos must work first: `cargo course check todo_api c`.",
        )?
        .expect(
            |_| todo["url"].is_string(),
            "the new todo, with its url, in the body",
            "POST answers with the todo it made, url included (steps b and c).",
        )?;
    let path = path_of_url(session, &reply, todo["url"].as_str().unwrap_or_default())?;
    Ok((todo, path))
}

/// GET /todos as a JSON array, or a failure.
fn get_list(session: &mut Session) -> Result<(Reply, Vec<Value>), Failure> {
    let reply = session.get("/todos")?;
    let todos = reply
        .expect_status(
            200,
            "GET /todos answers every todo: Ok(Answer::json(200, &todos)).",
        )?
        .expect_media_type(
            "application/json",
            "Answer::json sets the Content-Type for you: clients read the body as JSON only if it says so.",
        )?
        .expect_json_array(
            "Send a Vec of todos: serde writes a Vec as a JSON array (a map would be an object).",
        )?;
    Ok((reply, todos))
}
