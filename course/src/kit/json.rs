//! JSON bodies: decoding a reply, and expectations about its fields.
//!
//! ```
//! use course::kit::json::field;
//!
//! let todo = serde_json::json!({"title": "Buy milk", "completed": false});
//! assert_eq!(field(&todo, "/title"), Some(&serde_json::json!("Buy milk")));
//! assert_eq!(field(&todo, "/nothing"), None);
//! ```

use serde_json::Value;

use crate::{Failure, Reply};

/// The value at a JSON pointer (`/todos/0/title`), if there is one.
pub fn field<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    value.pointer(pointer)
}

impl Reply {
    /// The body as JSON; a failure with `hint` if it is not JSON.
    pub fn json(&self, hint: &str) -> Result<Value, Failure> {
        serde_json::from_str(&self.body)
            .map_err(|error| self.fail(format!("a JSON body ({error})"), hint))
    }

    /// Expects the JSON body to hold `expected` at `pointer`
    /// (`/completed`), and returns the whole body.
    pub fn expect_json_field(
        &self,
        pointer: &str,
        expected: &Value,
        hint: &str,
    ) -> Result<Value, Failure> {
        let body = self.json(hint)?;
        match field(&body, pointer) {
            Some(found) if found == expected => Ok(body),
            Some(found) => Err(self.fail(
                format!("{expected} at {pointer} in the JSON (not {found})"),
                hint,
            )),
            None => Err(self.fail(format!("{expected} at {pointer} in the JSON"), hint)),
        }
    }
}

impl Reply {
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
        if self.json(hint)? == *expected {
            return Ok(self);
        }
        Err(self.fail(format!("the JSON {expected}"), hint))
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
        match field(&body, pointer).and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => Ok(text.to_owned()),
            _ => Err(self.fail(format!("a JSON body with a text at {pointer}"), hint)),
        }
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

impl Reply {
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
        if holds(&self.json_or_null()) {
            return Ok(self);
        }
        Err(self.fail(expected, hint))
    }
}

impl crate::Session {
    /// Sends `method path` to a JSON API: with `body` as JSON
    /// (`Content-Type: application/json`), or with no body.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// let made = session.json_request("POST", "/todos", Some(serde_json::json!({ "title": "Buy milk" })))?;
    /// made.expect_status(201, "POST /todos adds a todo.")?;
    /// session.json_request("GET", "/todos", None)?.expect_status(200, "GET /todos lists them.")?;
    /// # Ok(()) }
    /// ```
    pub fn json_request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, Failure> {
        let headers = match body {
            Some(_) => vec![("Content-Type", "application/json")],
            None => Vec::new(),
        };
        let body = body.map(|body| body.to_string().into_bytes());
        self.send(crate::session::Outgoing {
            method,
            path,
            headers,
            body,
        })
    }
}
