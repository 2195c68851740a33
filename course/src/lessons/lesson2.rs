//! Lesson 2, the messageboard, in three steps: (a) a POSTed form is answered
//! with its message, (b) GET serves the page with the form, (c) a POST keeps
//! the message and redirects to the board, which lists every message.
//!
//! Every check of a run talks to the same server, so the board fills up as
//! they go: each check posts messages with random markers and looks only
//! for those. Step (a)'s checks accept the finished program too: once step
//! (c) is done a POST answers `303`, and the message must then be on the
//! board.

use crate::kit::cross_site::expect_cross_site_posts_refused;
use crate::kit::crowd::{at_once, expect_crowd_ok, expect_each_once, post_form_expecting};
use crate::kit::html::{forms, is_labelled, start_tags, title_of};
use crate::kit::huge_body::post_huge_form;
use crate::kit::seed::random_number;
use crate::session::{Outgoing, Reply, Session, encode_form, quote_body};
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use http_server::escape_html_text;

/// Lesson 2, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(2, "messageboard", "Messageboard").checks(
    CHECKS,
    HINTS,
    include_str!("lesson2.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
pub const CHECKS: &[Check] = &[
    Check::step(
        "a",
        "a POSTed form's message field is decoded (echoed back, or after step c shown on the board)",
        answers_with_the_message,
    ),
    Check::step(
        "a",
        "a POST without a message field gets 400 and a sentence that names the missing field",
        no_message_is_a_bad_request,
    ),
    Check::step(
        "a",
        "a broken %-escape or bytes that are not UTF-8 get 400, and the board keeps serving",
        refuses_undecodable_forms,
    ),
    Check::step(
        "a",
        "a 10 MB body or one shorter than its Content-Length gets a 4xx, and the board keeps serving",
        refuses_huge_and_short_bodies,
    ),
    Check::step(
        "b",
        "GET / answers 200 with an HTML page titled Message Board",
        serves_an_html_page,
    ),
    Check::step(
        "b",
        "the page has a form that POSTs a textarea named message to /, url-encoded, with a label and a button",
        page_has_the_form,
    ),
    Check::step(
        "b",
        "GET /favicon.ico answers 404, not the board",
        no_favicon,
    ),
    Check::step(
        "c",
        "a POST answers 303 See Other with Location: /",
        post_redirects_to_the_board,
    ),
    Check::step(
        "c",
        "GET / shows every message once, oldest first",
        board_lists_messages_in_order,
    ),
    Check::step(
        "c",
        "a blank or whitespace-only message gets 400 and the form, and is not kept",
        blank_message_is_refused_with_the_form,
    ),
    Check::step(
        "c",
        "messages are HTML-escaped: <script> shows as text",
        messages_are_escaped,
    ),
    Check::step(
        "c",
        "50 posters at once, 40 messages each: every message is on the board exactly once",
        no_message_lost_under_load,
    ),
    Check::step(
        "c",
        "a message over 2,000 characters gets 400, a sentence with the limit and its length, and the form with the message put back; one of 2,000 is kept",
        long_message_is_refused_with_the_form,
    ),
    Check::step(
        "c",
        "a POST that another site's page sent (Sec-Fetch-Site: cross-site, or Origin: http://evil.example) gets 403 and is not kept",
        cross_site_post_is_refused,
    ),
    Check::step(
        "c",
        "the board keeps at most 10,000 messages: then a POST gets 507 and a sentence, and is not kept",
        full_board_is_refused,
    ),
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

/// Posts `fields` and checks that the program took `message` out of them:
/// after step (a) it answers with the message; after step (c) it redirects,
/// and the message is on the board.
fn posts_message(session: &mut Session, fields: &[(&str, &str)], message: &str) -> CheckResult {
    let reply = session.post_form("/", fields)?;
    if matches!(reply.status, 301..=303 | 307 | 308) {
        // The finished program: step (c) keeps the message and redirects
        // (which redirect is step c's check to say).
        session.get("/")?.expect(
            |page| page.body.contains(&escape_html_text(message)),
            format!(
                "after the {}, the message {message:?} on the board",
                reply.status
            ),
            "The POST redirected, as in step c, but its message is not on the board: take the \
             field named message, form.get(\"message\"), and push it onto self.messages() \
             before answering.",
        )?;
        return Ok(());
    }
    // The board's page itself, with the message on it: step c's redirect
    // check says why that is not the answer.
    if reply.status == 200
        && reply.media_type().as_deref() == Some("text/html")
        && reply.body.contains(&escape_html_text(message))
    {
        return Ok(());
    }
    let wanted = format!("status 200 and the body {message:?} (the message field, decoded)");
    reply
        .expect(
            |reply| reply.status != 400,
            &wanted,
            "The form has a message field, so it deserves an answer, not 400: is the field name \
             spelled \"message\"?",
        )?
        .expect(
            |reply| reply.status == 200,
            &wanted,
            "Read the form with parse_qs, take its message field, and let the starter's code in \
             TODO(c) answer with it.",
        )?
        .expect_body(message, mistaken_message(&reply.body, fields))?
        .expect_media_type(
            "text/plain",
            "Until step c, the POST answers with the message as plain text: keep the starter's \
             header in the TODO(c) region.",
        )?;
    Ok(())
}

/// The likely mistake behind the answer `body` to a POST of `fields`.
fn mistaken_message(body: &str, fields: &[(&str, &str)]) -> &'static str {
    if body.strip_suffix('\n').unwrap_or(body) == encode_form(fields) {
        "That is the body just as it came: the whole form, still encoded. Decode it with \
         http_server::parse_qs(&body)? and answer with form.get(\"message\")."
    } else if body.is_empty() {
        "The body is empty: `message` should be the text of the form's message field."
    } else if body.contains('+') || body.contains('%') {
        "The message is still partly encoded: parse_qs turns + into a space and %21 into \
         \"!\". Do not split the body by hand."
    } else {
        "Answer with the value of the field named message: form.get(\"message\"), and only that."
    }
}

fn answers_with_the_message(session: &mut Session) -> CheckResult {
    let first = format!("Hi there! {} café 🎈", marker());
    posts_message(session, &[("message", &first)], &first)?;
    let second = format!("Second message, {}: 2+2=4", marker());
    let fields = [("from", "the course"), ("message", second.as_str())];
    posts_message(session, &fields, &second)?;
    posts_long_message(session)
}

/// Posts a message longer than what one read of the connection brings
/// (the server reads 8 KB at a time), so that only a program that reads
/// the whole body, as read_body does, gets it whole. Its balloons take 12
/// bytes each once %-encoded: the body is about 11 KB, yet the message
/// stays under the board's limit of 2,000 characters.
fn posts_long_message(session: &mut Session) -> CheckResult {
    let start = format!("A long message {}:", marker());
    let balloons = "🎈".repeat(20);
    let message = format!(
        "{start}{}",
        format!(" all work and no play {balloons}").repeat(45)
    );
    let reply = session
        .post_form("/", &[("message", &message)])?
        .reported_as(format!(
            "curl -i -d '{}+all+work+and+no+play...' http://localhost:8000/  (a message of {} \
             bytes)",
            encode_form(&[("message", &start)]),
            message.len()
        ));
    // What the program made of it: the echo (step a) or the board's list
    // item (step c, after a redirect or with the page itself).
    let page = if (300..400).contains(&reply.status) {
        session.get("/")?.body
    } else {
        reply.body.clone()
    };
    let shown = page.find(&start).map(|at| {
        let rest = &page[at..];
        let end = rest.find("</li>").unwrap_or(rest.len());
        rest[..end].trim_end_matches('\n')
    });
    match shown {
        Some(shown) if shown == message => Ok(()),
        Some(shown) if message.starts_with(shown) => Err(Failure {
            sent: reply.sent.clone(),
            expected: format!("the whole message, {} bytes", message.len()),
            got: format!("its first {} bytes only", shown.len()),
            hint: "The message was cut short: one read() gives only what has arrived so far. \
                   request.read_body()? reads exactly the Content-Length bytes of the body, \
                   however they arrive."
                .into(),
        }),
        _ if reply.status == 400 => Err(reply.fail(
            format!(
                "the long message, whole: {} characters, under the board's limit of 2,000",
                message.chars().count()
            ),
            "The limit counts characters, with message.chars().count(): len() counts bytes, \
             and each 🎈 takes four.",
        )),
        _ => Err(reply.fail(
            "the long message, whole (echoed back, or after step c on the board)",
            "A long message is a message like any other: read the whole body with \
             request.read_body()?, then decode it with parse_qs.",
        )),
    }
}

fn no_message_is_a_bad_request(session: &mut Session) -> CheckResult {
    let reply = session.post_form("/", &[("note", "no message field here")])?;
    // What the answer says, after the stylesheet if it is a page.
    let said = after_the_style(&reply).to_lowercase();
    let hint = match reply.status {
        400 if !said.trim().is_empty() => {
            "Say which field is missing: \"the form has no 'message' field\". A form without the \
             field is not an empty message (step c's 400 for a blank box says \"empty\"): answer \
             form.get(\"message\") == None with \
             HttpError::new(400, \"the form has no 'message' field\"), rather than \
             unwrap_or(\"\"), and keep that 400 after step c."
        }
        400 => {
            "Say why in the body: return Err(http_server::HttpError::new(400, \"the form has no \
             'message' field\").into()) does that for you."
        }
        500 => {
            "The handler failed (did it unwrap() form.get(\"message\")?). A form without the \
             field is the client's mistake: answer it with HttpError::new(400, ...)."
        }
        _ => {
            "form.get(\"message\") is None for this form: answer with \
             return Err(http_server::HttpError::new(400, \"...\").into()) instead of going on."
        }
    };
    reply.expect(
        |reply| reply.status == 400 && said.contains("field") && said.contains("message"),
        "status 400 Bad Request, and a sentence that names the missing field: the form has no \
         'message' field",
        hint,
    )?;
    // No body at all, as `curl -X POST` sends: still a form without a message.
    let reply = session.send(Outgoing {
        method: "POST",
        path: "/",
        ..Outgoing::default()
    })?;
    reply.expect(
        |reply| matches!(reply.status, 400 | 411),
        "status 400 Bad Request: an empty body has no message field",
        "An empty body decodes to an empty form, so form.get(\"message\") is None: answer 400.",
    )?;
    Ok(())
}

fn refuses_undecodable_forms(session: &mut Session) -> CheckResult {
    let bad_bodies: [(&[u8], &str); 3] = [
        (b"message=100%zz", "%zz is not a valid %-escape"),
        (
            b"message=%FF%FE",
            "the escapes decode to bytes that are not UTF-8",
        ),
        (b"message=caf\xe9", "the byte 0xE9 on its own is not UTF-8"),
    ];
    for (body, why) in bad_bodies {
        let reply = session.send(Outgoing {
            method: "POST",
            path: "/",
            headers: vec![("Content-Type", "application/x-www-form-urlencoded")],
            body: Some(body.to_vec()),
        })?;
        reply.expect(
            |reply| (400..500).contains(&reply.status),
            format!("status 400 Bad Request: {why}"),
            "Decode the form with http_server::parse_qs(&body)?: the `?` answers a form that \
             cannot be decoded with 400. Do not unwrap() it (a 500), or decode it lossily.",
        )?;
    }
    let message = format!("Still here after bad forms {}", marker());
    posts_message(session, &[("message", &message)], &message)
}

fn refuses_huge_and_short_bodies(session: &mut Session) -> CheckResult {
    let hint = "A body this size should never reach the handler: keep the server's own body \
                limit (1 MiB), do not raise max_body_size.";
    let reply = post_huge_form(session, 10 * 1024 * 1024, hint)?;
    // Only the server's body limit answers 413: a 400 from the handler
    // means the 10 MB were read into memory first.
    if !(reply.is_empty() || reply.starts_with("HTTP/1.1 413")) {
        return Err(Failure {
            sent: "curl -i --data-binary @10MB-file http://localhost:8000/  (a 10 MB form)".into(),
            expected: "413 Content Too Large, or the connection closed".into(),
            got: quote_body(reply.lines().next().unwrap_or("")),
            hint: hint.into(),
        });
    }
    // The body announces 100 bytes, brings 13, and the client stops sending.
    let short = b"POST / HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nmessage=short";
    let reply = session.send_raw(short)?;
    // An error answer (4xx), or nothing at all.
    if !(reply.is_empty() || reply.starts_with("HTTP/1.1 4") || reply.starts_with("HTTP/1.0 4")) {
        return Err(Failure {
            sent: "a POST whose Content-Length says 100 bytes, followed by 13 (message=short)"
                .into(),
            expected: "400 Bad Request, or the connection closed".into(),
            got: quote_body(reply.lines().next().unwrap_or("")),
            hint: "Read the body with request.read_body()? and pass its error on with `?`: a body \
                   that ends early is the client's mistake, and the server answers 400."
                .into(),
        });
    }
    let message = format!("Still here after huge and short bodies {}", marker());
    posts_message(session, &[("message", &message)], &message)
}

fn serves_an_html_page(session: &mut Session) -> CheckResult {
    session
        .get("/")?
        .expect_status(
            200,
            "do_get sends the page: keep send_response(200) before the headers.",
        )?
        .expect_media_type(
            "text/html",
            "The page is HTML, but the Content-type header does not say so, and a browser shows \
             the page's source instead of drawing it. Send text/html; charset=utf-8.",
        )?
        .expect(
            |reply| reply.charset().as_deref() == Some("utf-8"),
            "Content-Type: text/html; charset=utf-8",
            "Keep the charset: without charset=utf-8 a browser may show é as Ã©.",
        )?
        .expect(
            |reply| title_of(&reply.body).as_deref() == Some("Message Board"),
            "a page with <title>Message Board</title>",
            "The page's title (the text on the browser's tab) should be Message Board: it is in \
             board_page.",
        )?;
    Ok(())
}

fn page_has_the_form(session: &mut Session) -> CheckResult {
    let reply = session.get("/")?;
    let html = &reply.body;
    let expected = "<form method=\"post\" action=\"/\"> with a <textarea name=\"message\">, \
                    its <label>, and a submit button inside";
    let Some(form) = forms(html).into_iter().next() else {
        return Err(reply.fail(
            expected,
            "The page has no <form> yet: write it in the FORM constant, in the TODO(b) region at \
             the top of the file.",
        ));
    };
    let enctype = start_tags(html, "form")[0]
        .attribute("enctype")
        .map(str::to_owned);
    // The first textarea named message after the form starts: the form's
    // own, if it has one.
    let form_start = start_tags(html, "form")[0].end;
    let textarea = start_tags(html, "textarea")
        .into_iter()
        .find(|tag| tag.start >= form_start && tag.attribute("name") == Some("message"));
    reply
        .expect(
            |_| form.method == "post",
            expected,
            "The form does not say method=\"post\", so the browser would send the message in the \
             URL of a GET (/?message=...) instead of in the body of a POST.",
        )?
        .expect(
            |_| {
                enctype.as_deref().is_none_or(|enctype| {
                    enctype.eq_ignore_ascii_case("application/x-www-form-urlencoded")
                })
            },
            expected,
            format!(
                "The form says enctype=\"{}\": a browser would send the message in that encoding, \
                 which parse_qs cannot read, and every post would get 400. Leave enctype out: \
                 the default, application/x-www-form-urlencoded (message=...), is what parse_qs \
                 decodes (multipart/form-data is for uploading files).",
                enctype.as_deref().unwrap_or("")
            ),
        )?
        .expect(
            |_| matches!(form.action.as_str(), "" | "/"),
            expected,
            "The form's action is the path it is sent to: the board is at /, so action=\"/\".",
        )?
        .expect(
            |_| {
                form.fields
                    .iter()
                    .any(|field| field.name == "message" && field.tag == "textarea")
            },
            expected,
            "The form needs a <textarea name=\"message\"> inside it: the name is what the text \
             travels under (message=...), and what do_post looks for.",
        )?
        .expect(
            |_| textarea.is_some_and(|textarea| is_labelled(html, &textarea)),
            expected,
            "The box needs a label tied to it, that says what it is for: \
             <label for=\"message\">Your message</label>, and id=\"message\" on the textarea. \
             A label's for names the id of its box: without that id it labels nothing, and a \
             screen reader announces a box without a name.",
        )?
        .expect(
            |_| form.has_submit(),
            expected,
            "The form needs a button to send it: <button type=\"submit\">Post it!</button>.",
        )?;
    Ok(())
}

fn post_redirects_to_the_board(session: &mut Session) -> CheckResult {
    let message = format!("Redirect me {}", marker());
    let reply = session.post_form("/", &[("message", &message)])?;
    let hint = match reply.status {
        200 if reply.media_type().as_deref() == Some("text/html") => {
            "The POST answers with the board's page, so reloading it posts the message again. \
             Answer 303 See Other with Location: / instead (Post/Redirect/Get): the browser then \
             fetches the board with a GET."
        }
        200 => {
            "That is step a's answer, the message itself. In TODO(c), keep the message on the \
             board instead, and answer 303 See Other with Location: / so that the browser goes \
             back to the board."
        }
        301 | 302 | 307 | 308 => {
            "Use 303 See Other: it tells the browser to fetch the new place with a GET. After a \
             307 or 308 it would POST the form again; 301 and 302 are for pages that moved."
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

fn board_lists_messages_in_order(session: &mut Session) -> CheckResult {
    let run = marker();
    let messages: Vec<String> = (1..=3)
        .map(|number| format!("Message {number} of 3, run {run}"))
        .collect();
    for message in &messages {
        post_for_the_board(session, message)?;
    }
    let page = session.get("/")?;
    for message in &messages {
        page.expect(
            |page| page.body.contains(message.as_str()),
            format!("the page to show {message:?}"),
            "The message is not on the page: do_post must push it onto self.messages() (the list \
             board_page shows) before it answers.",
        )?
        .expect(
            |page| occurrences(&page.body, message) == 1,
            format!(
                "{message:?} once on the page, not {} times",
                occurrences(&page.body, message)
            ),
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

fn messages_are_escaped(session: &mut Session) -> CheckResult {
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
        "Pass every message through escape_html_text before it goes into the page: otherwise a \
         visitor's <script> runs in everybody's browser (and escape_html would change the \
         apostrophe of Don't).",
    )?;
    Ok(())
}

fn no_favicon(session: &mut Session) -> CheckResult {
    session.get("/favicon.ico")?.expect(
        |reply| reply.status == 404,
        "status 404 Not Found: the board has no icon",
        "Browsers ask for /favicon.ico by themselves, for the tab's icon. Keep the starter's lines \
         at the top of do_get that answer it with 404.",
    )?;
    Ok(())
}

/// Whether `html` has the board's textarea, named message.
fn has_the_form(html: &str) -> bool {
    start_tags(html, "textarea")
        .iter()
        .any(|tag| tag.attribute("name") == Some("message"))
}

fn blank_message_is_refused_with_the_form(session: &mut Session) -> CheckResult {
    for blank in ["", "   \r\n\t "] {
        let reply = session.post_form("/", &[("message", blank)])?;
        let hint = if reply.status == 400 {
            "A 400 from HttpError is a line of plain text, with no form to try again: if \
             message.trim() is empty, return self.send_form_again(response, \"...why...\", \
             message); it sends the board's page with 400, the sentence and the form."
        } else {
            "A message that is empty or only spaces is no message: if message.trim() is empty, \
             return self.send_form_again(response, \"...why...\", message); before keeping it. \
             It answers 400 with the board's page, the sentence and the form."
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

fn no_message_lost_under_load(session: &mut Session) -> CheckResult {
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
        expected: format!("all {} messages on the board, each once", POSTERS * POSTS),
        got,
        hint: "Add each message to the one shared list in a single step, under the lock: \
               self.messages().push(...). Copying the list, adding to the copy and storing it back \
               loses the messages other threads added in between."
            .into(),
    })
}

/// The board's limit on one message, in characters.
const MAX_MESSAGE_CHARS: usize = 2_000;

/// The most messages the board keeps.
const MAX_MESSAGES: usize = 10_000;

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

fn long_message_is_refused_with_the_form(session: &mut Session) -> CheckResult {
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
            "A message of 2,001 characters is over the board's limit: count its characters \
             (message.chars().count(), not len(), which counts bytes) and answer it like a blank \
             one, with 400 and the form again.",
        )?
        // After the stylesheet, which has numbers of its own.
        .expect(
            |reply| {
                after_the_style(reply).contains("2,000") && after_the_style(reply).contains("2,001")
            },
            expected,
            "Say what the limit is and how long the message was, in a sentence on the page, \
             numbers written with with_commas: \"A message can be at most 2,000 characters; \
             yours has 2,001.\"",
        )?
        .expect(
            |reply| textarea_text(&reply.body) == Some(escape_html_text(&typed).as_str()),
            expected,
            "Put what was typed back in the textarea (send_form_again's `typed`): the visitor \
             can then shorten it instead of typing it again.",
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

fn cross_site_post_is_refused(session: &mut Session) -> CheckResult {
    expect_cross_site_posts_refused(
        session,
        || vec![("message", format!("Sent from another site {}", marker()))],
        "Any page on the web can hold a form that posts to your board, and a visitor's browser \
         sends it. Keep the first line of do_post, http_server::refuse_cross_site(request)?, \
         which refuses such a POST.",
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

fn full_board_is_refused(session: &mut Session) -> CheckResult {
    const POSTERS: usize = 4;
    let run = marker();
    let url = format!("{}/", session.server()?.base_url());
    let client = session.client().clone();
    let posted = std::sync::atomic::AtomicUsize::new(0);
    let sent = format!(
        "{POSTERS} clients at once POSTing short messages to / until one gets 507 (at most \
         {MAX_MESSAGES} POSTs and a few)"
    );
    // Each poster posts until the board says it is full; what it got then.
    let results = at_once(POSTERS, |poster| {
        loop {
            let number = posted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if number > MAX_MESSAGES + POSTERS {
                return Ok(None);
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
                507 => return Ok(Some(response.text().unwrap_or_default())),
                other => return Err(format!("a POST got {other}")),
            }
        }
    });
    let answers = expect_crowd_ok(
        results,
        &sent,
        "303 See Other until the board is full, then 507 Insufficient Storage",
        "Until the board holds 10,000 messages, a POST is kept and answered 303.",
    )?;
    let answers: Vec<String> = answers.into_iter().flatten().collect();
    let Some(answer) = answers.first() else {
        return Err(Failure {
            sent,
            expected: "507 Insufficient Storage once the board holds 10,000 messages".into(),
            got: format!("{} POSTs, every one kept", MAX_MESSAGES + POSTERS),
            hint: "One client must not be able to fill the server's memory: keep each message \
                   with self.keep(message)? (given), which answers 507 with a sentence once the \
                   board holds MAX_MESSAGES, instead of pushing it yourself."
                .into(),
        });
    };
    if !answer.contains("10,000") {
        return Err(Failure {
            sent,
            expected: "a 507 with a sentence that names the limit: 10,000 messages".into(),
            got: quote_body(answer),
            hint: "Say why: \"The board is full: it keeps at most 10,000 messages.\"".into(),
        });
    }
    let count = |page: &Reply| occurrences(&page.body, "<li>");
    session
        .get("/")?
        .expect(
            |page| page.status == 200,
            "status 200: a full board is still shown",
            "Only a POST is refused when the board is full.",
        )?
        .expect(
            |page| count(page) == MAX_MESSAGES,
            format!("exactly {MAX_MESSAGES} messages on the full board"),
            "Keep each message with self.keep(message)? (given): it tests the length of the \
             list and pushes under one lock. Two locks let two posters both see 9,999.",
        )?;
    Ok(())
}
