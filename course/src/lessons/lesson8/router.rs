//! Step a: the router, and the front-end it serves beside the API.

use super::{UNKNOWN_ID, expect_error};
use crate::CheckResult;
use crate::process::repository_root;
use crate::session::{Reply, Session};

/// The front-end page's todo-api tag, as lesson 7's file has it and as
/// this lesson sends it.
const NO_API_TAG: &str = r#"<meta name="todo-api" content="">"#;
const THIS_API_TAG: &str = r#"<meta name="todo-api" content="/todos">"#;

pub(super) fn serves_the_front_end(session: &mut Session) -> CheckResult {
    let folder = repository_root().join("lessons/7_file_server/public");
    for (path, file, media_type) in [
        ("/", "index.html", "text/html"),
        ("/style.css", "style.css", "text/css"),
        ("/app.js", "app.js", "text/javascript"),
    ] {
        // The page names its API: empty in lesson 7's file, filled in here.
        let expected = std::fs::read_to_string(folder.join(file))
            .unwrap_or_default()
            .replacen(NO_API_TAG, THIS_API_TAG, 1);
        session
            .get(path)?
            .expect_status(
                200,
                "The front-end's files are given: route() sends every path outside /todos to \
                 front_end_route, in its last arm, and front_end_file reads the file from \
                 FRONT_END_DIR. Keep that arm, and lesson 7's folder where it is.",
            )?
            // A browser runs app.js only with a JavaScript type, and styles
            // the page only with text/css.
            .expect_media_type(
                media_type,
                "The FRONT_END table gives each file its Content-Type: keep them as given.",
            )?
            .expect(
                |reply| reply.body == expected,
                format!(
                    "the file lessons/7_file_server/public/{file}, as it is (index.html with \
                     its todo-api tag filled in: /todos)"
                ),
                "The front-end is lesson 7's, read from its folder at each request: keep \
                 FRONT_END_DIR, the FRONT_END table and front_end_file as given.",
            )?;
    }
    Ok(())
}

pub(super) fn routes_reach_their_handlers(session: &mut Session) -> CheckResult {
    // Requests that change nothing, whatever the program has written yet.
    // Each with the arm it needs, and where that arm goes.
    let unknown = format!("/todos/{UNKNOWN_ID}");
    let requests = [
        (
            "GET",
            "/todos",
            "(\"GET\" | \"HEAD\", [\"todos\"]) => Route::ListTodos, above the last one",
        ),
        (
            "HEAD",
            "/todos",
            "(\"GET\" | \"HEAD\", [\"todos\"]) => Route::ListTodos, as the starter gives it (HEAD \
             is GET without the body, and the list's Allow header promises it: the server \
             module leaves the body out for you)",
        ),
        (
            "GET",
            "/todos/1",
            "(\"GET\", [\"todos\", id]) => Route::GetTodo(id), once id.parse() worked, above the \
             last one",
        ),
        (
            "HEAD",
            "/todos/1",
            "\"GET\" | \"HEAD\" => Route::GetTodo(id), in the match on the method for [\"todos\", \
             id] (HEAD is GET without the body: the server module leaves the body out for you)",
        ),
        (
            "POST",
            "/todos",
            "(\"POST\", [\"todos\"]) => Route::CreateTodo, above the last one",
        ),
        (
            "PATCH",
            "/todos/1",
            "(\"PATCH\", [\"todos\", id]) => Route::UpdateTodo(id), above the last one",
        ),
        (
            "DELETE",
            &unknown,
            "(\"DELETE\", [\"todos\", id]) => Route::DeleteTodo(id), above the last one",
        ),
        (
            "OPTIONS",
            "/todos/1",
            "\"OPTIONS\" => Route::Preflight, in the match on the method for [\"todos\", id], once \
             todo_id(id) read the id (a browser asks with OPTIONS before a PATCH or a DELETE \
             from another origin; step e answers it)",
        ),
    ];
    for (method, path, arm) in requests {
        let body = match method {
            "POST" => Some(""),
            "PATCH" => Some("{}"),
            _ => None,
        };
        // An unknown todo is a 404 from the handler, not the router's.
        let reached = |reply: &Reply| match reply.status {
            405 => false,
            404 => method == "DELETE" && !reply.body.contains("no route"),
            _ => true,
        };
        session.send_json_request(method, path, body, &[])?.expect(
            reached,
            format!(
                "{method} {path} routed to its handler (any answer but 404 or 405 from the router)"
            ),
            format!(
                "The router does not know {method} on this path yet. In route(), add the arm {arm}."
            ),
        )?;
    }
    Ok(())
}

