//! Step a: the form, and the 400s for a form that is wrong.

use super::*;

pub(super) fn serves_the_page(session: &mut Session) -> CheckResult {
    session
        .get("/")?
        .expect_status(200, "do_get sends the page for /: keep the starter's code.")?
        .expect_media_type("text/html", "The page is HTML: text/html; charset=utf-8.")?
        .expect_page_title(
            "Bookmark Server",
            "The title, in bookmarks_page, is Bookmark Server, as in the Python course.",
        )?;
    Ok(())
}

pub(super) fn page_has_the_form(session: &mut Session) -> CheckResult {
    let reply = session.get("/")?;
    let expected = "<form method=\"post\" action=\"/\"> with <input name=\"longuri\">, \
                    <input name=\"shortname\"> and a submit button inside";
    let Some(form) = forms(&reply.body).into_iter().next() else {
        let hint = "The page has no <form> yet: write the FORM constant, in the first TODO(a).";
        return Err(reply.fail(expected, hint));
    };
    reply
        .expect(
            |_| form.method == "post",
            expected,
            "The form needs method=\"post\": a GET form puts the link in the address \
             (/?longuri=...) and never reaches do_post.",
        )?
        .expect(
            |_| matches!(form.action.as_str(), "" | "/"),
            expected,
            "The form's action is the path it is sent to: do_post answers at /, so action=\"/\".",
        )?;
    for name in ["longuri", "shortname"] {
        reply.expect(
            |_| {
                form.fields.iter().any(|field| {
                    field.name == name && matches!(field.tag.as_str(), "input" | "textarea")
                })
            },
            expected,
            format!("The form needs an <input name=\"{name}\">: the box travels as {name}=..."),
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
            "The handler failed: did it unwrap() form.get(...)? A missing field is a 400, \
             Err(HttpError::new(400, ...)) from required_field."
        } else if blank {
            "An empty field (or only spaces) is no better than a missing one: in required_field, \
             Some(\"\") is a 400 too (value.trim().is_empty())."
        } else {
            "form.get(name) is None for a missing field: required_field answers it with \
             Err(HttpError::new(400, ...)), not \"\"."
        };
        reply.expect_status(400, hint)?.expect(
            |reply| outside_forms(&reply.body).contains(field),
            &expected,
            "Name the field in the HttpError's sentence, which do_post shows above the form: \
                 format!(\"The form has no '{name}' field.\").",
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
    let tagged = [
        ("a/", "a '/' would make the path /a/... two pieces"),
        ("what?", "a '?' starts the query string"),
        (
            "top#",
            "a '#' starts the fragment, which a browser never sends",
        ),
        ("line\nbreak", "a control character cannot be in a path"),
        ("tab\there", "a tab is a control character too"),
        ("nul\0", "NUL is a control character too"),
    ];
    let dots = [".", ".."].map(|dots| (dots.to_owned(), "a browser turns /. and /.. into /"));
    let names = tagged.map(|(name, why)| (format!("{name}{tag}"), why));
    for (name, why) in names.into_iter().chain(dots) {
        post_bookmark(session, "http://127.0.0.1:9/", &name)?.expect(
            |reply| reply.status == 400,
            format!("status 400 Bad Request: the short name {name:?} cannot be a path ({why})"),
            "In check_short_name, refuse '/', '?', '#', any control character (c.is_control(), \
             not only '\\n' and '\\r'), and the names \".\" and \"..\": a 400 that says why.",
        )?;
    }
    Ok(())
}

/// `base` followed by as many copies of `pad` as make it `chars` characters.
fn padded(base: &str, pad: char, chars: usize) -> String {
    let missing = chars.saturating_sub(base.chars().count());
    format!("{base}{}", pad.to_string().repeat(missing))
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
    let at_limit = [
        (
            link.as_str(),
            new_name("at-limit"),
            "a link of exactly 2,000 characters",
        ),
        (
            &works,
            name.clone(),
            "a short name of exactly 100 characters, with é in it",
        ),
    ];
    for (longuri, shortname, what) in at_limit {
        post_working(session, longuri, &shortname)?.expect(
            |reply| reply.status != 400,
            format!("anything but 400: {what} (a working link) is within the limit"),
            "At the limit is within it: count characters, value.chars().count() (value.len() \
             counts bytes, and 'é' is two).",
        )?;
    }
    let over = [
        (
            format!("{link}b"),
            "ok".to_owned(),
            "2,000",
            "a link of 2,001 characters",
        ),
        (
            "http://127.0.0.1:9/".to_owned(),
            format!("{name}é"),
            "100",
            "a short name of 101 characters",
        ),
    ];
    for (longuri, shortname, limit, what) in over {
        let reply = post_bookmark(session, &longuri, &shortname)?;
        let expected = format!(
            "status 400 Bad Request: {what}, one over the limit, and a sentence that names the \
             limit, {limit}"
        );
        reply
            .expect(
                |reply| reply.status == 400,
                &expected,
                "One visitor must not fill the server's memory: in check_length, a field with \
                 value.chars().count() > limit is Err(HttpError::new(400, ...)).",
            )?
            .expect(
                |reply| body_text(&reply.body).contains(limit),
                &expected,
                format!(
                    "Say what the limit is: format!(\"{{what}} can be at most {{}} characters; \
                     yours has {{}}.\", with_commas(limit), with_commas(length)) says {limit}."
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
    let with_password = ok
        .url("/private")
        .replacen("http://", &format!("http://ada:{secret}@"), 1);
    post_working(session, &with_password, &new_name("login"))?.expect(
        |reply| reply.status == 400,
        "status 400 Bad Request: a link with a password in it is not kept",
        "Everybody sees the list, and a URL's password ends up in logs and histories: keep the \
         given refuse_credentials in read_form, which refuses a username() or password().",
    )?;
    session.get("/")?.expect_body_lacks(
        &secret,
        "The link with its password was kept and is shown to everyone: keep refuse_credentials.",
    )?;
    Ok(())
}
