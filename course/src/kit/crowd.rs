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

/// The problems among `results`: what [`at_once`]'s clients reported.
pub fn problems<T>(results: &[Result<T, String>]) -> Vec<&str> {
    results
        .iter()
        .filter_map(|result| result.as_ref().err().map(String::as_str))
        .collect()
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

/// Sends `method url` with the JSON text `body` (one of [`at_once`]'s
/// clients, with the session's client) and expects `status` back; the
/// problem in a sentence otherwise.
pub fn send_json_expecting(
    client: &Client,
    method: &str,
    url: &str,
    body: &str,
    status: u16,
) -> Result<(), String> {
    let method =
        reqwest::Method::from_bytes(method.as_bytes()).map_err(|error| error.to_string())?;
    let result = client
        .request(method.clone(), url)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send();
    match result {
        Ok(response) if response.status().as_u16() == status => Ok(()),
        Ok(response) => Err(format!("a {method} got {}", response.status())),
        Err(error) => Err(format!("a {method} got no answer: {error}")),
    }
}

/// A failure if any of `results` is a problem: how many clients had
/// trouble, and the first one's problem.
pub fn expect_no_problems<T>(
    results: &[Result<T, String>],
    expected: &str,
    hint: &str,
) -> Result<(), Failure> {
    let problems = problems(results);
    let Some(first) = problems.first() else {
        return Ok(());
    };
    Err(Failure {
        sent: String::new(),
        expected: expected.to_owned(),
        got: format!(
            "{} of {} clients had trouble; the first: {first}",
            problems.len(),
            results.len()
        ),
        hint: hint.to_owned(),
    })
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
