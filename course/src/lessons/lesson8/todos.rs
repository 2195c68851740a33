//! Steps b, c and d: todos out as JSON with absolute urls, JSON in, and
//! PATCH and DELETE (the crowds of c and d are in `load`).

use std::collections::HashSet;

use serde_json::json;

use super::{
    UNKNOWN_ID, create, expect_error, get_list, id_of, json_of, path_of_url, random_number,
    random_order, random_title,
};
use crate::session::Session;
use crate::{CheckResult, Failure};

pub(super) fn list_is_a_json_array(session: &mut Session) -> CheckResult {
    let (reply, todos) = get_list(session)?;
    reply
        .expect(
            |_| !todos.is_empty(),
            "the two example todos the program starts with",
            "The store starts with two todos (see main): send them all.",
        )?
        .expect(
            |_| todos.iter().all(|todo| todo["title"].is_string() && todo["completed"].is_boolean()),
            "each todo an object with \"title\" (a string) and \"completed\" (true or false)",
            "Keep the todo's own keys as serde writes them: #[serde(flatten)] puts the Todo's title, completed and order beside id and url.",
        )?;
    Ok(())
}

pub(super) fn todos_have_absolute_urls(session: &mut Session) -> CheckResult {
    let (reply, todos) = get_list(session)?;
    let mut ids = HashSet::new();
    for todo in &todos {
        reply
            .expect(
                |_| todo["id"].is_u64() && todo["url"].is_string(),
                "each todo with \"id\" (a number) and \"url\" (a string) beside its title",
                "A client changes a todo through its url: send TodoJson { id, todo, url } for each todo, not the Todo alone.",
            )?
            .expect(
                |_| ids.insert(todo["id"].as_u64()),
                "every todo with its own id",
                "The id is the todo's key in the store: send that.",
            )?;
        let path = path_of_url(session, &reply, todo["url"].as_str().unwrap_or_default())?;
        reply.expect(
            |_| path.ends_with(&format!("/{}", todo["id"])),
            format!(
                "the url of todo {} to end with /todos/{}",
                todo["id"], todo["id"]
            ),
            "The url is http://{host}/todos/{id}, with the todo's own id.",
        )?;
        // Fetching by url gives the same todo.
        let hint = "GET /todos/{id} answers Answer::json(200, &todo.to_json(id, host)): the same JSON as the list has for it.";
        session
            .get(&path)?
            .expect_status(200, hint)?
            .expect_json_equal(todo, hint)?;
    }
    // Another Host: the urls follow it.
    let host = format!(
        "todo-{}.example:{}",
        random_number() % 1000,
        1024 + random_number() % 60000
    );
    let prefix = format!("http://{host}/todos/");
    session
        .send_json_request("GET", "/todos", None, &[("Host", &host)])?
        .expect(
            |reply| {
                json_of(reply)[0]["url"]
                    .as_str()
                    .is_some_and(|url| url.starts_with(&prefix))
            },
            format!("urls that start with {prefix} (the Host that was sent)"),
            "Build the url from the Host header of each request (the host() function gives it), \
             not from a fixed name: the same server is localhost:8000 to you, and another name \
             to a phone on your network.",
        )?;
    Ok(())
}

pub(super) fn unknown_todo_is_not_found(session: &mut Session) -> CheckResult {
    expect_error(
        &session.get(&format!("/todos/{UNKNOWN_ID}"))?,
        404,
        "store.todos.get(&id) is None for an id that is not there: answer it with Err(no_such_todo(id)), a 404 (never unwrap it).",
    )
}

