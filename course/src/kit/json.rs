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
