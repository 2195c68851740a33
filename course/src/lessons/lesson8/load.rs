//! The crowds of steps c and d, and the full store: many clients at once,
//! the crowd of POSTs and the full store each on a server of their own.

use std::collections::HashSet;
use std::sync::Barrier;

use serde_json::{Value, json};

use super::{create, get_list, json_of, random_number, random_title};
use crate::kit::crowd::{
    at_once, expect_crowd_ok, fresh_session, on_fresh_session, send_json_expecting,
};
use crate::kit::pipeline::post_pipelined;
use crate::session::{Reply, Session};
use crate::{CheckResult, Failure};

/// POSTs a todo for each title down one connection to `own`'s server,
/// pipelined, and returns the new todos' ids; a problem unless each POST
/// answered 201 with an id.
fn post_titles(address: &str, titles: &[String]) -> Result<Vec<u64>, String> {
    let bodies: Vec<String> = titles
        .iter()
        .map(|title| json!({ "title": title }).to_string())
        .collect();
    let mut ids = Vec::new();
    for reply in post_pipelined(address, "/todos", "application/json", &bodies)? {
        match (reply.status, json_of(&reply)["id"].as_u64()) {
            (201, Some(id)) => ids.push(id),
            (201, None) => return Err("a new todo's answer has no id".into()),
            (status, _) => return Err(format!("a POST got {status}")),
        }
    }
    Ok(ids)
}

/// The address (`127.0.0.1:PORT`) of `own`'s server, started now.
fn address_of(own: &mut Session) -> Result<String, Failure> {
    let base_url = own.server()?.base_url();
    Ok(base_url.trim_start_matches("http://").to_owned())
}

// The crowd of step c, sized on the catalog's two-lock mistake
// (lesson8.mutants.toml): five rounds of 9,500 pipelined POSTs caught it in
// 50 runs of 50 here (one round, in about 4 of 5). A window of a few
// instructions between two locks is met by chance only. 190 each, so that
// a round's server keeps fewer than MAX_TODOS (10,000) with its two examples.
const CLIENTS: usize = 50;
const TODOS: usize = 190;
const ROUNDS: usize = 5;

pub(super) fn no_todo_lost_under_load(session: &mut Session) -> CheckResult {
    let context = format!(
        "{ROUNDS} times: cargo run --bin {}, then {CLIENTS} clients at once, each sending \
         {TODOS} POSTs down one connection without waiting for the answers (curl -i -d \
         '{{\"title\": \"...\"}}' http://localhost:8000/todos, {TODOS} times, pipelined)",
        session.binary_name()
    );
    for round in 1..=ROUNDS {
        // A server of its own each round, so that the store stays under
        // the limit of 10,000 todos, and the other checks' list short.
        let mut own = fresh_session(session);
        crowd_of_posts(&mut own, round)
            .map_err(|failure| on_fresh_session(&mut own, &context, failure))?;
    }
    Ok(())
}

/// One round of [`no_todo_lost_under_load`], on `own`'s server.
fn crowd_of_posts(own: &mut Session, round: usize) -> CheckResult {
    let address = address_of(own)?;
    let run = format!("{:06}", random_number() % 1_000_000);
    let results = at_once(CLIENTS, |client| {
        let titles: Vec<String> = (0..TODOS)
            .map(|todo| format!("load {run} {client:02}-{todo:03}"))
            .collect();
        let ids = post_titles(&address, &titles)?;
        Ok(titles.into_iter().zip(ids).collect::<Vec<_>>())
    });
    let made: Vec<(String, u64)> = expect_crowd_ok(
        results,
        "",
        "every POST answered 201 Created, with the new todo's id",
        "The server must answer many clients at once, every time.",
    )?
    .into_iter()
    .flatten()
    .collect();
    let mut ids = HashSet::new();
    let repeated = made.iter().filter(|(_, id)| !ids.insert(*id)).count();
    let (reply, list) = get_list(own)?;
    let titles: HashSet<&str> = list
        .iter()
        .filter_map(|todo| todo["title"].as_str())
        .collect();
    let missing: Vec<&str> = made
        .iter()
        .map(|(title, _)| title.as_str())
        .filter(|title| !titles.contains(title))
        .collect();
    reply.expect(
        |_| repeated == 0 && missing.is_empty(),
        format!(
            "all {} todos in the list, each with its own id (round {round} of {ROUNDS}); \
             {repeated} id(s) were given twice, and {} todo(s) are missing, such as {:?}",
            made.len(),
            missing.len(),
            missing.first()
        ),
        "Take the id and insert the todo under one lock: let mut store = self.store(); \
         then next_id, += 1 and insert through that one guard. Locking twice (once to \
         read next_id, once to insert), or copying the map and storing the copy back, \
         lets two clients take the same id or undo each other's todo.",
    )?;
    Ok(())
}

