//! Percent-decoding and form decoding: turning `message=Hi+there%21` into
//! `Hi there!`.
//!
//! A URL, and a form that a browser posts, may only carry a small set of
//! ASCII characters. Everything else travels as `%` and two hex digits, one
//! escape per byte of the UTF-8 encoding (`é` is `%C3%A9`), and a form writes
//! spaces as `+`. The standard library has neither a decoder nor an encoder,
//! so here are both.

use std::fmt;

/// Why some text could not be decoded.
///
/// A handler that decodes a form or a path with `?` turns this error into a
/// `400 Bad Request` answer that quotes it: bad input from the client is the
/// client's mistake, not the server's.
///
/// ```
/// use http_server::percent_decode;
///
/// let error = percent_decode("100%!").unwrap_err();
/// assert_eq!(error.to_string(), "'%!' is not a valid percent-escape (a % must be followed by two hex digits)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A `%` not followed by two hex digits; holds what followed it.
    BadEscape(String),
    /// The decoded bytes are not valid UTF-8 text.
    NotUtf8,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::BadEscape(escape) => write!(
                f,
                "'{escape}' is not a valid percent-escape (a % must be followed by two hex digits)"
            ),
            DecodeError::NotUtf8 => write!(f, "the decoded text is not valid UTF-8"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes the `%XX` escapes in a URL path or query.
///
/// A `+` stays a `+` here: only form bodies and query strings write spaces as
/// `+`, and [`parse_qs`] takes care of those.
///
/// ```
/// use http_server::percent_decode;
///
/// assert_eq!(percent_decode("Hello%20World").unwrap(), "Hello World");
/// assert_eq!(percent_decode("caf%C3%A9").unwrap(), "café");
/// assert!(percent_decode("%zz").is_err());
/// assert!(percent_decode("%FF").is_err()); // a lone 0xFF byte is not UTF-8
/// ```
pub fn percent_decode(text: &str) -> Result<String, DecodeError> {
    decode(text.as_bytes(), false)
}

/// Percent-encodes `text` for a URL: the opposite of [`percent_decode`].
///
/// ASCII letters, digits and the four marks `-`, `.`, `_` and `~` (the
/// "unreserved" characters of RFC 3986) stay as they are; every other byte
/// of the UTF-8 text becomes `%XX`, with capital hex digits. A space becomes
/// `%20`, and `/`, `?`, `&`, `=`, `#` and `+` are encoded too, so the result
/// is safe as one path segment (`/files/{here}`) and as a name or value in
/// a query string or form (`?q={here}`).
///
/// ```
/// use http_server::{percent_decode, percent_encode};
///
/// assert_eq!(percent_encode("Hello World"), "Hello%20World");
/// assert_eq!(percent_encode("a/b?c=d&e"), "a%2Fb%3Fc%3Dd%26e");
/// assert_eq!(percent_encode("café"), "caf%C3%A9");
/// assert_eq!(percent_encode("safe-._~AZaz09"), "safe-._~AZaz09");
/// assert_eq!(percent_decode(&percent_encode("1 + 1 = 2")).unwrap(), "1 + 1 = 2");
/// ```
pub fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    encoded
}

