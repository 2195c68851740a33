//! Lesson 4, the bookmark server, in four steps: (a) the form and the 400s
//! for bad forms, (b) the link checker, (c) keeping working links and
//! redirecting, (d) following a short name.
//!
//! The links a bookmark server checks must work offline, so the checks
//! start the kit's helper servers on 127.0.0.1 (`kit::helpers`): one that
//! answers `200 OK`, one `404`, one that redirects (and a chain of six), one that never answers,
//! one that starts a huge body and stalls, a port where nothing listens,
//! and a stand-in proxy that records what it forwards.
//!
//! Until step (c) is done, a valid POST answers `200` with a page that says
//! what the link checker found (`... is reachable` or `... is not
//! reachable: why`); after it, `303`, or `404` with the page and the reason
//! above the form. The checks of step (b) read either, so they pass on the
//! finished program too.
//!
//! Every check of a run talks to the same server, so each saves bookmarks
//! under random short names and looks only for those.

use std::time::Duration;

use crate::kit::crowd::{at_once, post_form_expecting, problems};
use crate::kit::helpers::{Answer, HelperServer, Proxy, refused_port};
use crate::kit::html::{PageForm, forms, list_items, outside_forms, title_of};
use crate::kit::seed::random_number;
use crate::process::Launch;
use crate::session::{Outgoing, Reply, Session, encode_form};
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use http_server::{escape_html_text, percent_encode};

/// Lesson 4, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(4, "bookmark_server", "Bookmark server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson4.mutants.toml"),
);

/// The checks, step by step, in the order the lesson text asks for them.
pub const CHECKS: &[Check] = &[
    Check::step(
        "a",
        "GET / answers 200 with an HTML page titled Bookmark Server",
        serves_the_page,
    ),
    Check::step(
        "a",
        "the page has a form that POSTs longuri and shortname to /, with a button",
        page_has_the_form,
    ),
    Check::step(
        "a",
        "a POST without longuri or shortname, or with one empty, gets 400 and the form again, naming the field",
        missing_fields_are_refused,
    ),
    Check::step(
        "a",
        "a short name with '/', '?', '#' or a control character (a line break, a tab, a NUL) in it, or '.' or '..', gets 400",
        bad_short_names_are_refused,
    ),
    Check::step(
        "a",
        "a link over 2,000 characters or a short name over 100 gets 400 naming the limit; at the limit, not",
        fields_over_their_limits_are_refused,
    ),
    Check::step(
        "a",
        "a refused form comes back with what was typed in its boxes, escaped",
        refused_form_keeps_what_was_typed,
    ),
    Check::step(
        "a",
        "a link with a user name or password in it (name:secret@) gets 400",
        links_with_passwords_are_refused,
    ),
    Check::step(
        "b",
        "a link that answers 200 OK to a GET is reachable",
        working_link_is_reachable,
    ),
    Check::step(
        "b",
        "a link that answers 404 is not reachable, and the page says 404",
        broken_link_is_not_reachable,
    ),
    Check::step(
        "b",
        "only 200 OK is a working link: a 204 No Content, or a 302 without a Location, is not reachable",
        only_200_is_reachable,
    ),
    Check::step(
        "b",
        "a link that redirects to a working page is reachable (redirects are followed)",
        redirect_is_followed,
    ),
    Check::step(
        "b",
        "a link that redirects 6 times in a row is not reachable (MAX_REDIRECTS is 5)",
        long_redirect_chain_is_refused,
    ),
    Check::step(
        "b",
        "a link to a port where nothing listens is not reachable: connection refused",
        refused_link_is_not_reachable,
    ),
    Check::step(
        "b",
        "text that is not an http(s) URL is not reachable, and the server does not fail",
        non_links_are_not_reachable,
    ),
    Check::step(
        "b",
        "a link that never answers is given up after the lesson's timeout (5 seconds)",
        silent_link_times_out,
    ),
    Check::step(
        "b",
        "a link to a huge body is judged by its status, without reading the body",
        huge_body_is_not_read,
    ),
    Check::step(
        "b",
        "with HTTP_PROXY set, links are checked through the proxy (and NO_PROXY is honoured)",
        link_check_uses_the_proxy,
    ),
    Check::step(
        "c",
        "a POST with a working link answers 303 See Other, Location: /, and the page lists it",
        working_link_is_kept,
    ),
    Check::step(
        "c",
        "a POST a browser marks as sent from another site gets 403 and keeps nothing",
        cross_site_posts_are_refused,
    ),
    Check::step(
        "c",
        "a short name and link typed with spaces around them are kept without them: ' learn ' is /learn",
        fields_are_kept_trimmed,
    ),
    Check::step(
        "c",
        "a link that redirects is kept as typed, not as the address its redirects ended at",
        link_is_kept_as_typed,
    ),
    Check::step(
        "c",
        "a POST with a broken link answers 404, the link and why above the form, and keeps nothing",
        broken_link_is_not_kept,
    ),
    Check::step(
        "c",
        "saving a short name again replaces its link",
        short_name_is_replaced,
    ),
    Check::step(
        "c",
        "20 posters at once, 10 bookmarks each: every bookmark is kept",
        no_bookmark_lost_under_load,
    ),
    Check::step(
        "c",
        "with 10,000 bookmarks kept, a new short name gets 507; a saved one can still be replaced",
        full_store_is_refused,
    ),
    Check::step(
        "d",
        "GET /name answers 303 See Other with Location: the long URI, as the URL parser writes it (ASCII)",
        short_name_redirects,
    ),
    Check::step(
        "d",
        "GET /name for a name nobody saved answers 404, naming it, on a short page without the list",
        unknown_name_is_not_found,
    ),
    Check::step(
        "d",
        "short names are percent-decoded and case-sensitive; an escape that is not UTF-8 (/%FF) gets 400",
        names_are_decoded,
    ),
];

/// Graduated hints for each step: a nudge, the idea, then where the code is.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Work in order: `cargo course check bookmark_server a`, then b, c and d. The form is lesson 2's with two <input> boxes instead of a textarea; try a bad form with curl: curl -i -d 'longuri=&shortname=ex' localhost:8000/",
        concept: "form.get(name) is None for a missing field and Some(\"\") for an empty one: both are the client's mistake, a 400 that names the field (do_post shows it above the form). Return the value trimmed. A short name becomes the path /name, so it cannot hold '/', '?', '#' or a control character, nor be '.' or '..'.",
        code: "README, \"A form that is wrong is the client's mistake\": required_field matches form.get(name), Some(value) if !value.trim().is_empty() => Ok(value.trim()), else Err(HttpError::new(400, ...)) naming the field; check_short_name refuses '/', '?', '#', c.is_control(), \".\" and \"..\".",
    },
    Hint {
        step: Some("b"),
        nudge: "Checking a link is a client's job, as in lesson 3: read the link as a Url, GET it, and look at the status. Only 200 OK, after redirects, is a working link.",
        concept: "The POST waits while the link is checked, so the client needs a timeout (CHECK_TIMEOUT) and a limit on redirects (Policy::limited(MAX_REDIRECTS)). The body is never needed: send() returns at the headers, and dropping the response closes it.",
        code: "README, \"What the link check does\": in check_link, Url::parse(link), refuse a url.scheme() other than http and https, client.get(url.clone()).send().map_err(|error| why(&error))?, then reqwest::StatusCode::OK => Ok(url), status => Err(format!(\"it answered {status}\")).",
    },
    Hint {
        step: Some("c"),
        nudge: "Keep only a link that works: look at `checked` before you touch the bookmarks.",
        concept: "Err(why) is the page again with 404, a sentence that names the link and says why, and the form with what was typed; Ok(url) is kept under the short name with self.keep (507 when the store is full), then Post/Redirect/Get: 303 See Other with Location: /.",
        code: "let why = format!(\"The link {longuri} is not reachable: {why}.\"); let typed = (longuri, shortname); return self.send_problem(response, 404, \"Not saved\", &why, typed);",
    },
    Hint {
        step: Some("d"),
        nudge: "The path /name is the short name, percent-encoded: decode it and look it up in self.bookmarks().",
        concept: "A known name answers 303 See Other with Location: its long URI; an unknown one a short page with 404 and a sentence that names it (send_problem); an escape that is not UTF-8 (/%FF) 400 (percent_decode's ? does that).",
        code: "let name = http_server::percent_decode(path.strip_prefix('/').unwrap_or(path))?; // Copy the URI out, so that the lock is released at the semicolon.\nlet uri = self.bookmarks().get(&name).cloned();",
    },
];

