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

use crate::session::encode_form;

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

/// Expects none of a crowd's `results` to be a problem; otherwise fails
/// with how many of them had one, and the first (`sent` says what the
/// crowd did).
///
/// ```
/// use course::kit::crowd::expect_crowd_served;
///
/// let results: Vec<Result<(), String>> = vec![Ok(()), Err("a POST got 500".into())];
/// let failure = expect_crowd_served(&results, "2 clients at once", "201 for every POST", "Lock once.")
///     .unwrap_err();
/// assert_eq!(failure.got, "1 of 2 clients had trouble; the first: a POST got 500");
/// ```
pub fn expect_crowd_served<T>(
    results: &[Result<T, String>],
    sent: &str,
    expected: &str,
    hint: &str,
) -> Result<(), crate::Failure> {
    let problems = problems(results);
    let Some(problem) = problems.first() else {
        return Ok(());
    };
    Err(crate::Failure {
        sent: sent.to_owned(),
        expected: expected.to_owned(),
        got: format!(
            "{} of {} clients had trouble; the first: {problem}",
            problems.len(),
            results.len()
        ),
        hint: hint.to_owned(),
    })
}
