//! The request log: one line per request on stderr, in the form Python's
//! `http.server` (and most web servers) use:
//!
//! ```text
//! 127.0.0.1 - - [20/Nov/2026 21:45:00] "GET / HTTP/1.1" 200 -
//! ```
//!
//! The two dashes are fields nobody fills in any more (who the client is and
//! who logged in); the last dash is the body size, which Python leaves out too.

use std::io::Write;
use std::net::IpAddr;

use crate::date::DateTime;

/// The longest part of a request we copy into the log, so a 100 KB request
/// line does not become a 100 KB log line.
const MAX_LOGGED_BYTES: usize = 300;

/// Logs one answered request.
pub(crate) fn log_request(client: IpAddr, request_line: &[u8], status: u16) {
    use std::fmt::Write as _;
    let mut line = String::with_capacity(128);
    let _ = write!(line, "{client} - - [");
    DateTime::now().write_log_date(&mut line);
    line.push_str("] \"");
    line.push_str(&escape_for_log(request_line));
    let _ = writeln!(line, "\" {status} -");
    emit(line);
}

/// Logs a message about a request, such as a mistake in a handler.
pub(crate) fn log_message(client: IpAddr, message: &str) {
    let message = escape_for_log(message.as_bytes());
    emit(format!(
        "{client} - - [{}] {message}\n",
        DateTime::now().log_date()
    ));
}

/// Makes bytes from the network safe to print on one line.
///
/// A request line could hold a newline and a fake second log entry, or
/// terminal escape codes that change colours or move the cursor. Control
/// bytes, bytes that are not ASCII, `"` and `\` are written as `\xNN` (or
/// `\"` and `\\`), so each log line says exactly what arrived.
pub(crate) fn escape_for_log(bytes: &[u8]) -> String {
    let mut escaped = String::with_capacity(bytes.len().min(MAX_LOGGED_BYTES) + 8);
    for &byte in bytes.iter().take(MAX_LOGGED_BYTES) {
        match byte {
            b'"' => escaped.push_str("\\\""),
            b'\\' => escaped.push_str("\\\\"),
            b' '..=b'~' => escaped.push(char::from(byte)),
            _ => escaped.push_str(&format!("\\x{byte:02x}")),
        }
    }
    if bytes.len() > MAX_LOGGED_BYTES {
        escaped.push_str("...");
    }
    escaped
}

/// Writes a finished line to stderr, at once, in one write.
///
/// A line is written before the next request on its connection is read,
/// and nothing waits in a buffer: a server stopped with Ctrl-C or `kill`
/// (which std cannot catch) has logged every request it answered. Writing
/// the whole line with one call keeps lines from different threads whole.
fn emit(line: String) {
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_line_breaks_so_a_request_cannot_forge_a_log_line() {
        let forged = b"GET /\r\n127.0.0.1 - - [x] \"GET /admin\" 200 -";
        let logged = escape_for_log(forged);
        assert!(!logged.contains('\n') && !logged.contains('\r'));
        assert!(logged.starts_with("GET /\\x0d\\x0a127.0.0.1"));
        assert!(logged.contains("\\\"GET /admin\\\""));
    }

    #[test]
    fn escapes_terminal_codes_and_non_ascii() {
        assert_eq!(escape_for_log(b"\x1b[31mred\xff"), "\\x1b[31mred\\xff");
    }

    #[test]
    fn shortens_long_input() {
        let logged = escape_for_log(&[b'a'; 1000]);
        assert_eq!(logged.len(), MAX_LOGGED_BYTES + 3);
        assert!(logged.ends_with("..."));
    }
}
