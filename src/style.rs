//! The course's stylesheet and icon, shared by every lesson's HTML pages.
//!
//! The stylesheet lives in `src/style.css`, a short file meant to be read:
//! system fonts, a readable line length, a visible focus ring, a page that
//! works on a phone, and long words that wrap instead of widening the page.

/// The course's CSS, to put inside a page's `<style>` element, so that the
/// page brings its own look and the server needs no second route for it.
///
/// ```
/// let page = format!(
///     "<!DOCTYPE html>\n<title>Hello</title>\n<style>{}</style>\n<h1>Hello</h1>",
///     http_server::STYLESHEET
/// );
/// assert!(page.contains("overflow-wrap"));
/// assert!(!http_server::STYLESHEET.contains("</style"));
/// ```
pub const STYLESHEET: &str = include_str!("style.css");

/// The course's icon, the one a browser shows in the page's tab, as a
/// `<link rel="icon">` to put in a page's `<head>`. The picture (a small
/// SVG: a blue square with three lines) is inside the link itself, as a
/// `data:` URL, so the page brings its icon as it brings its stylesheet.
/// A page that names no icon makes the browser ask the server for
/// `/favicon.ico` on its own: a request the lesson never wrote, answered
/// 404 (a console error) or with a whole page.
///
/// ```
/// let page = format!(
///     "<!DOCTYPE html>\n<head>\n{}\n<title>Hello</title>\n</head>",
///     http_server::ICON_LINK
/// );
/// assert!(page.contains(r#"<link rel="icon" href="data:image/svg+xml,"#));
/// // Nothing in it ends the attribute or starts a tag.
/// let url = &http_server::ICON_LINK["<link rel=\"icon\" href=\"".len()..];
/// assert!(!url.trim_end_matches("\">").contains(['"', '<', '>', '#']));
/// ```
pub const ICON_LINK: &str = "<link rel=\"icon\" href=\"data:image/svg+xml,\
%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E\
%3Crect width='16' height='16' rx='3' fill='%231f6feb'/%3E\
%3Cpath d='M4 4.5h8M4 8h8M4 11.5h5' stroke='white' stroke-width='1.6' stroke-linecap='round'/%3E\
%3C/svg%3E\">";
