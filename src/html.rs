//! HTML escaping: showing text on a page as text, never as markup. Two
//! places, two functions: attribute values need more escaped than text.

/// Escapes `text` so that a browser shows it exactly as written, anywhere
/// in a page: in an element or in an attribute value (`value="..."`).
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
    escape(text, true)
}

/// Escapes `text` for the content of an element, between tags such as
/// `<li>` and `</li>`: only `&`, `<` and `>` change (to `&amp;`, `&lt;` and
/// `&gt;`), which is what a browser itself does when it writes out a page's
/// text (the HTML standard's serialization). Quotes stay as typed, so
/// `Don't forget.` appears in the page byte for byte.
///
/// That is enough between tags, where only `<` starts markup and `&` a
/// character reference. It is **not** enough inside an attribute value,
/// where a quote would end the value: use [`escape_html`] there.
///
/// ```
/// use http_server::escape_html_text;
///
/// assert_eq!(escape_html_text("Don't forget."), "Don't forget.");
/// assert_eq!(
///     escape_html_text("<script>alert(\"hi\")</script>"),
///     "&lt;script&gt;alert(\"hi\")&lt;/script&gt;"
/// );
/// assert_eq!(escape_html_text("Tom & Jerry"), "Tom &amp; Jerry");
/// ```
pub fn escape_html_text(text: &str) -> String {
    escape(text, false)
}

/// Both escapes in one loop: `&`, `<` and `>` always, the quotes only for
/// an attribute value.
fn escape(text: &str, quotes_too: bool) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' if quotes_too => escaped.push_str("&quot;"),
            '\'' if quotes_too => escaped.push_str("&#x27;"),
            _ => escaped.push(c),
        }
    }
    escaped
}
