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

mod checker;
mod following;
mod form;
mod keeping;

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
        form::serves_the_page,
    ),
    Check::step(
        "a",
        "the page has a form that POSTs longuri and shortname to /, with a button",
        form::page_has_the_form,
    ),
    Check::step(
        "a",
        "a POST without longuri or shortname, or with one empty, gets 400 and the form again, naming the field",
        form::missing_fields_are_refused,
    ),
    Check::step(
        "a",
        "a short name with '/', '?', '#' or a control character (a line break, a tab, a NUL) in it, or '.' or '..', gets 400",
        form::bad_short_names_are_refused,
    ),
    Check::step(
        "a",
        "a link over 2,000 characters or a short name over 100 gets 400 naming the limit; at the limit, not",
        form::fields_over_their_limits_are_refused,
    ),
    Check::step(
        "a",
        "a refused form comes back with what was typed in its boxes, escaped",
        form::refused_form_keeps_what_was_typed,
    ),
    Check::step(
        "a",
        "a link with a user name or password in it (name:secret@) gets 400",
        form::links_with_passwords_are_refused,
    ),
    Check::step(
        "b",
        "a link that answers 200 OK to a GET is reachable",
        checker::working_link_is_reachable,
    ),
    Check::step(
        "b",
        "a link that answers 404 is not reachable, and the page says 404",
        checker::broken_link_is_not_reachable,
    ),
    Check::step(
        "b",
        "only 200 OK is a working link: a 204 No Content, or a 302 without a Location, is not reachable",
        checker::only_200_is_reachable,
    ),
    Check::step(
        "b",
        "a link that redirects to a working page is reachable (redirects are followed)",
        checker::redirect_is_followed,
    ),
    Check::step(
        "b",
        "a link that redirects 6 times in a row is not reachable (MAX_REDIRECTS is 5)",
        checker::long_redirect_chain_is_refused,
    ),
    Check::step(
        "b",
        "a link to a port where nothing listens is not reachable: connection refused",
        checker::refused_link_is_not_reachable,
    ),
    Check::step(
        "b",
        "text that is not an http(s) URL is not reachable, and the server does not fail",
        checker::non_links_are_not_reachable,
    ),
    Check::step(
        "b",
        "a link that never answers is given up after the lesson's timeout (5 seconds)",
        checker::silent_link_times_out,
    ),
    Check::step(
        "b",
        "a link to a huge body is judged by its status, without reading the body",
        checker::huge_body_is_not_read,
    ),
    Check::step(
        "b",
        "with HTTP_PROXY set, links are checked through the proxy (and NO_PROXY is honoured)",
        checker::link_check_uses_the_proxy,
    ),
    Check::step(
        "c",
        "a POST with a working link answers 303 See Other, Location: /, and the page lists it",
        keeping::working_link_is_kept,
    ),
    Check::step(
        "c",
        "a POST a browser marks as sent from another site gets 403 and keeps nothing",
        keeping::cross_site_posts_are_refused,
    ),
    Check::step(
        "c",
        "a short name and link typed with spaces around them are kept without them: ' learn ' is /learn",
        keeping::fields_are_kept_trimmed,
    ),
    Check::step(
        "c",
        "a link that redirects is kept as typed, not as the address its redirects ended at",
        keeping::link_is_kept_as_typed,
    ),
    Check::step(
        "c",
        "a POST with a broken link answers 404, the link and why above the form, and keeps nothing",
        keeping::broken_link_is_not_kept,
    ),
    Check::step(
        "c",
        "saving a short name again replaces its link",
        keeping::short_name_is_replaced,
    ),
    Check::step(
        "c",
        "20 posters at once, 10 bookmarks each: every bookmark is kept",
        keeping::no_bookmark_lost_under_load,
    ),
    Check::step(
        "c",
        "with 10,000 bookmarks kept, a new short name gets 507; a saved one can still be replaced",
        keeping::full_store_is_refused,
    ),
    Check::step(
        "d",
        "GET /name answers 303 See Other with Location: the long URI, as the URL parser writes it (ASCII)",
        following::short_name_redirects,
    ),
    Check::step(
        "d",
        "GET /name for a name nobody saved answers 404, naming it, on a short page without the list",
        following::unknown_name_is_not_found,
    ),
    Check::step(
        "d",
        "short names are percent-decoded and case-sensitive; an escape that is not UTF-8 (/%FF) gets 400",
        following::names_are_decoded,
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

/// A short name no other check uses: `label-` and 8 random hex digits.
fn new_name(label: &str) -> String {
    format!("{label}-{:08x}", random_number() & 0xffff_ffff)
}

/// What a link that works answers: `200 OK` and a short page.
const WORKS: Answer = Answer::Ok("<!DOCTYPE html><title>It works</title><p>This link works.</p>");

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
