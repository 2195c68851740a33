//! Lesson 8's JSON API at `/todos`, on lesson 9's store: given, not part of
//! the exercise. The routes, statuses and headers are lesson 8's, and so is
//! the JSON it accepts; the todos are kept by the SQL you write in
//! `main.rs`. Its answers differ in two ways: a todo has no `id` field (its
//! `url` names it), and the JSON comes on one line, not indented.
//!
//! | request | answer |
//! |---|---|
//! | `GET /todos` | `200`, every todo as a JSON array |
//! | `POST /todos` with `{"title": "..."}` | `201`, `Location:` and the new todo |
//! | `DELETE /todos` | `204`, every todo gone |
//! | `GET /todos/7` | `200` and the todo, or `404` |
//! | `PATCH /todos/7` with some of `title`, `completed`, `order` | `200` and the whole todo |
//! | `DELETE /todos/7` | `204` |
//! | `OPTIONS` on either | `204` and `Allow`: the methods of that path |
//!
//! Unlike lesson 8's, its answers carry no `Access-Control-Allow-Origin`:
//! its front-end, at `/app/`, comes from the same server, and no page of
//! another site may read these todos (CORS, lesson 8). Nor may one change
//! them: `CrossSiteGuard`, around the whole app in `main.rs`, refuses with
//! `403` any change a browser says another site sent.
//!
//! Titles are at most 500 characters (`400` and a JSON error naming the
//! limit); the list keeps at most 10,000 todos (`507`).

use std::io::Write;

use http_server::{HandlerResult, HttpError, Request, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Change, Store, Todo, full_list_is_507, id_from, title_too_long};

/// The methods each kind of API path supports, for `Allow`.
const LIST_METHODS: &str = "GET, HEAD, POST, DELETE, OPTIONS";
const ONE_TODO_METHODS: &str = "GET, HEAD, PATCH, DELETE, OPTIONS";

/// Whether `path` (without its query) belongs to the API.
pub fn serves(path: &str) -> bool {
    path == "/todos" || path.starts_with("/todos/")
}

/// A todo as the API shows it: its `url` instead of its id.
#[derive(Serialize)]
struct TodoJson<'a> {
    title: &'a str,
    completed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<i64>,
    url: String,
}

/// Answers any request to `/todos` or `/todos/<id>`. An `HttpError` (a bad
/// body, an unknown id, a full list, a step not written yet) becomes a JSON
/// error body with its status; any other error is the server's, and
/// becomes a `500`.
pub fn answer(
    store: &Store,
    path: &str,
    request: &mut Request,
    response: &mut Response,
) -> HandlerResult {
    let result = route(store, path, request, response).map_err(full_list_is_507);
    if let Err(error) = &result
        && let Some(error) = error.downcast_ref::<HttpError>()
    {
        *response = Response::new();
        send_json(
            response,
            error.status(),
            &serde_json::json!({ "error": error.message() }),
        )?;
        return Ok(());
    }
    result
}

fn route(
    store: &Store,
    path: &str,
    request: &mut Request,
    response: &mut Response,
) -> HandlerResult {
    let method = request.method().to_owned();
    let Some(id) = path.strip_prefix("/todos/") else {
        return match method.as_str() {
            "GET" | "HEAD" => {
                // A copy: the database is unlocked again before the JSON is
                // made and sent.
                let todos = store.list()?;
                let base = base_url(request);
                let shown: Vec<TodoJson> = todos.iter().map(|todo| as_json(todo, &base)).collect();
                send_json(response, 200, &shown)
            }
            "POST" => {
                let fields = json_object(request)?;
                let Some(title) = string_field(&fields, "title")? else {
                    return Err(
                        HttpError::new(400, "a new todo needs a \"title\" (a string)").into(),
                    );
                };
                refuse_long(&title)?;
                let completed = bool_field(&fields, "completed")?.unwrap_or(false);
                let order = whole_number_field(&fields, "order")?;
                let todo = store.add(&title, completed, order)?;
                let shown = as_json(&todo, &base_url(request));
                response.send_response(201);
                response.send_header("Location", &shown.url);
                send_json_rest(response, &shown)
            }
            "DELETE" => {
                store.delete_all()?;
                send_empty(response)
            }
            "OPTIONS" => send_options(response, LIST_METHODS),
            _ => send_not_allowed(response, LIST_METHODS),
        };
    };
    // `/todos/7`; anything else after `/todos/` names no todo (`/todos/07`
    // and `/todos/+7` neither: a todo has one URL).
    let Some(id) = id_from(id) else {
        return Err(
            HttpError::new(404, format!("there is no todo {id:?}: ids are numbers")).into(),
        );
    };
    let no_such_todo = || HttpError::new(404, format!("there is no todo {id}"));
    match method.as_str() {
        "GET" | "HEAD" => {
            let todo = store.get(id)?.ok_or_else(no_such_todo)?;
            send_json(response, 200, &as_json(&todo, &base_url(request)))
        }
        "PATCH" => {
            let fields = json_object(request)?;
            let change = Change {
                title: string_field(&fields, "title")?,
                completed: bool_field(&fields, "completed")?,
                order: whole_number_field(&fields, "order")?,
            };
            if let Some(title) = &change.title {
                refuse_long(title)?;
            }
            // Only unknown fields (or none): nothing to change.
            let todo = if change.is_empty() {
                store.get(id)?
            } else {
                store.update(id, &change)?
            };
            let todo = todo.ok_or_else(no_such_todo)?;
            send_json(response, 200, &as_json(&todo, &base_url(request)))
        }
        "DELETE" => {
            if !store.delete(id)? {
                return Err(no_such_todo().into());
            }
            send_empty(response)
        }
        "OPTIONS" => send_options(response, ONE_TODO_METHODS),
        _ => send_not_allowed(response, ONE_TODO_METHODS),
    }
}