/// How long the lesson's link check waits (`CHECK_TIMEOUT` in the program).
const LINK_TIMEOUT: Duration = Duration::from_secs(5);

/// A short name no other check uses: `label-` and 8 random hex digits.
fn new_name(label: &str) -> String {
    format!("{label}-{:08x}", random_number() & 0xffff_ffff)
}

/// What a link that works answers: `200 OK` and a short page.
const WORKS: Answer = Answer::Ok("<!DOCTYPE html><title>It works</title><p>This link works.</p>");

/// The start of an answer that never ends: `200 OK`, a `Content-Length` of
/// 1 GB, and the first bytes of that body. A client that reads the body
/// waits for the rest until its timeout.
const HUGE_BODY_START: Answer = Answer::Stall(
    b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 1000000000\r\n\r\n\
      \0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41",
);

/// A helper that redirects to `to`, another helper. The kit's answers are
/// fixed text (`&'static str`), and this one is known only now: it is kept
/// for the rest of the run, a few bytes.
fn redirect_to(to: String) -> Result<HelperServer, Failure> {
    HelperServer::start(Answer::Redirect(Box::leak(to.into_boxed_str())))
}

/// What the page says in its `<body>`, forms left out: where the sentence
/// of a refusal is (the stylesheet in the head has numbers of its own).
fn body_text(html: &str) -> String {
    let start = html.to_ascii_lowercase().find("<body").unwrap_or(0);
    outside_forms(&html[start..])
}

/// The page's bookmark form: the first form with both boxes.
fn bookmark_form(html: &str) -> Option<PageForm> {
    forms(html)
        .into_iter()
        .find(|form| form.field("longuri").is_some() && form.field("shortname").is_some())
}

/// Expects an answer that refuses a form to be the page again, in HTML,
/// with the form, so that the visitor can put it right and try again.
fn expect_the_form_again(reply: &Reply, expected: &str) -> CheckResult {
    reply.expect(
        |reply| {
            reply.media_type().as_deref() == Some("text/html")
                && bookmark_form(&reply.body).is_some()
        },
        format!("{expected}, and the form again below it (text/html)"),
        "A visitor who made a mistake wants to put it right: answer with the page and the \
         status, and the sentence above the form. The starter's send_problem(response, status, \
         what, why, typed) does it; HttpError's plain text would leave them with no form.",
    )?;
    Ok(())
}

/// POSTs a bookmark, as the form does.
/// A server that does not answer a POST has most likely kept the bookmarks
/// locked while it locks them again, and waits for itself.
fn post_bookmark(session: &mut Session, longuri: &str, shortname: &str) -> Result<Reply, Failure> {
    session
        .post_form("/", &[("longuri", longuri), ("shortname", shortname)])
        .map_err(|mut failure| {
            if failure.got.contains("no answer within") {
                failure.hint = "The server did not answer. Does do_post keep a guard of \
                                self.bookmarks() in a variable while it calls \
                                self.bookmarks() again? A thread that waits for a lock it \
                                holds waits for ever. Take the lock once, in one variable \
                                (let mut bookmarks = self.bookmarks();), and use that."
                    .into();
            }
            failure
        })
}

/// A reply whose request used a helper server: the report says what the
/// link was, since the student cannot run that server themselves.
fn about(mut reply: Reply, link: &str) -> Reply {
    reply.sent = format!("{}\n({link})", reply.sent);
    reply
}

/// What the link check found, read from the answer to a POST: before step
/// (c), a 200 page that says "reachable" or "not reachable"; after, `303`
/// (kept) or `404` (not reachable). `None` if the answer is neither.
fn verdict(reply: &Reply) -> Option<bool> {
    let body = reply.body.to_ascii_lowercase();
    match reply.status {
        303 => Some(true),
        404 => Some(false),
        200 if body.contains("not reachable") => Some(false),
        200 if body.contains("reachable") => Some(true),
        _ => None,
    }
}

/// The hint for an answer that is no verdict at all.
fn no_verdict_hint(reply: &Reply) -> &'static str {
    if matches!(reply.status, 301 | 302 | 307 | 308) {
        "After step c, a POST with a working link answers 303 See Other: it tells the browser \
         to GET the list. After a 307 or 308 it would POST the form again; 301 and 302 are for \
         pages that moved."
    } else if reply.body.contains("not written yet") {
        "The link checker still says it is not written yet: write check_link, in the TODO(b) \
         region."
    } else if reply.status == 400 && reply.body.contains("reachable") {
        "A link that does not work gets 404 Not Found, as in the Python course, whose clients \
         expect it; 400 is for forms that are wrong in themselves."
    } else if reply.status == 400 {
        "The form was good (a URL and a short name of letters and digits): keep the 400s for \
         missing fields and bad short names."
    } else {
        "Keep the starter's TODO(c) code until step b passes: it says what check_link found \
         (\"... is reachable\" or \"... is not reachable: why\")."
    }
}

/// POSTs a link under a new short name and expects the check to find it
/// reachable (`true`) or not (`false`); `link` describes the link for the
/// report. Returns the reply.
fn expect_verdict(
    session: &mut Session,
    url: &str,
    link: &str,
    reachable: bool,
    wrong_hint: &str,
) -> Result<Reply, Failure> {
    let reply = about(post_bookmark(session, url, &new_name("check"))?, link);
    let expected = if reachable {
        "the link found reachable: before step c, a page that says it is reachable; after, 303 See Other"
    } else {
        "the link found not reachable: before step c, a page that says so and why; after, 404"
    };
    let hint = match verdict(&reply) {
        Some(found) if found != reachable && !reply.body.contains("not written yet") => wrong_hint,
        _ => no_verdict_hint(&reply),
    };
    reply.expect(|reply| verdict(reply) == Some(reachable), expected, hint)?;
    Ok(reply)
}

// Step a: the form and its 400s.

fn serves_the_page(session: &mut Session) -> CheckResult {
    session
        .get("/")?
        .expect_status(
            200,
            "do_get sends the page for /: keep the starter's code that does.",
        )?
        .expect_media_type(
            "text/html",
            "The page is HTML: its Content-Type says text/html; charset=utf-8.",
        )?
        .expect(
            |reply| title_of(&reply.body).as_deref() == Some("Bookmark Server"),
            "a page with <title>Bookmark Server</title>",
            "The title, in bookmarks_page, is Bookmark Server, as in the Python course.",
        )?;
    Ok(())
}

