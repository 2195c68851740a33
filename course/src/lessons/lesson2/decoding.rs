//! Step a: the POSTed form, decoded, and the forms that cannot be.

use super::*;
use crate::kit::huge_body::{post_huge_form, reply_or_closed};
use crate::session::{Outgoing, encode_form};

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
            "The POST redirected, as in step c, but its message is not on the board: push \
             form.get(\"message\") onto self.messages() before answering.",
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
            "Read the form with parse_qs, take its message field, and let TODO(c)'s code answer \
             with it.",
        )?
        .expect_body(message, mistaken_message(&reply.body, fields))?
        .expect_media_type(
            "text/plain",
            "Until step c, the POST answers with the message as plain text: keep the starter's \
             header in TODO(c).",
        )?;
    Ok(())
}

/// The likely mistake behind the answer `body` to a POST of `fields`.
fn mistaken_message(body: &str, fields: &[(&str, &str)]) -> &'static str {
    if body.strip_suffix('\n').unwrap_or(body) == encode_form(fields) {
        "That is the whole form, still encoded: decode it with http_server::parse_qs(&body)? \
         and answer with form.get(\"message\")."
    } else if body.is_empty() {
        "The body is empty: `message` should be the text of the form's message field."
    } else if body.contains('+') || body.contains('%') {
        "The message is still partly encoded: parse_qs turns + into a space and %21 into \"!\"."
    } else {
        "Answer with the value of the field named message: form.get(\"message\"), and only that."
    }
}

pub(super) fn answers_with_the_message(session: &mut Session) -> CheckResult {
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
    let whole = shown == Some(message.as_str());
    let cut_short = shown.filter(|shown| !whole && message.starts_with(shown));
    reply
        .expect(
            |_| cut_short.is_none(),
            format!("the whole message, {} bytes", message.len()),
            format!(
                "Only its first {} bytes came through: one read() gives only what has arrived so \
                 far, request.read_body()? the whole body.",
                cut_short.map_or(0, str::len)
            ),
        )?
        .expect(
            |reply| whole || reply.status != 400,
            format!(
                "the long message, whole: {} characters, under the board's limit of 2,000",
                message.chars().count()
            ),
            "The limit counts characters, with message.chars().count(): len() counts bytes, \
             and each 🎈 takes four.",
        )?
        .expect(
            |_| whole,
            "the long message, whole (echoed back, or after step c on the board)",
            "A long message is a message like any other: read the whole body with \
             request.read_body()?, then decode it with parse_qs.",
        )?;
    Ok(())
}

pub(super) fn no_message_is_a_bad_request(session: &mut Session) -> CheckResult {
    let reply = session.post_form("/", &[("note", "no message field here")])?;
    // What the answer says, after the stylesheet if it is a page.
    let said = after_the_style(&reply).to_lowercase();
    let hint = match reply.status {
        // A form without the field is not an empty message (step c's 400
        // for a blank box says "empty").
        400 if !said.trim().is_empty() => {
            "Say which field is missing: HttpError::new(400, \"the form has no 'message' \
             field\") when form.get(\"message\") is None, rather than unwrap_or(\"\")."
        }
        400 => "Say why in the body: HttpError::new(400, \"the form has no 'message' field\").",
        500 => {
            "The handler failed (did it unwrap() form.get(\"message\")?): answer a form without \
             the field with HttpError::new(400, ...)."
        }
        _ => {
            "form.get(\"message\") is None for this form: return \
             Err(http_server::HttpError::new(400, \"...\").into()) instead of going on."
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

pub(super) fn refuses_undecodable_forms(session: &mut Session) -> CheckResult {
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
            "Decode the form with http_server::parse_qs(&body)?: the `?` answers it with 400. \
             Do not unwrap() it (a 500), or decode it lossily.",
        )?;
    }
    let message = format!("Still here after bad forms {}", marker());
    posts_message(session, &[("message", &message)], &message)
}

pub(super) fn refuses_huge_and_short_bodies(session: &mut Session) -> CheckResult {
    let hint = "A body this size should never reach the handler: keep the server's own body \
                limit (1 MiB), do not raise max_body_size.";
    // Only the server's body limit answers 413: a 400 from the handler
    // means the 10 MB were read into memory first.
    if let Some(reply) = post_huge_form(session, 10 * 1024 * 1024, hint)? {
        reply.expect_status(413, hint)?;
    }
    // The body announces 100 bytes, brings 13, and the client stops sending.
    let short = b"POST / HTTP/1.1\r\nHost: localhost\r\n\
        Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nmessage=short";
    let sent = "a POST whose Content-Length says 100 bytes, followed by 13 (message=short)";
    let expected = "400 Bad Request, or the connection closed";
    let hint = "Read the body with request.read_body()? and pass its error on with `?`: a body \
                that ends early is the client's mistake (400).";
    let answer = session.send_raw(short)?;
    // An error answer (4xx), or nothing at all.
    let reply = reply_or_closed(sent.into(), &answer).map_err(|got| crate::Failure {
        sent: sent.into(),
        expected: expected.into(),
        got,
        hint: hint.into(),
    })?;
    if let Some(reply) = reply {
        reply.expect(|reply| (400..500).contains(&reply.status), expected, hint)?;
    }
    let message = format!("Still here after huge and short bodies {}", marker());
    posts_message(session, &[("message", &message)], &message)
}
