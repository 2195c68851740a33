//! Step c: Post/Redirect/Get, and what the board refuses to keep.

use super::*;
use crate::Failure;
use crate::kit::cross_site::expect_cross_site_posts_refused;
use crate::kit::crowd::{at_once, expect_crowd_ok, expect_each_once, post_form_expecting};
use crate::session::encode_form;

/// The board's limit on one message, in characters.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// The most messages the board keeps.
const MAX_MESSAGES: usize = 10_000;

pub(super) fn post_redirects_to_the_board(session: &mut Session) -> CheckResult {
    let message = format!("Redirect me {}", marker());
    let reply = session.post_form("/", &[("message", &message)])?;
    let hint = match reply.status {
        200 if reply.media_type().as_deref() == Some("text/html") => {
            "Answering a POST with the page makes a reload post it again: answer 303 See Other \
             with Location: / instead (Post/Redirect/Get)."
        }
        200 => {
            "That is step a's answer. In TODO(c), keep the message on the board, and answer \
             303 See Other with Location: /."
        }
        301 | 302 | 307 | 308 => {
            "Use 303 See Other: the browser then fetches / with a GET (after a 307 or 308 it \
             would POST again; 301 and 302 are for pages that moved)."
        }
        303 if reply.header("location").is_none() => {
            "A 303 needs a Location header to say where to go: send_header(\"Location\", \"/\")."
        }
        303 => "The board is at /: that is where the browser should go next.",
        _ => {
            "After keeping the message: send_response(303), send_header(\"Location\", \"/\"), \
             end_headers()."
        }
    };
    let board = format!("{}/", session.server()?.base_url());
    reply.expect(
        |reply| {
            reply.status == 303
                && matches!(reply.header("location"), Some(at) if at == "/" || at == board)
        },
        "status 303 See Other, with the header Location: /",
        hint,
    )?;
    Ok(())
}

pub(super) fn board_lists_messages_in_order(session: &mut Session) -> CheckResult {
    let run = marker();
    let messages: Vec<String> = (1..=3)
        .map(|number| format!("Message {number} of 3, run {run}"))
        .collect();
    for message in &messages {
        post_for_the_board(session, message)?;
    }
    let page = session.get("/")?;
    for message in &messages {
        let count = occurrences(&page.body, message);
        page.expect(
            |_| count > 0,
            format!("the page to show {message:?}"),
            "do_post must push the message onto self.messages() (the list board_page shows) \
             before it answers.",
        )?
        .expect(
            |_| count == 1,
            format!("{message:?} once on the page, not {count} times"),
            "Each POST should add its message once.",
        )?;
    }
    let places: Vec<usize> = messages
        .iter()
        .filter_map(|message| page.body.find(message.as_str()))
        .collect();
    page.expect(
        |_| places.is_sorted(),
        "the three messages in the order they were posted, oldest first",
        "push adds a message at the end of the list: keep that order on the page.",
    )?;
    Ok(())
}

pub(super) fn messages_are_escaped(session: &mut Session) -> CheckResult {
    let tag = marker();
    let message = format!("Don't forget: <script>alert({tag})</script> & <b>bold</b>");
    post_for_the_board(session, &message)?;
    // Element content: only & < > are escaped (escape_html_text), so the
    // apostrophe stays as typed.
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    session.get("/")?.expect(
        |page| {
            !page.body.contains(&format!("<script>alert({tag})")) && page.body.contains(&escaped)
        },
        format!("the message as text: {escaped:?} in the HTML"),
        "Pass every message through escape_html_text, or a visitor's <script> runs in \
         everybody's browser (escape_html would change the apostrophe of Don't).",
    )?;
    Ok(())
}

