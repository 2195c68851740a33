//! The module's two errors: [`HttpError`], an error that has an HTTP
//! status ("your request was wrong, and here is why"), and [`ServerError`],
//! why a server could not start.

use std::fmt;

/// An error to send back to the client as a status code and a short message.
///
/// The server uses it for requests it cannot accept (a malformed request line
/// is `400 Bad Request`), and a handler may return one with `?` or `Err` to
/// answer with that status instead of `500 Internal Server Error`:
///
/// ```
/// use http_server::{Handler, HandlerResult, HttpError, Request, Response};
///
/// struct OnlyRoot;
///
/// impl Handler for OnlyRoot {
///     fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
///         if request.path() != "/" {
///             return Err(HttpError::new(404, "there is only one page here: /").into());
///         }
///         response.send_response(200);
///         response.end_headers();
///         Ok(())
///     }
/// }
/// # let error = HttpError::new(404, "there is only one page here: /");
/// # assert_eq!(error.status(), 404);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    status: u16,
    message: String,
}

impl HttpError {
    /// An error with a status code (a 4xx or 5xx) and a message for people.
    ///
    /// ```
    /// let error = http_server::HttpError::new(400, "the form has no 'message' field");
    /// assert_eq!(error.to_string(), "400 Bad Request: the form has no 'message' field");
    /// ```
    pub fn new(status: u16, message: impl Into<String>) -> HttpError {
        HttpError {
            status,
            message: message.into(),
        }
    }

    /// The status code to answer with.
    ///
    /// ```
    /// assert_eq!(http_server::HttpError::new(413, "too big").status(), 413);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The message for people, without the status.
    ///
    /// ```
    /// assert_eq!(http_server::HttpError::new(413, "too big").message(), "too big");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = crate::reason_phrase(self.status);
        write!(f, "{} {reason}: {}", self.status, self.message)
    }
}

impl std::error::Error for HttpError {}

/// Why a server could not start.
///
/// Its `Debug` form is the same plain sentence as its `Display` form, so a
/// `main` that returns `Result<(), ServerError>` prints one readable line:
///
/// ```text
/// Error: cannot listen on 127.0.0.1:8000: address already in use (is another server running? try PORT=8001)
/// ```
///
/// ```
/// let error = http_server::Listener::bind("256.0.0.1:80").unwrap_err();
/// assert!(error.to_string().starts_with("cannot listen on 256.0.0.1:80"));
/// ```
pub struct ServerError {
    message: String,
}

impl ServerError {
    pub(crate) fn new(message: String) -> ServerError {
        ServerError { message }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServerError {}