fn page_has_the_form(session: &mut Session) -> CheckResult {
    let reply = session.get("/")?;
    let expected = "<form method=\"post\" action=\"/\"> with <input name=\"longuri\">, \
                    <input name=\"shortname\"> and a submit button inside";
    let Some(form) = forms(&reply.body).into_iter().next() else {
        return Err(reply.fail(
            expected,
            "The page has no <form> yet: write it in the FORM constant, in the first TODO(a) \
             region.",
        ));
    };
    reply
        .expect(
            |_| form.method == "post",
            expected,
            "The form needs method=\"post\": a GET form would put the link in the address \
             (/?longuri=...) and never reach do_post.",
        )?
        .expect(
            |_| matches!(form.action.as_str(), "" | "/"),
            expected,
            "The form's action is the path it is sent to: do_post answers at /, so action=\"/\".",
        )?;
    for name in ["longuri", "shortname"] {
        let is_box = |field: &&crate::kit::html::Field| {
            field.name == name && matches!(field.tag.as_str(), "input" | "textarea")
        };
        reply.expect(
            |_| form.fields.iter().any(|field| is_box(&field)),
            expected,
            format!(
                "The form needs an <input name=\"{name}\"> inside it: the name is what the box \
                 travels under ({name}=...), and what do_post reads."
            ),
        )?;
    }
    reply.expect(
        |_| form.has_submit(),
        expected,
        "The form needs a button to send it: <button type=\"submit\">Save it!</button>.",
    )?;
    Ok(())
}

fn missing_fields_are_refused(session: &mut Session) -> CheckResult {
    let name = new_name("field");
    let link = "http://127.0.0.1:9/";
    let forms: [(&[(&str, &str)], &str); 5] = [
        (&[("shortname", &name)], "longuri"),
        (&[("longuri", link)], "shortname"),
        (&[("longuri", ""), ("shortname", &name)], "longuri"),
        (&[("longuri", link), ("shortname", "")], "shortname"),
        (&[("longuri", link), ("shortname", "   ")], "shortname"),
    ];
    for (fields, field) in forms {
        let reply = session.post_form("/", fields)?;
        let expected = format!("status 400 Bad Request, and a body that names the field {field}");
        let blank = fields.iter().any(|(_, value)| value.trim().is_empty());
        let hint = if reply.status == 500 {
            "The handler failed: did it unwrap() form.get(...)? A missing field is the client's \
             mistake: answer Err(HttpError::new(400, ...)) from required_field."
        } else if blank {
            "A field that is there but empty (or only spaces) is no better than a missing one: \
             in required_field, answer Some(\"\") with a 400 too (value.trim().is_empty())."
        } else {
            "form.get(name) is None for a missing field: in required_field, answer it with \
             Err(HttpError::new(400, ...)) instead of going on with \"\"."
        };
        reply
            .expect(|reply| reply.status == 400, &expected, hint)?
            .expect(
                |reply| outside_forms(&reply.body).contains(field),
                &expected,
                "Say which field is wrong: put the field's name in the sentence of the \
                 HttpError, format!(\"The form has no '{name}' field.\"), which do_post shows \
                 above the form.",
            )?;
        expect_the_form_again(&reply, &expected)?;
    }
    // No body at all, as `curl -X POST` sends: still a form without fields.
    let request = Outgoing {
        method: "POST",
        path: "/",
        ..Default::default()
    };
    session.send(request)?.expect(
        |reply| matches!(reply.status, 400 | 411),
        "status 400 Bad Request: an empty body has no fields",
        "An empty body decodes to an empty form: required_field gets None and answers 400.",
    )?;
    Ok(())
}

fn bad_short_names_are_refused(session: &mut Session) -> CheckResult {
    let tag = new_name("x");
    let names = [
        (
            format!("a/{tag}"),
            "a '/' would make the path /a/... two pieces",
        ),
        (format!("what?{tag}"), "a '?' starts the query string"),
        (
            format!("top#{tag}"),
            "a '#' starts the fragment, which a browser never sends",
        ),
        (".".to_owned(), "a browser turns /. into /"),
        ("..".to_owned(), "a browser turns /.. into /"),
        (
            format!("line\nbreak{tag}"),
            "a control character cannot be in a path",
        ),
        (
            format!("tab\there{tag}"),
            "a tab is a control character too",
        ),
        (format!("nul\0{tag}"), "NUL is a control character too"),
    ];
    for (name, why) in names {
        post_bookmark(session, "http://127.0.0.1:9/", &name)?.expect(
            |reply| reply.status == 400,
            format!("status 400 Bad Request: the short name {name:?} cannot be a path ({why})"),
            "In check_short_name, refuse a name that contains '/', '?', '#' or any control \
             character (c.is_control(): line breaks, tabs, NUL and the rest, not only '\\n' and \
             '\\r'), and the names \".\" and \"..\": Err(HttpError::new(400, ...)) with a \
             sentence that says why.",
        )?;
    }
    Ok(())
}

/// Expects the form of `reply` to hold `longuri` and `shortname` in its
/// boxes, as the visitor typed them.
fn expect_what_was_typed(reply: &Reply, longuri: &str, shortname: &str) -> CheckResult {
    let form = bookmark_form(&reply.body);
    let value = |name| {
        form.as_ref()
            .and_then(|form| form.field(name))
            .map(|field| field.shown_value())
    };
    let (got_link, got_name) = (value("longuri"), value("shortname"));
    let escaped = got_link
        .as_ref()
        .is_some_and(|link| !link.is_empty() && link != longuri)
        || got_name
            .as_ref()
            .is_some_and(|name| !name.is_empty() && name != shortname);
    let hint = if escaped {
        "The boxes hold something, but not what was typed: a \" in a value=\"...\" ends the \
         value. Escape what goes into an attribute with escape_html (quotes too), not \
         escape_html_text, which leaves quotes alone."
    } else {
        "A visitor whose form was refused should not have to type it all again (a 720-character \
         link, say): write form(longuri, shortname) so that each <input> has value=\"...\" \
         with what was typed, escape_html(longuri) and escape_html(shortname)."
    };
    reply.expect(
        |_| got_link.as_deref() == Some(longuri) && got_name.as_deref() == Some(shortname),
        format!(
            "the form again with what was typed in its boxes: longuri {longuri:?}, shortname \
             {shortname:?}"
        ),
        hint,
    )?;
    Ok(())
}

/// `base` followed by as many copies of `pad` as make it `chars` characters.
fn padded(base: &str, pad: char, chars: usize) -> String {
    let mut text = base.to_owned();
    while text.chars().count() < chars {
        text.push(pad);
    }
    text
}

