//! HTTP's grammar, in one place: which bytes may appear where in a
//! request (RFC 9110 and RFC 9112). Every file that reads or writes the
//! protocol asks here, so a rule is written once and read once.
//!
//! ```text
//! GET /a?b HTTP/1.1        <- method: a token; target: target characters
//! Host: example.com:8000   <- field line: a token, a colon, a field value
//! ```
//!
//! Each rule is a small function over bytes, so a rule and its RFC can be
//! read side by side.

use crate::HttpError;

/// The error for a request that breaks the grammar: `400 Bad Request`.
pub(crate) fn bad_request(message: &str) -> HttpError {
    HttpError::new(400, message)
}

/// A `tchar`: the characters allowed in methods, header names and other
/// tokens (RFC 9110, section 5.6.2).
pub(crate) fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// A token: one or more `tchar`s, such as a method or a header name.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&byte| is_token_char(byte))
}

/// A byte of a field value: visible characters, spaces, tabs and
/// `obs-text` (bytes 0x80 and up), never another control character, whose
/// line break would split the message (RFC 9110, section 5.5).
pub(crate) fn is_field_value_byte(byte: u8) -> bool {
    byte == b'\t' || (byte >= b' ' && byte != 0x7f)
}

/// Characters of `host[:port]`, including IPv6 literals like `[::1]:8000`.
pub(crate) fn is_host_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]%".contains(&byte)
}

/// ``[ ] { } | ^ \ ` ``. The URI grammar forbids those, but browsers send
/// them unescaped in a query (the WHATWG URL standard leaves them alone), so
/// refusing them would refuse real browsers. What browsers always escape
/// (space, `"`, `<`, `>`, controls, non-ASCII) is refused.
pub(crate) fn is_target_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%[]{}|^\\`".contains(&byte)
}

/// `name: value`, where the name is a token right up to the colon and the
/// value is visible characters, spaces and tabs (RFC 9112, section 5). Used
/// for header lines and for the trailer lines of a chunked body.
pub(crate) fn parse_field_line(line: &[u8]) -> Result<(String, String), HttpError> {
    // A line that starts with whitespace continues the previous one ("obs-fold",
    // RFC 9112, section 5.2); a server must refuse it or unfold it. Refusing
    // is the choice that cannot be misread.
    if let Some(b' ' | b'\t') = line.first() {
        return Err(bad_request(
            "a header line starts with whitespace (obsolete line folding is not accepted)",
        ));
    }
    let Some(colon) = line.iter().position(|&byte| byte == b':') else {
        return Err(bad_request("a header line has no colon"));
    };
    let name = &line[..colon];
    if !is_token(name) {
        return Err(bad_request(
            "a header name is not a valid token (no spaces before the colon)",
        ));
    }
    let value = trim_whitespace(&line[colon + 1..]);
    if let Some(&bad) = value.iter().find(|&&byte| !is_field_value_byte(byte)) {
        let message = format!("a header value contains the control character 0x{bad:02x}");
        return Err(bad_request(&message));
    }
    Ok((
        String::from_utf8_lossy(name).into_owned(),
        String::from_utf8_lossy(value).into_owned(),
    ))
}

/// Removes the spaces and tabs around a value. Only those two: HTTP's
/// "optional whitespace" is nothing else (RFC 9110, section 5.6.3), and a
/// form feed or vertical tab at the end of a value is a control character
/// to refuse, not to trim away.
fn trim_whitespace(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}
