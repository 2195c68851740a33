//! Lesson 5, the cookie server, in three steps: (a) a POSTed name is
//! answered with a cookie and a 303 to `/`, (b) GET reads the cookie and
//! greets the name, HTML-escaped, (c) names with characters a cookie cannot
//! hold (spaces, quotes, `;`, `,`, `%`, letters beyond ASCII) are
//! %-encoded in the cookie and decoded when they come back.
//!
//! The checks play the browser: they take the value out of the server's
//! `Set-Cookie` header the way a browser does (RFC 6265, section 5.2) and
//! send it back in a `Cookie` header. They also send cookies by hand, as any
//! client may, because the client owns its cookies. The names of step (c)
//! come from a seed that a failure prints (`COURSE_SEED=N` replays it).

mod encoding;
mod greeting;
mod post;

use crate::kit::cookies::{Jar, SetCookieHeader, is_cookie_octet};
use crate::kit::cross_site::expect_cross_site_posts_refused;
use crate::kit::html::{forms, title_of};
use crate::kit::seed::random_distinct;
use crate::kit::seed::random_number;
use crate::session::{Outgoing, Reply, Session};
use crate::{Check, CheckResult, Failure, Hint, Lesson};
use http_server::{escape_html, escape_html_text, percent_decode};

/// Lesson 5, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(5, "cookie_server", "Cookie server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson5.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "GET / answers 200 with an HTML page titled I Remember You, whose form POSTs a field named yourname", post::serves_the_page),
    Check::step("a", "a POST of yourname=Alice answers 303 See Other, Location: /, and a Set-Cookie for yourname with Path=/, Max-Age, HttpOnly and SameSite=Lax", post::post_sets_the_cookie),
    Check::step("a", "a POST without a yourname field, or with a blank one (empty, spaces, a tab, no-break spaces), gets 400, the form again with a sentence, and no cookie", post::no_name_is_a_bad_request),
    Check::step("a", "a name over 100 characters gets 400, a sentence that names the limit, the form with the name put back, and no cookie; one of 100 characters (not bytes: Zoë...) is remembered", post::long_name_is_refused_with_the_form),
    Check::step("a", "a POST that another site's page sent (Sec-Fetch-Site: cross-site, or Origin: http://evil.example) gets 403 and no cookie", post::cross_site_post_is_refused),
    Check::step("b", "GET / with Cookie: yourname=Alice greets Alice", greeting::greets_the_name_in_the_cookie),
    Check::step("b", "the name is found among other cookies (theme=dark; yourname=Bob), by its exact name (not YourName), the first of two yourname taken", greeting::finds_the_cookie_among_others),
    Check::step("b", "the name is HTML-escaped after decoding: <script> in the cookie, as it is or %-encoded (%3Cscript%3E), shows as text", greeting::names_are_escaped),
    Check::step("b", "a value that does not decode (yourname=%FF, %zz) gets 200, the form and a note, not a greeting or a 500", greeting::undecodable_value_gets_a_note),
    Check::step("c", "a name of letters and digits is the cookie's value as it is: Set-Cookie: yourname=Alice", encoding::plain_names_stay_as_they_are),
    Check::step("c", "names with spaces, quotes, ;, ,, %, \\ and letters beyond ASCII come back from the cookie as typed", encoding::names_survive_the_round_trip),
    Check::step("c", "a name of 100 characters beyond ASCII makes a cookie of at most 4,096 bytes, and comes back as typed", encoding::longest_name_fits_in_a_cookie),
];