fn fields_over_their_limits_are_refused(session: &mut Session) -> CheckResult {
    // Characters, not bytes: 'é' is one character and two bytes, so a
    // name of 100 characters is about 180 bytes.
    // A link that works, so that the finished program keeps it (303) and a
    // 404 for a broken link (step c) is not mistaken for a 400 here.
    let ok = HelperServer::start(WORKS)?;
    let works = ok.url("/");
    let name = padded(&new_name("long"), 'é', 100);
    let link = padded(&works, 'a', 2_000);
    let at_limit_name = new_name("at-limit");
    for (longuri, shortname, what) in [
        (
            link.as_str(),
            at_limit_name.as_str(),
            "a link of exactly 2,000 characters",
        ),
        (
            works.as_str(),
            name.as_str(),
            "a short name of exactly 100 characters, with é in it",
        ),
    ] {
        let reply = post_bookmark(session, longuri, shortname)?;
        about(reply, &format!("a link that answers 200 OK: {longuri}")).expect(
            |reply| reply.status != 400,
            format!("anything but 400: {what} (a working link) is within the limit"),
            "At the limit is still within it: refuse only what has more characters than the \
             limit, counted with value.chars().count() (value.len() counts bytes, and 'é' is \
             two).",
        )?;
    }
    let too_long_link = format!("{link}b");
    let too_long_name = format!("{name}é");
    for (longuri, shortname, limit, what) in [
        (
            too_long_link.as_str(),
            "ok",
            "2,000",
            "a link of 2,001 characters",
        ),
        (
            "http://127.0.0.1:9/",
            too_long_name.as_str(),
            "100",
            "a short name of 101 characters",
        ),
    ] {
        let reply = post_bookmark(session, longuri, shortname)?;
        let expected = format!(
            "status 400 Bad Request: {what}, one over the limit, and a sentence that names the \
             limit, {limit}"
        );
        reply
            .expect(
                |reply| reply.status == 400,
                &expected,
                "A server keeps what visitors send in memory: one visitor must not be able to \
                 fill it. In check_length, answer a field with more characters than `limit` \
                 (value.chars().count() > limit) with Err(HttpError::new(400, ...)).",
            )?
            .expect(
                |reply| body_text(&reply.body).contains(limit),
                &expected,
                format!(
                    "Say what the limit is, so that the visitor knows what to shorten: \
                     format!(\"{{what}} can be at most {{}} characters; yours has {{}}.\", \
                     with_commas(limit), with_commas(length)) says {limit}."
                ),
            )?;
        expect_the_form_again(&reply, &expected)?;
    }
    Ok(())
}

fn refused_form_keeps_what_was_typed(session: &mut Session) -> CheckResult {
    // Quotes, < and & in both boxes: in an attribute value, escaped or not,
    // they show whether the value survives the trip.
    let tag = new_name("typed");
    let longuri = format!("http://127.0.0.1:9/{tag}?q=\"quoted\"&it's=<b>");
    let shortname = format!("no/way \"{tag}\" <i>");
    let reply = post_bookmark(session, &longuri, &shortname)?;
    reply.expect(
        |reply| reply.status == 400,
        format!("status 400 Bad Request: the short name {shortname:?} has a '/' in it"),
        "In check_short_name, refuse a name that contains '/'.",
    )?;
    expect_the_form_again(&reply, "status 400 and the form again")?;
    expect_what_was_typed(&reply, &longuri, &shortname)?;
    // A field missing: the other one comes back all the same.
    let reply = session.post_form("/", &[("longuri", &longuri)])?;
    expect_the_form_again(&reply, "status 400 and the form again")?;
    expect_what_was_typed(&reply, &longuri, "")
}

fn links_with_passwords_are_refused(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let secret = new_name("secret");
    let url = ok.url("/private");
    let with_password = url.replacen("http://", &format!("http://ada:{secret}@"), 1);
    let reply = post_bookmark(session, &with_password, &new_name("login"))?;
    about(
        reply,
        &format!("URL: {with_password}, a server that answers 200 OK"),
    )
    .expect(
        |reply| reply.status == 400,
        "status 400 Bad Request: a link with a password in it is not kept",
        "Everybody sees the list, and a password in a URL also ends up in logs and in \
         browsers' history: read_form refuses a link whose Url has a username() or a \
         password() (refuse_credentials, given code: keep it).",
    )?;
    session.get("/")?.expect(
        |page| !page.body.contains(&secret),
        format!("the page without the password {secret}"),
        "The link with its password was kept and is shown to everyone: keep the given \
         refuse_credentials in read_form.",
    )?;
    Ok(())
}

// Step b: the link checker.

fn working_link_is_reachable(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let link = format!("URL: {}, a server that answers 200 OK", ok.url("/"));
    expect_verdict(
        session,
        &ok.url("/"),
        &link,
        true,
        "This link answers 200 OK. Send a GET with client.get(url).send() and compare \
         response.status() with reqwest::StatusCode::OK.",
    )?;
    Ok(())
}

fn broken_link_is_not_reachable(session: &mut Session) -> CheckResult {
    let missing = HelperServer::start(Answer::NotFound)?;
    let url = missing.url("/gone");
    let link = format!("URL: {url}, a server that answers 404 Not Found");
    expect_verdict(
        session,
        &url,
        &link,
        false,
        "A link that answers 404 Not Found is broken. The server did answer, so send() \
         succeeds: look at response.status(), and only 200 OK is a working link.",
    )?
    .expect(
        |reply| reply.body.contains("404"),
        "a page that says why the link does not work: it answered 404 Not Found",
        "Say which status came back: check_link returns Err(format!(\"it answered \
         {status}\")), and the page shows that reason (after step c, in the sentence \
         format!(\"The link {longuri} is not reachable: {why}.\")). To see it yourself, start \
         lesson 3's names service (PORT=8001 cargo run --bin names_service) and save the link \
         http://localhost:8001/nowhere, which answers 404.",
    )?;
    Ok(())
}

