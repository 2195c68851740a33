//! Just enough HTML for the checks: start tags and their attributes, the
//! title, forms and their fields, links and list items. Any case, values
//! quoted with `"` or `'` or not at all.
//!
//! ```
//! use course::kit::html;
//!
//! let page = r#"<title>Message Board</title><form method=post action="/">
//!   <textarea name="message"></textarea><button>Post</button></form>
//!   <ul><li>Hi &amp; bye</li></ul><a href="/about">About</a>"#;
//! assert_eq!(html::title_of(page).as_deref(), Some("Message Board"));
//! let form = &html::forms(page)[0];
//! assert_eq!((form.method.as_str(), form.action.as_str()), ("post", "/"));
//! assert_eq!(form.fields[0].name, "message");
//! assert_eq!(html::list_items(page), ["Hi &amp; bye"]);
//! assert_eq!(html::links(page), ["/about"]);
//! ```

/// An HTML start tag, such as `<form method="post" action="/">`.
#[derive(Debug)]
pub struct Tag {
    /// Its attributes: names in lower case, values as written.
    pub attributes: Vec<(String, String)>,
    /// Where the tag starts in the page.
    pub start: usize,
    /// Where it ends: just after its `>`.
    pub end: usize,
}

impl Tag {
    /// The value of the attribute `name` (in lower case), if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(attribute, _)| attribute == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether the tag's `class` attribute lists `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.attribute("class")
            .is_some_and(|classes| classes.split_whitespace().any(|name| name == class))
    }
}

/// Every start tag called `name` in `html`, in order. Enough HTML for the
/// pages of this lesson: any case, values quoted with " or ' or not at all.
pub fn start_tags(html: &str, name: &str) -> Vec<Tag> {
    let lower = html.to_ascii_lowercase();
    let opening = format!("<{name}");
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&opening) {
        let start = from + found;
        let after = start + opening.len();
        from = after;
        // `<format>` is not a `<form>`.
        let next = lower.as_bytes().get(after).copied().unwrap_or(b'>');
        if !(next.is_ascii_whitespace() || next == b'>' || next == b'/') {
            continue;
        }
        let (attributes, end) = attributes_from(html, after);
        tags.push(Tag {
            attributes,
            start,
            end,
        });
        from = end;
    }
    tags
}

/// Whether the form field `field` (a tag of `html`) has a label that says
/// what it is for: a `<label for="...">` that names its `id`, a `<label>`
/// around it, or an `aria-label`/`aria-labelledby` of its own. A `for`
/// that names no `id` labels nothing.
///
/// ```
/// use course::kit::html::{is_labelled, start_tags};
///
/// let tied = r#"<label for="m">Your message</label><textarea id="m" name="message"></textarea>"#;
/// assert!(is_labelled(tied, &start_tags(tied, "textarea")[0]));
/// let loose = r#"<label for="message">Your message</label><textarea name="message"></textarea>"#;
/// assert!(!is_labelled(loose, &start_tags(loose, "textarea")[0]));
/// let around = r#"<label>Your message <textarea name="message"></textarea></label>"#;
/// assert!(is_labelled(around, &start_tags(around, "textarea")[0]));
/// ```
pub fn is_labelled(html: &str, field: &Tag) -> bool {
    let named = |name: &str| {
        field
            .attribute(name)
            .is_some_and(|value| !value.trim().is_empty())
    };
    if named("aria-label") || named("aria-labelledby") {
        return true;
    }
    let labels = start_tags(html, "label");
    if let Some(id) = field.attribute("id").filter(|id| !id.is_empty())
        && labels
            .iter()
            .any(|label| label.attribute("for") == Some(id))
    {
        return true;
    }
    // A label around the field: the last label that opens before it is not
    // closed before it.
    let lower = html.to_ascii_lowercase();
    labels
        .iter()
        .rev()
        .find(|label| label.end <= field.start)
        .is_some_and(|label| !lower[label.end..field.start].contains("</label"))
}

