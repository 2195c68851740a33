//! Lesson 8: the todo API.
//!
//! A server that speaks JSON instead of HTML: a list of todos at `/todos`,
//! one todo at `/todos/{id}`, read with GET, created with POST, changed with
//! PATCH and removed with DELETE. It follows the public Todo-Backend
//! contract, so lesson 7's front-end (served here at `/`) and any other
//! Todo-Backend client work with it. You build it in five steps, one TODO
//! each: (a) the router, (b) todos out as JSON, (c) JSON in, (d) PATCH and
//! DELETE, (e) CORS. Run it with `cargo run --bin todo_api`, try
//! `curl -i localhost:8000/todos`, and check a step with
//! `cargo course check todo_api a` (or `b` ... `e`). The lesson text is
//! lessons/8_todo_api/README.md.

use std::collections::BTreeMap;
use std::io::Write; // gives `Response` its `write_all` method
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use http_server::{Handler, HandlerResult, Request, Response, ServerError, ThreadingHttpServer};
use serde::Serialize;
use serde_json::json;

/// Where lesson 7's front-end lives, from the folder of the Cargo.toml
/// that builds this program (`packages/net`).
const FRONT_END_DIR: &str = "../../lessons/7_file_server/public";

/// The front-end's files: the path a browser asks for, the file, and its
/// content type. A fixed table, not a file server: lesson 7 is the file
/// server, and here nothing else can ever be read from the disk.
const FRONT_END: [(&str, &str, &str); 8] = [
    ("/", "index.html", "text/html; charset=utf-8"),
    ("/index.html", "index.html", "text/html; charset=utf-8"),
    ("/style.css", "style.css", "text/css; charset=utf-8"),
    ("/app.js", "app.js", "text/javascript; charset=utf-8"),
    (
        "/sample-todos.json",
        "sample-todos.json",
        "application/json",
    ),
    ("/images/logo.svg", "images/logo.svg", "image/svg+xml"),
    ("/images/done.png", "images/done.png", "image/png"),
    ("/favicon.ico", "favicon.ico", "image/x-icon"),
];

/// The front-end's page names its API in a tag, empty in the file (lesson
/// 7 sends it as it is, and has no API); this server fills in its own, so
/// that the page's script asks for `/todos`.
const NO_API_TAG: &str = r#"<meta name="todo-api" content="">"#;
const THIS_API_TAG: &str = r#"<meta name="todo-api" content="/todos">"#;

/// The methods the front-end's files support, for `405` answers.
const PAGE_METHODS: &str = "GET, HEAD, OPTIONS";

/// What a request asks for, once the router has read its method and path.
/// Every request becomes exactly one of these, and `answer` has one arm
/// for each: the compiler checks that none is forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// `GET /todos`: every todo.
    ListTodos,
    /// `POST /todos`: a new todo from the JSON body.
    CreateTodo,
    /// `DELETE /todos`: forget every todo.
    DeleteAllTodos,
    /// `GET /todos/{id}`: one todo.
    GetTodo(u64),
    /// `PATCH /todos/{id}`: change some of a todo's fields.
    UpdateTodo(u64),
    /// `DELETE /todos/{id}`: forget one todo.
    DeleteTodo(u64),
    /// `OPTIONS` on a path that exists: a browser asks what it may send.
    Preflight,
    /// `GET` of one of the front-end's files (an index into FRONT_END).
    FrontEnd(usize),
    /// A path that exists, with a method it does not support; the methods
    /// it does support go in the `Allow` header.
    MethodNotAllowed(&'static str),
    /// A path that does not exist, or a todo id that is not a number.
    NotFound,
}

