//! HTML escaping: showing text on a page as text, never as markup.

/// Escapes `text` so that a browser shows it exactly as written.
///
/// `<`, `>`, `&`, `"` and `'` become character references (`&lt;` and so
/// on). Anything a visitor typed must pass through here before it goes into a
/// page: otherwise a message like `<script>…</script>` would run as code in
/// every other visitor's browser. It does what Python's `html.escape` does.
///
/// ```
/// use http_server::escape_html;
///
/// assert_eq!(escape_html("<b>Tom & Jerry</b>"), "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;");
/// assert_eq!(escape_html(r#"say "hi" 'there'"#), "say &quot;hi&quot; &#x27;there&#x27;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            _ => escaped.push(c),
        }
    }
    escaped
}
