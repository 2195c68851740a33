//! Cookies, kept by hand: the checks' client stores none, so that a check
//! says exactly which cookies it sends.
//!
//! ```
//! use course::kit::cookies::Jar;
//!
//! let mut jar = Jar::default();
//! jar.take_from(["yourname=Ada; Path=/; HttpOnly"]);
//! assert_eq!(jar.get("yourname"), Some("Ada"));
//! assert_eq!(jar.header(), "yourname=Ada");
//! ```

/// Cookies by name, as the server set them.
#[derive(Debug, Clone, Default)]
pub struct Jar {
    cookies: Vec<(String, String)>,
}

impl Jar {
    /// Keeps the cookies of `Set-Cookie` header values (their attributes are
    /// ignored; an empty value or `Max-Age=0` deletes the cookie).
    pub fn take_from<'a>(&mut self, set_cookies: impl IntoIterator<Item = &'a str>) {
        for line in set_cookies {
            let mut parts = line.split(';');
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
            let expired = parts.any(|part| part.trim().eq_ignore_ascii_case("max-age=0"));
            self.cookies.retain(|(kept, _)| *kept != name);
            if !expired && !value.is_empty() {
                self.cookies.push((name, value));
            }
        }
    }

    /// Keeps the cookies a reply sets.
    pub fn take_from_reply(&mut self, reply: &crate::Reply) {
        let lines: Vec<&str> = reply
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        self.take_from(lines);
    }

    /// A cookie's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(kept, _)| kept == name)
            .map(|(_, value)| value.as_str())
    }

    /// The `Cookie` header that sends them all back.
    pub fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A `Set-Cookie` header, read the way a browser reads it (RFC 6265,
/// section 5.2): `name=value` up to the first `;`, then the attributes.
///
/// ```
/// use course::kit::cookies::SetCookieHeader;
///
/// let cookie = SetCookieHeader::parse("yourname= Smith; Jr ; Path=/; HttpOnly").unwrap();
/// assert_eq!((cookie.name.as_str(), cookie.value.as_str()), ("yourname", "Smith"));
/// assert_eq!(cookie.attribute("jr"), Some(""));
/// assert_eq!(cookie.attribute("path"), Some("/"));
/// ```
#[derive(Debug, Clone)]
pub struct SetCookieHeader {
    /// The whole header, as it came.
    pub header: String,
    /// The cookie's name.
    pub name: String,
    /// Its value, as a browser keeps it.
    pub value: String,
    /// The attributes, names in lower case, values as written.
    pub attributes: Vec<(String, String)>,
}

impl SetCookieHeader {
    /// Reads `header`; `None` if it has no `=` before its first `;`.
    pub fn parse(header: &str) -> Option<SetCookieHeader> {
        // A browser trims spaces and tabs, nothing else.
        let trim = |text: &str| text.trim_matches([' ', '\t']).to_owned();
        let mut parts = header.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let attributes = parts
            .map(|part| {
                let (name, value) = part.split_once('=').unwrap_or((part, ""));
                (trim(name).to_ascii_lowercase(), trim(value))
            })
            .collect();
        Some(SetCookieHeader {
            header: header.to_owned(),
            name: trim(name),
            value: trim(value),
            attributes,
        })
    }

    /// The value of the attribute `name` (in lower case), if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(attribute, _)| attribute == name)
            .map(|(_, value)| value.as_str())
    }
}

impl crate::Reply {
    /// Every `Set-Cookie` header of the reply, read as a browser reads them.
    pub fn set_cookie_headers(&self) -> Vec<SetCookieHeader> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| SetCookieHeader::parse(&String::from_utf8_lossy(value.as_bytes())))
            .collect()
    }

    /// The `Set-Cookie` of the cookie `name`, if the reply sets one.
    pub fn set_cookie_named(&self, name: &str) -> Option<SetCookieHeader> {
        self.set_cookie_headers()
            .into_iter()
            .find(|cookie| cookie.name == name)
    }
}

/// Whether a byte may stand in a cookie's value as it is (RFC 6265,
/// section 4.1.1: printable ASCII except space, `"`, `,`, `;` and `\`).
///
/// ```
/// use course::kit::cookies::is_cookie_octet;
///
/// assert!(b"Alice!#$%&'()*+-./:<=>?@[]^_`{|}~".iter().all(|byte| is_cookie_octet(*byte)));
/// assert!(!b" \",;\\\x7f\x00".iter().any(|byte| is_cookie_octet(*byte)));
/// ```
pub fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, b'!'..=b'~') && !matches!(byte, b'"' | b',' | b';' | b'\\')
}
