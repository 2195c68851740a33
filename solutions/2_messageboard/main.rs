//! Lesson 2: the messageboard.
//!
//! A page with a form: what you type in it and send stays on the board, and
//! everybody who opens the page sees it. You build it in three steps, one
//! TODO each: (a) take the message out of a form sent with POST, (b) serve
//! the page so that the browser shows the form, (c) keep every message and
//! send the browser back to the board. Run it with
//! `cargo run --bin messageboard`, open http://localhost:8000/, and check a
//! step with `cargo course check messageboard a` (or `b`, `c`). The lesson
//! text is lessons/2_messageboard/README.md.

use std::io::Write; // gives `Response` its `write_all` method
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http_server::{
    Handler, HandlerResult, Request, Response, ServerError, ThreadingHttpServer, escape_html_text,
};

// TODO(b): write the form that posts a message
/// The form a visitor fills in. `method="post"` makes the browser send what
/// was typed in the body of a POST request, `action="/"` says to which path,
/// and `name="message"` is the name the text travels under: `message=...`.
/// The label names the box for everyone, screen readers included.
const FORM: &str = r#"<form method="post" action="/">
  <label for="message">Your message</label>
  <textarea id="message" name="message" rows="4" cols="60" autocomplete="off" required autofocus></textarea>
  <p><button type="submit">Post it!</button></p>
</form>"#;
// END TODO(b)

/// The most characters one message may have. Without a limit, one visitor
/// could post a message as long as the server's body limit allows (1 MiB),
/// again and again, and every visitor would download them all.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// The most messages the board keeps: with MAX_MESSAGE_CHARS, a full board
/// holds at most 20 million characters, and its page stays a page.
const MAX_MESSAGES: usize = 10_000;

/// The board: every message posted so far, oldest first.
///
/// One handler serves every connection, each on its own thread, so two
/// messages can arrive at the same moment. The `Mutex` lets one thread at a
/// time change the list, so that none is lost (without it, Rust would not
/// compile the program). Each message is an `Arc<str>`: a text that several
/// owners share, so that a copy of the list copies pointers, not text.
struct MessageBoard {
    messages: Mutex<Vec<Arc<str>>>,
}

impl MessageBoard {
    /// The list of messages, locked: other threads wait for it until the
    /// guard this returns goes out of scope.
    fn messages(&self) -> MutexGuard<'_, Vec<Arc<str>>> {
        // A thread that panics while it holds the lock "poisons" it. A push
        // either happened or did not, so the list is whole: carry on.
        self.messages.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of the list, to build a page from. The lock is held only
    /// while the pointers are copied (10,000 at most): building the page
    /// under it would make every poster wait while megabytes of HTML are
    /// written for one reader.
    fn snapshot(&self) -> Vec<Arc<str>> {
        self.messages().clone()
    }

    /// Keeps `message` at the end of the board, or answers 507 when the
    /// board is full.
    ///
    /// Given, not a TODO: the test "is the board full?" and the push are
    /// under one lock. With two (`self.messages().len()`, then
    /// `self.messages().push(...)`), two posters could both see 9,999
    /// messages and both push. That race is met only by chance, once per
    /// full board, so no check could show it to you every time: here it is,
    /// done right, for do_post to call.
    fn keep(&self, message: &str) -> Result<(), http_server::HttpError> {
        let mut messages = self.messages();
        if messages.len() >= MAX_MESSAGES {
            let why = format!(
                "The board is full: it keeps at most {} messages.",
                with_commas(MAX_MESSAGES)
            );
            return Err(http_server::HttpError::new(507, why));
        }
        messages.push(message.into());
        Ok(())
    }

    /// Answers `status` (400) with the board's page, `problem` said above
    /// the form and what the visitor `typed` put back in it, so that they
    /// can mend it rather than type it again.
    fn send_form_again(
        &self,
        response: &mut Response,
        problem: &str,
        typed: &str,
    ) -> HandlerResult {
        let page = board_page(&self.snapshot(), Some(problem), typed);
        response.send_response(400);
        response.send_header("Content-type", "text/html; charset=utf-8");
        response.end_headers();
        response.write_all(page.as_bytes())?;
        Ok(())
    }
}

impl Handler for MessageBoard {
    /// A form was sent: take its message out (and, from step c on, keep it).
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // Any page on the web can hold a form that posts here, and a
        // visitor's browser would send it: refuse what a browser says
        // another site sent (403), before reading or keeping anything.
        http_server::refuse_cross_site(request)?;
        // The body is exactly the Content-Length bytes after the headers:
        // `message=Hi+there%21`. read_body reads those and no more, since the
        // next request may follow on the same connection.
        let body = request.read_body()?;