/// Answers that are not `200 OK`, though no error either: a success with
/// nothing in it, and a redirect that leads nowhere (reqwest follows a
/// redirect only when it has a `Location`, and hands this one back).
const NO_CONTENT: Answer = Answer::Raw(b"HTTP/1.1 204 No Content\r\n\r\n");
const REDIRECT_TO_NOWHERE: Answer =
    Answer::Raw(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

fn only_200_is_reachable(session: &mut Session) -> CheckResult {
    let cases = [
        (REDIRECT_TO_NOWHERE, "302 Found with no Location header"),
        (NO_CONTENT, "204 No Content"),
    ];
    for (answer, what) in cases {
        let helper = HelperServer::start(answer)?;
        let url = helper.url("/almost");
        let link = format!("URL: {url}, a server that answers {what}");
        expect_verdict(
            session,
            &url,
            &link,
            false,
            "Only 200 OK is a working link, as the lesson (and the Python course) says: any \
             other status, a 204 with nothing in it or a redirect that leads nowhere, is \
             Err(format!(\"it answered {status}\")). Compare response.status() with \
             reqwest::StatusCode::OK itself, not with is_success() or a range.",
        )?;
    }
    Ok(())
}

fn redirect_is_followed(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let moved = redirect_to(ok.url("/new-home"))?;
    let link = format!(
        "URL: {}, a server that answers 303 See Other, Location: {}, which answers 200 OK",
        moved.url("/old-home"),
        ok.url("/new-home")
    );
    expect_verdict(
        session,
        &moved.url("/old-home"),
        &link,
        true,
        "This link redirects to a page that works, as many links do (http to https, an old \
         address to a new one). Let the client follow redirects: \
         .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS)), not Policy::none().",
    )?;
    Ok(())
}

fn long_redirect_chain_is_refused(session: &mut Session) -> CheckResult {
    // Six helpers in a row, each redirecting to the next, the last to a page
    // that works: one redirect more than MAX_REDIRECTS (5), and fewer than
    // reqwest's default limit (10), so only the lesson's policy refuses it.
    let ok = HelperServer::start(WORKS)?;
    let mut next = ok.url("/end");
    let mut chain = Vec::new();
    for hop in (1..=6).rev() {
        let helper = redirect_to(next)?;
        next = helper.url(&format!("/hop-{hop}"));
        chain.push(helper);
    }
    let link = format!(
        "URL: {next}, the first of 6 servers that each answer 303 See Other to the next; \
         the last one's Location answers 200 OK"
    );
    expect_verdict(
        session,
        &next,
        &link,
        false,
        "This link redirects 6 times in a row, one more than MAX_REDIRECTS (5). reqwest's \
         default policy follows up to 10; give the client the lesson's own limit: \
         .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS)).",
    )?
    .expect(
        |reply| reply.body.contains("redirect"),
        "a page that says why: too many redirects",
        "Say why the request failed: Err(why(&error)), and why() names the redirects.",
    )?;
    drop(chain);
    Ok(())
}

fn refused_link_is_not_reachable(session: &mut Session) -> CheckResult {
    let url = format!("http://127.0.0.1:{}/", refused_port()?);
    let link = format!("URL: {url}, a port where nothing listens");
    expect_verdict(
        session,
        &url,
        &link,
        false,
        "Nothing listens at this link, so send() fails: that is Err(why(&error)), not a \
         working link.",
    )?
    .expect(
        |reply| reply.body.to_ascii_lowercase().contains("refused"),
        "a page that says why: the connection was refused",
        "Say why the request failed: Err(why(&error)) finds reqwest's innermost error, \
         \"Connection refused\", where error.to_string() only says that sending failed.",
    )?;
    Ok(())
}

fn non_links_are_not_reachable(session: &mut Session) -> CheckResult {
    let texts = [
        ("example.com", "no scheme: not a whole URL"),
        ("http://", "no host"),
        (
            "ftp://127.0.0.1/file.txt",
            "an ftp: link, not http or https",
        ),
        (
            "javascript:alert(1)",
            "a javascript: link, not http or https",
        ),
        (
            "<script>alert(1)</script>",
            "HTML, which the page must show as text",
        ),
    ];
    for (text, what) in texts {
        let reply = post_bookmark(session, text, &new_name("text"))?;
        let hint = match verdict(&reply) {
            Some(false) => {
                "The page repeats what the visitor typed as HTML, so a browser would run their \
                 script: put the sentence on the page with escape_html_text(why), as the \
                 starter's bookmarks_page does."
            }
            _ if reply.status == 500 => {
                "The handler failed: did it unwrap() Url::parse(link)? What a visitor types may \
                 be anything: turn the error into Err(why) with .map_err(...)?."
            }
            Some(true) => {
                "Only http and https links can be checked (and kept): look at url.scheme() after \
                 Url::parse, and return Err(why) for any other."
            }
            None => no_verdict_hint(&reply),
        };
        let script_runs = |reply: &Reply| {
            reply.media_type().as_deref() == Some("text/html")
                && reply.body.contains("<script>alert")
        };
        reply.expect(
            |reply| verdict(reply) == Some(false) && !script_runs(reply),
            format!("the link found not reachable ({what}), with a page that says so, not a 500"),
            hint,
        )?;
    }
    Ok(())
}

fn silent_link_times_out(session: &mut Session) -> CheckResult {
    let silent = HelperServer::start(Answer::Never)?;
    let url = silent.url("/");
    let link = format!("URL: {url}, a server that accepts the connection and never answers");
    // The session's client waits 10 seconds: twice the lesson's timeout.
    let reply = match post_bookmark(session, &url, &new_name("silent")) {
        Ok(reply) => about(reply, &link),
        Err(mut failure) => {
            if failure.got.contains("no answer within") {
                failure.sent = format!("{}\n({link})", failure.sent);
                failure.hint = "The link checker waited for a server that never answers, and \
                                the POST waited with it. Give the client a timeout of a few \
                                seconds: Client::builder().timeout(CHECK_TIMEOUT) (reqwest's \
                                own is 30 seconds, and some clients have none)."
                    .into();
            }
            return Err(failure);
        }
    };
    let (expected, hint) = match verdict(&reply) {
        Some(true) => (
            "the link found not reachable: it never answered".to_owned(),
            "A link that does not answer does not work: when send() fails, return Err(why).",
        ),
        _ => (
            format!(
                "the link found not reachable after {} seconds",
                LINK_TIMEOUT.as_secs()
            ),
            no_verdict_hint(&reply),
        ),
    };
    reply.expect(|reply| verdict(reply) == Some(false), expected, hint)?;
    Ok(())
}

fn huge_body_is_not_read(session: &mut Session) -> CheckResult {
    let huge = HelperServer::start(HUGE_BODY_START)?;
    let url = huge.url("/film.mp4");
    let link = format!(
        "URL: {url}, a server that answers 200 OK with a Content-Length of 1 GB, sends the \
         first bytes, and then stalls"
    );
    about(post_bookmark(session, &url, &new_name("huge"))?, &link).expect(
        |reply| verdict(reply) == Some(true),
        "the link found reachable: it answered 200 OK",
        "The status line said 200 OK before any of the body came: judge by response.status() \
         and never read the body (no .text() or .bytes()). Reading it downloads the whole \
         file, or here waits until the timeout.",
    )?;
    Ok(())
}

/// Another copy of the program under check, started with `launch` on a
/// port of its own (and stopped when dropped): for a server whose
/// environment or store the other checks must not share.
fn another_server(session: &Session, launch: Launch) -> Session {
    let mut other = Session::new(session.binary().to_path_buf(), true);
    other.set_launch(launch);
    other
}

/// POSTs `longuri` under `shortname` to `other`, a copy of the program
/// started as `started` says: the report tells how.
fn post_to(
    other: &mut Session,
    started: &str,
    longuri: &str,
    shortname: &str,
) -> Result<Reply, Failure> {
    let with_start = |sent: &str| format!("{started}, then: {sent}");
    match other.post_form("/", &[("longuri", longuri), ("shortname", shortname)]) {
        Ok(reply) => Ok(Reply {
            sent: with_start(&reply.sent),
            ..reply
        }),
        Err(failure) => Err(Failure {
            sent: with_start(&failure.sent),
            ..failure
        }),
    }
}

fn link_check_uses_the_proxy(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let proxy = Proxy::start()?;
    let target = ok.url("/through-the-proxy");
    let name = session.binary_name();
    // The checks' clean environment names loopback in NO_PROXY; this
    // server gets an empty one, so that a link on 127.0.0.1 goes through
    // the proxy like any other.
    let launch = Launch::default()
        .env("HTTP_PROXY", proxy.url())
        .env("NO_PROXY", "");
    let mut other = another_server(session, launch);
    let started = format!(
        "HTTP_PROXY={} cargo run --bin {name} (a stand-in proxy the check started; the link: a \
         server that answers 200 OK)",
        proxy.url()
    );
    let reply = post_to(&mut other, &started, &target, &new_name("proxy"))?;
    let forwarded = proxy.forwarded();
    let asked = format!("GET {target}");
    if !forwarded.contains(&asked) {
        let (expected, got, hint) = match forwarded.iter().find(|line| line.ends_with(&target)) {
            Some(other) => (
                format!("the link checked with {asked}, as a browser would"),
                format!("the proxy forwarded: {other}"),
                "Check a link with a GET, like the Python course's requests.get: some servers \
                 answer HEAD differently, or not at all.",
            ),
            None => (
                format!("the proxy to be asked for {asked}"),
                format!(
                    "the proxy forwarded: {forwarded:?}; the server answered {}",
                    reply.summary()
                ),
                "A server behind a proxy can reach the world only through it. reqwest's \
                 Client::builder() reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY by itself: do not \
                 call .no_proxy() on it. (And send the request: a link is judged by its answer.)",
            ),
        };
        return Err(Failure {
            got,
            ..reply.fail(expected, hint)
        });
    }
    // With NO_PROXY naming the link's host, the check goes straight there.
    let direct = Proxy::start()?;
    let launch = Launch::default()
        .env("HTTP_PROXY", direct.url())
        .env("NO_PROXY", "127.0.0.1");
    let mut other = another_server(session, launch);
    let started = format!(
        "HTTP_PROXY={} NO_PROXY=127.0.0.1 cargo run --bin {name}",
        direct.url()
    );
    let reply = post_to(&mut other, &started, &target, &new_name("proxy"))?;
    if !direct.forwarded().is_empty() || !matches!(reply.status, 200 | 303) {
        return Err(Failure {
            got: format!(
                "the proxy forwarded: {:?}; the server answered {}",
                direct.forwarded(),
                reply.summary()
            ),
            ..reply.fail(
                "the link checked directly, not through the proxy, and found reachable",
                "NO_PROXY lists the hosts to reach without the proxy. Leave the proxy settings \
                 to reqwest's Client::builder(), which reads HTTP_PROXY and NO_PROXY together.",
            )
        });
    }
    Ok(())
}

// Step c: keeping working links.

/// POSTs a working link and expects step (c)'s `303 See Other`.
fn save(session: &mut Session, url: &str, name: &str) -> CheckResult {
    let reply = about(
        post_bookmark(session, url, name)?,
        &format!("URL: {url}, a server that answers 200 OK"),
    );
    reply.expect(
        |reply| reply.status == 303,
        "status 303 See Other, with Location: /",
        save_hint(reply.status),
    )?;
    Ok(())
}

/// The hint for a POST of a working link that did not answer `303`.
fn save_hint(status: u16) -> &'static str {
    match status {
        200 => {
            "That is the page of step b. In TODO(c), keep the bookmark instead, and answer 303 \
             See Other with Location: / so that the browser goes back to the list."
        }
        301 | 302 | 307 | 308 => {
            "Use 303 See Other: it tells the browser to GET the list. After a 307 or 308 it \
             would POST the form again; 301 and 302 are for pages that moved."
        }
        404 => {
            "This link works (it answers 200 OK), yet it was refused: keep the bookmark when \
             `checked` is Ok(url), and answer 404 only for Err(why)."
        }
        _ => {
            "A working link is kept, then: send_response(303), send_header(\"Location\", \"/\"), \
             end_headers()."
        }
    }
}

