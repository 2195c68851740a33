//! Header fields: `Name: value` lines, looked up without regard to case.

/// The header fields of a request, in the order they arrived.
///
/// Field names are case-insensitive (`Content-Length` and `content-length`
/// are the same field), so every lookup ignores case. A name may appear more
/// than once; [`get`](Headers::get) returns the first value and
/// [`get_all`](Headers::get_all) every one of them.
///
/// ```
/// use http_server::Headers;
///
/// let mut headers = Headers::new();
/// headers.push("Host", "localhost:8000");
/// headers.push("Accept", "text/html");
/// headers.push("Accept", "text/plain");
///
/// assert_eq!(headers.get("host"), Some("localhost:8000"));
/// assert_eq!(headers.get_all("ACCEPT").collect::<Vec<_>>(), ["text/html", "text/plain"]);
/// assert_eq!(headers.get("Cookie"), None);
/// assert_eq!(headers.len(), 3);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    fields: Vec<(String, String)>,
}

impl Headers {
    /// An empty set of header fields.
    ///
    /// ```
    /// assert!(http_server::Headers::new().is_empty());
    /// ```
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Adds a field at the end, keeping any earlier field of the same name.
    ///
    /// ```
    /// let mut headers = http_server::Headers::new();
    /// headers.push("X-Colour", "blue");
    /// assert_eq!(headers.get("x-colour"), Some("blue"));
    /// ```
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.fields.push((name.into(), value.into()));
    }

    /// The value of the first field called `name` (any case), if there is one.
    ///
    /// ```
    /// let mut headers = http_server::Headers::new();
    /// headers.push("Content-Type", "text/plain");
    /// assert_eq!(headers.get("content-type"), Some("text/plain"));
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next()
    }

    /// The values of every field called `name` (any case), in order.
    ///
    /// ```
    /// let mut headers = http_server::Headers::new();
    /// headers.push("Cookie", "a=1");
    /// headers.push("Cookie", "b=2");
    /// assert_eq!(headers.get_all("cookie").count(), 2);
    /// ```
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.fields
            .iter()
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Whether a field called `name` (any case) is present.
    ///
    /// ```
    /// let mut headers = http_server::Headers::new();
    /// headers.push("Host", "example.com");
    /// assert!(headers.contains("HOST"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether the comma-separated list in the fields called `name` holds
    /// `token`, ignoring case: `Connection: keep-alive, Upgrade` holds
    /// `upgrade`.
    ///
    /// ```
    /// let mut headers = http_server::Headers::new();
    /// headers.push("Connection", "keep-alive, Upgrade");
    /// assert!(headers.has_token("connection", "upgrade"));
    /// assert!(!headers.has_token("connection", "close"));
    /// ```
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .flat_map(|value| value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }

    /// Every `(name, value)` pair, in the order they arrived.
    ///
    /// ```
    /// let mut headers = http_server::Headers::new();
    /// headers.push("Host", "example.com");
    /// for (name, value) in headers.iter() {
    ///     assert_eq!((name, value), ("Host", "example.com"));
    /// }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// How many fields there are, counting repeated names each time.
    ///
    /// ```
    /// assert_eq!(http_server::Headers::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether there are no fields at all.
    ///
    /// ```
    /// assert!(http_server::Headers::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}
