//! CORS: what lets a page from another origin read an answer, and
//! expectations whose failures show the `Access-Control-*` headers (what
//! a CORS failure is about, and what a reply's summary leaves out).
//!
//! ```no_run
//! use course::kit::cors::other_origin;
//!
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! let origin = other_origin(session)?;
//! let reply = session.send_json_request("GET", "/todos", None, &[("Origin", &origin)])?;
//! reply.expect_cors(|reply| reply.allows_origin(&origin), "Access-Control-Allow-Origin: *", "Send it.")?;
//! # Ok(()) }
//! ```

use crate::{Failure, Reply, Session};

/// The origin of a page on another port of 127.0.0.1 than the server
/// under check (`http://127.0.0.1:PORT+1`), as a browser would send it.
pub fn other_origin(session: &mut Session) -> Result<String, Failure> {
    let base_url = session.server()?.base_url().to_owned();
    let port: u16 = base_url
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or(8000);
    let other = if port == 65535 { 1024 } else { port + 1 };
    Ok(format!("http://127.0.0.1:{other}"))
}

impl Reply {
    /// Whether a page at `origin` may read this answer: its
    /// Access-Control-Allow-Origin is `*` or that origin.
    pub fn allows_origin(&self, origin: &str) -> bool {
        matches!(self.header("access-control-allow-origin"), Some(value) if value == "*" || value == origin)
    }

    /// Whether the comma-separated list in the header `name`
    /// (`Access-Control-Allow-Methods`) has `item`, in any case, or `*`.
    pub fn header_lists(&self, name: &str, item: &str) -> bool {
        let list = self.header(name).unwrap_or("");
        list.split(',')
            .any(|entry| entry.trim().eq_ignore_ascii_case(item) || entry.trim() == "*")
    }

    /// [`Reply::expect`], whose failure also shows every
    /// `Access-Control-*` header of the answer.
    pub fn expect_cors(
        &self,
        holds: impl FnOnce(&Reply) -> bool,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&Reply, Failure> {
        let mut shown: Vec<String> = self
            .headers
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("access-control-"))
            .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap_or("(not text)")))
            .collect();
        if shown.is_empty() {
            shown.push("(none: no access-control-* header at all)".to_owned());
        }
        let label = "access-control-* headers: ";
        let note = format!(
            "{label}{}",
            shown.join(&format!("\n{:1$}", "", label.len()))
        );
        self.expect_noting(holds, note, expected, hint)
    }
}
