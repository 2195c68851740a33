//! The course's stylesheet, shared by every lesson's HTML pages.
//!
//! It lives in `src/style.css`, a short file meant to be read: system
//! fonts, a readable line length, a visible focus ring, a page that works
//! on a phone, and long words that wrap instead of widening the page.

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