/// Reads a request's method and path into a [`Route`]. Every `404` and
/// `405` is decided here, and nowhere else.
fn route(method: &str, target: &str) -> Route {
    // The path without its query (`/todos?completed=true`), cut into
    // segments at each slash: "/todos/7" gives ["todos", "7"]. Empty
    // segments are kept, so that each resource has one path only:
    // "/todos/7/" gives ["todos", "7", ""], which names nothing (404).
    let path = target.split('?').next().unwrap_or(target);
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    // TODO(a): the router: match the method and the segments
    // The methods each path supports, for the `Allow` header of a 405.
    const TODOS_METHODS: &str = "GET, HEAD, POST, DELETE, OPTIONS";
    const TODO_METHODS: &str = "GET, HEAD, PATCH, DELETE, OPTIONS";
    // One `match` on the pair (method, segments) reads like the API's
    // table of contents. A slice pattern such as ["todos", id] matches a
    // path of exactly two segments and names the second one.
    match (method, segments.as_slice()) {
        ("OPTIONS", ["todos"]) => Route::Preflight,
        ("GET" | "HEAD", ["todos"]) => Route::ListTodos,
        ("POST", ["todos"]) => Route::CreateTodo,
        ("DELETE", ["todos"]) => Route::DeleteAllTodos,
        (_, ["todos"]) => Route::MethodNotAllowed(TODOS_METHODS),
        // An id that is not a number, or not spelled as todo_id wants,
        // names no todo: 404, like any unknown path.
        (method, ["todos", id]) => match todo_id(id) {
            None => Route::NotFound,
            Some(id) => match method {
                "GET" | "HEAD" => Route::GetTodo(id),
                "PATCH" => Route::UpdateTodo(id),
                "DELETE" => Route::DeleteTodo(id),
                // A browser's preflight, on a todo's one url only.
                "OPTIONS" => Route::Preflight,
                _ => Route::MethodNotAllowed(TODO_METHODS),
            },
        },
        // Anything else may be one of the front-end's files.
        _ => front_end_route(method, path),
    }
    // END TODO(a)
}

// TODO(a): read a todo's id, spelled one way only
/// A todo's id as a path spells it: digits only, with no sign and no
/// leading zero (`7`; never `+7`, `07` or `7 `). `str::parse::<u64>` alone
/// would read `+7` and `07` as 7 too, and then one todo would have many
/// urls: a client (or a cache) could not tell they are the same todo.
fn todo_id(text: &str) -> Option<u64> {
    let canonical = text.bytes().all(|byte| byte.is_ascii_digit()) && !text.starts_with('0');
    // "" passes the test above, and parse() refuses it; so it does a
    // number too big for a u64.
    if canonical { text.parse().ok() } else { None }
}
// END TODO(a)

/// The route for a path that is not under `/todos`: one of the front-end's
/// files, or nothing.
fn front_end_route(method: &str, path: &str) -> Route {
    let Some(index) = FRONT_END.iter().position(|(url, _, _)| *url == path) else {
        return Route::NotFound;
    };
    match method {
        "GET" | "HEAD" => Route::FrontEnd(index),
        "OPTIONS" => Route::Preflight,
        _ => Route::MethodNotAllowed(PAGE_METHODS),
    }
}

// ---- Limits: what one client can make the server keep ----
//
// Without them one client could fill the memory: titles of a megabyte
// each, or millions of todos, make every GET /todos an answer of hundreds
// of megabytes. No check, crowd or browser case of the course comes near
// either, except the checks that test them.

/// The longest title, in characters (not bytes: `é` is one).
const MAX_TITLE_CHARS: usize = 500;

/// The most todos the store keeps; one more is `507 Insufficient Storage`.
const MAX_TODOS: usize = 10_000;

/// `2345` as `2,345`, for the sentences that name a limit.
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

/// A todo as the server keeps it. `Serialize` writes its JSON for us, one
/// key per field: `{"title": "Buy milk", "completed": false, "order": 3}`.
/// Its id is its key in the store.
#[derive(Debug, Clone, Serialize)]
struct Todo {
    title: String,
    completed: bool,
    // No `order` key at all when there is none, rather than `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<i64>,
}

// TODO(b): a todo as JSON, with its id and its url
/// A todo as the API sends it: the todo's own keys, then its id and url.
#[derive(Serialize)]
struct TodoJson<'a> {
    id: u64,
    // `flatten` puts the todo's keys in this object, not in a nested one.
    #[serde(flatten)]
    todo: &'a Todo,
    url: String,
}

impl Todo {
    /// The JSON of this todo. Its `url` is absolute, built from the Host
    /// the client used, because clients follow it from pages served
    /// elsewhere (a relative `/todos/3` would point to *their* server).
    fn to_json(&self, id: u64, host: &str) -> TodoJson<'_> {
        TodoJson {
            id,
            todo: self,
            url: todo_url(host, id),
        }
    }
}

