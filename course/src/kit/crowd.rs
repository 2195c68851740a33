//! Many clients at once: the checks that nothing is lost when a crowd
//! sends requests together (lessons 2, 4, 8 and 9).
//!
//! ```
//! use course::kit::crowd::at_once;
//!
//! // Ten clients at the same time; each reports a result or a problem.
//! let results = at_once(10, |client| if client < 10 { Ok(client * 2) } else { Err("?".into()) });
//! assert_eq!(results.len(), 10);
//! assert!(results.iter().all(Result::is_ok));
//! ```

use std::thread;

use reqwest::blocking::Client;

use crate::Failure;
use crate::session::{Session, encode_form};

/// Runs `clients` threads at the same time, the client numbered `n` doing
/// `work(n)`, and returns their results in client order. A client that
/// panics reports it as a problem, so one bad client never hides the
/// others' reports.
pub fn at_once<T: Send>(
    clients: usize,
    work: impl Fn(usize) -> Result<T, String> + Sync,
) -> Vec<Result<T, String>> {
    thread::scope(|scope| {
        let work = &work;
        let running: Vec<_> = (0..clients)
            .map(|client| scope.spawn(move || work(client)))
            .collect();
        running
            .into_iter()
            .map(|client| {
                client
                    .join()
                    .unwrap_or_else(|_| Err("a client thread panicked".into()))
            })
            .collect()
    })
}

/// POSTs a form to `url` as a browser does and expects `status` back; the
/// problem in a sentence otherwise.
pub fn post_form_expecting(
    client: &Client,
    url: &str,
    fields: &[(&str, &str)],
    status: u16,
) -> Result<(), String> {
    let result = client
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(encode_form(fields))
        .send();
    match result {
        Ok(response) if response.status().as_u16() == status => Ok(()),
        Ok(response) => Err(format!("a POST got {}", response.status())),
        Err(error) => Err(format!("a POST got no answer: {error}")),
    }
}

/// Expects every client of a crowd to have done its part: the clients'
/// answers, or a failure that says how many had trouble, and the first
/// problem. `sent` describes the crowd's requests.
///
/// ```
/// use course::kit::crowd::{at_once, expect_crowd_ok};
///
/// let results = at_once(3, |client| if client == 1 { Err("a POST got 500".into()) } else { Ok(client) });
/// let failure = expect_crowd_ok(results, "3 clients", "every POST answered 303", "...").unwrap_err();
/// assert_eq!(failure.got, "1 of 3 clients had trouble; the first: a POST got 500");
/// ```
pub fn expect_crowd_ok<T>(
    results: Vec<Result<T, String>>,
    sent: &str,
    expected: &str,
    hint: &str,
) -> Result<Vec<T>, Failure> {
    let problems: Vec<&String> = results
        .iter()
        .filter_map(|result| result.as_ref().err())
        .collect();
    if let Some(first) = problems.first() {
        return Err(Failure {
            sent: sent.to_owned(),
            expected: expected.to_owned(),
            got: format!(
                "{} of {} clients had trouble; the first: {first}",
                problems.len(),
                results.len()
            ),
            hint: hint.to_owned(),
        });
    }
    Ok(results.into_iter().filter_map(Result::ok).collect())
}

/// Expects each of `markers` exactly once in `page`'s body: otherwise a
/// failure that counts the missing and the repeated, with a few of each.
///
/// ```
/// use course::kit::crowd::expect_each_once;
///
/// let found = expect_each_once("<li>a-1</li><li>a-2</li><li>a-2</li>", ["a-1", "a-2", "a-3"]);
/// assert_eq!(found.unwrap_err(), "1 missing, such as a-3; 1 shown more than once, such as a-2");
/// ```
pub fn expect_each_once<M: AsRef<str>>(
    body: &str,
    markers: impl IntoIterator<Item = M>,
) -> Result<(), String> {
    let mut missing = Vec::new();
    let mut repeated = Vec::new();
    for marker in markers {
        let marker = marker.as_ref();
        match body.matches(marker).count() {
            0 => missing.push(marker.to_owned()),
            1 => {}
            _ => repeated.push(marker.to_owned()),
        }
    }
    let describe = |list: &[String], what: &str| {
        let examples = list.iter().take(3).cloned().collect::<Vec<_>>();
        (!list.is_empty())
            .then(|| format!("{} {what}, such as {}", list.len(), examples.join(", ")))
    };
    let found = [
        describe(&missing, "missing"),
        describe(&repeated, "shown more than once"),
    ];
    let found: Vec<String> = found.into_iter().flatten().collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(found.join("; "))
    }
}

/// A session of its own for a crowd: the program under check started
/// afresh on another port, so that a crowd's thousands of requests neither
/// crowd the other checks' server nor find its state.
pub fn fresh_session(session: &Session) -> Session {
    Session::new(session.binary().to_owned(), true)
}

/// `failure` of a check on a [`fresh_session`] `own`: what the check did
/// first (`context`, such as "50 clients at once..."), then the requests it
/// sent to that session; a failure of the crowd itself (no request of
/// its own) shows what the server printed too.
pub fn on_fresh_session(own: &mut Session, context: &str, failure: Failure) -> Failure {
    let mut failure = own.with_scenario(failure);
    if failure.sent.is_empty() {
        failure.sent = context.to_owned();
        if let Ok(server) = own.server() {
            failure.got.push_str(&server.output_for_report());
        }
    } else {
        failure.sent = format!("{context}, then:\n{}", failure.sent);
    }
    failure
}

/// Sends `method url` with the JSON body `body` (as one of a crowd, or to
/// a server a check started itself) and expects `status` back: the body
/// as JSON (`Null` if it is not), or the problem in a sentence.
///
/// ```no_run
/// use course::kit::crowd::send_json_expecting;
///
/// let client = reqwest::blocking::Client::new();
/// let todo = serde_json::json!({ "title": "Buy milk" });
/// let made = send_json_expecting(&client, "POST", "http://127.0.0.1:8000/todos", &todo, 201);
/// assert!(made.is_ok_and(|made| made["title"] == "Buy milk"));
/// ```
pub fn send_json_expecting(
    client: &Client,
    method: &str,
    url: &str,
    body: &serde_json::Value,
    status: u16,
) -> Result<serde_json::Value, String> {
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("{method} is not a method"))?;
    let response = client
        .request(method.clone(), url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .map_err(|error| format!("a {method} got no answer: {error}"))?;
    let got = response.status().as_u16();
    let text = response.text().unwrap_or_default();
    if got != status {
        return Err(format!("a {method} got {got}: {text}"));
    }
    Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}