pub(super) fn post_creates_a_todo(session: &mut Session) -> CheckResult {
    let fields = [
        json!({ "title": random_title() }),
        json!({ "title": random_title(), "completed": true, "order": random_order() }),
    ];
    for sent in fields {
        let reply = session.send_json_request("POST", "/todos", Some(&sent.to_string()), &[])?;
        let hint = match reply.status {
            200 => {
                "A POST that makes something new answers 201 Created, not 200: Answer::json(201, ...)."
            }
            501 => "POST /todos is not written yet: fill in create(), in TODO(c).",
            400 => {
                "This todo is good, but it was refused: the error above says why. A new todo \
                 needs only a title; completed and order may be left out, so each field of \
                 TodoFields is an Option (completed: Option<bool>, false when not sent)."
            }
            _ => {
                "Decode the body with read_fields, make the todo, keep it, and answer 201 with its JSON."
            }
        };
        reply.expect_status(201, hint)?;
        let mut wanted = sent.clone();
        if wanted.get("completed").is_none() {
            wanted["completed"] = json!(false);
        }
        let todo = reply.expect_json_fields(
            &wanted,
            "Keep each field as sent; completed is false unless sent.",
        )?;
        let url = todo["url"].as_str().unwrap_or_default();
        reply.expect(
            |_| todo["url"].is_string(),
            "the todo with its url",
            "Answer with todo.to_json(id, host), which has the url.",
        )?;
        let path = path_of_url(session, &reply, url)?;
        reply.expect(
            |reply| reply.header("location") == Some(url),
            format!("the header Location: {url} (the new todo's url)"),
            "201 Created says where the new thing is, in Location: .with_header(\"Location\", &todo_url(host, id)).",
        )?;
        // The Todo-Backend way: follow the url, and find it in the list.
        let hint =
            "Insert the new todo into the store under the id its url names, before answering.";
        session
            .get(&path)?
            .expect_status(200, hint)?
            .expect_json_equal(&todo, hint)?;
        let (list_reply, list) = get_list(session)?;
        list_reply.expect(
            |_| list.contains(&todo),
            format!("the new todo in the list: {todo}"),
            "Keep the todo in self.store(), where list() finds it.",
        )?;
    }
    Ok(())
}

pub(super) fn extra_keys_are_ignored(session: &mut Session) -> CheckResult {
    let sent = json!({
        "title": random_title(),
        "url": "http://elsewhere.example/todos/1",
        "id": UNKNOWN_ID,
        "colour": "green",
    });
    let reply = session.send_json_request("POST", "/todos", Some(&sent.to_string()), &[])?;
    let todo = json_of(&reply);
    reply
        .expect_status(
            201,
            "Clients send whole todos back, url and id included: do not refuse keys you do not \
             know (no #[serde(deny_unknown_fields)]); serde skips them by default.",
        )?
        .expect(
            |_| {
                let url = todo["url"].as_str().unwrap_or_default();
                !url.contains("elsewhere") && todo.get("colour").is_none()
            },
            "the server's own url, and no colour",
            "The url and id are the server's to give: ignore what the client sent for them.",
        )?;
    // Browsers' fetch sends a string body as text/plain.
    let body = json!({ "title": random_title() }).to_string();
    let text = [("Content-Type", "text/plain;charset=UTF-8")];
    session
        .send_json_request("POST", "/todos", Some(&body), &text)?
        .expect_status(
            201,
            "fetch() sends a string body as text/plain: read the body as JSON without looking at Content-Type.",
        )?;
    // A GET or DELETE with a JSON Content-Type and no body is fine too.
    let json = [("Content-Type", "application/json")];
    session
        .send_json_request("GET", "/todos", None, &json)?
        .expect_status(
            200,
            "A GET has no body to read, whatever its headers: read the body only for POST and PATCH.",
        )?;
    Ok(())
}

pub(super) fn bad_bodies_are_refused(session: &mut Session) -> CheckResult {
    let cases = [
        ("this is not JSON", "a body that is not JSON"),
        ("{\"title\": \"Buy milk\"", "JSON that stops halfway"),
        (
            "{\"title\": \"Buy milk\", \"completed\": \"yes\"}",
            "completed is text, not true or false",
        ),
        ("{\"title\": 42}", "the title is a number, not text"),
        ("[\"Buy milk\"]", "an array, not an object"),
        ("{\"completed\": true}", "no title"),
        ("", "an empty body"),
    ];
    for (body, why) in cases {
        let reply = session.send_json_request("POST", "/todos", Some(body), &[])?;
        let hint = match reply.status {
            201 | 200 if why == "no title" => {
                "A todo without a title was made: in create(), fields.title is None here, and \
                 that is a 400: let Some(title) = fields.title else { return \
                 Err(ApiError::new(400, \"a new todo needs a \\\"title\\\"\")) };"
            }
            201 | 200 => {
                "This body is not a todo, but it was accepted: decode it into TodoFields \
                 with serde_json::from_slice, and refuse a new todo without a title."
            }
            500 => {
                "The handler failed on a bad body (an unwrap()?). A bad body is the client's \
                 mistake: turn serde's error into ApiError::new(400, ...)."
            }
            _ => {
                "A body that cannot be a todo is 400 Bad Request, with a JSON error that says \
                 what is wrong: serde's own message does (\"expected a boolean at line 1 column 40\")."
            }
        };
        expect_error(&reply, 400, &format!("The body sent: {why}. {hint}"))?;
    }
    Ok(())
}

