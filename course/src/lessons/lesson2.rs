//! Lesson 2, the messageboard, in three steps: (a) a POSTed form is answered
//! with its message, (b) GET serves the page with the form, (c) a POST keeps
//! the message and redirects to the board, which lists every message.
//!
//! Every check of a run talks to the same server, so the board fills up as
//! they go: each check posts messages with random markers and looks only
//! for those. Step (a)'s checks accept the finished program too: once step
//! (c) is done a POST answers `303`, and the message must then be on the
//! board.

mod board;
mod decoding;
mod page;

use crate::kit::html::start_tags;
use crate::kit::seed::random_number;
use crate::session::{Reply, Session};
use crate::{Check, CheckResult, Hint, Lesson};
use http_server::escape_html_text;

/// Lesson 2, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(2, "messageboard", "Messageboard").checks(
    CHECKS,
    HINTS,
    include_str!("lesson2.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "a POSTed form's message field is decoded (echoed back, or after step c shown on the board)", decoding::answers_with_the_message),
    Check::step("a", "a POST without a message field gets 400 and a sentence that names the missing field", decoding::no_message_is_a_bad_request),
    Check::step("a", "a broken %-escape or bytes that are not UTF-8 get 400, and the board keeps serving", decoding::refuses_undecodable_forms),
    Check::step("a", "a 10 MB body or one shorter than its Content-Length gets a 4xx, and the board keeps serving", decoding::refuses_huge_and_short_bodies),
    Check::step("b", "GET / answers 200 with an HTML page titled Message Board", page::serves_an_html_page),
    Check::step("b", "the page has a form that POSTs a textarea named message to /, url-encoded, with a label and a button", page::page_has_the_form),
    Check::step("b", "GET /favicon.ico answers 404, not the board", page::no_favicon),
    Check::step("c", "a POST answers 303 See Other with Location: /", board::post_redirects_to_the_board),
    Check::step("c", "GET / shows every message once, oldest first", board::board_lists_messages_in_order),
    Check::step("c", "a blank or whitespace-only message gets 400 and the form, and is not kept", board::blank_message_is_refused_with_the_form),
    Check::step("c", "messages are HTML-escaped: <script> shows as text", board::messages_are_escaped),
    Check::step("c", "50 posters at once, 40 messages each: every message is on the board exactly once", board::no_message_lost_under_load),
    Check::step("c", "a message over 2,000 characters gets 400, a sentence with the limit and its length, and the form with the message put back; one of 2,000 is kept", board::long_message_is_refused_with_the_form),
    Check::step("c", "a POST that another site's page sent (Sec-Fetch-Site: cross-site, or Origin: http://evil.example) gets 403 and is not kept", board::cross_site_post_is_refused),
    Check::step("c", "the board keeps at most 10,000 messages: then a POST gets 507 and a sentence, and is not kept", board::full_board_is_refused),
];
/// The hints: a nudge, the idea, then the code.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Step a is checked with curl alone: `curl -d message=Hi+there localhost:8000` shows what do_post answers. The body arrives encoded: message=Hi+there%21.",
        concept: "http_server::parse_qs decodes a form into its fields; form.get(\"message\") gives the text, or None. A form without the field is the client's mistake: a 400, not a crash.",
        code: "let form = http_server::parse_qs(&body)?; then for a missing field: return Err(http_server::HttpError::new(400, \"the form has no 'message' field\").into());",
    },
    Hint {
        step: Some("b"),
        nudge: "Open http://localhost:8000/ in a browser: what does it show? The page's form is the FORM constant, at the top of the file.",
        concept: "A form is <form method=\"post\" action=\"/\"> (no enctype: parse_qs reads the default encoding) holding a <textarea name=\"message\">, a <label> tied to it by for and id, and a submit button. The page is HTML, so its Content-type is text/html; charset=utf-8 (with text/plain the browser shows the source).",
        code: "Write FORM as a raw string, r#\"<form method=\"post\" action=\"/\"> ... </form>\"#, with <label for=\"message\">Your message</label>, a <textarea id=\"message\" name=\"message\"></textarea> and a <button type=\"submit\">Post it!</button> inside.",
    },
    Hint {
        step: Some("c"),
        nudge: "After a POST, the browser should land back on the board, with the message on it.",
        concept: "Post/Redirect/Get: keep the message in the one shared list, then answer 303 See Other with Location: /, so that the browser fetches the board with a GET. Before keeping it, refuse what the board must not keep: a blank message, one over 2,000 characters (400 and the form again), and any message once the board holds 10,000 (507, which the given self.keep(message) answers).",
        code: "Step c's exercise in the lesson text: if message.trim().is_empty(), or message.chars().count() > MAX_MESSAGE_CHARS, return self.send_form_again(response, &why, message); then self.keep(message)?; and send_response(303), send_header(\"Location\", \"/\"), end_headers(). No body.",
    },
];

/// A marker no other message contains: 16 random hex digits.
fn marker() -> String {
    format!("{:016x}", random_number())
}

/// How many times `needle` occurs in `haystack`.
fn occurrences(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The text of a reply after the stylesheet, which has words and numbers
/// of its own.
fn after_the_style(reply: &Reply) -> &str {
    reply.body.rsplit("</style>").next().unwrap_or("")
}

/// Whether `html` has the board's textarea, named message.
fn has_the_form(html: &str) -> bool {
    start_tags(html, "textarea")
        .iter()
        .any(|tag| tag.attribute("name") == Some("message"))
}

/// Posts `message` and expects the 303 of step (c).
fn post_for_the_board(session: &mut Session, message: &str) -> CheckResult {
    session
        .post_form("/", &[("message", message)])?
        .expect_status(
            303,
            "A POST keeps the message and answers 303 See Other with Location: /.",
        )?;
    Ok(())
}
