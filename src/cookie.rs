//! Reading cookies: the small values a browser sends back on every request.

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
