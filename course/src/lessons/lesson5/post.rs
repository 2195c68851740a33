//! Step a: the page, and the POST that sets the cookie (or is refused).

use super::*;

pub(super) fn serves_the_page(session: &mut Session) -> CheckResult {
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
        "Path=/ sends the cookie back with every request to the site, or the page at / might \
         never see it: name_cookie sets .path(\"/\").",
    )?;
    let max_age = cookie.attribute("max-age");
    expect(
        max_age.is_some(),
        "Without a Max-Age the browser forgets the name when it closes: .max_age(REMEMBER_FOR).",
    )?;
    expect(
        max_age
            .and_then(|seconds| seconds.parse::<i64>().ok())
            .is_some_and(|seconds| seconds > 0),
        "Max-Age is the seconds the browser keeps the cookie: above 0 (0 deletes it at once).",
    )?;
    expect(
        cookie.attribute("httponly").is_some(),
        "Add HttpOnly: it keeps the cookie away from scripts in the page (document.cookie).",
    )?;
    expect(
        cookie
            .attribute("samesite")
            .is_some_and(|value| value.eq_ignore_ascii_case("lax")),
        "Add SameSite=Lax: the browser then keeps the cookie off the requests other sites' pages \
         make, which is how cross-site request forgery works.",
    )?;
    expect(
        cookie.attribute("domain").is_none(),
        "Leave Domain out: with Domain=localhost, a browser at http://127.0.0.1:8000/ refuses it.",
    )
}

pub(super) fn post_sets_the_cookie(session: &mut Session) -> CheckResult {
    let reply = post_name(session, "Alice")?;
    let expected = "303 See Other, Location: /, and \
                    Set-Cookie: yourname=Alice; Path=/; Max-Age=...; HttpOnly; SameSite=Lax";
    let hint = match reply.status {
        303 => {
            "A 303 needs a Location header to say where to go: send_header(\"Location\", \"/\")."
        }
        200 if reply.body.contains("not written yet") => {
            "That is the starter's answer: in TODO(a), answer 303, Location: / and the Set-Cookie."
        }
        301 | 302 | 307 | 308 => {
            "Use 303 See Other: after a 307 or 308 the browser would POST the form again."
        }
        400 => "The form has a yourname field: is it looked up with form.get(COOKIE_NAME)?",
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

pub(super) fn no_name_is_a_bad_request(session: &mut Session) -> CheckResult {
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
                "A form without a name sets no cookie: answer 400 before Set-Cookie."
            }
            400 if reply.media_type().as_deref() != Some("text/html")
                || !has_the_form(&reply.body)
                || reply.body == stranger.body =>
            {
                "Answer with the page, not a bare error: return \
                 send_form_again(response, \"Type your name first: ...\", \"\");"
            }
            400 => continue,
            500 => {
                "Did it unwrap() form.get(COOKIE_NAME)? Answer with send_form_again (400) instead."
            }
            _ if blank && !only_ascii_spaces => {
                "A tab or no-break spaces (U+00A0) are no name either: name.trim().is_empty() \
                 removes every kind of white space, trim_matches(' ') only spaces."
            }
            _ if blank => {
                "A name of only spaces is no name: test name.trim().is_empty(), not name.is_empty()."
            }
            _ => {
                "A form with no name has nothing to remember: return \
                 send_form_again(response, \"...\", \"\") (400)."
            }
        };
        return Err(reply.fail(expected, hint));
    }
    Ok(())
}

pub(super) fn long_name_is_refused_with_the_form(session: &mut Session) -> CheckResult {
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
            "A name of 101 characters is over the limit: refuse it (name.chars().count()) before \
             any cookie is set, since a browser drops a cookie of 4,096 bytes without a word.",
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
            "Answer with send_form_again(response, &why, name), not a bare error: \
             \"A name can be at most 100 characters; yours has 101.\"",
        )?
        .expect(
            |_| put_back.as_deref() != Some(escape_html(&too_long).as_str()),
            expected,
            "The name is escaped twice (&amp;quot; shows as &quot;): page() escapes `typed` \
             itself, so pass send_form_again the name as it came.",
        )?
        .expect(
            |_| put_back.as_deref() == Some(too_long.as_str()),
            expected,
            "Put the name back in the form's field (send_form_again's `typed`).",
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
            "The limit is 100 characters, not bytes (ë takes two): refuse a name only when \
             name.chars().count() > MAX_NAME_CHARS.",
        )?;
    Ok(())
}

pub(super) fn cross_site_post_is_refused(session: &mut Session) -> CheckResult {
    expect_cross_site_posts_refused(
        session,
        || vec![(COOKIE, format!("Mallory{}", number()))],
        "Another site's page could post a name here and choose who the page thinks you are: \
         keep do_post's first line, http_server::refuse_cross_site(request)?.",
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
