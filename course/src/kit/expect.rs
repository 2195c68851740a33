//! Expectations about a reply, each with the lesson's own hint when it
//! does not hold (a `500` also points at the handler's own message).
//!
//! ```no_run
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let reply = session.get("/")?;
//! reply
//!     .expect_status(200, "do_get answers every path with send_response(200).")?
//!     .expect_media_type("text/html", "The page is HTML: send Content-type: text/html; charset=utf-8.")?
//!     .expect_body_contains("<title>", "The page needs a title.")?;
//! # Ok(()) }
//! ```

use crate::{Failure, Reply};

impl Reply {
    /// Expects the status `status`.
    pub fn expect_status(&self, status: u16, hint: &str) -> Result<&Reply, Failure> {
        if self.status == status {
            return Ok(self);
        }
        Err(self.fail(format!("status {status}"), hint))
    }

    /// Expects the header `name` with the value `value` (compared without
    /// regard to case).
    pub fn expect_header(&self, name: &str, value: &str, hint: &str) -> Result<&Reply, Failure> {
        if self
            .header(name)
            .is_some_and(|found| found.eq_ignore_ascii_case(value))
        {
            return Ok(self);
        }
        Err(self.fail(format!("{name}: {value}"), hint))
    }

    /// Expects the media type `media_type` (`text/html`), parameters aside.
    pub fn expect_media_type(&self, media_type: &str, hint: &str) -> Result<&Reply, Failure> {
        if self.media_type().as_deref() == Some(media_type) {
            return Ok(self);
        }
        Err(self.fail(format!("Content-Type: {media_type}"), hint))
    }

    /// Expects `text` somewhere in the body.
    pub fn expect_body_contains(&self, text: &str, hint: &str) -> Result<&Reply, Failure> {
        if self.body.contains(text) {
            return Ok(self);
        }
        Err(self.fail(format!("a body that contains {text:?}"), hint))
    }

    /// Expects the body `body`, allowing one newline after it.
    pub fn expect_body(&self, body: &str, hint: &str) -> Result<&Reply, Failure> {
        if self.body.strip_suffix('\n').unwrap_or(&self.body) == body {
            return Ok(self);
        }
        Err(self.fail(format!("the body {body:?}"), hint))
    }
}
