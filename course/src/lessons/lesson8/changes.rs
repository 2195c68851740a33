//! Step d: PATCH and DELETE.

use serde_json::json;

use super::{
    UNKNOWN_ID, create, expect_error, get_list, id_of, json_of, random_order, random_title,
};
use crate::session::Session;
use crate::{CheckResult, Failure};

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
    let reply = session.send_json_request("PATCH", &unknown, Some("{\"completed\": true}"), &[])?;
    expect_error(
        &reply,
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
