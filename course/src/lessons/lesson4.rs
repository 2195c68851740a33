//! Lesson 4, the bookmark server: (a) the form and its 400s, (b) the link
//! checker, (c) keeping working links, (d) following a short name.
//!
//! Links are checked offline, against the kit's helper servers on 127.0.0.1
//! (`kit::helpers`). Until step (c), a valid POST answers `200` with a page
//! saying what the checker found ("... is reachable" or "... is not
//! reachable: why"); after it, `303` or `404`: step (b)'s checks read either.
//! The checks share one server, so each uses random short names.

mod checker;
mod following;
mod form;
mod keeping;

use crate::kit::cross_site::expect_cross_site_posts_refused;
use crate::kit::crowd::{
    at_once, expect_crowd_ok, fresh_session, on_fresh_session, post_form_expecting,
};
use crate::kit::helpers::{Answer, HelperServer, Proxy, refused_port};
use crate::kit::html::{PageForm, forms, list_items, outside_forms};
use crate::kit::seed::random_number;
use crate::process::Launch;
use crate::session::{Outgoing, Reply, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use http_server::{escape_html_text, percent_encode};

/// Lesson 4, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(4, "bookmark_server", "Bookmark server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson4.mutants.toml"),
);

/// The checks, step by step, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "GET / answers 200 with an HTML page titled Bookmark Server", form::serves_the_page),
    Check::step("a", "the page has a form that POSTs longuri and shortname to /, with a button", form::page_has_the_form),
    Check::step("a", "a POST without longuri or shortname, or with one empty, gets 400 and the form again, naming the field", form::missing_fields_are_refused),
    Check::step("a", "a short name with '/', '?', '#' or a control character (a line break, a tab, a NUL) in it, or '.' or '..', gets 400", form::bad_short_names_are_refused),
    Check::step("a", "a link over 2,000 characters or a short name over 100 gets 400 naming the limit; at the limit, not", form::fields_over_their_limits_are_refused),
    Check::step("a", "a refused form comes back with what was typed in its boxes, escaped", form::refused_form_keeps_what_was_typed),
    Check::step("a", "a link with a user name or password in it (name:secret@) gets 400", form::links_with_passwords_are_refused),
    Check::step("b", "a link that answers 200 OK to a GET is reachable", checker::working_link_is_reachable),
    Check::step("b", "a link that answers 404 is not reachable, and the page says 404", checker::broken_link_is_not_reachable),
    Check::step("b", "only 200 OK is a working link: a 204 No Content, or a 302 without a Location, is not reachable", checker::only_200_is_reachable),
    Check::step("b", "a link that redirects to a working page is reachable (redirects are followed)", checker::redirect_is_followed),
    Check::step("b", "a link that redirects 6 times in a row is not reachable (MAX_REDIRECTS is 5)", checker::long_redirect_chain_is_refused),
    Check::step("b", "a link to a port where nothing listens is not reachable: connection refused", checker::refused_link_is_not_reachable),
    Check::step("b", "text that is not an http(s) URL is not reachable, and the server does not fail", checker::non_links_are_not_reachable),
    Check::step("b", "a link that never answers is given up after the lesson's timeout (5 seconds)", checker::silent_link_times_out),
    Check::step("b", "a link to a huge body is judged by its status, without reading the body", checker::huge_body_is_not_read),
    Check::step("b", "with HTTP_PROXY set, links are checked through the proxy (and NO_PROXY is honoured)", checker::link_check_uses_the_proxy),
    Check::step("c", "a POST with a working link answers 303 See Other, Location: /, and the page lists it", keeping::working_link_is_kept),
    Check::step("c", "a POST a browser marks as sent from another site gets 403 and keeps nothing", keeping::cross_site_posts_are_refused),
    Check::step("c", "a short name and link typed with spaces around them are kept without them: ' learn ' is /learn", keeping::fields_are_kept_trimmed),
    Check::step("c", "a link that redirects is kept as typed, not as the address its redirects ended at", keeping::link_is_kept_as_typed),
    Check::step("c", "a POST with a broken link answers 404, the link and why above the form, and keeps nothing", keeping::broken_link_is_not_kept),
    Check::step("c", "saving a short name again replaces its link", keeping::short_name_is_replaced),
    Check::step("c", "20 posters at once, 10 bookmarks each: every bookmark is kept", keeping::no_bookmark_lost_under_load),
    Check::step("c", "with 10,000 bookmarks kept, a new short name gets 507; a saved one can still be replaced", keeping::full_store_is_refused),
    Check::step("d", "GET /name answers 303 See Other with Location: the long URI, as the URL parser writes it (ASCII)", following::short_name_redirects),
    Check::step("d", "GET /name for a name nobody saved answers 404, naming it, on a short page without the list", following::unknown_name_is_not_found),
    Check::step("d", "short names are percent-decoded and case-sensitive; an escape that is not UTF-8 (/%FF) gets 400", following::names_are_decoded),
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

/// A helper that redirects to `to`. The kit's answers are `&'static str`,
/// so this one, known only now, is kept for the run (a few bytes).
fn redirect_to(to: String) -> Result<HelperServer, Failure> {
    HelperServer::start(Answer::Redirect(Box::leak(to.into_boxed_str())))
}

