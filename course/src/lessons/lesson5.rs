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
pub const CHECKS: &[Check] = &[
    Check::step(
        "a",
        "GET / answers 200 with an HTML page titled I Remember You, whose form POSTs a field named yourname",
        serves_the_page,
    ),
    Check::step(
        "a",
        "a POST of yourname=Alice answers 303 See Other, Location: /, and a Set-Cookie for yourname with Path=/, Max-Age, HttpOnly and SameSite=Lax",
        post_sets_the_cookie,
    ),
    Check::step(
        "a",
        "a POST without a yourname field, or with a blank one (empty, spaces, a tab, no-break spaces), gets 400, the form again with a sentence, and no cookie",
        no_name_is_a_bad_request,
    ),
    Check::step(
        "a",
        "a name over 100 characters gets 400, a sentence that names the limit, the form with the name put back, and no cookie; one of 100 characters (not bytes: Zoë...) is remembered",
        long_name_is_refused_with_the_form,
    ),
    Check::step(
        "a",
        "a POST that another site's page sent (Sec-Fetch-Site: cross-site, or Origin: http://evil.example) gets 403 and no cookie",
        cross_site_post_is_refused,
    ),
    Check::step(
        "b",
        "GET / with Cookie: yourname=Alice greets Alice",
        greets_the_name_in_the_cookie,
    ),
    Check::step(
        "b",
        "the name is found among other cookies (theme=dark; yourname=Bob), by its exact name (not YourName), the first of two yourname taken",
        finds_the_cookie_among_others,
    ),
    Check::step(
        "b",
        "the name is HTML-escaped after decoding: <script> in the cookie, as it is or %-encoded (%3Cscript%3E), shows as text",
        names_are_escaped,
    ),
    Check::step(
        "b",
        "a value that does not decode (yourname=%FF, %zz) gets 200, the form and a note, not a greeting or a 500",
        undecodable_value_gets_a_note,
    ),
    Check::step(
        "c",
        "a name of letters and digits is the cookie's value as it is: Set-Cookie: yourname=Alice",
        plain_names_stay_as_they_are,
    ),
    Check::step(
        "c",
        "names with spaces, quotes, ;, ,, %, \\ and letters beyond ASCII come back from the cookie as typed",
        names_survive_the_round_trip,
    ),
    Check::step(
        "c",
        "a name of 100 characters beyond ASCII makes a cookie of at most 4,096 bytes, and comes back as typed",
        longest_name_fits_in_a_cookie,
    ),
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

fn serves_the_page(session: &mut Session) -> CheckResult {
    let reply = session.get("/")?;
    let expected = "200 OK, Content-Type: text/html; charset=utf-8, <title>I Remember You</title>, \
                    and a <form method=\"post\"> with a field named yourname";
    expect_a_page(&reply, expected)?;
    reply
        .expect(
            |reply| title_of(&reply.body).as_deref() == Some("I Remember You"),
            expected,
            "The page's title is I Remember You: it is in page(), at the bottom of the file.",
        )?
        .expect(
            |reply| {
                forms(&reply.body).iter().any(|form| {
                    form.method == "post"
                        && matches!(form.action.as_str(), "" | "/")
                        && form.field(COOKIE).is_some()
                })
            },
            expected,
            "The form in page() sends the name: method=\"post\", action=\"/\", and an <input> \
             named yourname (COOKIE_NAME). Keep it as it is.",
        )?;
    Ok(())
}

/// Checks the attributes of the yourname cookie, naming the first one that
/// is missing or wrong.
fn check_attributes(reply: &Reply, cookie: &SetCookieHeader, expected: &str) -> CheckResult {
    let expect = |holds: bool, hint: &str| expect_cookie(reply, cookie, holds, expected, hint);
    expect(
        cookie.attribute("path") == Some("/"),
        "Path=/ sends the cookie back with every request to the site. Without it the browser \
         picks a path from the address the form was sent to (/account/login gives /account), \
         and the page at / might never see it. name_cookie sets .path(\"/\").",
    )?;
    let max_age = cookie.attribute("max-age");
    expect(
        max_age.is_some(),
        "Give the cookie a Max-Age, in seconds: without one, the browser forgets the name when \
         it closes. name_cookie sets .max_age(REMEMBER_FOR).",
    )?;
    expect(
        max_age
            .and_then(|seconds| seconds.parse::<i64>().ok())
            .is_some_and(|seconds| seconds > 0),
        "Max-Age is how many seconds the browser keeps the cookie: a number above 0 (0 or less \
         deletes it at once). name_cookie sets .max_age(REMEMBER_FOR).",
    )?;
    expect(
        cookie.attribute("httponly").is_some(),
        "Add HttpOnly: it keeps the cookie away from scripts in the page (document.cookie), so a \
         script slipped into a page cannot read it and send it elsewhere.",
    )?;
    expect(
        cookie
            .attribute("samesite")
            .is_some_and(|value| value.eq_ignore_ascii_case("lax")),
        "Add SameSite=Lax: the browser then sends the cookie when somebody follows a link to the \
         site, but not with requests that other sites' pages make (a form posted from elsewhere, \
         an image), which is how cross-site request forgery works.",
    )?;
    expect(
        cookie.attribute("domain").is_none(),
        "Leave Domain out. A cookie without it goes back only to the host that set it; with \
         Domain=localhost, a browser that opened http://127.0.0.1:8000/ would refuse it.",
    )
}

fn post_sets_the_cookie(session: &mut Session) -> CheckResult {
    let reply = post_name(session, "Alice")?;
    let expected = "303 See Other, Location: /, and \
                    Set-Cookie: yourname=Alice; Path=/; Max-Age=...; HttpOnly; SameSite=Lax";
    let hint = match reply.status {
        303 => {
            "A 303 needs a Location header to say where to go: send_header(\"Location\", \"/\")."
        }
        200 if reply.body.contains("not written yet") => {
            "That is the starter's answer. In TODO(a), answer 303 See Other with Location: / and \
             the Set-Cookie header the page shows, instead of the page."
        }
        301 | 302 | 307 | 308 => {
            "Use 303 See Other: it tells the browser to fetch / with a GET. After a 307 or 308 it \
             would POST the form again; 301 and 302 are for pages that moved."
        }
        400 => {
            "The form has a yourname field, so it deserves a cookie, not 400: is the name looked \
             up with form.get(COOKIE_NAME)?"
        }
        _ => {
            "After a POST with a name: send_response(303), send_header(\"Location\", \"/\"), the \
             Set-Cookie header, end_headers()."
        }
    };
    let home = format!("{}/", session.server()?.base_url());
    reply.expect(
        |reply| {
            reply.status == 303
                && matches!(reply.header("location"), Some(at) if at == "/" || at == home)
        },
        expected,
        hint,
    )?;
    let Some(cookie) = reply.set_cookie_named(COOKIE) else {
        let hint = match reply.set_cookie_headers().first() {
            Some(other) => format!(
                "The cookie is named {:?}: name it yourname (COOKIE_NAME), like the form's field.",
                other.name
            ),
            None => "The answer has no Set-Cookie header, so the browser keeps nothing: \
                     response.set_cookie(&name_cookie(&value))."
                .to_owned(),
        };
        return Err(reply.fail(expected, hint));
    };
    // An encoded Alice is step (c)'s business; here the value must be Alice.
    expect_cookie(
        &reply,
        &cookie,
        percent_decode(&cookie.value).ok().as_deref() == Some("Alice"),
        expected,
        "The cookie's value is the name that was typed: \
         response.set_cookie(&name_cookie(&encode_cookie_value(name))).",
    )?;
    check_attributes(&reply, &cookie, expected)
}
fn no_name_is_a_bad_request(session: &mut Session) -> CheckResult {
    let stranger = session.get("/")?;
    // Blank in every kind of white space that str::trim removes: spaces, a
    // tab, no-break spaces (U+00A0, what some keyboards type with Alt).
    let forms: [&[(&str, &str)]; 5] = [
        &[("note", "no name here")],
        &[(COOKIE, "")],
        &[(COOKIE, "   ")],
        &[(COOKIE, "\t")],
        &[(COOKIE, "\u{a0}\u{a0}")],
    ];
    for fields in forms {
        let reply = session.post_form("/", fields)?;
        let expected = "400 Bad Request, no cookie, and the page again: a sentence that says the \
                        name is missing, above the form";
        let blank = fields
            .iter()
            .any(|(name, value)| *name == COOKIE && !value.is_empty());
        let only_ascii_spaces = fields.iter().any(|(name, value)| {
            *name == COOKIE && !value.is_empty() && value.trim_matches(' ').is_empty()
        });
        let hint = match reply.status {
            400 if reply.set_cookie_named(COOKIE).is_some() => {
                "A form without a name should not set the cookie: answer 400 before \
                 Set-Cookie is sent."
            }
            400 if reply.media_type().as_deref() != Some("text/html")
                || !has_the_form(&reply.body)
                || reply.body == stranger.body =>
            {
                "Answer with the page, as for a name too long, not a bare error: \
                 return send_form_again(response, \"Type your name first: ...\", \"\"); (a \
                 sentence that says the name is missing, above the form, ready for another try)."
            }
            400 => continue,
            500 => {
                "Did it unwrap() form.get(COOKIE_NAME)? A form without a name is the client's \
                 mistake: answer it with the form again and 400 (send_form_again)."
            }
            _ if blank && !only_ascii_spaces => {
                "A name of only white space (a tab, no-break spaces U+00A0) is no name either: \
                 test it with name.trim().is_empty(), which removes every kind of white space; \
                 trim_matches(' ') removes only the space bar's."
            }
            _ if blank => {
                "A name of only spaces is no name: the page would greet nobody. Test it with \
                 name.trim().is_empty(), not name.is_empty(), and answer 400 as for an empty one."
            }
            _ => {
                "A form with no name, or an empty one, has nothing to remember: answer 400 with \
                 the form again, return send_form_again(response, \"...\", \"\"), instead of \
                 going on."
            }
        };
        return Err(reply.fail(expected, hint));
    }
    Ok(())
}

/// The hint when the page greets another cookie than yourname.
const FIND_YOURNAME: &str = "Find the cookie named yourname among the pairs parse_cookies gives \
     (not the first one, nor one whose name merely starts with yourname), and greet the name it \
     holds.";

/// Sends `cookie` and expects the page to greet `name`, shown as text;
/// `wrong` is the hint when it greets another name.
fn expect_greeting(session: &mut Session, cookie: &str, name: &str, wrong: &str) -> CheckResult {
    let reply = get_with_cookie(session, cookie)?;
    let expected = format!("the page greets {name:?}");
    expect_a_page(&reply, &expected)?;
    let whole_header = shows_as_text(&reply.body, cookie);
    let hint = if whole_header {
        "The page shows the whole Cookie header. Split it into its cookies with parse_cookies, \
         and greet only the value of the one named yourname."
    } else if reply.body.contains("reading it is step b") {
        "That is the starter's greeting. In TODO(b), find the cookie named yourname in the header, \
         and put the name it holds on the page."
    } else {
        wrong
    };
    reply.expect(
        |reply| shows_as_text(&reply.body, name) && !whole_header,
        expected,
        hint,
    )?;
    Ok(())
}

fn greets_the_name_in_the_cookie(session: &mut Session) -> CheckResult {
    // No Cookie header: a stranger.
    session.get("/")?.expect(
        |stranger| !stranger.body.contains("Alice"),
        "a page for a stranger, with no name on it",
        "With no Cookie header the page knows nobody: greeting() gets None.",
    )?;
    expect_greeting(session, "yourname=Alice", "Alice", FIND_YOURNAME)?;
    let other = format!("Ada{}", number());
    expect_greeting(session, &format!("yourname={other}"), &other, FIND_YOURNAME)
}

fn finds_the_cookie_among_others(session: &mut Session) -> CheckResult {
    let name = format!("Bob{}", number());
    let tag = number();
    let cases = [
        (
            format!("theme=dark; {COOKIE}={name}; lang=en"),
            FIND_YOURNAME,
        ),
        (
            format!("{COOKIE}_old=Mallory; x{COOKIE}=Eve;{COOKIE}={name}"),
            FIND_YOURNAME,
        ),
        (
            format!("YourName=Mallory{tag}; YOURNAME=Eve{tag}; {COOKIE}={name}"),
            "Cookie names are case-sensitive (RFC 6265): YourName and YOURNAME are other \
             cookies, perhaps another program's on this host. Compare the name exactly, \
             *name == COOKIE_NAME, not eq_ignore_ascii_case.",
        ),
        (
            format!("{COOKIE}={name}; {COOKIE}=Old{tag}"),
            "Two cookies named yourname can come in one header: one set for a longer Path (by \
             another page or program on this host) besides ours. The browser sends the more \
             specific one first (RFC 6265, section 5.4): take the first, as \
             iter().find(...) does. A HashMap collected from the pairs keeps the last.",
        ),
    ];
    for (cookie, wrong) in &cases {
        expect_greeting(session, cookie, &name, wrong)?;
    }
    // Other cookies only: no name, and no failure.
    let reply = get_with_cookie(session, "theme=dark; lang=en")?;
    let expected = "the page for somebody without a name cookie";
    expect_a_page(&reply, expected)?;
    reply.expect(
        |reply| !reply.body.contains("dark") && has_the_form(&reply.body),
        expected,
        "These cookies are somebody else's business: without a cookie named yourname, greet \
         nobody and show the form.",
    )?;
    Ok(())
}

fn names_are_escaped(session: &mut Session) -> CheckResult {
    let tag = number();
    // Every character here may stand in a cookie as it is.
    let name = format!("<script>alert({tag})</script>&<b>bold</b>");
    let script = format!("<script>alert({tag})");
    let expected = format!(
        "the name as text: {:?} in the HTML",
        escape_html_text(&name)
    );
    let cases = [
        (
            name.clone(),
            "The name went into the page as HTML, so its <script> would run. The cookie comes \
             from the client, who may write anything in it: pass the name through \
             http_server::escape_html_text.",
            "Greet the name in the cookie, passed through http_server::escape_html_text.",
        ),
        // The same name %-encoded, as any client may send it: %3C decodes
        // to <. Escaping before decoding lets it through as markup.
        (
            format!("%3Cscript%3Ealert({tag})%3C%2Fscript%3E%26%3Cb%3Ebold%3C%2Fb%3E"),
            "The name went into the page as HTML, so its <script> would run: %3C decodes to <. \
             Escape the name after decoding it, never before: percent_decode(value) first, \
             then http_server::escape_html_text(&name) on what it gives. Escaped first, \
             %3Cscript%3E has nothing to escape, and decoding then makes it markup.",
            "Decode the value with percent_decode, then greet the name it gives, passed \
             through http_server::escape_html_text.",
        ),
    ];
    for (value, as_markup, not_shown) in cases {
        let reply = get_with_cookie(session, &format!("{COOKIE}={value}"))?;
        expect_a_page(&reply, &expected)?;
        reply
            .expect(|reply| !reply.body.contains(&script), &expected, as_markup)?
            .expect(
                |reply| shows_as_text(&reply.body, &name),
                &expected,
                not_shown,
            )?;
    }
    Ok(())
}
fn undecodable_value_gets_a_note(session: &mut Session) -> CheckResult {
    let stranger = session.get("/")?;
    let tag = number();
    for value in [format!("Ann{tag}%FF"), format!("Ann{tag}%zz")] {
        let reply = get_with_cookie(session, &format!("{COOKIE}={value}"))?;
        let expected = "200, the form, and a note that the name could not be read \
                        (no greeting, and not the value as it came)";
        expect_a_page(&reply, expected)?;
        let hint = if reply.body.contains(&format!("Ann{tag}")) {
            "The page shows the value, or part of it (Ann...), in a greeting or in the note: \
             a value that does not decode is no name to show. Decode it with \
             http_server::percent_decode; when that fails, show only a note that says the name \
             could not be read, and the form."
        } else if !has_the_form(&reply.body) {
            "Show the form with the note, so that the visitor can tell you their name again."
        } else if reply.body == stranger.body {
            "That is the page for a stranger. Add a note that says the name in the cookie could \
             not be read, so the visitor knows why you forgot them."
        } else {
            continue;
        };
        return Err(reply.fail(expected, hint));
    }
    Ok(())
}

/// Posts `name` and expects step (a)'s answer, 303 and the yourname cookie.
fn post_name_for_a_cookie(
    session: &mut Session,
    name: &str,
) -> Result<(Reply, SetCookieHeader), Failure> {
    let reply = post_name(session, name)?;
    match reply
        .set_cookie_named(COOKIE)
        .filter(|_| reply.status == 303)
    {
        Some(cookie) => Ok((reply, cookie)),
        None => Err(reply.fail(
            "303 See Other and a Set-Cookie for yourname",
            "Step a first: a POST with a name answers 303 and sets the cookie yourname.",
        )),
    }
}

fn plain_names_stay_as_they_are(session: &mut Session) -> CheckResult {
    for name in ["Alice".to_owned(), format!("Ada{}", number())] {
        let (reply, cookie) = post_name_for_a_cookie(session, &name)?;
        expect_cookie(
            &reply,
            &cookie,
            cookie.value == name,
            &format!("303 See Other and Set-Cookie: yourname={name}; ..."),
            "Letters and digits may stand in a cookie as they are: encode only the bytes that \
             are not cookie-octets, and %. Alice stays Alice, which any client can read.",
        )?;
    }
    Ok(())
}

/// A random name of three words with awkward characters between them.
fn awkward_name() -> String {
    const WORDS: &str = "Zoë Søren José Łukasz Мария 日本 Ærø 🍪 Anne-Marie O'Neil Bob Smith";
    const BETWEEN: &[&str] = &[
        " ", "; ", ", ", " \"", "\" ", "%", " 100% ", "%41", "\\", "=", "+", " & ", ";",
    ];
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let pick = |list: &[&str]| random_distinct(list, 1)[0].to_owned();
    let mut name = pick(&words);
    for _ in 0..2 {
        name.push_str(&pick(BETWEEN));
        name.push_str(&pick(&words));
    }
    name
}
/// Why `bad`, found in a cookie's value, cannot stand there as it is.
fn why_not_an_octet(bad: char, value_as_read: &str) -> String {
    match bad {
        ';' => format!(
            "a browser cuts the value at a ; (it keeps {value_as_read:?} here) and reads the \
             rest as attributes."
        ),
        '\\' => "some clients and servers read a \\ as an escape, as in a quoted string \
                  (\\\"), and drop it or change the character after it."
            .to_owned(),
        ',' => "a , once separated cookies in one header, and some servers still split there."
            .to_owned(),
        ' ' | '"' => "clients differ on spaces and quotes: some keep them, some trim or \
                      refuse them."
            .to_owned(),
        _ if !bad.is_ascii() => "bytes beyond ASCII are not cookie-octets: clients read them in \
                                 different encodings, or refuse them."
            .to_owned(),
        _ => "RFC 6265 keeps it out of cookie values.".to_owned(),
    }
}

fn names_survive_the_round_trip(session: &mut Session) -> CheckResult {
    // One name with every kind of trouble, then random ones (a failure
    // prints the run's seed, which replays them).
    let mut list = vec![
        r#"Zoë "Z"; Smith, Jr 100%"#.to_owned(),
        r"Anne\Marie".to_owned(),
        // Kept as typed, spaces around it too: trim() only tests for blank.
        format!(" Ada  Lovelace{} ", number()),
    ];
    list.extend((0..4).map(|_| awkward_name()));
    for name in &list {
        let (reply, cookie) = post_name_for_a_cookie(session, name)?;
        let expected = format!("a cookie value that holds {name:?}, %-encoded");
        let pair = cookie.header.split(';').next().unwrap_or("");
        let value = pair.split_once('=').map_or("", |(_, value)| value);
        if let Some(bad) = value
            .chars()
            .find(|c| !c.is_ascii() || !is_cookie_octet(*c as u8))
        {
            return expect_cookie(
                &reply,
                &cookie,
                false,
                &expected,
                format!(
                    "The value holds {bad:?}, which a cookie cannot hold as it is: {} Write each \
                     byte that is not a cookie-octet (printable ASCII except space, \", ,, ; and \
                     \\) as % and two hex digits in encode_cookie_value, and make the cookie \
                     from what it returns: name_cookie(&encode_cookie_value(name)).",
                    why_not_an_octet(bad, &cookie.value)
                ),
            );
        }
        // Send the value back, as a browser does: `Cookie: yourname=value`.
        let mut jar = Jar::default();
        jar.take_from_reply(&reply);
        let page = get_with_cookie(session, &jar.header())?;
        let expected = format!("the page greets {name:?}");
        expect_a_page(&page, &expected)?;
        let decoded = percent_decode(&cookie.value).ok();
        let hint = if decoded.as_deref() != Some(name) {
            if decoded.as_deref() == Some(name.trim()) {
                "The name lost the spaces around it. Keep it as typed: name.trim() only tells \
                 whether it is blank, and the cookie holds the name itself."
            } else if decoded.is_some_and(|decoded| decoded.replace('+', " ") == *name) {
                "A + stands for a space only in forms: percent_decode keeps it a +. Write a space \
                 as %20."
            } else if name.contains('%') && !cookie.value.contains("%25") {
                "The name holds a %, and percent_decode reads every % as the start of an escape: \
                 encode % itself too (as %25)."
            } else {
                "percent_decode must give back the name exactly: write each byte that is not a \
                 cookie-octet as % and two hex digits (é is two bytes, %C3%A9)."
            }
        } else if shows_as_text(&page.body, &cookie.value) {
            "The page shows the value as it is in the cookie: decode it with \
             http_server::percent_decode before greeting."
        } else {
            "Encode the name when you set the cookie, and decode it with percent_decode when you \
             read it, so that it comes back as typed."
        };
        if !shows_as_text(&page.body, name) {
            return Err(Failure {
                got: format!("Set-Cookie: {}\n{}", cookie.header, page.summary()),
                ..page.fail(expected, hint)
            });
        }
    }
    Ok(())
}

/// The most characters a name may have.
const MAX_NAME_CHARS: usize = 100;

/// The most bytes of a `Set-Cookie` a browser must keep (RFC 6265, section
/// 6.1: "at least 4096 bytes per cookie", name, value and attributes).
const MAX_COOKIE_BYTES: usize = 4096;

fn long_name_is_refused_with_the_form(session: &mut Session) -> CheckResult {
    // Quotes and < > & must be escaped where the name goes back: in the
    // value="..." of the form's field.
    // (No random number in it: the page must say "100" on its own.)
    let start = "Ada \"Lovelace\" <b>&</b> ";
    let too_long = format!(
        "{start}{}",
        "a".repeat(MAX_NAME_CHARS + 1 - start.chars().count())
    );
    let reply = post_name(session, &too_long)?.reported_as(format!(
        "curl -i --data-urlencode 'yourname={start}aaa...' http://localhost:8000/  (a name of \
         101 characters)"
    ));
    // The yourname field's value, as the page puts the name back.
    let put_back = forms(&reply.body)
        .iter()
        .find_map(|form| form.field(COOKIE))
        .map(|field| field.shown_value());
    let expected = "400 Bad Request, no cookie, and the page with a sentence that names the limit \
                    (100 characters) and the form, the name put back in its field";
    reply
        .expect(
            |reply| reply.status == 400,
            expected,
            "A name of 101 characters is over the limit: count its characters \
             (name.chars().count()) and refuse it, before any cookie is set. A browser would \
             drop a cookie of 4,096 bytes or more without a word, and the page would forget \
             the visitor.",
        )?
        .expect(
            |reply| reply.set_cookie_named(COOKIE).is_none(),
            expected,
            "A name that is refused sets no cookie: answer before set_cookie.",
        )?
        .expect(
            |reply| {
                reply.media_type().as_deref() == Some("text/html")
                    && has_the_form(&reply.body)
                    && reply
                        .body
                        .rsplit("</style>")
                        .next()
                        .unwrap_or("")
                        .contains("100")
            },
            expected,
            "Answer with the page and the form, not a bare error: \
             send_form_again(response, &why, name), with a sentence that says the limit: \
             \"A name can be at most 100 characters; yours has 101.\"",
        )?
        .expect(
            |_| put_back.as_deref() != Some(escape_html(&too_long).as_str()),
            expected,
            "The name is in the form's field, but escaped twice (&amp;quot; shows as &quot;): \
             page() escapes `typed` itself, with escape_html. Pass send_form_again the name as \
             it came: send_form_again(response, &why, name).",
        )?
        .expect(
            |_| put_back.as_deref() == Some(too_long.as_str()),
            expected,
            "Put the name back in the form's field (send_form_again's `typed`): the visitor can \
             then shorten it instead of typing it again.",
        )?;
    // 100 characters, 101 bytes: ë takes two.
    let longest = format!("Zoë{}", "a".repeat(MAX_NAME_CHARS - 3));
    post_name(session, &longest)?
        .reported_as(
            "curl -i --data-urlencode yourname=Zoëaaa... http://localhost:8000/  (a name of 100 \
             characters, 101 bytes)",
        )
        .expect(
            |reply| reply.status == 303 && reply.set_cookie_named(COOKIE).is_some(),
            "303 See Other and a cookie: a name of exactly 100 characters is allowed",
            "The limit is at most 100 characters, not bytes: ë is one character of two bytes. \
             Refuse a name only when name.chars().count() > MAX_NAME_CHARS (len() counts bytes).",
        )?;
    Ok(())
}

fn cross_site_post_is_refused(session: &mut Session) -> CheckResult {
    expect_cross_site_posts_refused(
        session,
        || vec![(COOKIE, format!("Mallory{}", number()))],
        "Any page on the web can hold a form that posts a name here, and the visitor's browser \
         would keep the cookie it gets back: another site could choose who the page thinks you \
         are. Keep the first line of do_post, http_server::refuse_cross_site(request)?, which \
         refuses it.",
        |_, reply, _| {
            reply.expect(
                |reply| reply.set_cookie_named(COOKIE).is_none(),
                "403 Forbidden and no cookie",
                "A refused POST sets no cookie: refuse_cross_site first, before set_cookie.",
            )?;
            Ok(())
        },
    )
}

fn longest_name_fits_in_a_cookie(session: &mut Session) -> CheckResult {
    // 🍪 takes 4 bytes, 12 once %-encoded: the longest cookie a name of 100
    // characters can make.
    let name = format!("Zoë{}", "🍪".repeat(MAX_NAME_CHARS - 3));
    let reply = post_name(session, &name)?.reported_as(
        "curl -i --data-urlencode 'yourname=Zoë🍪🍪🍪...' http://localhost:8000/  (a name of 100 \
         characters)",
    );
    let Some(cookie) = reply
        .set_cookie_named(COOKIE)
        .filter(|_| reply.status == 303)
    else {
        return Err(reply.fail(
            "303 See Other and a Set-Cookie for yourname: 100 characters are allowed",
            "Count characters, with name.chars().count(), not bytes: 🍪 is one character of 4 \
             bytes.",
        ));
    };
    expect_cookie(
        &reply,
        &cookie,
        cookie.header.len() <= MAX_COOKIE_BYTES,
        "a Set-Cookie of at most 4,096 bytes, which every browser keeps",
        format!(
            "The header is {} bytes: a browser would drop it without a word. Encode only the \
             bytes that are not cookie-octets, as % and two hex digits.",
            cookie.header.len()
        ),
    )?;
    let mut jar = Jar::default();
    jar.take_from_reply(&reply);
    get_with_cookie(session, &jar.header())?.expect(
        |page| shows_as_text(&page.body, &name),
        format!("the page greets {name:?}"),
        "Decode the cookie's value with percent_decode: the name comes back as typed.",
    )?;
    Ok(())
}