pub(super) fn blank_message_is_refused_with_the_form(session: &mut Session) -> CheckResult {
    for blank in ["", "   \r\n\t "] {
        let reply = session.post_form("/", &[("message", blank)])?;
        let hint = if reply.status == 400 {
            "A 400 from HttpError is bare text, with no form to try again: if message.trim() is \
             empty, return self.send_form_again(response, \"...why...\", message)."
        } else {
            "A blank message is no message: if message.trim() is empty, return \
             self.send_form_again(response, \"...why...\", message) before keeping it."
        };
        reply.expect(
            |reply| reply.status == 400 && has_the_form(&reply.body),
            "status 400 Bad Request, and the page with the form, to try again",
            hint,
        )?;
    }
    session.get("/")?.expect(
        |page| !page.body.contains("<li>   ") && !page.body.contains("<li></li>"),
        "no blank message on the board",
        "Return right after sending the 400 page, before self.messages().push(...).",
    )?;
    Ok(())
}

pub(super) fn no_message_lost_under_load(session: &mut Session) -> CheckResult {
    const POSTERS: usize = 50;
    const POSTS: usize = 40;
    let run = marker();
    let url = format!("{}/", session.server()?.base_url());
    let client = session.client().clone();
    let label = |poster: usize, post: usize| format!("{run}-{poster:02}-{post:02}");
    let sent = format!(
        "{POSTERS} clients at once, each POSTing {POSTS} messages to / (like curl -d 'message=...')"
    );
    let results = at_once(POSTERS, |poster| {
        for post in 0..POSTS {
            post_form_expecting(&client, &url, &[("message", &label(poster, post))], 303)?;
        }
        Ok(())
    });
    let hint = "The server must answer many clients at once, every time.";
    expect_crowd_ok(results, &sent, "every POST answered 303 See Other", hint)?;
    let page = session.get("/")?;
    let labels = (0..POSTERS).flat_map(|poster| (0..POSTS).map(move |post| (poster, post)));
    let found = expect_each_once(&page.body, labels.map(|(poster, post)| label(poster, post)));
    found.map_err(|got| Failure {
        sent: format!("{sent}, then: {}", page.sent),
        got,
        ..page.fail(
            format!("all {} messages on the board, each once", POSTERS * POSTS),
            "Push each message onto the one shared list in a single step, under the lock: a \
             copy of the list, stored back, loses what other threads added in between.",
        )
    })
}

/// The text of the board's textarea in `html`, as the HTML has it
/// (escaped), if the page has one named message.
fn textarea_text(html: &str) -> Option<&str> {
    let tag = start_tags(html, "textarea")
        .into_iter()
        .find(|tag| tag.attribute("name") == Some("message"))?;
    let rest = &html[tag.end..];
    let end = rest.to_ascii_lowercase().find("</textarea")?;
    Some(&rest[..end])
}

/// A message of `length` characters that starts with `start` and goes on
/// with é (two bytes each, so that counting bytes goes wrong), posted and
/// reported by its start.
fn post_long_message(session: &mut Session, start: &str, length: usize) -> Result<Reply, Failure> {
    let message = format!("{start}{}", "é".repeat(length - start.chars().count()));
    Ok(session
        .post_form("/", &[("message", &message)])?
        .reported_as(format!(
            "curl -i --data-urlencode 'message={start}ééé...' http://localhost:8000/  (a message \
             of {},{:03} characters)",
            length / 1000,
            length % 1000
        )))
}