/// The absolute URL of a todo: `http://localhost:8000/todos/3`.
fn todo_url(host: &str, id: u64) -> String {
    format!("http://{host}/todos/{id}")
}
// END TODO(b)

// TODO(c): the JSON a client sends
/// The fields a client may send, to create a todo (POST) or change one
/// (PATCH). Each is optional: a PATCH sends only what changes. Keys serde
/// does not know (`url`, `id`, anything else) are skipped, so a client can
/// send back a whole todo; a value of the wrong type is an error that
/// names it.
#[derive(Debug, serde::Deserialize)]
#[serde(expecting = "a JSON object such as {\"title\": \"Buy milk\"}")]
struct TodoFields {
    title: Option<String>,
    completed: Option<bool>,
    order: Option<i64>,
}

/// Decodes a request's body as [`TodoFields`], or says in a 400 what is
/// wrong with it. Any Content-Type is accepted: browsers' `fetch` sends a
/// string body as `text/plain`.
fn read_fields(request: &mut Request) -> Result<TodoFields, ApiError> {
    let body = request
        .read_body()
        .map_err(|error| ApiError::new(400, format!("the body could not be read: {error}")))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            400,
            "the body is empty: send a JSON object such as {\"title\": \"Buy milk\"}",
        ));
    }
    // serde's message says what and where: "invalid type: string \"yes\",
    // expected a boolean at line 1 column 20".
    let fields: TodoFields = serde_json::from_slice(&body).map_err(|error| {
        let what = if error.is_data() {
            "the body is JSON, but not a todo"
        } else {
            "the body is not JSON"
        };
        ApiError::new(400, format!("{what}: {error}"))
    })?;
    // A title too long for the store, whether new (POST) or changed
    // (PATCH): counted in characters, as a person counts them.
    if let Some(title) = &fields.title {
        let length = title.chars().count();
        if length > MAX_TITLE_CHARS {
            return Err(ApiError::new(
                400,
                format!(
                    "A todo's title can be at most {} characters; yours has {}.",
                    with_commas(MAX_TITLE_CHARS),
                    with_commas(length)
                ),
            ));
        }
    }
    Ok(fields)
}
// END TODO(c)

/// Every todo, and the id the next one gets. Ids are never reused, not
/// after a DELETE nor after DELETE /todos: a client that still holds the
/// url of a deleted todo must get 404, never somebody else's new todo.
struct Store {
    todos: BTreeMap<u64, Todo>,
    next_id: u64,
}

impl Store {
    /// A store with the todos of `titles`, numbered from 1, so that GET
    /// has something to show before POST is written.
    fn with_examples(titles: &[(&str, bool)]) -> Store {
        let mut store = Store {
            todos: BTreeMap::new(),
            next_id: 1,
        };
        for (order, (title, completed)) in (1..).zip(titles) {
            let todo = Todo {
                title: (*title).to_owned(),
                completed: *completed,
                order: Some(order),
            };
            store.todos.insert(store.next_id, todo);
            store.next_id += 1;
        }
        store
    }
}

/// The API: the store, shared by every connection's thread.
struct TodoApi {
    store: Mutex<Store>,
}

impl TodoApi {
    /// The store, locked until the guard goes out of scope. Hold it for the
    /// whole of a change (read, modify, write back): otherwise two clients
    /// that change the store at once can undo each other's work.
    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves the map whole: carry on.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers one request: route it, answer the route, send the answer.
    fn handle(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let route = route(request.method(), request.path());
        let answer = self
            .answer(route, request)
            .unwrap_or_else(|error| error.into_answer());
        answer.send(response)
    }

    /// The answer to a route: one arm per route.
    fn answer(&self, route: Route, request: &mut Request) -> Result<Answer, ApiError> {
        match route {
            Route::ListTodos => self.list(&host(request)?),
            Route::CreateTodo => {
                let host = host(request)?;
                let fields = read_fields(request)?;
                self.create(fields, &host)
            }
            Route::DeleteAllTodos => self.delete_all(),
            Route::GetTodo(id) => self.get_one(id, &host(request)?),
            Route::UpdateTodo(id) => {
                let host = host(request)?;
                let fields = read_fields(request)?;
                self.update(id, fields, &host)
            }
            Route::DeleteTodo(id) => self.delete_one(id),
            Route::Preflight => Ok(preflight()),
            Route::FrontEnd(index) => front_end_file(index),
            Route::MethodNotAllowed(allow) => {
                let method = request.method();
                let error = ApiError::new(405, format!("{method} is not allowed here: {allow}"));
                Ok(error.into_answer().with_header("Allow", allow))
            }
            Route::NotFound => {
                let (method, path) = (request.method(), request.path());
                Err(ApiError::new(
                    404,
                    format!("no route for {method} {path}; the API is at /todos and /todos/{{id}}"),
                ))
            }
        }
    }