/// The list items of the page that link to `/name`.
fn items_for(page: &str, name: &str) -> Vec<String> {
    let link = format!("href=\"/{name}\"");
    list_items(page)
        .into_iter()
        .filter(|item| item.contains(&link))
        .collect()
}

/// Whether the page lists the short name `name` once, with `text` in its item.
fn listed_once_with(page: &Reply, name: &str, text: &str) -> bool {
    matches!(&items_for(&page.body, name)[..], [item] if item.contains(text))
}

fn working_link_is_kept(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/kept");
    let name = new_name("kept");
    let reply = post_bookmark(session, &url, &name)?;
    let reply = about(reply, &format!("URL: {url}, a server that answers 200 OK"));
    save_answer_is_a_redirect(session, &reply)?;
    session.get("/")?.expect(
        |page| listed_once_with(page, &name, &escape_html_text(&url)),
        format!("the page to list the short name {name} once, with its link {url}"),
        "After the 303 the browser GETs /, and the new bookmark should be there: insert it \
         into self.bookmarks() before answering.",
    )?;
    Ok(())
}

/// Expects the answer to a working link's POST to be `303`, `Location: /`.
fn save_answer_is_a_redirect(session: &mut Session, reply: &Reply) -> CheckResult {
    let expected = "status 303 See Other, with the header Location: /";
    let base_url = session.server()?.base_url().to_owned();
    let location = reply.header("location").unwrap_or_default();
    reply
        .expect(
            |reply| reply.status == 303,
            expected,
            save_hint(reply.status),
        )?
        .expect(
            |reply| reply.header("location").is_some(),
            expected,
            "A 303 needs a Location header to say where to go: send_header(\"Location\", \"/\").",
        )?
        .expect(
            |_| location == "/" || location == format!("{base_url}/"),
            format!("Location: / (got Location: {location})"),
            "After saving, the browser goes back to the list, at /.",
        )?;
    Ok(())
}

fn cross_site_posts_are_refused(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/elsewhere");
    for (header, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "http://evil.example"),
    ] {
        let name = new_name("forged");
        let body = encode_form(&[("longuri", &url), ("shortname", &name)]);
        let form = ("Content-Type", "application/x-www-form-urlencoded");
        let request = Outgoing {
            method: "POST",
            path: "/",
            headers: vec![form, (header, value)],
            body: Some(body.into_bytes()),
        };
        session.send(request)?.expect(
            |reply| reply.status == 403,
            format!("status 403 Forbidden: the browser says ({header}: {value}) that a page of another site sent this form"),
            "Any page on the web can hold a form that posts to your server, and a visitor's \
             browser sends it. The first line of do_post, http_server::refuse_cross_site(request)?, \
             refuses what a browser marks as cross-site: keep it.",
        )?;
        session.get("/")?.expect(
            |page| items_for(&page.body, &name).is_empty(),
            format!("the page without {name}: its POST was refused"),
            "A refused POST changes nothing: refuse_cross_site(request)? comes first in do_post.",
        )?;
    }
    Ok(())
}