/// Reads the attributes of a tag from `at` to its `>`; returns them and the
/// position after the `>`.
fn attributes_from(html: &str, mut at: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let skip_spaces = |at: &mut usize| {
        while *at < bytes.len() && bytes[*at].is_ascii_whitespace() {
            *at += 1;
        }
    };
    let mut attributes = Vec::new();
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        match bytes.get(at) {
            None => return (attributes, bytes.len()),
            Some(b'>') => return (attributes, at + 1),
            Some(_) => {}
        }
        let name_start = at;
        while at < bytes.len()
            && !bytes[at].is_ascii_whitespace()
            && !matches!(bytes[at], b'=' | b'>' | b'/')
        {
            at += 1;
        }
        let name = html[name_start..at].to_ascii_lowercase();
        skip_spaces(&mut at);
        let mut value = String::new();
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            skip_spaces(&mut at);
            match bytes.get(at) {
                Some(&quote) if quote == b'"' || quote == b'\'' => {
                    let value_start = at + 1;
                    at = value_start;
                    while at < bytes.len() && bytes[at] != quote {
                        at += 1;
                    }
                    value = html[value_start..at].to_owned();
                    at = (at + 1).min(bytes.len());
                }
                _ => {
                    let value_start = at;
                    while at < bytes.len() && !bytes[at].is_ascii_whitespace() && bytes[at] != b'>'
                    {
                        at += 1;
                    }
                    value = html[value_start..at].to_owned();
                }
            }
        }
        attributes.push((name, value));
    }
}

