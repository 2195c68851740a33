//! Step b: the greeting, read from the Cookie header.

use super::*;

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

pub(super) fn greets_the_name_in_the_cookie(session: &mut Session) -> CheckResult {
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

pub(super) fn finds_the_cookie_among_others(session: &mut Session) -> CheckResult {
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

pub(super) fn names_are_escaped(session: &mut Session) -> CheckResult {
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

pub(super) fn undecodable_value_gets_a_note(session: &mut Session) -> CheckResult {
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
