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
use std::sync::{Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::Duration;

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

/// Hands a finished line to the log writer.
///
/// Connection threads add their line to a shared buffer and go on at once;
/// a writer thread prints what piled up, with one write, a moment later.
/// So a busy server makes one write every few milliseconds instead of one
/// per request, and no connection thread ever waits for a slow terminal.
fn emit(line: String) {
    static PENDING: Mutex<String> = Mutex::new(String::new());
    static WRITER: OnceLock<Thread> = OnceLock::new();
    let writer = WRITER.get_or_init(|| {
        thread::spawn(|| {
            loop {
                // Sleep until there is something to print, then a little
                // longer, so that lines arriving meanwhile go out together.
                thread::park();
                thread::sleep(Duration::from_millis(10));
                let batch = std::mem::take(&mut *lock(&PENDING));
                let _ = std::io::stderr().write_all(batch.as_bytes());
            }
        })
        .thread()
        .clone()
    });
    let mut pending = lock(&PENDING);
    let was_empty = pending.is_empty();
    pending.push_str(&line);
    drop(pending);
    if was_empty {
        writer.unpark(); // only the first line of a batch wakes the writer
    }
}

fn lock(mutex: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