pub(super) fn no_patch_lost_under_load(session: &mut Session) -> CheckResult {
    const PATCHED: usize = 200;
    const PAIRS: usize = 10;
    // A lost update needs the two PATCHes of a pair to meet inside the
    // server; many passes over the todos give them many chances. Forty
    // caught the catalog's copy-out mistake in 50 runs of 50 here (five
    // passes, in about 30 of 48).
    const PASSES: usize = 40;
    let mut paths = Vec::new();
    for _ in 0..PATCHED {
        paths.push(create(session, &json!({ "title": random_title() }))?.1);
    }
    let base_url = session.server()?.base_url().to_owned();
    let client = session.client().clone();
    let sent = format!(
        "for each of {PATCHED} new todos, at the same time: curl -X PATCH -d '{{\"title\": \
         \"renamed ...\"}}' and curl -X PATCH -d '{{\"completed\": true}}' (from {} clients)",
        2 * PAIRS
    );
    for pass in 1..=PASSES {
        let title_of = |path: &str| format!("renamed {path} ({pass})");
        let completed = pass % 2 == 1;
        // Two clients per share of the todos, going through them in step:
        // one renames each todo, the other ticks (or unticks) it. A barrier
        // per pair makes both wait for each other before each PATCH, so
        // that the two arrive together.
        let barriers: Vec<Barrier> = (0..PAIRS).map(|_| Barrier::new(2)).collect();
        let results = at_once(2 * PAIRS, |worker| {
            let mut problem = Ok(());
            for path in paths.iter().skip(worker % PAIRS).step_by(PAIRS) {
                // Both of a pair go through every round, even after a
                // problem, so that neither waits forever.
                barriers[worker % PAIRS].wait();
                let change = if worker < PAIRS {
                    json!({ "title": title_of(path) })
                } else {
                    json!({ "completed": completed })
                };
                if problem.is_ok() {
                    let url = format!("{base_url}{path}");
                    problem = send_json_expecting(&client, "PATCH", &url, &change, 200).map(drop);
                }
            }
            problem
        });
        expect_crowd_ok(
            results,
            &sent,
            "every PATCH answered 200 OK",
            "The server must answer many clients at once, every time.",
        )?;
        let (reply, list) = get_list(session)?;
        // A todo of the crowd that lost a change, or is missing (Null).
        let lost: Vec<&Value> = paths
            .iter()
            .filter_map(|path| {
                let url_is = |todo: &&Value| {
                    todo["url"]
                        .as_str()
                        .is_some_and(|url| url.ends_with(path.as_str()))
                };
                let todo = list.iter().find(url_is).unwrap_or(&Value::Null);
                (todo["title"] != title_of(path).as_str() || todo["completed"] != completed)
                    .then_some(todo)
            })
            .collect();
        reply.expect(
            |_| lost.is_empty(),
            format!(
                "all {PATCHED} todos renamed and with \"completed\": {completed} (pass {pass} of \
                 {PASSES}, after {sent}); {} lost a change, such as {}",
                lost.len(),
                lost.first().unwrap_or(&&Value::Null)
            ),
            "Hold the store's lock from reading the todo to writing it back: change it \
             in place through one guard (store.todos.get_mut(&id)). Copying it out, \
             changing the copy and inserting it again lets another PATCH in between, \
             and one of the two is undone.",
        )?;
    }
    Ok(())
}

pub(super) fn full_store_is_refused(session: &mut Session) -> CheckResult {
    // A server of its own: the other checks' server must keep room.
    let mut own = fresh_session(session);
    let context = format!(
        "cargo run --bin {}, then POSTs of new todos until it keeps 10,000 (it starts with \
         its examples), 8 clients at once",
        session.binary_name()
    );
    fill_the_store(&mut own).map_err(|failure| on_fresh_session(&mut own, &context, failure))
}

/// [`full_store_is_refused`], on `own`'s server.
fn fill_the_store(own: &mut Session) -> CheckResult {
    const FULL: usize = 10_000;
    const CLIENTS: usize = 8;
    let address = address_of(own)?;
    let kept = own
        .get("/todos")?
        .json("")
        .map_or(0, |list| list.as_array().map_or(0, Vec::len));
    let to_make = FULL.saturating_sub(kept);
    let results = at_once(CLIENTS, |number| {
        let titles: Vec<String> = (number..to_make)
            .step_by(CLIENTS)
            .map(|n| format!("full {n:05}"))
            .collect();
        let mut made = Vec::new();
        for chunk in titles.chunks(250) {
            made.extend(post_titles(&address, chunk)?);
        }
        Ok(made)
    });
    let results = expect_crowd_ok(
        results,
        "",
        &format!("each POST answered 201 Created, up to {FULL} todos"),
        &format!(
            "The store keeps up to {FULL} todos: refuse a new one only when it already holds \
             that many (store.todos.len() >= MAX_TODOS)."
        ),
    )?;
    let made: Vec<u64> = results.into_iter().flatten().collect();
    let one_more = json!({ "title": random_title() }).to_string();
    let is_full = |reply: &Reply| {
        let message = json_of(reply)["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        reply.status == 507 && (message.contains("10,000") || message.contains("10000"))
    };
    let full_hint = "One client must not be able to fill the server's memory: in create, under \
                     the same lock that takes the id, a store that already holds MAX_TODOS \
                     todos answers 507 Insufficient Storage with a sentence that names the \
                     limit: \"The list is full: it keeps at most 10,000 todos.\"";
    own.send_json_request("POST", "/todos", Some(&one_more), &[])?
        .expect(
            is_full,
            "507 Insufficient Storage and a JSON error that names the limit (10,000)",
            full_hint,
        )?;
    let Some(gone) = made.first() else {
        return Ok(());
    };
    own.send_json_request("DELETE", &format!("/todos/{gone}"), None, &[])?
        .expect_status(
            204,
            "A full store still deletes: delete_one as in the check above.",
        )?;
    own.send_json_request("POST", "/todos", Some(&one_more), &[])?
        .expect_status(
            201,
            "One todo was deleted, so there is room for one: count the todos the store holds \
             (store.todos.len()), not the ids given so far (next_id).",
        )?;
    own.send_json_request("POST", "/todos", Some(&one_more), &[])?
        .expect(
            is_full,
            "507 Insufficient Storage again: the room was taken",
            full_hint,
        )?;
    Ok(())
}