    // TODO(b): GET /todos and GET /todos/{id}
    /// `GET /todos`: every todo, in the order they were made.
    fn list(&self, host: &str) -> Result<Answer, ApiError> {
        // A copy of the todos, and the lock is let go at the end of this
        // statement: writing the JSON of 10,000 todos takes a while, and
        // every POST, PATCH and DELETE would wait for the lock meanwhile.
        let todos: Vec<(u64, Todo)> = self
            .store()
            .todos
            .iter()
            .map(|(id, todo)| (*id, todo.clone()))
            .collect();
        let todos: Vec<TodoJson> = todos
            .iter()
            .map(|(id, todo)| todo.to_json(*id, host))
            .collect();
        Ok(Answer::json(200, &todos))
    }

    /// `GET /todos/{id}`: one todo, or 404.
    fn get_one(&self, id: u64, host: &str) -> Result<Answer, ApiError> {
        let store = self.store();
        let todo = store.todos.get(&id).ok_or_else(|| no_such_todo(id))?;
        Ok(Answer::json(200, &todo.to_json(id, host)))
    }
    // END TODO(b)

    // TODO(c): POST /todos
    /// `POST /todos`: a new todo, answered `201 Created` with its URL in
    /// `Location` and the todo itself in the body.
    fn create(&self, fields: TodoFields, host: &str) -> Result<Answer, ApiError> {
        let Some(title) = fields.title else {
            return Err(ApiError::new(400, "a new todo needs a \"title\""));
        };
        let todo = Todo {
            title,
            completed: fields.completed.unwrap_or(false),
            order: fields.order,
        };
        // One lock for taking the id and storing the todo: two clients
        // can never get the same id, nor both take the last place.
        let mut store = self.store();
        if store.todos.len() >= MAX_TODOS {
            return Err(ApiError::new(
                507,
                format!(
                    "The list is full: it keeps at most {} todos.",
                    with_commas(MAX_TODOS)
                ),
            ));
        }
        let id = store.next_id;
        store.next_id += 1;
        let answer = Answer::json(201, &todo.to_json(id, host));
        store.todos.insert(id, todo);
        Ok(answer.with_header("Location", &todo_url(host, id)))
    }
    // END TODO(c)

    // TODO(d): PATCH /todos/{id}, DELETE /todos/{id} and DELETE /todos
    /// `PATCH /todos/{id}`: change the fields that were sent, keep the
    /// others, and answer with the whole todo.
    fn update(&self, id: u64, fields: TodoFields, host: &str) -> Result<Answer, ApiError> {
        // The lock is held from reading the todo to answering with it, so
        // a PATCH from somebody else cannot slip in between.
        let mut store = self.store();
        let todo = store.todos.get_mut(&id).ok_or_else(|| no_such_todo(id))?;
        if let Some(title) = fields.title {
            todo.title = title;
        }
        if let Some(completed) = fields.completed {
            todo.completed = completed;
        }
        if fields.order.is_some() {
            todo.order = fields.order;
        }
        Ok(Answer::json(200, &todo.to_json(id, host)))
    }

    /// `DELETE /todos/{id}`: `204 No Content`, or 404 if there is no such todo.
    fn delete_one(&self, id: u64) -> Result<Answer, ApiError> {
        match self.store().todos.remove(&id) {
            Some(_) => Ok(Answer::empty(204)),
            None => Err(no_such_todo(id)),
        }
    }

    /// `DELETE /todos`: every todo is gone; `204 No Content`.
    fn delete_all(&self) -> Result<Answer, ApiError> {
        self.store().todos.clear();
        Ok(Answer::empty(204))
    }
    // END TODO(d)
}