/// The text of the page's `<title>`, spaces tidied.
pub fn title_of(html: &str) -> Option<String> {
    let tag = start_tags(html, "title").into_iter().next()?;
    let end = html[tag.end..].to_ascii_lowercase().find("</title")? + tag.end;
    Some(
        html[tag.end..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Where the element that starts with `tag` ends: the start of its closing
/// tag `</name`, or the end of the page.
fn end_of(html: &str, tag: &Tag, name: &str) -> usize {
    html[tag.end..]
        .to_ascii_lowercase()
        .find(&format!("</{name}"))
        .map_or(html.len(), |end| tag.end + end)
}

/// A field of a form: an `<input>`, `<textarea>`, `<select>` or `<button>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The tag: `input`, `textarea`, `select` or `button`.
    pub tag: String,
    /// Its `name` (empty if it has none).
    pub name: String,
    /// Its `type` (`text` for an input without one, `submit` for a button).
    pub kind: String,
    /// Its `value` attribute (empty if it has none).
    pub value: String,
}

/// A form found on a page (the server module's `http_server::Form` is a parsed form body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageForm {
    /// `get` or `post`, in lower case (`get` if not given).
    pub method: String,
    /// Where it is sent (empty if not given: the page itself).
    pub action: String,
    /// Its fields, in order.
    pub fields: Vec<Field>,
}

impl PageForm {
    /// The field called `name`, if the form has one.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Whether the form has a button that sends it.
    pub fn has_submit(&self) -> bool {
        self.fields
            .iter()
            .any(|field| matches!(field.kind.as_str(), "submit" | "image"))
    }
}

/// Every form of the page, with its fields.
pub fn forms(html: &str) -> Vec<PageForm> {
    let mut fields = Vec::new();
    for name in ["input", "textarea", "select", "button"] {
        for tag in start_tags(html, name) {
            let default = match name {
                "input" => "text",
                "button" => "submit",
                _ => name,
            };
            let field = Field {
                tag: name.to_owned(),
                name: tag.attribute("name").unwrap_or("").to_owned(),
                kind: tag
                    .attribute("type")
                    .unwrap_or(default)
                    .to_ascii_lowercase(),
                value: tag.attribute("value").unwrap_or("").to_owned(),
            };
            fields.push((tag.start, field));
        }
    }
    fields.sort_by_key(|(start, _)| *start);
    start_tags(html, "form")
        .iter()
        .map(|form| {
            let end = end_of(html, form, "form");
            PageForm {
                method: form
                    .attribute("method")
                    .unwrap_or("get")
                    .to_ascii_lowercase(),
                action: form.attribute("action").unwrap_or("").to_owned(),
                fields: fields
                    .iter()
                    .filter(|(start, _)| *start >= form.end && *start < end)
                    .map(|(_, field)| field.clone())
                    .collect(),
            }
        })
        .collect()
}

/// The `href` of every link (`<a href>`), in order.
pub fn links(html: &str) -> Vec<String> {
    start_tags(html, "a")
        .iter()
        .filter_map(|tag| tag.attribute("href").map(str::to_owned))
        .collect()
}

/// The content of every list item (`<li>`), as written (still escaped),
/// spaces at its ends trimmed.
pub fn list_items(html: &str) -> Vec<String> {
    start_tags(html, "li")
        .iter()
        .map(|tag| {
            let lower = html[tag.end..].to_ascii_lowercase();
            let end = ["</li", "<li", "</ul", "</ol"]
                .iter()
                .filter_map(|stop| lower.find(stop))
                .min()
                .map_or(html.len(), |end| tag.end + end);
            html[tag.end..end].trim().to_owned()
        })
        .collect()
}

/// The page without its forms (from each `<form` to its `</form`): where a
/// sentence about a field must be, since a form names every field anyway.
///
/// ```
/// use course::kit::html::outside_forms;
///
/// let page = "<p>The field 'shortname' is empty.</p><FORM method=post><input name=shortname></form>";
/// assert_eq!(outside_forms(page), "<p>The field 'shortname' is empty.</p></form>");
/// assert!(!outside_forms("<form><input name=longuri></form>").contains("longuri"));
/// ```
pub fn outside_forms(html: &str) -> String {
    let mut rest = html;
    let mut kept = String::new();
    while let Some(start) = rest.to_ascii_lowercase().find("<form") {
        kept.push_str(&rest[..start]);
        let end = rest[start..].to_ascii_lowercase().find("</form");
        rest = end.map_or("", |end| &rest[start + end..]);
    }
    kept.push_str(rest);
    kept
}

impl Field {
    /// Its value as a browser shows it in the box: the `value` attribute
    /// with its character references decoded.
    pub fn shown_value(&self) -> String {
        unescape_html(&self.value)
    }
}

/// HTML text as a reader sees it: character references (`&lt;`, `&#39;`,
/// `&#x2f;`) decoded; an `&` that starts none is kept as it is.
///
/// ```
/// use course::kit::html::unescape_html;
///
/// assert_eq!(unescape_html("&lt;b&gt; &amp; &#x27;x&#39; &nope; & a"), "<b> & 'x' &nope; & a");
/// ```
pub fn unescape_html(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        text.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&end| end <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let number = |digits: &str, radix| {
                u32::from_str_radix(digits, radix)
                    .ok()
                    .and_then(char::from_u32)
            };
            match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ if name.starts_with("#x") || name.starts_with("#X") => number(&name[2..], 16),
                _ if name.starts_with('#') => number(&name[1..], 10),
                _ => None,
            }
        });
        match (decoded, end) {
            (Some(character), Some(end)) => {
                text.push(character);
                rest = &rest[end + 1..];
            }
            _ => {
                text.push('&');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
    text
}

/// The text of some HTML, as a reader sees it: each tag made a space,
/// references decoded. (An escaped text has no `<` left in it, so dropping
/// tags cannot cut into one.)
///
/// ```
/// use course::kit::html::text_of_html;
///
/// assert_eq!(text_of_html("<li><span>A &lt;b&gt;</span></li>").trim(), "A <b>");
/// ```
pub fn text_of_html(html: &str) -> String {
    let mut bare = String::new();
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                bare.push(' ');
            }
            _ if !in_tag => bare.push(character),
            _ => {}
        }
    }
    unescape_html(&bare)
}

/// The form of the page that POSTs to `action`, if there is one (a form
/// that GETs it is not enough).
///
/// ```
/// use course::kit::html::form_posting_to;
///
/// let page = r#"<form method="post" action="/toggle/7"><button>Done</button></form>
///     <form method="get" action="/delete/7"><button>x</button></form>"#;
/// assert!(form_posting_to(page, "/toggle/7").is_some_and(|form| form.has_submit()));
/// assert!(form_posting_to(page, "/delete/7").is_none());
/// ```
pub fn form_posting_to(html: &str, action: &str) -> Option<PageForm> {
    forms(html)
        .into_iter()
        .find(|form| form.method == "post" && form.action == action)
}