/// Decodes one `name` or `value` of a form: `+` means a space, `%XX` a byte.
fn decode(input: &[u8], plus_is_space: bool) -> Result<String, DecodeError> {
    let mut bytes = Vec::with_capacity(input.len());
    let mut rest = input;
    while let Some((&byte, after)) = rest.split_first() {
        rest = after;
        match byte {
            b'%' => {
                let digits = rest.get(..2).unwrap_or(rest);
                match (digits.first(), digits.get(1)) {
                    (Some(&high), Some(&low))
                        if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() =>
                    {
                        bytes.push(hex_value(high) * 16 + hex_value(low));
                        rest = &rest[2..];
                    }
                    _ => {
                        let shown = String::from_utf8_lossy(digits);
                        return Err(DecodeError::BadEscape(format!("%{shown}")));
                    }
                }
            }
            b'+' if plus_is_space => bytes.push(b' '),
            _ => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).map_err(|_| DecodeError::NotUtf8)
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

/// The fields of a decoded form or query string, in the order they came.
///
/// A name may appear more than once (`tag=a&tag=b`): [`get`](Form::get)
/// returns the first value, [`get_all`](Form::get_all) all of them.
///
/// ```
/// let form = http_server::parse_qs("tag=a&tag=b&name=Sam").unwrap();
/// assert_eq!(form.get("name"), Some("Sam"));
/// assert_eq!(form.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// The first value of the field `name`, if the form has one.
    ///
    /// ```
    /// let form = http_server::parse_qs("message=Hi").unwrap();
    /// assert_eq!(form.get("message"), Some("Hi"));
    /// assert_eq!(form.get("other"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next()
    }

    /// Every value of the field `name`, in order.
    ///
    /// ```
    /// let form = http_server::parse_qs("a=1&a=2").unwrap();
    /// assert_eq!(form.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
    /// ```
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.fields
            .iter()
            .filter(move |(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every `(name, value)` pair, in order.
    ///
    /// ```
    /// let form = http_server::parse_qs("x=1&y=2").unwrap();
    /// let pairs: Vec<_> = form.iter().collect();
    /// assert_eq!(pairs, [("x", "1"), ("y", "2")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// How many fields the form has.
    ///
    /// ```
    /// assert_eq!(http_server::parse_qs("a=1&b=2").unwrap().len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the form has no fields.
    ///
    /// ```
    /// assert!(http_server::parse_qs("").unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// Decodes a query string or an `application/x-www-form-urlencoded` body,
/// named after Python's `urllib.parse.parse_qs`.
///
/// Fields are separated by `&`; each is `name=value`, with `+` for a space
/// and `%XX` escapes. A field with no `=` has an empty value. Unlike Python's
/// version, empty values are kept (`message=` gives `Some("")`), so a form
/// with an empty box is told apart from a form without that box.
///
/// It takes bytes as well as text, because a request body is bytes.
///
/// ```
/// use http_server::parse_qs;
///
/// let form = parse_qs(b"message=Hi+there%21&from=me").unwrap();
/// assert_eq!(form.get("message"), Some("Hi there!"));
/// assert_eq!(form.get("from"), Some("me"));
///
/// assert!(parse_qs("message=%E2%28").is_err()); // broken UTF-8
/// ```
pub fn parse_qs(input: impl AsRef<[u8]>) -> Result<Form, DecodeError> {
    let mut fields = Vec::new();
    for field in input.as_ref().split(|&byte| byte == b'&') {
        if field.is_empty() {
            continue;
        }
        let (name, value) = match field.iter().position(|&byte| byte == b'=') {
            Some(equals) => (&field[..equals], &field[equals + 1..]),
            None => (field, &b""[..]),
        };
        fields.push((decode(name, true)?, decode(value, true)?));
    }
    Ok(Form { fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus_only_in_forms() {
        assert_eq!(percent_decode("a+b%2Bc").unwrap(), "a+b+c");
        let form = parse_qs("a+b=c%2Bd").unwrap();
        assert_eq!(form.get("a b"), Some("c+d"));
    }

    #[test]
    fn rejects_truncated_and_non_hex_escapes() {
        for bad in ["%", "%4", "abc%", "%g1", "%1g", "x%%41"] {
            assert!(percent_decode(bad).is_err(), "{bad:?} should not decode");
        }
    }

    #[test]
    fn rejects_invalid_utf8_in_raw_bytes_and_escapes() {
        assert_eq!(parse_qs(b"m=\xff"), Err(DecodeError::NotUtf8));
        assert_eq!(parse_qs("m=%C3"), Err(DecodeError::NotUtf8));
    }

    #[test]
    fn keeps_empty_values_and_skips_empty_fields() {
        let form = parse_qs("&&message=&flag&").unwrap();
        assert_eq!(form.get("message"), Some(""));
        assert_eq!(form.get("flag"), Some(""));
        assert_eq!(form.len(), 2);
    }

    #[test]
    fn a_value_may_contain_equals_signs() {
        assert_eq!(parse_qs("eq=1=1").unwrap().get("eq"), Some("1=1"));
    }

    #[test]
    fn multibyte_escapes_make_one_character() {
        assert_eq!(parse_qs("w=%F0%9F%8E%88").unwrap().get("w"), Some("🎈"));
    }
}