/// The answer to a preflight: what a page from another origin may send.
fn preflight() -> Answer {
    // TODO(e): answer the browser's preflight
    // The browser asks, before a PATCH or a JSON POST from another origin,
    // whether it may; these headers say yes, for a day.
    Answer::empty(204)
        .with_header(
            "Access-Control-Allow-Methods",
            "GET, POST, PATCH, DELETE, OPTIONS",
        )
        .with_header("Access-Control-Allow-Headers", "Content-Type")
        .with_header("Access-Control-Max-Age", "86400")
    // END TODO(e)
}

/// One of the front-end's files, read from lesson 7's folder.
fn front_end_file(index: usize) -> Result<Answer, ApiError> {
    let (_, file, content_type) = FRONT_END[index];
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FRONT_END_DIR)
        .join(file);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Answer {
            status: 200,
            headers: vec![("Content-Type", content_type.to_owned())],
            body: if file == "index.html" {
                String::from_utf8_lossy(&bytes)
                    .replacen(NO_API_TAG, THIS_API_TAG, 1)
                    .into_bytes()
            } else {
                bytes
            },
        }),
        Err(error) => Err(ApiError::new(
            404,
            format!(
                "lesson 7's front-end file {} cannot be read ({error}); the API at /todos works without it",
                path.display()
            ),
        )),
    }
}

/// The `Host` the client asked for (`localhost:8000`), from which todos'
/// URLs are made.
fn host(request: &Request) -> Result<String, ApiError> {
    // The server module has already refused a Host that is not a valid
    // host name; only HTTP/1.0 may leave it out.
    match request.headers().get("Host") {
        Some(host) => Ok(host.to_owned()),
        None => Err(ApiError::new(
            400,
            "the request has no Host header, so the todos' URLs cannot be made",
        )),
    }
}

/// The 404 for an id that names no todo.
fn no_such_todo(id: u64) -> ApiError {
    ApiError::new(404, format!("there is no todo {id}"))
}

/// A request the API cannot answer as asked: a status and a sentence that
/// says why, sent as `{"error": "..."}`.
#[derive(Debug)]
struct ApiError {
    status: u16,
    message: String,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn into_answer(self) -> Answer {
        Answer::json(self.status, &json!({ "error": self.message }))
    }
}

/// An answer, before it is sent: a status, headers, and a body.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Answer {
    /// An answer whose body is `value` as JSON.
    fn json(status: u16, value: &impl Serialize) -> Answer {
        // Our own types always turn into JSON; should one not, say so.
        let mut body = serde_json::to_vec_pretty(value)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}").into_bytes());
        body.push(b'\n');
        Answer {
            status,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body,
        }
    }

    /// An answer with no body, such as `204 No Content`.
    fn empty(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The same answer with one more header.
    fn with_header(mut self, name: &'static str, value: &str) -> Answer {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Writes the answer: the status line, the headers, the body. Every
    /// answer of the API goes through here, errors included.
    fn send(self, response: &mut Response) -> HandlerResult {
        response.send_response(self.status);
        // TODO(e): let pages from other origins read every answer
        // `*`: any page, from any origin, may read the answer. Errors too,
        // or a page elsewhere could not tell what went wrong.
        response.send_header("Access-Control-Allow-Origin", "*");
        // A page's script may read these headers too (by default it sees
        // only a few, such as Content-Type).
        response.send_header("Access-Control-Expose-Headers", "Location, Allow");
        // END TODO(e)
        for (name, value) in &self.headers {
            response.send_header(name, value);
        }
        response.end_headers();
        response.write_all(&self.body)?;
        Ok(())
    }
}

impl Handler for TodoApi {
    // Every method the server module hands to the handler goes to the one
    // router, which decides what exists and what is allowed.
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.handle(request, response)
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.handle(request, response)
    }

    fn do_put(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.handle(request, response)
    }

    fn do_patch(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.handle(request, response)
    }

    fn do_delete(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.handle(request, response)
    }

    fn do_options(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.handle(request, response)
    }
}

fn main() -> Result<(), ServerError> {
    // Two todos to start with, so that GET shows something before POST is
    // written.
    let store = Store::with_examples(&[("Read lesson 8", true), ("Build the todo API", false)]);
    let api = TodoApi {
        store: Mutex::new(store),
    };
    // Listen on 127.0.0.1, port 8000 (or $PORT), and serve the API.
    ThreadingHttpServer::from_env()?.serve_forever(api)
}
