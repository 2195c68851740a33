//! Cookies: reading the ones a browser sends back, and building the
//! `Set-Cookie` header that gives it one.

/// Splits a `Cookie` header, `name=value; other=value`, into its pairs, in
/// order. Pieces without an `=` are skipped; surrounding spaces and the
/// double quotes some servers put around values are removed.
///
/// ```
/// use http_server::parse_cookies;
///
/// let cookies = parse_cookies("theme=dark; visits=3; quoted=\"hi\"");
/// assert_eq!(cookies, [("theme", "dark"), ("visits", "3"), ("quoted", "hi")]);
/// ```
pub fn parse_cookies(header: &str) -> Vec<(&str, &str)> {
    header
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name = name.trim();
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|inner| inner.strip_suffix('"'))
                .unwrap_or(value);
            (!name.is_empty()).then_some((name, value))
        })
        .collect()
}

/// Who may send a cookie back along with a request that another site
/// started (a link, a form, an image on someone else's page).
///
/// ```
/// use http_server::{SameSite, SetCookie};
///
/// let cookie = SetCookie::new("theme", "dark").same_site(SameSite::Strict);
/// assert_eq!(cookie.to_string(), "theme=dark; SameSite=Strict");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Only requests that this site started.
    Strict,
    /// Also when the visitor follows a link here from elsewhere (browsers
    /// use this when nothing is said).
    Lax,
    /// Always (browsers then require `Secure`, that is HTTPS).
    None,
}

/// A `Set-Cookie` header value, built one attribute at a time. Its
/// `Display` form is the header's value; [`Response::set_cookie`](crate::Response::set_cookie)
/// sends it.
///
/// The value is used as given: it must not contain `;`, `,`, spaces,
/// double quotes or control characters. Encoding a value that might (a
/// name someone typed) is up to you.
///
/// ```
/// use http_server::{SameSite, SetCookie};
/// use std::time::Duration;
///
/// let cookie = SetCookie::new("yourname", "Ada")
///     .path("/")
///     .max_age(Duration::from_secs(3600))
///     .http_only()
///     .same_site(SameSite::Lax);
/// assert_eq!(
///     cookie.to_string(),
///     "yourname=Ada; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    name: String,
    value: String,
    path: Option<String>,
    max_age: Option<u64>,
    http_only: bool,
    secure: bool,
    same_site: Option<SameSite>,
}

impl SetCookie {
    /// A cookie called `name` with `value`, kept until the browser closes
    /// (no `Max-Age`).
    ///
    /// ```
    /// assert_eq!(http_server::SetCookie::new("visits", "3").to_string(), "visits=3");
    /// ```
    pub fn new(name: &str, value: &str) -> SetCookie {
        SetCookie {
            name: name.to_owned(),
            value: value.to_owned(),
            path: None,
            max_age: None,
            http_only: false,
            secure: false,
            same_site: None,
        }
    }

    /// Sends the cookie back only for paths under `path` (`/` for the
    /// whole site; without it, the browser picks the folder of the page).
    ///
    /// ```
    /// let cookie = http_server::SetCookie::new("a", "1").path("/");
    /// assert_eq!(cookie.to_string(), "a=1; Path=/");
    /// ```
    pub fn path(mut self, path: &str) -> SetCookie {
        self.path = Some(path.to_owned());
        self
    }

    /// Keeps the cookie for `age` (whole seconds), even after the browser
    /// closes. `Duration::ZERO` deletes it at once.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let forget = http_server::SetCookie::new("yourname", "").max_age(Duration::ZERO);
    /// assert_eq!(forget.to_string(), "yourname=; Max-Age=0");
    /// ```
    pub fn max_age(mut self, age: std::time::Duration) -> SetCookie {
        self.max_age = Some(age.as_secs());
        self
    }

    /// Hides the cookie from scripts in the page (`document.cookie`), so a
    /// script injected into a page cannot steal it.
    ///
    /// ```
    /// let cookie = http_server::SetCookie::new("session", "x").http_only();
    /// assert_eq!(cookie.to_string(), "session=x; HttpOnly");
    /// ```
    pub fn http_only(mut self) -> SetCookie {
        self.http_only = true;
        self
    }

    /// Sends the cookie back over HTTPS only.
    ///
    /// ```
    /// let cookie = http_server::SetCookie::new("session", "x").secure();
    /// assert_eq!(cookie.to_string(), "session=x; Secure");
    /// ```
    pub fn secure(mut self) -> SetCookie {
        self.secure = true;
        self
    }

    /// Says when the cookie goes with requests that other sites start.
    ///
    /// ```
    /// use http_server::{SameSite, SetCookie};
    ///
    /// let cookie = SetCookie::new("a", "1").same_site(SameSite::Lax);
    /// assert_eq!(cookie.to_string(), "a=1; SameSite=Lax");
    /// ```
    pub fn same_site(mut self, same_site: SameSite) -> SetCookie {
        self.same_site = Some(same_site);
        self
    }
}

impl std::fmt::Display for SetCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.name, self.value)?;
        if let Some(path) = &self.path {
            write!(f, "; Path={path}")?;
        }
        if let Some(age) = self.max_age {
            write!(f, "; Max-Age={age}")?;
        }
        if self.http_only {
            f.write_str("; HttpOnly")?;
        }
        if self.secure {
            f.write_str("; Secure")?;
        }
        match self.same_site {
            Some(SameSite::Strict) => f.write_str("; SameSite=Strict"),
            Some(SameSite::Lax) => f.write_str("; SameSite=Lax"),
            Some(SameSite::None) => f.write_str("; SameSite=None"),
            None => Ok(()),
        }
    }
}