/// `http://<Host>`: todos' URLs name the server the way the client did.
fn base_url(request: &Request) -> String {
    let host = request.headers().get("host").unwrap_or("localhost");
    format!("http://{host}")
}

fn as_json<'a>(todo: &'a Todo, base_url: &str) -> TodoJson<'a> {
    TodoJson {
        title: &todo.title,
        completed: todo.completed,
        order: todo.order,
        url: format!("{base_url}/todos/{}", todo.id),
    }
}

/// The body as a JSON object, whatever its Content-Type says.
fn json_object(request: &mut Request) -> Result<Map<String, Value>, HttpError> {
    let body = request
        .read_body()
        .map_err(|error| HttpError::new(400, format!("the body could not be read: {error}")))?;
    match serde_json::from_slice(&body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(HttpError::new(
            400,
            "the body must be a JSON object, like {\"title\": \"...\"}",
        )),
        Err(error) => Err(HttpError::new(
            400,
            format!("the body is not JSON: {error}"),
        )),
    }
}

/// `400` for a title over the limit, with the sentence that names it.
fn refuse_long(title: &str) -> Result<(), HttpError> {
    match title_too_long(title) {
        Some(problem) => Err(HttpError::new(400, problem)),
        None => Ok(()),
    }
}

fn wrong_type(name: &str, wanted: &str) -> HttpError {
    HttpError::new(400, format!("\"{name}\" must be {wanted}"))
}

fn string_field(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, HttpError> {
    match fields.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(wrong_type(name, "a string")),
    }
}

fn bool_field(fields: &Map<String, Value>, name: &str) -> Result<Option<bool>, HttpError> {
    match fields.get(name) {
        None => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(wrong_type(name, "true or false")),
    }
}

fn whole_number_field(fields: &Map<String, Value>, name: &str) -> Result<Option<i64>, HttpError> {
    match fields.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| wrong_type(name, "a whole number")),
    }
}

fn send_json(response: &mut Response, status: u16, value: &impl Serialize) -> HandlerResult {
    response.send_response(status);
    send_json_rest(response, value)
}

/// The rest of a JSON answer, after its status line (and any own headers).
fn send_json_rest(response: &mut Response, value: &impl Serialize) -> HandlerResult {
    response.send_header("Content-Type", "application/json");
    response.end_headers();
    response.write_all(&serde_json::to_vec(value)?)?;
    Ok(())
}

fn send_empty(response: &mut Response) -> HandlerResult {
    response.send_response(204);
    response.end_headers();
    Ok(())
}

/// The answer to `OPTIONS`: the methods of this path. No CORS headers: a
/// browser's preflight from another site's page gets no permission.
fn send_options(response: &mut Response, allow: &str) -> HandlerResult {
    response.send_response(204);
    response.send_header("Allow", allow);
    response.end_headers();
    Ok(())
}

fn send_not_allowed(response: &mut Response, allow: &str) -> HandlerResult {
    response.send_response(405);
    response.send_header("Allow", allow);
    let error = format!("this method is not allowed here; these are: {allow}");
    send_json_rest(response, &serde_json::json!({ "error": error }))
}
