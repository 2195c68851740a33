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
