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
use std::sync::{Mutex, MutexGuard, PoisonError};

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

/// The board: every message posted so far, oldest first.
///
/// One handler serves every connection, each on its own thread, so two
/// messages can arrive at the same moment. The `Mutex` lets one thread at a
/// time change the list, so that none is lost (without it, Rust would not
/// compile the program).
struct MessageBoard {
    messages: Mutex<Vec<String>>,
}

impl MessageBoard {
    /// The list of messages, locked: other threads wait for it until the
    /// guard this returns goes out of scope.
    fn messages(&self) -> MutexGuard<'_, Vec<String>> {
        // A thread that panics while it holds the lock "poisons" it. A push
        // either happened or did not, so the list is whole: carry on.
        self.messages.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Handler for MessageBoard {
    /// A form was sent: take its message out (and, from step c on, keep it).
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
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
        //      field of that name. Answer None with a 400 that says why:
        //      return Err(http_server::HttpError::new(400, "...").into());
        //   3. Make `message` the text of the field.
        let message = String::from_utf8_lossy(&body).into_owned();
        // END TODO(a)

        // TODO(c): keep the message on the board, and send the browser back to the board
        //   Until you do, the POST answers with the message as plain text.
        //   1. A blank message (message.trim() is empty) is no message: send
        //      board_page(&self.messages(), Some("...why...")) with status 400,
        //      as do_get sends its page, so the visitor can try again; return.
        //   2. Add the message to the board: self.messages().push(...); it
        //      wants a String, and message.to_owned() makes one.
        //   3. Answer 303 See Other, with the header `Location: /`: the
        //      browser then asks for / with a GET and shows the board.
        //   4. A redirect needs no body: end the headers, and you are done.
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
        let page = board_page(&self.messages(), None);
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

/// The board's page: a title, the form, then every message, oldest first.
/// With a `problem`, the page says it above the form (see step c).
fn board_page(messages: &[String], problem: Option<&str>) -> String {
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
    // The course's stylesheet (src/style.css) comes inside the page.
    let style = http_server::STYLESHEET;
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{style}</style>
</head>
<body>
<h1>Message Board</h1>
{problem}{FORM}
<ul class="messages">
{items}</ul>
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