pub(super) fn long_message_is_refused_with_the_form(session: &mut Session) -> CheckResult {
    // Letters beyond ASCII take two bytes each: a program that counts
    // bytes (len()) instead of characters refuses the message of 2,000.
    let start = format!("Too long {} <b>&</b> café:", marker());
    let too_long = MAX_MESSAGE_CHARS + 1;
    let reply = post_long_message(session, &start, too_long)?;
    let typed = format!("{start}{}", "é".repeat(too_long - start.chars().count()));
    let expected = "status 400 Bad Request, a sentence that names the limit (2,000 characters) \
                    and the length (2,001), and the form with the message put back in its textarea";
    reply
        .expect(
            |reply| reply.status == 400,
            expected,
            "2,001 characters is over the limit: count characters (message.chars().count(), \
             not len(), which counts bytes) and answer 400 with the form, as for a blank one.",
        )?
        // After the stylesheet, which has numbers of its own.
        .expect(
            |reply| {
                after_the_style(reply).contains("2,000") && after_the_style(reply).contains("2,001")
            },
            expected,
            "Say the limit and the length on the page, written with with_commas: \"A message can \
             be at most 2,000 characters; yours has 2,001.\"",
        )?
        .expect(
            |reply| textarea_text(&reply.body) == Some(escape_html_text(&typed).as_str()),
            expected,
            "Put what was typed back in the textarea (send_form_again's `typed`), so that the \
             visitor can shorten it.",
        )?;
    session.get("/")?.expect(
        |page| !page.body.contains(&escape_html_text(&start)),
        "no message of 2,001 characters on the board",
        "Return right after sending the 400 page, before the message is kept.",
    )?;
    let start = format!("Just short enough {} café:", marker());
    post_long_message(session, &start, MAX_MESSAGE_CHARS)?.expect(
        |reply| reply.status == 303,
        "status 303 See Other: a message of exactly 2,000 characters is allowed",
        "The limit is at most 2,000 characters, counted with message.chars().count(): len() \
         counts bytes, and é takes two.",
    )?;
    Ok(())
}

pub(super) fn cross_site_post_is_refused(session: &mut Session) -> CheckResult {
    expect_cross_site_posts_refused(
        session,
        || vec![("message", format!("Sent from another site {}", marker()))],
        "Any page on the web can hold a form that posts to your board: keep the first line of \
         do_post, http_server::refuse_cross_site(request)?.",
        |session, _, form| {
            session.get("/")?.expect(
                |page| !page.body.contains(&form[0].1),
                "no message from another site on the board",
                "The 403 must come before the message is kept: refuse_cross_site first.",
            )?;
            Ok(())
        },
    )
}

pub(super) fn full_board_is_refused(session: &mut Session) -> CheckResult {
    const POSTERS: usize = 4;
    let run = marker();
    let url = format!("{}/", session.server()?.base_url());
    let client = session.client().clone();
    let posted = std::sync::atomic::AtomicUsize::new(0);
    let sent = format!(
        "{POSTERS} clients at once POSTing short messages to / until one gets 507 (at most \
         {MAX_MESSAGES} POSTs and a few)"
    );
    // Each poster posts until the board says it is full.
    let results = at_once(POSTERS, |poster| {
        loop {
            let number = posted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if number > MAX_MESSAGES + POSTERS {
                return Ok(());
            }
            let message = format!("Full {run} {poster}-{number}");
            let response = client
                .post(&url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(encode_form(&[("message", &message)]))
                .send()
                .map_err(|error| format!("a POST got no answer: {error}"))?;
            match response.status().as_u16() {
                303 => {}
                507 => return Ok(()),
                other => return Err(format!("a POST got {other}")),
            }
        }
    });
    expect_crowd_ok(
        results,
        &sent,
        "303 See Other until the board is full, then 507 Insufficient Storage",
        "Until the board holds 10,000 messages, a POST is kept and answered 303.",
    )?;
    // The board is full now: one more POST is refused, and says why.
    session
        .post_form("/", &[("message", &format!("One too many {run}"))])?
        .expect_status(
            507,
            "One client must not fill the server's memory: keep each message with \
             self.keep(message)? (given), which answers 507 once the board is full.",
        )?
        .expect_body_contains(
            "10,000",
            "Say why: \"The board is full: it keeps at most 10,000 messages.\"",
        )?;
    let count = |page: &Reply| occurrences(&page.body, "<li>");
    session
        .get("/")?
        .expect_status(200, "Only a POST is refused when the board is full.")?
        .expect(
            |page| count(page) == MAX_MESSAGES,
            format!("exactly {MAX_MESSAGES} messages on the full board"),
            "Keep each message with self.keep(message)? (given): it tests the length of the \
             list and pushes under one lock. Two locks let two posters both see 9,999.",
        )?;
    Ok(())
}
