//! Step d: a short name followed to its long link.

use super::*;

/// GETs a short name's path. A server that does not answer has most likely
/// locked the bookmarks twice in one statement, and waits for itself.
fn follow(session: &mut Session, path: &str) -> Result<Reply, Failure> {
    session.get(path).map_err(|failure| {
        hint_if_got(
            failure,
            NO_ANSWER,
            "The server did not answer: is the lock taken twice? self.bookmarks() holds it to \
             the end of the statement. Copy the link out in one statement: \
             let uri = self.bookmarks().get(&name).cloned();",
        )
    })
}

/// GETs `/name` and expects `303 See Other` to `uri`.
fn expect_follows(session: &mut Session, name: &str, uri: &str) -> CheckResult {
    let reply = follow(session, &format!("/{}", percent_encode(name)))?;
    let hint = match reply.status {
        _ if reply.body.contains("not written yet") => {
            "Following short names is step d: write it in the TODO(d) region of do_get."
        }
        303 => {
            "Location is where the browser goes: send_header(\"Location\", &uri), the saved URI."
        }
        301 | 308 => {
            "Answer 303 See Other: browsers remember a permanent 301 or 308 for months, \
                      and would never see the name's new link."
        }
        302 | 307 => {
            "Answer 303 See Other, \"what you want is over there: GET it\", as the \
                      Python course and its clients expect; 302 and 307 mean \"ask there the \
                      same way, for now\"."
        }
        404 => {
            "The name was saved (its POST answered 303): decode the path without its '/', \
                http_server::percent_decode(&path[1..])?, and look that up."
        }
        _ => "A saved short name answers send_response(303) and send_header(\"Location\", &uri).",
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
    expect_follows(session, &name, &parsed).map_err(|failure| {
        let failure = hint_if_got(
            failure,
            "303",
            "Keep the link as the URL parser wrote it, self.keep(shortname, url.as_str()), not \
             as typed: a Location is ASCII, and Url writes a space %20, é %C3%A9, the scheme small.",
        );
        Failure {
            sent: format!("(the link saved was {typed:?})\n{}", failure.sent),
            ..failure
        }
    })
}

pub(super) fn unknown_name_is_not_found(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let saved = new_name("listed");
    save(session, &ok.url("/listed"), &saved)?;
    let name = new_name("nobody");
    let expected = format!("status 404 Not Found, with a page that names {name}");
    follow(session, &format!("/{name}"))?
        .expect_status(
            404,
            "Nobody saved this name: self.bookmarks().get(&name) is None, a 404 (not an unwrap()).",
        )?
        .expect(
            |reply| !reply.body.contains("not written yet") && reply.body.contains(&name),
            &expected,
            "Name the unknown name on the page: let why = format!(\"I don't know the short name \
             {name:?}.\"); return self.send_problem(response, 404, \"Not found\", &why, (\"\", &name)).",
        )?
        .expect_media_type(
            "text/html",
            "An unknown name gets a page with 404, as send_problem sends it, with the form.",
        )?
        .expect(
            |reply| !reply.body.contains(&saved),
            format!("a short page that names {name}, without the list (where {saved} is)"),
            "An error page needs no list (with 1,000 long links, megabytes written under the \
             lock): send_problem writes a short page with the form and a link to /.",
        )?;
    Ok(())
}

pub(super) fn names_are_decoded(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let name = new_name("Café au lait");
    let uri = ok.url("/coffee");
    save(session, &uri, &name)?;
    let hint = format!(
        "The name {name:?} was saved. It travels percent-encoded, /{}: decode it with \
         http_server::percent_decode(...)?, and look it up as saved (names are case-sensitive).",
        percent_encode(&name)
    );
    expect_follows(session, &name, &uri).map_err(|failure| hint_if_got(failure, "404", hint))?;
    let lower = name.to_lowercase();
    follow(session, &format!("/{}", percent_encode(&lower)))?.expect(
        |reply| reply.status == 404,
        format!("status 404: {lower:?} is not the saved name {name:?}"),
        "Short names are case-sensitive, as paths are: look the name up as it came.",
    )?;
    // %FF is a well-formed escape (the module lets it through, where it
    // refuses /100%zz itself), but a lone byte 0xFF is not UTF-8 text.
    follow(session, "/%FF")?.expect_status(
        400,
        "Decode with http_server::percent_decode(...)?: an escape that makes no UTF-8 is an \
         error, and `?` answers it 400 (an unwrap() is a 500; a lossy decode, a lookup).",
    )?;
    Ok(())
}