fn full_store_is_refused(session: &mut Session) -> CheckResult {
    const FULL: usize = 10_000;
    const POSTERS: usize = 8;
    let ok = HelperServer::start(WORKS)?;
    let link = ok.url("/");
    let name = session.binary_name();
    // A server of its own: the other checks' server must keep room.
    let mut other = another_server(session, Launch::default());
    let url = format!("{}/", other.server()?.base_url());
    let client = other.client().clone();
    let started = format!(
        "cargo run --bin {name}, then {FULL} POSTs of a working link under {FULL} short names \
         (full-00000 ...), {POSTERS} clients at once"
    );
    let results = at_once(POSTERS, |poster| {
        for n in (poster..FULL).step_by(POSTERS) {
            let name = format!("full-{n:05}");
            let fields = [("longuri", link.as_str()), ("shortname", name.as_str())];
            post_form_expecting(&client, &url, &fields, 303)
                .map_err(|problem| format!("{name}: {problem}"))?;
        }
        Ok(())
    });
    if let Some(problem) = problems(&results).first() {
        return Err(Failure {
            sent: started,
            expected: format!("each of the {FULL} POSTs answered 303 See Other"),
            got: format!("{problem}{}", other.server()?.output_for_report()),
            hint: format!(
                "The store keeps up to {FULL} bookmarks: keep each one with \
                 self.keep(shortname, url.as_str()) (given), which refuses only a new name when \
                 the store already holds that many."
            ),
        });
    }
    post_to(&mut other, &started, &link, &new_name("one-too-many"))?.expect(
        |reply| {
            reply.status == 507
                && body_text(&reply.body).contains("10,000")
                && bookmark_form(&reply.body).is_some_and(|form| {
                    form.field("longuri")
                        .is_some_and(|field| field.shown_value() == link)
                })
        },
        "status 507 Insufficient Storage, a sentence that names the limit (10,000), and the form \
         again with what was typed",
        "One visitor must not be able to fill the server's memory: when the map already holds \
         MAX_BOOKMARKS and the name is new, answer 507 with self.send_problem(...) and a \
         sentence such as \"The server is full: it keeps at most 10,000 bookmarks.\" \
         self.keep(shortname, url.as_str()) (given) tests and inserts under one lock, and gives \
         that sentence as Err(why).",
    )?;
    post_to(&mut other, &started, &ok.url("/moved"), "full-00042")?.expect(
        |reply| reply.status == 303,
        "status 303 See Other: a saved name takes a new link without making the store bigger",
        "A full store refuses new names only: replacing the link of a name it already holds \
         adds nothing (!bookmarks.contains_key(shortname)).",
    )?;
    Ok(())
}

fn fields_are_kept_trimmed(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/spaced");
    let name = new_name("spaced");
    let reply = post_bookmark(session, &format!("  {url} "), &format!("  {name} "))?;
    let link = format!("URL: {url}, a server that answers 200 OK, typed with spaces around it");
    save_answer_is_a_redirect(session, &about(reply, &link))?;
    let page = session.get("/")?;
    let mentions: Vec<String> = list_items(&page.body)
        .into_iter()
        .filter(|item| item.contains(&name))
        .collect();
    if listed_once_with(&page, &name, &format!(">{name}<")) {
        return Ok(());
    }
    Err(Failure {
        got: format!("the lines that mention it: {mentions:?}"),
        ..page.fail(
            format!(
                "the page to list the short name {name:?}, without the spaces typed around it, \
                 as a link to /{name}"
            ),
            "Spaces at either end of a field are not part of it (a phone's keyboard adds one \
             after a word): required_field returns value.trim(), so that ' learn ' is saved as \
             learn, and /learn finds it.",
        )
    })
}

fn link_is_kept_as_typed(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let moved = redirect_to(ok.url("/new-home"))?;
    let typed = moved.url("/old-home");
    let name = new_name("moved");
    let reply = post_bookmark(session, &typed, &name)?;
    let link = format!(
        "URL: {typed}, a server that answers 303 See Other, Location: {}, which answers 200 OK",
        ok.url("/new-home")
    );
    save_answer_is_a_redirect(session, &about(reply, &link))?;
    session.get("/")?.expect(
        |page| listed_once_with(page, &name, &escape_html_text(&typed)),
        format!("the page to list {name} with the link as typed, {typed}"),
        "Keep the link the visitor typed (check_link's Ok(url), the url it parsed from link), \
         not response.url(), where the redirects ended: the owner of the link may move its \
         target again, and the short name should follow the link wherever it leads then.",
    )?;
    Ok(())
}

/// The sentence of step c for a broken link, as the solution says it.
const NOT_SAVED: &str = "let why = format!(\"The link {longuri} is not reachable: {why}.\"); \
     return self.send_problem(response, 404, \"Not saved\", &why, (longuri, shortname));";

fn broken_link_is_not_kept(session: &mut Session) -> CheckResult {
    let missing = HelperServer::start(Answer::NotFound)?;
    let url = missing.url("/gone");
    let name = new_name("broken");
    let reply = post_bookmark(session, &url, &name)?;
    let reply = about(
        reply,
        &format!("URL: {url}, a server that answers 404 Not Found"),
    );
    let expected = "status 404 Not Found, with a page that names the link and says why";
    let hint = match reply.status {
        200 => format!(
            "That is the page of step b. In TODO(c), answer a link that does not work with the \
             page, 404 and a sentence that names the link and says why: {NOT_SAVED}"
        ),
        303 => "A broken link was accepted: look at `checked` first, and keep the bookmark only \
                if it is Ok(url)."
            .to_owned(),
        400 => format!(
            "The form is fine; the link it names does not work. That is 404 here, as in the \
             Python course, whose clients expect it (400 is for a form that is wrong in \
             itself): {NOT_SAVED}"
        ),
        _ => format!(
            "A link that does not work gets 404 (as in the Python course), with the page saying \
             why: {NOT_SAVED}"
        ),
    };
    reply
        .expect(|reply| reply.status == 404, expected, hint)?
        .expect(
            |reply| {
                let problem = outside_forms(&reply.body);
                problem.contains(&url) && problem.contains("404")
            },
            expected,
            "Say which link and why: format!(\"The link {longuri} is not reachable: {why}.\"). \
             To see it yourself, start lesson 3's names service (PORT=8001 cargo run --bin \
             names_service) and save the link http://localhost:8001/nowhere, which answers 404.",
        )?;
    expect_the_form_again(&reply, expected)?;
    expect_what_was_typed(&reply, &url, &name)?;
    session.get("/")?.expect(
        |page| items_for(&page.body, &name).is_empty(),
        format!("the page without the short name {name}: its link does not work"),
        "The bookmark was kept although its link is broken: insert it only after the check \
         says Ok(url), never before.",
    )?;
    Ok(())
}

fn short_name_is_replaced(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let name = new_name("again");
    let (first, second) = (ok.url("/first"), ok.url("/second"));
    save(session, &first, &name)?;
    save(session, &second, &name)?;
    let page = session.get("/")?;
    let items = items_for(&page.body, &name);
    if listed_once_with(&page, &name, &second) && !items[0].contains(&first) {
        return Ok(());
    }
    Err(Failure {
        got: format!("the lines for {name}: {items:?}"),
        ..page.fail(
            format!(
                "after two POSTs with shortname={name} (first longuri={first}, then {second}), \
                 the page to list {name} once, with the second link"
            ),
            "A short name has one link: the second save replaces the first, as the Python \
             course's dictionary does. BTreeMap::insert does just that.",
        )
    })
}

fn no_bookmark_lost_under_load(session: &mut Session) -> CheckResult {
    const POSTERS: usize = 20;
    const POSTS: usize = 10;
    let ok = HelperServer::start(WORKS)?;
    let url = format!("{}/", session.server()?.base_url());
    let link = ok.url("/");
    let run = new_name("load");
    let client = session.client().clone();
    let sent = format!(
        "{POSTERS} clients at once, each POSTing {POSTS} bookmarks to / (like curl -d \
         'longuri=...&shortname=...'), all with a link that answers 200 OK"
    );
    let results = at_once(POSTERS, |poster| {
        for post in 0..POSTS {
            let name = format!("{run}-{poster:02}-{post:02}");
            let fields = [("longuri", link.as_str()), ("shortname", name.as_str())];
            post_form_expecting(&client, &url, &fields, 303)?;
        }
        Ok(())
    });
    let problems = problems(&results);
    if let Some(problem) = problems.first() {
        return Err(Failure {
            sent,
            expected: "every POST answered 303 See Other".into(),
            got: format!(
                "{} of {POSTERS} posters had trouble; the first: {problem}",
                problems.len()
            ),
            hint: "The server must answer many visitors at once, every time.".into(),
        });
    }
    let page = session.get("/")?;
    let missing: Vec<String> = (0..POSTERS)
        .flat_map(|poster| (0..POSTS).map(move |post| (poster, post)))
        .map(|(poster, post)| format!("{run}-{poster:02}-{post:02}"))
        .filter(|name| items_for(&page.body, name).len() != 1)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let some: Vec<&str> = missing.iter().take(3).map(String::as_str).collect();
    Err(Failure {
        got: format!(
            "{} missing or repeated, such as {}",
            missing.len(),
            some.join(", ")
        ),
        ..page.fail(
            format!(
                "after {sent}: all {} short names on the page, each once",
                POSTERS * POSTS
            ),
            "Insert each bookmark into the one shared map in a single step, under the lock: \
             self.bookmarks().insert(...). Copying the map, changing the copy and storing it \
             back loses what other threads added in between.",
        )
    })
}