pub(super) fn unknown_paths_are_not_found(session: &mut Session) -> CheckResult {
    for (method, path, hint) in [
        (
            "GET",
            "/nowhere",
            "A path the API does not have is a 404: the last arm of the router, front_end_route, answers Route::NotFound for it.",
        ),
        (
            "GET",
            "/todos/abc",
            "\"abc\" is not a number, so it names no todo: when id.parse::<u64>() fails, the route is Route::NotFound (not a 400, and not a panic).",
        ),
        (
            "GET",
            "/todos/1/extra",
            "The API has no path with three segments: [\"todos\", id] matches exactly two, so /todos/1/extra must fall through to NotFound.",
        ),
        (
            "GET",
            "/todos/+1",
            "An id has one spelling: digits only. \"+1\".parse::<u64>() is Ok(1), so parse alone gives todo 1 a second url: in todo_id, accept only text whose bytes are all ASCII digits (byte.is_ascii_digit()), then parse it.",
        ),
        (
            "GET",
            "/todos/01",
            "An id has one spelling: no leading zero. \"01\".parse::<u64>() is Ok(1), so parse alone gives todo 1 a second url: in todo_id, refuse text that starts with '0'.",
        ),
        (
            "GET",
            "/todos/1/",
            "A trailing slash makes another path: the given line that cuts the path into segments keeps empty ones, so /todos/1/ is [\"todos\", \"1\", \"\"], three segments, and NotFound. Keep that line as given.",
        ),
        (
            "OPTIONS",
            "/nowhere",
            "A preflight is the answer about a path that exists: OPTIONS on a path the API does \
             not have is a 404 like any other method. Route OPTIONS to Route::Preflight on \
             [\"todos\"] and, inside the match on the method of [\"todos\", id], on a todo's \
             url; not on every path.",
        ),
        (
            "OPTIONS",
            "/todos/abc",
            "\"abc\" names no todo, whatever the method: OPTIONS too is 404 here, as PUT and \
             GET are. Route OPTIONS on [\"todos\", id] inside the match on todo_id(id) (\"OPTIONS\" \
             => Route::Preflight next to \"PATCH\"), not in an arm of its own above it.",
        ),
    ] {
        expect_error(
            &session.send_json_request(method, path, None, &[])?,
            404,
            hint,
        )?;
    }
    Ok(())
}

pub(super) fn wrong_methods_are_not_allowed(session: &mut Session) -> CheckResult {
    const TODOS: [&str; 5] = ["GET", "HEAD", "POST", "DELETE", "OPTIONS"];
    const TODO: [&str; 5] = ["GET", "HEAD", "PATCH", "DELETE", "OPTIONS"];
    for (method, path, needed) in [
        ("PUT", "/todos", TODOS),
        ("PATCH", "/todos", TODOS),
        ("POST", "/todos/1", TODO),
        ("PUT", "/todos/1", TODO),
    ] {
        let arm = if path == "/todos" {
            "(_, [\"todos\"]) => Route::MethodNotAllowed(\"GET, HEAD, POST, DELETE, OPTIONS\")"
        } else {
            "_ => Route::MethodNotAllowed(\"GET, HEAD, PATCH, DELETE, OPTIONS\"), the last arm of \
             the match on the method for [\"todos\", id]"
        };
        let reply = session.send_json_request(method, path, Some("{}"), &[])?;
        expect_error(
            &reply,
            405,
            &format!(
                "{path} exists, but not for {method}: that is 405 Method Not Allowed, not 404. \
                 Add an arm for any other method on this path, after the ones it supports: {arm}."
            ),
        )?;
        let allow = reply.header("allow").unwrap_or("").to_ascii_uppercase();
        let allowed: Vec<&str> = allow.split(',').map(str::trim).collect();
        let missing = needed.iter().find(|method| !allowed.contains(method));
        let extra = allowed.iter().find(|method| !needed.contains(method));
        let hint = match (missing, extra) {
            (Some(missing), _) => format!(
                "{missing} is missing from Allow. A 405 must say everything that is allowed \
                 (a client tries only what Allow lists; OPTIONS and HEAD too, which the router \
                 answers): Route::MethodNotAllowed holds that list, and answer() sends it."
            ),
            (None, Some(extra)) => format!(
                "Allow lists {extra:?}, which {path} does not answer: list only the methods \
                 the router sends to a handler on this path."
            ),
            (None, None) => String::new(),
        };
        reply.expect(
            |_| missing.is_none() && extra.is_none(),
            format!(
                "an Allow header that lists exactly the methods {path} supports: {}",
                needed.join(", ")
            ),
            hint,
        )?;
    }
    Ok(())
}
