//! Status codes and their reason phrases.
//!
//! The first line of every response names a status code and a short phrase
//! for people, like `HTTP/1.1 404 Not Found`. Programs only look at the
//! number; the phrase is there for whoever reads the bytes (you, in `curl -v`).

/// The standard reason phrase for a status code (RFC 9110, section 15).
///
/// Codes without a standard phrase get a generic one for their class, so a
/// status line always has something to say.
///
/// ```
/// use http_server::reason_phrase;
///
/// assert_eq!(reason_phrase(200), "OK");
/// assert_eq!(reason_phrase(404), "Not Found");
/// assert_eq!(reason_phrase(299), "Success");
/// ```
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        // Every other code is named after its class (its first digit).
        _ => match code / 100 {
            1 => "Informational",
            2 => "Success",
            3 => "Redirection",
            4 => "Client Error",
            _ => "Server Error",
        },
    }
}

/// Whether a response with this status never carries a body (RFC 9110,
/// sections 6.4.1 and 15): informational answers, `204` and `304`.
pub(crate) fn forbids_body(code: u16) -> bool {
    code < 200 || code == 204 || code == 304
}