        // TODO(a): take the message out of the form in the body
        // parse_qs decodes the form: `+` is a space, `%21` is "!". A broken
        // escape or bytes that are not UTF-8 are the client's mistake, and
        // `?` answers them with 400 Bad Request.
        let form = http_server::parse_qs(&body)?;
        let Some(message) = form.get("message") else {
            let why = "the form has no 'message' field (name the textarea \"message\")";
            return Err(http_server::HttpError::new(400, why).into());
        };
        // END TODO(a)

        // TODO(c): keep the message on the board, and send the browser back to the board
        // A blank message is no message: 400, and the form again to try once more.
        if message.trim().is_empty() {
            let why = "Your message was empty: write something, then post it.";
            return self.send_form_again(response, why, message);
        }
        // A message has a limit, in characters (len() would count bytes).
        let length = message.chars().count();
        if length > MAX_MESSAGE_CHARS {
            let why = format!(
                "A message can be at most {} characters; yours has {}.",
                with_commas(MAX_MESSAGE_CHARS),
                with_commas(length)
            );
            return self.send_form_again(response, &why, message);
        }
        // So has the board: keep (given, above) pushes the message, or
        // answers 507 when the board is full, and `?` passes that on.
        self.keep(message)?;
        // Post/Redirect/Get: a 303 sends the browser to the board with a GET,
        // so reloading the page it lands on does not post the message again.
        response.send_response(303);
        response.send_header("Location", "/");
        response.end_headers();
        // END TODO(c)
        Ok(())
    }

    /// Sends the board's page, whatever the path (but /favicon.ico): the
    /// form and the messages.
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // Browsers ask for /favicon.ico on their own, for the tab's icon.
        // The board has none: say so, rather than send the whole board.
        if request.path() == "/favicon.ico" {
            return Err(http_server::HttpError::new(404, "this board has no icon").into());
        }
        // The lock is held while the list is copied, not while the page is
        // built: see snapshot.
        let page = board_page(&self.snapshot(), None, "");
        response.send_response(200);
        // TODO(b): tell the browser that the page is HTML, so that it draws it
        // text/html: the browser draws the page (a heading, a box, a button)
        // instead of showing its source.
        response.send_header("Content-type", "text/html; charset=utf-8");
        // END TODO(b)
        response.end_headers();
        response.write_all(page.as_bytes())?;
        Ok(())
    }
}

/// `1234567` as `1,234,567`: how the page writes a limit or a length.
fn with_commas(number: usize) -> String {
    let digits = number.to_string();
    let mut written = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            written.push(',');
        }
        written.push(digit);
    }
    written
}

/// The board's page: a title, the form, then every message, oldest first.
/// With a `problem`, the page says it above the form (see step c), and the
/// form holds what the visitor `typed`.
fn board_page(messages: &[Arc<str>], problem: Option<&str>, typed: &str) -> String {
    let mut items = String::new();
    for message in messages {
        // A message is text from a stranger: escape_html_text makes the
        // browser show it as text, even when it looks like HTML (`<script>`).
        items.push_str(&format!("  <li>{}</li>\n", escape_html_text(message)));
    }
    if items.is_empty() {
        items.push_str("  <li><i>No messages yet: be the first!</i></li>\n");
    }
    // The title is what the tab and the history show: say what went wrong.
    let (title, problem) = match problem {
        Some(why) => (
            "Not posted: Message Board",
            format!(
                "<p class=\"problem\" role=\"alert\">{}</p>\n",
                escape_html_text(why)
            ),
        ),
        None => ("Message Board", String::new()),
    };
    // A textarea's text is what stands between its tags: put back what was
    // typed there, escaped like any text from a stranger.
    let form = FORM.replacen(
        "</textarea>",
        &format!("{}</textarea>", escape_html_text(typed)),
        1,
    );
    // The course's stylesheet (src/style.css) and icon come inside the
    // page: the browser asks for neither (no request for /favicon.ico).
    let style = http_server::STYLESHEET;
    let icon = http_server::ICON_LINK;
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{icon}
<style>
{style}</style>
</head>
<body>
<main>
<h1>Message Board</h1>
{problem}{form}
<ul class="messages">
{items}</ul>
</main>
</body>
</html>
"#
    )
}

fn main() -> Result<(), ServerError> {
    let board = MessageBoard {
        messages: Mutex::new(Vec::new()),
    };
    // Listen on 127.0.0.1, port 8000 (or $PORT), and serve the board.
    ThreadingHttpServer::from_env()?.serve_forever(board)
}
