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