/// The page's `<body>` outside its forms: where a refusal's sentence is
/// (the stylesheet in the head has numbers of its own).
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

/// Expects a refusal to be the page again, in HTML, with the form, so that
/// the visitor can put it right.
fn expect_the_form_again(reply: &Reply, expected: &str) -> CheckResult {
    reply.expect(
        |reply| {
            reply.media_type().as_deref() == Some("text/html")
                && bookmark_form(&reply.body).is_some()
        },
        format!("{expected}, and the form again below it (text/html)"),
        "Answer a mistake with the page, the sentence above the form: the starter's \
         send_problem(response, status, what, why, typed) does it (HttpError's text has no form).",
    )?;
    Ok(())
}

/// `failure`, with `hint` instead if what it got starts with `got`.
fn hint_if_got(mut failure: Failure, got: &str, hint: impl Into<String>) -> Failure {
    if failure.got.starts_with(got) {
        failure.hint = hint.into();
    }
    failure
}

/// What a failure got when the server never answered.
const NO_ANSWER: &str = "no answer within";

/// POSTs a bookmark, as the form does. A server that does not answer has
/// most likely locked the bookmarks while it holds them, and waits for itself.
fn post_bookmark(session: &mut Session, longuri: &str, shortname: &str) -> Result<Reply, Failure> {
    let fields = [("longuri", longuri), ("shortname", shortname)];
    session.post_form("/", &fields).map_err(|failure| {
        hint_if_got(
            failure,
            NO_ANSWER,
            "The server did not answer: does do_post call self.bookmarks() while a guard of it \
             is still alive? Take the lock once (let mut bookmarks = self.bookmarks();) and use that.",
        )
    })
}

/// A reply whose request used a helper server: the report says what the
/// link was, since the student cannot run that server.
fn about(mut reply: Reply, link: &str) -> Reply {
    reply.sent = format!("{}\n({link})", reply.sent);
    reply
}

/// POSTs `url`, a link to a server that answers 200 OK, under `name`.
fn post_working(session: &mut Session, url: &str, name: &str) -> Result<Reply, Failure> {
    let link = format!("URL: {url}, a server that answers 200 OK");
    Ok(about(post_bookmark(session, url, name)?, &link))
}

/// Expects the form of `reply` to show `longuri` and `shortname` in its
/// boxes, as the visitor typed them.
fn expect_what_was_typed(reply: &Reply, longuri: &str, shortname: &str) -> CheckResult {
    let form = bookmark_form(&reply.body);
    let value = |name| Some(form.as_ref()?.field(name)?.shown_value());
    let (got_link, got_name) = (value("longuri"), value("shortname"));
    let differs = |got: &Option<String>, typed: &str| {
        got.as_ref()
            .is_some_and(|got| !got.is_empty() && got != typed)
    };
    let hint = if differs(&got_link, longuri) || differs(&got_name, shortname) {
        "The boxes hold something else: a \" ends a value=\"...\". Escape an attribute with \
         escape_html (quotes too), not escape_html_text."
    } else {
        "A refused visitor should not type it all again: in form(longuri, shortname), give each \
         <input> value=\"...\" with escape_html(longuri) and escape_html(shortname)."
    };
    reply.expect(
        |_| got_link.as_deref() == Some(longuri) && got_name.as_deref() == Some(shortname),
        format!(
            "the form again showing what was typed: longuri {longuri:?}, shortname {shortname:?}"
        ),
        hint,
    )?;
    Ok(())
}

/// A copy of the program under check on a port of its own, started with
/// `launch`: for an environment or a store the other checks must not share.
fn another_server(session: &Session, launch: Launch) -> Session {
    let mut other = fresh_session(session);
    other.set_launch(launch);
    other
}

/// POSTs a bookmark to `other`, started as `started` says (the report
/// tells how).
fn post_to(
    other: &mut Session,
    started: &str,
    longuri: &str,
    name: &str,
) -> Result<Reply, Failure> {
    let fields = [("longuri", longuri), ("shortname", name)];
    let reply = other
        .post_form("/", &fields)
        .map_err(|failure| on_fresh_session(other, started, failure))?;
    let sent = format!("{started}, then: {}", reply.sent);
    Ok(reply.reported_as(sent))
}

/// POSTs a working link and expects step (c)'s `303 See Other`.
fn save(session: &mut Session, url: &str, name: &str) -> CheckResult {
    let reply = post_working(session, url, name)?;
    let hint = save_hint(reply.status);
    reply.expect_status(303, hint)?;
    Ok(())
}

/// The hint for a POST of a working link that did not answer `303`.
fn save_hint(status: u16) -> &'static str {
    match status {
        200 => "That is step b's page: in TODO(c), keep the bookmark and answer 303, Location: /.",
        301 | 302 | 307 | 308 => {
            "Use 303 See Other: after a 307 or 308 the browser would POST again."
        }
        404 => "This link works (200 OK), yet it was refused: keep it when `checked` is Ok(url).",
        _ => "Keep a working link, then send_response(303), send_header(\"Location\", \"/\").",
    }
}