/// The first start tag of `html` (by element name) that has the attribute
/// `attribute`, as written (`<span onmouseover=alert(1)>`), if any.
///
/// ```
/// use course::kit::html::first_tag_with_attribute;
///
/// let page = r#"<li><span title=x onmouseover=alert(1) y>x</span></li>"#;
/// assert_eq!(
///     first_tag_with_attribute(page, "onmouseover").as_deref(),
///     Some("<span title=x onmouseover=alert(1) y>")
/// );
/// assert_eq!(first_tag_with_attribute(page, "onclick"), None);
/// ```
pub fn first_tag_with_attribute(html: &str, attribute: &str) -> Option<String> {
    let mut names: Vec<String> = html
        .split('<')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names.into_iter().find_map(|name| {
        start_tags(html, &name)
            .into_iter()
            .find(|tag| tag.attribute(attribute).is_some())
            .map(|tag| html[tag.start..tag.end].to_owned())
    })
}

impl crate::Reply {
    /// Expects a page whose `<title>` is `title` (spaces tidied).
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// session
    ///     .get("/")?
    ///     .expect_page_title("Todo List", "The title comes from the layout.")?;
    /// # Ok(()) }
    /// ```
    pub fn expect_page_title(&self, title: &str, hint: &str) -> Result<&Self, crate::Failure> {
        if title_of(&self.body).as_deref() == Some(title) {
            return Ok(self);
        }
        Err(self.fail(format!("a page with <title>{title}</title>"), hint))
    }

    /// Like [`crate::Reply::expect`], for a page: a failure quotes the
    /// page around the first of `looked_for` it contains (the todo the
    /// check looked for, the list), not its start.
    ///
    /// ```no_run
    /// # fn check(session: &mut course::Session) -> course::CheckResult {
    /// session.get("/")?.expect_on_page(
    ///     |page| page.body.contains("Buy milk"),
    ///     &["Buy milk", "<ul"],
    ///     "the list to show Buy milk",
    ///     "Show every todo in an <li>.",
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn expect_on_page(
        &self,
        holds: impl FnOnce(&Self) -> bool,
        looked_for: &[&str],
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&Self, crate::Failure> {
        if holds(self) {
            return Ok(self);
        }
        Err(crate::Failure {
            got: self.summary_around(looked_for),
            ..self.fail(expected, hint)
        })
    }
}

/// The start tag of the first list item (`<li>`) whose text, as a reader
/// sees it (see [`text_of_html`]), shows `text`: to find an item on a page
/// and then read its attributes.
///
/// ```
/// use course::kit::html::list_item_showing;
///
/// let page = r#"<ul><li class="completed done"><span>A &lt;b&gt;</span></li><li>B</li></ul>"#;
/// assert!(list_item_showing(page, "A <b>").is_some_and(|item| item.has_class("completed")));
/// assert!(list_item_showing(page, "B").is_some_and(|item| !item.has_class("completed")));
/// assert!(list_item_showing(page, "C").is_none());
/// ```
pub fn list_item_showing(html: &str, text: &str) -> Option<Tag> {
    start_tags(html, "li")
        .into_iter()
        .zip(list_items(html))
        .find(|(_, inside)| text_of_html(inside).contains(text))
        .map(|(tag, _)| tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_and_their_attributes() {
        let html = r#"<FORM Method=POST action='/'><formal x><textarea name="message" required></textarea>"#;
        let forms = start_tags(html, "form");
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].attribute("method"), Some("POST"));
        assert_eq!(forms[0].attribute("action"), Some("/"));
        let areas = start_tags(html, "textarea");
        assert_eq!(areas[0].attribute("name"), Some("message"));
        assert_eq!(areas[0].attribute("required"), Some(""));
        assert!(areas[0].start >= forms[0].end);
    }

    #[test]
    fn reads_titles() {
        assert_eq!(
            title_of("<head><TITLE>\n  Message   Board </title>").as_deref(),
            Some("Message Board")
        );
        assert_eq!(title_of("<h1>Message Board</h1>"), None);
    }

    #[test]
    fn reads_forms_fields_and_items() {
        let page = "<form><input name=a><input type=submit></form><form method=POST action=/x>\
                    <select name=b></select></form><ol><li>one<li> two </ol>";
        let forms = forms(page);
        assert_eq!(forms.len(), 2);
        assert!(forms[0].has_submit() && !forms[1].has_submit());
        assert_eq!(
            forms[0].field("a").map(|field| field.kind.as_str()),
            Some("text")
        );
        assert_eq!(forms[1].method, "post");
        assert_eq!(forms[1].fields.len(), 1);
        assert_eq!(list_items(page), ["one", "two"]);
    }
}
