//! JSON bodies: decoding a reply, and expectations about its fields.
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let reply = session.send_json_request("POST", "/todos", Some(r#"{"title": 3}"#), &[])?;
//! let error = reply.expect_json_text("/error", "Say what is wrong: {\"error\": \"...\"}.")?;
//! # Ok(()) }
//! ```

use serde_json::Value;

use crate::{Failure, Reply};

impl Reply {
    /// The body as JSON; a failure with `hint` if it is not JSON.
    pub fn json(&self, hint: &str) -> Result<Value, Failure> {
        serde_json::from_str(&self.body)
            .map_err(|error| self.fail(format!("a JSON body ({error})"), hint))
    }

    /// Expects the JSON body to be an array, and returns its items.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let todos = session.get("/todos")?.expect_json_array("Send a Vec: serde writes it as an array.")?;
    /// assert!(todos.iter().all(|todo| todo["title"].is_string()));
    /// # Ok(()) }
    /// ```
    pub fn expect_json_array(&self, hint: &str) -> Result<Vec<Value>, Failure> {
        match self.json(hint)? {
            Value::Array(items) => Ok(items),
            _ => Err(self.fail("a JSON array: [{...}, {...}]", hint)),
        }
    }

    /// Expects the JSON body to be `expected`, exactly (key order aside).
    pub fn expect_json_equal(&self, expected: &Value, hint: &str) -> Result<&Reply, Failure> {
        let body = self.json(hint)?;
        self.expect(|_| body == *expected, format!("the JSON {expected}"), hint)
    }

    /// Expects the JSON body to hold every key of the object `expected`
    /// with its value (other keys may be there too), and returns the body.
    /// The failure names the first key that differs.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let todo = session
    ///     .get("/todos/1")?
    ///     .expect_json_fields(&serde_json::json!({"completed": false}), "A new todo is not done yet.")?;
    /// # Ok(()) }
    /// ```
    pub fn expect_json_fields(&self, expected: &Value, hint: &str) -> Result<Value, Failure> {
        let body = self.json(hint)?;
        let differs = expected
            .as_object()
            .into_iter()
            .flatten()
            .find_map(|(key, value)| {
                let found = body.get(key).unwrap_or(&Value::Null);
                (found != value).then(|| format!("{key} is {found}"))
            });
        match differs {
            None => Ok(body),
            Some(difference) => Err(self.fail(
                format!("a JSON object with {expected} (here {difference})"),
                hint,
            )),
        }
    }

    /// Expects a JSON body with text that is not blank at `pointer`
    /// (`/error`, an API's error message), and returns that text.
    pub fn expect_json_text(&self, pointer: &str, hint: &str) -> Result<String, Failure> {
        let body = self.json(hint)?;
        match body.pointer(pointer).and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => Ok(text.to_owned()),
            _ => Err(self.fail(format!("a JSON body with a text at {pointer}"), hint)),
        }
    }

    /// The body as JSON, or `Null` if it is not JSON: for a check whose
    /// own expectation then fails on the missing field, in its words.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let todos = session.get("/todos")?.json_or_null();
    /// let count = todos.as_array().map_or(0, Vec::len);
    /// # Ok(()) }
    /// ```
    pub fn json_or_null(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// Expects `holds` to be true of the JSON body (`Null` if it is not
    /// JSON); otherwise fails, saying what was `expected`, with `hint`.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// session.get("/todos/1")?.expect_json_that(
    ///     |todo| todo["completed"] == true,
    ///     "the todo with \"completed\": true",
    ///     "PATCH calls Store::update.",
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn expect_json_that(
        &self,
        holds: impl FnOnce(&Value) -> bool,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&Reply, Failure> {
        self.expect(|reply| holds(&reply.json_or_null()), expected, hint)
    }
}

impl crate::Session {
    /// Sends `method path` with `body` (any text, JSON or not) as
    /// `application/json`, unless `headers` name another Content-Type,
    /// and the extra `headers`.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let reply = session.send_json_request("PATCH", "/todos/1", Some(r#"{"completed": true}"#), &[])?;
    /// reply.expect_status(200, "PATCH answers the changed todo.")?;
    /// # Ok(()) }
    /// ```
    pub fn send_json_request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, Failure> {
        let mut all = headers.to_vec();
        let typed = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            all.push(("Content-Type", "application/json"));
        }
        self.send(crate::session::Outgoing {
            method,
            path,
            headers: all,
            body: body.map(|text| text.as_bytes().to_vec()),
        })
    }
}
