//! Step d: a short name followed to its long link.

use super::*;

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

pub(super) fn short_name_redirects(session: &mut Session) -> CheckResult {
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

pub(super) fn unknown_name_is_not_found(session: &mut Session) -> CheckResult {
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

pub(super) fn names_are_decoded(session: &mut Session) -> CheckResult {
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