// Step d: following a short name.

/// GETs a short name's path. A server that does not answer at all has
/// most likely locked the bookmarks twice in one statement, and waits for
/// itself.
fn follow(session: &mut Session, path: &str) -> Result<Reply, Failure> {
    session.get(path).map_err(|mut failure| {
        if failure.got.contains("no answer within") {
            failure.hint = "The server did not answer. Is the lock taken twice? \
                            self.bookmarks() keeps the map locked until the end of the \
                            statement (or, kept in a variable, until the variable goes), and \
                            a second self.bookmarks() meanwhile waits for the first for \
                            ever. Copy the link out in one statement: \
                            let uri = self.bookmarks().get(&name).cloned();"
                .into();
        }
        failure
    })
}

/// GETs `/name` and expects `303 See Other` to `uri`.
fn expect_follows(session: &mut Session, name: &str, uri: &str) -> CheckResult {
    let reply = follow(session, &format!("/{}", percent_encode(name)))?;
    let hint = if reply.body.contains("not written yet") {
        "Following short names is step d: write it in the TODO(d) region of do_get."
    } else if reply.status == 303 {
        "The Location header is where the browser goes: send the long URI saved for the name, \
         send_header(\"Location\", &uri)."
    } else if matches!(reply.status, 301 | 308) {
        "Answer 303 See Other, as the Python course does. 301 and 308 are permanent: browsers \
         remember them, sometimes for months, without asking again, so a short name saved \
         again with a new link would keep sending them to the old one."
    } else if matches!(reply.status, 302 | 307) {
        "Answer 303 See Other. A browser would follow a 302 or 307 too, but they mean \"it is \
         over there for now: ask there the same way\"; 303 says exactly what a short name \
         means, \"what you want is over there: GET it\", and it is what the Python course \
         and its clients expect."
    } else if reply.status == 404 {
        "The name was saved (its POST answered 303). Decode the path without its '/', \
         http_server::percent_decode(&path[1..])?, and look that up in self.bookmarks()."
    } else {
        "A saved short name answers send_response(303) and send_header(\"Location\", &uri)."
    };
    reply.expect_redirect(303, uri, hint)?;
    Ok(())
}

fn short_name_redirects(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let name = new_name("follow");
    let uri = ok.url("/followed");
    save(session, &uri, &name)?;
    expect_follows(session, &name, &uri)?;
    // A link as a visitor may type it: a capital scheme, a space, an é. A
    // Location header must be ASCII: the URL parser writes it so.
    let typed = ok.url("/caf é au lait").replacen("http://", "HTTP://", 1);
    let parsed = ok.url("/caf%20%C3%A9%20au%20lait");
    let name = new_name("typed");
    save(session, &typed, &name)?;
    expect_follows(session, &name, &parsed).map_err(|mut failure| {
        if failure.got.starts_with("303") {
            failure.sent = format!("(the link saved was {typed:?})\n{}", failure.sent);
            failure.hint = "Keep the link as the URL parser wrote it, check_link's Ok(url): \
                            self.keep(shortname, url.as_str()), not the text typed (longuri). \
                            A Location header must be ASCII; Url writes a space as %20 and é \
                            as %C3%A9, and the scheme in small letters."
                .into();
        }
        failure
    })
}

fn unknown_name_is_not_found(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let saved = new_name("listed");
    save(session, &ok.url("/listed"), &saved)?;
    let name = new_name("nobody");
    let expected = format!("status 404 Not Found, with a page that names {name}");
    follow(session, &format!("/{name}"))?
        .expect(
            |reply| reply.status == 404,
            &expected,
            "Nobody saved this name: self.bookmarks().get(&name) is None, and the answer is 404. \
             Do not unwrap() it.",
        )?
        .expect(
            |reply| !reply.body.contains("not written yet") && reply.body.contains(&name),
            &expected,
            "Say which name is unknown, on the page: let why = format!(\"I don't know the short \
             name {name:?}.\"); return self.send_problem(response, 404, \"Not found\", &why, \
             (\"\", &name)).",
        )?
        .expect_media_type(
            "text/html",
            "An unknown name gets a page with 404, as send_problem sends it, with the form and a \
             link to the list.",
        )?
        .expect(
            |reply| !reply.body.contains(&saved),
            format!("a short page that names {name}, without the list (where {saved} is)"),
            "An error page needs no list: with 1,000 long links every 404 would be megabytes, \
             written while the lock keeps every save waiting. send_problem writes a short page \
             with the form and a link to /; use it for errors.",
        )?;
    Ok(())
}

fn names_are_decoded(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let name = new_name("Café au lait");
    let uri = ok.url("/coffee");
    save(session, &uri, &name)?;
    expect_follows(session, &name, &uri).map_err(|mut failure| {
        if failure.got.starts_with("404") {
            failure.hint = format!(
                "The name {name:?} was saved (its POST answered 303). It travels \
                 percent-encoded, /{}: decode it with http_server::percent_decode(...)?, and \
                 look it up exactly as it was saved (short names are case-sensitive).",
                percent_encode(&name)
            );
        }
        failure
    })?;
    let lower = name.to_lowercase();
    follow(session, &format!("/{}", percent_encode(&lower)))?.expect(
        |reply| reply.status == 404,
        format!("status 404: {lower:?} is not the saved name {name:?}"),
        "Short names are case-sensitive, as paths are: look the name up as it came.",
    )?;
    // %FF is a well-formed escape (the module lets it through, where it
    // refuses /100%zz itself), but a lone byte 0xFF is not UTF-8 text.
    follow(session, "/%FF")?.expect(
        |reply| reply.status == 400,
        "status 400 Bad Request: %FF decodes to a byte that is not UTF-8",
        "Decode with http_server::percent_decode(...)?: it returns an error for escapes that \
         make no UTF-8 text, and the `?` answers it with 400. Do not unwrap() it (a 500), or \
         decode it lossily.",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_huge_body_answers_200_and_never_ends() {
        let huge = HelperServer::start(HUGE_BODY_START).expect("a helper");
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(1))
            .build()
            .expect("a client");
        let response = client.get(huge.url("/film.mp4")).send().expect("its head");
        assert_eq!(response.status(), 200);
        assert_eq!(response.content_length(), Some(1_000_000_000));
        // The body never comes: reading it ends with the client's timeout.
        assert!(response.bytes().is_err());
    }
}
