//! Step e: CORS, for pages from another origin.

use serde_json::json;

use super::{UNKNOWN_ID, create};
use crate::CheckResult;
use crate::kit::cors::other_origin;
use crate::session::{Outgoing, Reply, Session};

/// The hint for an answer that does not let a page of `origin` read it:
/// `missing` when it has no Access-Control-Allow-Origin at all.
fn origin_hint(reply: &Reply, origin: &str, missing: &str) -> String {
    match reply.header("access-control-allow-origin") {
        Some(value) => format!(
            "Access-Control-Allow-Origin: {value} lets only that origin read the answer, and \
             this page is at {origin}. The API has no secrets: send * (any origin), in Answer::send."
        ),
        None => missing.to_owned(),
    }
}

pub(super) fn preflight_is_allowed(session: &mut Session) -> CheckResult {
    let origin = other_origin(session)?;
    let (_, path) = create(session, &json!({ "title": "preflight me" }))?;
    for (path, method) in [
        ("/todos", "POST"),
        (path.as_str(), "PATCH"),
        (path.as_str(), "DELETE"),
    ] {
        let reply = session.send(Outgoing {
            method: "OPTIONS",
            path,
            headers: vec![
                ("Origin", &origin),
                ("Access-Control-Request-Method", method),
                ("Access-Control-Request-Headers", "content-type"),
            ],
            body: None,
        })?;
        let expected =
            format!("2xx, with Access-Control-Allow-Origin, and {method} and Content-Type allowed");
        let origins = reply
            .headers
            .get_all("access-control-allow-origin")
            .iter()
            .count();
        reply
            .expect_cors(
                |reply| (200..300).contains(&reply.status),
                &expected,
                if reply.status == 404 || reply.status == 405 {
                    "The router must send OPTIONS on /todos and /todos/{id} to Route::Preflight (step a)."
                } else {
                    "A preflight is answered 204 No Content, with the headers that allow the request."
                },
            )?
            .expect_cors(
                |reply| reply.allows_origin(&origin),
                &expected,
                origin_hint(
                    &reply,
                    &origin,
                    "Every answer, the preflight's too, needs Access-Control-Allow-Origin: * (in Answer::send).",
                ),
            )?
            .expect_cors(
                |_| origins <= 1,
                format!("{expected}: Access-Control-Allow-Origin once"),
                format!(
                    "The answer has Access-Control-Allow-Origin {origins} times: a browser reads \
                     them as one value, \"*, *\", which is no origin, and refuses the preflight \
                     (and then the PATCH). Answer::send already adds it to every answer, the \
                     preflight's too: in preflight() add only Access-Control-Allow-Methods and \
                     Access-Control-Allow-Headers."
                ),
            )?
            .expect_cors(
                |reply| reply.header_lists("access-control-allow-methods", method),
                &expected,
                format!(
                    "The page asked whether it may send {method}; Access-Control-Allow-Methods: GET, POST, PATCH, DELETE, OPTIONS says yes."
                ),
            )?
            .expect_cors(
                |reply| reply.header_lists("access-control-allow-headers", "content-type"),
                &expected,
                "The page sends a Content-Type header (application/json), which needs permission: Access-Control-Allow-Headers: Content-Type.",
            )?;
    }
    Ok(())
}

pub(super) fn every_answer_allows_other_origins(session: &mut Session) -> CheckResult {
    let origin = other_origin(session)?;
    let headers = [("Origin", origin.as_str())];
    let (_, path) = create(session, &json!({ "title": "cross-origin" }))?;
    let unknown = format!("/todos/{UNKNOWN_ID}");
    let requests = [
        ("GET", "/todos", None, "a list"),
        (
            "POST",
            "/todos",
            Some("{\"title\": \"from elsewhere\"}"),
            "a new todo",
        ),
        ("PATCH", &path, Some("{\"completed\": true}"), "a change"),
        ("GET", &unknown, None, "a 404"),
        ("POST", "/todos", Some("{\"completed\": \"yes\"}"), "a 400"),
        ("PUT", "/todos", Some("{}"), "a 405"),
        ("DELETE", &path, None, "a 204, without a body"),
    ];
    for (method, path, body, what) in requests {
        let reply = session.send_json_request(method, path, body, &headers)?;
        let hint = if reply.status == 204 {
            "An answer without a body needs the header too: send it in Answer::send."
        } else if reply.status >= 400 {
            "Errors need the header too, or a page elsewhere cannot read what went wrong: \
             send Access-Control-Allow-Origin: * in Answer::send, which every answer goes through."
        } else {
            "Send Access-Control-Allow-Origin: * in Answer::send, so that every answer has it: \
             without it the browser hides the answer from a page served from another origin."
        };
        reply.expect_cors(
            |reply| reply.allows_origin(&origin),
            format!("{what}, with Access-Control-Allow-Origin: * (the page is at {origin})"),
            origin_hint(&reply, &origin, hint),
        )?;
    }
    Ok(())
}
