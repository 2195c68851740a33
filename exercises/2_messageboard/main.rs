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
//   board_page puts FORM on the page, where the form belongs; for now it is
//   a placeholder. Write the form in HTML instead (step b of the lesson text
//   explains each part):
//   1. a <form> element whose method is "post" and whose action is "/";
//   2. inside it, a <textarea> whose name is "message": what the visitor
//      types travels under that name, as message=...;
//   3. and inside it too, a <button type="submit"> that sends the form;
//   4. a <label for="message"> before the box that says what it is for,
//      with id="message" on the textarea to tie them together.
//   HTML is full of double quotes: write it as a raw string, r#"..."#, in
//   which a " needs no backslash (board_page below uses one).
/// The form a visitor fills in (a placeholder until step b is done).
const FORM: &str = "<p>(The form will go here.)</p>";
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
        //   For now the handler answers with the body just as it came, the
        //   whole form still encoded: try `curl -d message=Hi+there localhost:8000`.
        //   1. Decode it: http_server::parse_qs(&body)? gives a Form. Thanks to
        //      the `?`, a broken %-escape gets 400 Bad Request.
        //   2. form.get("message") is Some(text), or None if the form has no
        //      field of that name. Answer None with a 400 that names the field:
        //      return Err(http_server::HttpError::new(400, "the form has no 'message' field").into());
        //      (Keep it so after step c: a form without the field is not an
        //      empty message, and does not get step c's "your message was empty".)
        //   3. Make `message` the text of the field.
        let message = String::from_utf8_lossy(&body).into_owned();
        // END TODO(a)

        // TODO(c): keep the message on the board, and send the browser back to the board
        //   Until you do, the POST answers with the message as plain text.
        //   `message` is the &str that step a took out of the form.
        //   1. A blank message (message.trim() is empty) is no message:
        //      return self.send_form_again(response, "...why...", message);
        //      it answers 400 with the board and the form, so the visitor
        //      can try again.
        //   2. So is a message over MAX_MESSAGE_CHARS characters: count them
        //      with message.chars().count() (len() counts bytes, and é takes
        //      two), and send the form again with a sentence that names the
        //      limit and the length, written with with_commas:
        //      "A message can be at most 2,000 characters; yours has 2,345."
        //   3. Keep it: self.keep(message)?; (given, above) pushes it onto
        //      the board, or answers 507 when the board is full.
        //   4. Answer 303 See Other, with the header `Location: /`: the
        //      browser then asks for / with a GET and shows the board.
        //   5. A redirect needs no body: end the headers, and you are done.
        response.send_response(200);
        response.send_header("Content-type", "text/plain; charset=utf-8");
        response.end_headers();
        response.write_all(message.as_bytes())?;
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
        //   Open http://localhost:8000/ now: the browser shows the source of
        //   the page, tags and all, because this header says it is plain text.
        //   The media type of an HTML page is text/html; keep the charset.
        response.send_header("Content-type", "text/plain; charset=utf-8");
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