pub(super) fn long_titles_are_refused(session: &mut Session) -> CheckResult {
    // 500 characters that are 1,000 bytes in UTF-8: the limit counts
    // characters, as a person does.
    let marker = format!("{:05}", random_number() % 100_000);
    let longest = format!("{marker} {}", "é".repeat(500 - marker.len() - 1));
    let body = json!({ "title": longest }).to_string();
    session
        .send_json_request("POST", "/todos", Some(&body), &[])?
        .expect_status(
            201,
            "A title of 500 characters (1,000 bytes: each é is two) is allowed. The limit is in \
             characters, not bytes: title.chars().count(), not title.len(); and a title of \
             exactly MAX_TITLE_CHARS is allowed (refuse only > MAX_TITLE_CHARS).",
        )?;
    let too_long = format!("{marker} {}", "x".repeat(500 - marker.len()));
    let body = json!({ "title": too_long }).to_string();
    let reply = session.send_json_request("POST", "/todos", Some(&body), &[])?;
    let hint = "One client must not be able to fill the server's memory: in read_fields, a \
                title longer than MAX_TITLE_CHARS characters is a 400 whose sentence names the \
                limit: \"A todo's title can be at most 500 characters; yours has 501.\"";
    expect_error(&reply, 400, hint)?;
    let message = reply.expect_json_text("/error", hint)?;
    reply.expect(
        |_| message.contains("500"),
        "an error that names the limit, 500 characters",
        format!("The client needs to know how long a title may be. {hint}"),
    )?;
    let (list_reply, list) = get_list(session)?;
    list_reply.expect(
        |_| !list.iter().any(|todo| todo["title"] == too_long.as_str()),
        "no todo with the title that was refused",
        "Refuse the title before the todo is stored.",
    )?;
    Ok(())
}

pub(super) fn patch_changes_only_what_is_sent(session: &mut Session) -> CheckResult {
    let order = random_order();
    let (mut todo, path) = create(session, &json!({ "title": random_title(), "order": order }))?;
    let changes = [
        json!({ "completed": true }),
        json!({ "title": random_title() }),
        json!({ "order": random_order() }),
        json!({ "completed": false }),
    ];
    for change in changes {
        let reply = session.send_json_request("PATCH", &path, Some(&change.to_string()), &[])?;
        reply.expect_status(
            200,
            if reply.status == 501 {
                "PATCH is not written yet: fill in update(), in TODO(d)."
            } else {
                "PATCH answers 200 OK with the whole todo, changed."
            },
        )?;
        let mut wanted = todo.clone();
        for (key, value) in change.as_object().into_iter().flatten() {
            wanted[key] = value.clone();
        }
        // A field that was not sent, and changed: the todo was replaced.
        let got = json_of(&reply);
        let replaced = ["title", "completed", "order"]
            .iter()
            .any(|key| change.get(key).is_none() && got.get(key) != todo.get(key));
        let hint = if replaced {
            "PATCH changes only the fields that were sent: the others keep their value. \
             Replacing the whole todo (or making a new one with defaults) loses them."
        } else {
            "Change each field that is Some, keep the others: if let Some(completed) = \
             fields.completed { todo.completed = completed; }, and the same for title and order."
        };
        let got = reply.expect_json_fields(&wanted, hint)?;
        session.get(&path)?.expect_json_equal(
            &got,
            "Change the todo in the store itself (store.todos.get_mut(&id)), not a copy of it.",
        )?;
        todo = got;
    }
    Ok(())
}

pub(super) fn patch_accepts_whole_todos(session: &mut Session) -> CheckResult {
    let (todo, path) = create(session, &json!({ "title": random_title() }))?;
    let mut whole = todo.clone();
    whole["title"] = json!(random_title());
    whole["completed"] = json!(true);
    let hint = "Clients PATCH the whole todo they got, url and id included: those keys are skipped, not refused, and the others applied.";
    session
        .send_json_request("PATCH", &path, Some(&whole.to_string()), &[])?
        .expect_status(200, hint)?
        .expect_json_equal(&whole, hint)?;
    let bad = json!({ "completed": "yes", "title": random_title() }).to_string();
    let reply = session.send_json_request("PATCH", &path, Some(&bad), &[])?;
    expect_error(
        &reply,
        400,
        "\"yes\" is not true or false: read_fields refuses it with a 400 before anything changes.",
    )?;
    session.get(&path)?.expect_json_equal(
        &whole,
        "The PATCH was refused, so the todo must be unchanged: decode the whole body first; \
         change the todo only once all of it is good.",
    )?;
    let long = json!({ "title": "y".repeat(501) }).to_string();
    let reply = session.send_json_request("PATCH", &path, Some(&long), &[])?;
    expect_error(
        &reply,
        400,
        "A PATCH must not make a title longer than a POST may: test the title's length in \
         read_fields, which both read their body with, not in create alone.",
    )?;
    session.get(&path)?.expect_json_equal(
        &whole,
        "The PATCH was refused, so the todo must be unchanged: refuse the title before the \
         todo is changed.",
    )?;
    let unknown = format!("/todos/{UNKNOWN_ID}");
    let completed = Some("{\"completed\": true}");
    expect_error(
        &session.send_json_request("PATCH", &unknown, completed, &[])?,
        404,
        "store.todos.get_mut(&id) is None: answer Err(no_such_todo(id)).",
    )
}

