//! Step a: the form, and the 400s for a form that is wrong.

use super::*;

pub(super) fn serves_the_page(session: &mut Session) -> CheckResult {
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

pub(super) fn page_has_the_form(session: &mut Session) -> CheckResult {
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

pub(super) fn missing_fields_are_refused(session: &mut Session) -> CheckResult {
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

pub(super) fn bad_short_names_are_refused(session: &mut Session) -> CheckResult {
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

/// `base` followed by as many copies of `pad` as make it `chars` characters.
fn padded(base: &str, pad: char, chars: usize) -> String {
    let mut text = base.to_owned();
    while text.chars().count() < chars {
        text.push(pad);
    }
    text
}

pub(super) fn fields_over_their_limits_are_refused(session: &mut Session) -> CheckResult {
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

pub(super) fn refused_form_keeps_what_was_typed(session: &mut Session) -> CheckResult {
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

pub(super) fn links_with_passwords_are_refused(session: &mut Session) -> CheckResult {
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