/// The hints: a nudge, the idea, then the code, for each step.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "The POST should not answer with a page. Like the board of lesson 2, it answers 303 See Other with Location: /, plus one more header: Set-Cookie. Watch it with curl: curl -v -c jar -d yourname=Alice localhost:8000",
        concept: "Set-Cookie: yourname=Alice; Path=/; Max-Age=...; HttpOnly; SameSite=Lax asks the browser to keep the name and send it back, in a Cookie header, with every request to this site. name_cookie(&value) builds that cookie, attributes included, and response.set_cookie(&cookie) sends it. A form without a name, or with a blank one, is the client's mistake: 400 and the form again, as for a name too long.",
        code: "Step a's exercise in the lesson text: refuse a missing or blank name (name.trim().is_empty()) or one over MAX_NAME_CHARS with send_form_again(response, &why, name); then name_cookie(&encode_cookie_value(name)), send_response(303), the Location, response.set_cookie(&cookie), end_headers().",
    },
    Hint {
        step: Some("b"),
        nudge: "The name comes back in the request's Cookie header, among the site's other cookies (theme=dark; yourname=Alice). greeting() gets that header: find your cookie in it. Send one with curl: curl -b yourname=Alice localhost:8000",
        concept: "http_server::parse_cookies(header) gives the (name, value) pairs, in the order the browser sent them. Take the first whose name is exactly COOKIE_NAME (names are case-sensitive; the first of two is the more specific). Decode its value with http_server::percent_decode: a value that does not decode gets a note and the form, not a 500. Then escape what the decoding gave with http_server::escape_html_text: the name comes from the client, and %3C decodes to <, so escape after decoding, never before.",
        code: "let cookies = http_server::parse_cookies(cookie_header.unwrap_or(\"\")); let Some((_, value)) = cookies.iter().find(|(name, _)| *name == COOKIE_NAME) else { return STRANGER.to_owned(); };",
    },
    Hint {
        step: Some("c"),
        nudge: "Post the name `Smith; Jr` (curl -v --data-urlencode 'yourname=Smith; Jr' localhost:8000) and read the Set-Cookie header as a browser would: the ; ends the value, and the browser keeps only Smith.",
        concept: "A cookie's value may hold printable ASCII except space, \", ,, ; and \\ (RFC 6265's cookie-octets). Keep those bytes as they are, except % (it starts an escape), and write every other byte as % and two hex digits: percent_decode turns them back. Alice stays Alice.",
        code: "for byte in name.bytes() { match byte { b'!'..=b'~' if !matches!(byte, b'\"' | b',' | b';' | b'\\\\' | b'%') => { value.push(char::from(byte)); } _ => value.push_str(&format!(\"%{byte:02X}\")), } }",
    },
];

/// The name of the form's field and of the cookie.
const COOKIE: &str = "yourname";

/// A number to tell this run's names apart: the same program cannot pass
/// with a name written into it.
fn number() -> u64 {
    random_number() % 100_000
}

/// Expects `holds` of a reply whose `Set-Cookie` is the point: a failure
/// shows the header as it came.
fn expect_cookie(
    reply: &Reply,
    cookie: &SetCookieHeader,
    holds: bool,
    expected: &str,
    hint: impl Into<String>,
) -> CheckResult {
    if holds {
        return Ok(());
    }
    Err(Failure {
        got: format!("{} with Set-Cookie: {}", reply.status, cookie.header),
        ..reply.fail(expected, hint)
    })
}

/// Whether the page shows `text` as text: escaped for element content
/// (`escape_html_text`, as the lesson does) or for an attribute
/// (`escape_html`, which also escapes quotes); the browser shows both alike.
fn shows_as_text(body: &str, text: &str) -> bool {
    body.contains(&escape_html_text(text)) || body.contains(&escape_html(text))
}

/// Posts a name, as the page's form does.
fn post_name(session: &mut Session, name: &str) -> Result<Reply, Failure> {
    session.post_form("/", &[(COOKIE, name)])
}

/// Sends `GET /` with a `Cookie` header, as a browser (or anybody) may.
fn get_with_cookie(session: &mut Session, cookie: &str) -> Result<Reply, Failure> {
    session.send(Outgoing {
        method: "GET",
        path: "/",
        headers: vec![("Cookie", cookie)],
        body: None,
    })
}

/// Whether the page has a form with a field named yourname.
fn has_the_form(html: &str) -> bool {
    forms(html).iter().any(|form| form.field(COOKIE).is_some())
}

/// A GET's page must be a page: 200 and HTML, whatever the cookie says.
fn expect_a_page(reply: &Reply, expected: &str) -> CheckResult {
    let hint = if reply.status == 500 {
        "The cookie came from the client, which may send anything: reading it must never fail. \
         Did the handler unwrap() something? A value that does not decode gets a note instead."
    } else {
        "do_get sends the page, status 200 and text/html, whatever cookies come with the request."
    };
    reply.expect(
        |reply| reply.status == 200 && reply.media_type().as_deref() == Some("text/html"),
        expected,
        hint,
    )?;
    Ok(())
}

/// The most characters a name may have.
const MAX_NAME_CHARS: usize = 100;