/// Makes a todo after some were deleted, and checks that its id is new:
/// greater than `newest`, the id of the last todo made before, so that no
/// url ever names two todos. `what` says what was deleted.
fn new_id_after_delete(session: &mut Session, newest: u64, what: &str) -> Result<u64, Failure> {
    let body = json!({ "title": random_title() }).to_string();
    let reply = session.send_json_request("POST", "/todos", Some(&body), &[])?;
    let id = id_of(&json_of(&reply));
    let where_ = if what.contains("DELETE /todos") {
        "leave next_id alone in delete_all: clear only the map, self.store().todos.clear()"
    } else {
        "never from the ids left in the store"
    };
    reply.expect(
        |reply| reply.status == 201 && id > newest,
        format!(
            "201 and a new todo with an id never given before: greater than {newest}, the \
             last id given, after {what}"
        ),
        format!(
            "Ids are never reused: a client may still hold the url of a todo that is gone, \
             and it must get 404, not another todo (or overwrite one still there). Take \
             the id from store.next_id and add one to it, under the lock of the insert: \
             not todos.len() + 1 (which gives an id still in use after a DELETE), and {where_}."
        ),
    )?;
    Ok(id)
}

pub(super) fn delete_removes_one_todo(session: &mut Session) -> CheckResult {
    let (_, path) = create(session, &json!({ "title": random_title() }))?;
    let (kept_todo, kept_path) = create(session, &json!({ "title": random_title() }))?;
    let reply = session.send_json_request("DELETE", &path, None, &[])?;
    reply.expect_status(
        204,
        match reply.status {
            200 => "Deleted, and nothing to say: 204 No Content, with Answer::empty(204).",
            501 => "DELETE is not written yet: fill in delete_one(), in TODO(d).",
            _ => "Remove the todo from the store and answer Answer::empty(204).",
        },
    )?;
    for method in ["GET", "PATCH", "DELETE"] {
        let body = (method == "PATCH").then_some("{\"completed\": true}");
        let reply = session.send_json_request(method, &path, body, &[])?;
        let hint = if method == "DELETE" && reply.status == 204 {
            "Deleting a todo that is not there (any more) is a 404: self.store().todos.remove(&id) \
             is None then; answer Err(no_such_todo(id)), not 204."
        } else {
            "The todo was just deleted, so it must be gone from the store: \
             self.store().todos.remove(&id); a second DELETE finds nothing, a 404."
        };
        expect_error(&reply, 404, hint)?;
    }
    session.get(&kept_path)?.expect_status(
        200,
        "Another todo, not deleted, is still there: DELETE /todos/{id} removes that one todo only.",
    )?;
    let newest = id_of(&kept_todo);
    let id = new_id_after_delete(session, newest, "DELETE of one todo")?;
    // The todo kept must still be itself, not overwritten by the new one.
    session.get(&kept_path)?.expect(
        |kept| json_of(kept)["title"] == kept_todo["title"],
        format!("todo {newest}, as it was made (the new todo is {id})"),
        "Another todo took its place: a new todo must never overwrite one in the store. \
         Take new ids from store.next_id, never reused.",
    )?;
    Ok(())
}

pub(super) fn delete_all_empties_the_list(session: &mut Session) -> CheckResult {
    let (newest, _) = create(session, &json!({ "title": random_title() }))?;
    let reply = session.send_json_request("DELETE", "/todos", None, &[])?;
    reply.expect_status(
        204,
        if reply.status == 501 {
            "DELETE /todos is not written yet: fill in delete_all(), in TODO(d)."
        } else {
            "Clear the store's map and answer Answer::empty(204)."
        },
    )?;
    let (reply, todos) = get_list(session)?;
    reply.expect(
        |_| todos.is_empty(),
        "an empty array, []",
        "DELETE /todos forgets every todo: self.store().todos.clear().",
    )?;
    new_id_after_delete(session, id_of(&newest), "DELETE /todos")?;
    Ok(())
}
