//! Step c: working links kept, broken ones refused with 404, and 303 to the list.

use super::*;

/// The list items of the page that link to `/name`.
fn items_for(page: &str, name: &str) -> Vec<String> {
    let link = format!("href=\"/{name}\"");
    list_items(page)
        .into_iter()
        .filter(|item| item.contains(&link))
        .collect()
}

/// Whether the page lists the short name `name` once, with `text` in its item.
fn listed_once_with(page: &Reply, name: &str, text: &str) -> bool {
    matches!(&items_for(&page.body, name)[..], [item] if item.contains(text))
}

/// Expects the answer to a working link's POST to be `303`, `Location: /`.
fn save_answer_is_a_redirect(session: &mut Session, reply: &Reply) -> CheckResult {
    let base_url = session.server()?.base_url().to_owned();
    let location = reply.header("location").unwrap_or_default();
    reply
        .expect_status(303, save_hint(reply.status))?
        .expect(
            |reply| reply.header("location").is_some(),
            "status 303 See Other, with the header Location: /",
            "A 303 needs a Location header to say where to go: send_header(\"Location\", \"/\").",
        )?
        .expect(
            |_| location == "/" || location == format!("{base_url}/"),
            format!("Location: / (got Location: {location})"),
            "After saving, the browser goes back to the list, at /.",
        )?;
    Ok(())
}

pub(super) fn working_link_is_kept(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let (url, name) = (ok.url("/kept"), new_name("kept"));
    let reply = post_working(session, &url, &name)?;
    save_answer_is_a_redirect(session, &reply)?;
    session.get("/")?.expect(
        |page| listed_once_with(page, &name, &escape_html_text(&url)),
        format!("the page to list the short name {name} once, with its link {url}"),
        "After the 303 the browser GETs /, where the new bookmark should be: insert it into \
         self.bookmarks() before answering.",
    )?;
    Ok(())
}

pub(super) fn cross_site_posts_are_refused(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/elsewhere");
    expect_cross_site_posts_refused(
        session,
        || vec![("longuri", url.clone()), ("shortname", new_name("forged"))],
        "Any page on the web can hold a form that posts to your server: keep the first line of \
         do_post, http_server::refuse_cross_site(request)?, which refuses such a POST.",
        |session, _, fields| {
            let name = &fields[1].1;
            session.get("/")?.expect(
                |page| items_for(&page.body, name).is_empty(),
                format!("the page without {name}: its POST was refused"),
                "A refused POST changes nothing: refuse_cross_site(request)? comes first in do_post.",
            )?;
            Ok(())
        },
    )
}

pub(super) fn full_store_is_refused(session: &mut Session) -> CheckResult {
    const FULL: usize = 10_000;
    const POSTERS: usize = 8;
    let ok = HelperServer::start(WORKS)?;
    let link = ok.url("/");
    let name = session.binary_name();
    // A server of its own: the other checks' server must keep room.
    let mut other = another_server(session, Launch::default());
    let url = format!("{}/", other.server()?.base_url());
    let client = other.client().clone();
    let started = format!(
        "cargo run --bin {name}, then {FULL} POSTs of a working link under {FULL} short names \
         (full-00000 ...), {POSTERS} clients at once"
    );
    let results = at_once(POSTERS, |poster| {
        for n in (poster..FULL).step_by(POSTERS) {
            let name = format!("full-{n:05}");
            let fields = [("longuri", link.as_str()), ("shortname", name.as_str())];
            post_form_expecting(&client, &url, &fields, 303)
                .map_err(|problem| format!("{name}: {problem}"))?;
        }
        Ok(())
    });
    expect_crowd_ok(
        results,
        "",
        &format!("each of the {FULL} POSTs answered 303 See Other"),
        "The store keeps up to 10,000 bookmarks: self.keep(shortname, url.as_str()) (given) \
         refuses only a new name when it holds that many.",
    )
    .map_err(|failure| on_fresh_session(&mut other, &started, failure))?;
    post_to(&mut other, &started, &link, &new_name("one-too-many"))?.expect(
        |reply| {
            reply.status == 507
                && body_text(&reply.body).contains("10,000")
                && bookmark_form(&reply.body).is_some_and(|form| {
                    form.field("longuri")
                        .is_some_and(|field| field.shown_value() == link)
                })
        },
        "status 507 Insufficient Storage, a sentence that names the limit (10,000), and the form \
         again with what was typed",
        "One visitor must not fill the server's memory: a new name when the map holds \
         MAX_BOOKMARKS gets 507, send_problem with self.keep's Err(why) (it tests and inserts \
         under one lock).",
    )?;
    post_to(&mut other, &started, &ok.url("/moved"), "full-00042")?.expect_status(
        303,
        "A full store refuses new names only: a saved name's new link makes it no bigger \
         (!bookmarks.contains_key(shortname)).",
    )?;
    Ok(())
}

pub(super) fn fields_are_kept_trimmed(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/spaced");
    let name = new_name("spaced");
    let reply = post_bookmark(session, &format!("  {url} "), &format!("  {name} "))?;
    let link = format!("URL: {url}, a server that answers 200 OK, typed with spaces around it");
    save_answer_is_a_redirect(session, &about(reply, &link))?;
    let page = session.get("/")?;
    let mentions: Vec<String> = list_items(&page.body)
        .into_iter()
        .filter(|item| item.contains(&name))
        .collect();
    page.expect_noting(
        |page| listed_once_with(page, &name, &format!(">{name}<")),
        format!("the lines that mention it: {mentions:?}"),
        format!(
            "the page to list the short name {name:?}, without the spaces around it, as /{name}"
        ),
        "Spaces at either end are not part of a field (a phone's keyboard adds one): \
         required_field returns value.trim(), so that ' learn ' is saved as learn.",
    )?;
    Ok(())
}

pub(super) fn link_is_kept_as_typed(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let moved = redirect_to(ok.url("/new-home"))?;
    let typed = moved.url("/old-home");
    let name = new_name("moved");
    let reply = post_bookmark(session, &typed, &name)?;
    let link = format!(
        "URL: {typed}, a server that answers 303 See Other, Location: {}, which answers 200 OK",
        ok.url("/new-home")
    );
    save_answer_is_a_redirect(session, &about(reply, &link))?;
    session.get("/")?.expect(
        |page| listed_once_with(page, &name, &escape_html_text(&typed)),
        format!("the page to list {name} with the link as typed, {typed}"),
        "Keep the link as typed (check_link's Ok(url)), not response.url(), where the redirects \
         ended: its owner may move the target again, and the short name should follow.",
    )?;
    Ok(())
}

/// The sentence of step c for a broken link, as the solution says it.
const NOT_SAVED: &str = "let why = format!(\"The link {longuri} is not reachable: {why}.\"); \
     return self.send_problem(response, 404, \"Not saved\", &why, (longuri, shortname));";

pub(super) fn broken_link_is_not_kept(session: &mut Session) -> CheckResult {
    let missing = HelperServer::start(Answer::NotFound)?;
    let url = missing.url("/gone");
    let name = new_name("broken");
    let reply = post_bookmark(session, &url, &name)?;
    let reply = about(
        reply,
        &format!("URL: {url}, a server that answers 404 Not Found"),
    );
    let expected = "status 404 Not Found, with a page that names the link and says why";
    let hint = match reply.status {
        200 => format!("That is step b's page. In TODO(c), a broken link gets 404: {NOT_SAVED}"),
        303 => "A broken link was kept: keep the bookmark only if `checked` is Ok(url).".into(),
        400 => format!("The form is fine; its link does not work: that is 404, {NOT_SAVED}"),
        _ => format!("A link that does not work gets 404, the page saying why: {NOT_SAVED}"),
    };
    reply.expect_status(404, &hint)?.expect(
        |reply| {
            let problem = outside_forms(&reply.body);
            problem.contains(&url) && problem.contains("404")
        },
        expected,
        "Say which link and why: format!(\"The link {longuri} is not reachable: {why}.\"). \
             Lesson 3's names service (PORT=8001) answers 404 at http://localhost:8001/nowhere.",
    )?;
    expect_the_form_again(&reply, expected)?;
    expect_what_was_typed(&reply, &url, &name)?;
    session.get("/")?.expect(
        |page| items_for(&page.body, &name).is_empty(),
        format!("the page without the short name {name}: its link does not work"),
        "The bookmark of a broken link was kept: insert it only once the check says Ok(url).",
    )?;
    Ok(())
}

pub(super) fn short_name_is_replaced(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let name = new_name("again");
    let (first, second) = (ok.url("/first"), ok.url("/second"));
    save(session, &first, &name)?;
    save(session, &second, &name)?;
    let page = session.get("/")?;
    let items = items_for(&page.body, &name);
    page.expect_noting(
        |page| listed_once_with(page, &name, &second) && !items[0].contains(&first),
        format!("the lines for {name}: {items:?}"),
        format!(
            "after two POSTs with shortname={name} (first longuri={first}, then {second}), the \
             page to list {name} once, with the second link"
        ),
        "A short name has one link: the second save replaces the first, as BTreeMap::insert \
         (and the Python course's dictionary) does.",
    )?;
    Ok(())
}

pub(super) fn no_bookmark_lost_under_load(session: &mut Session) -> CheckResult {
    const POSTERS: usize = 20;
    const POSTS: usize = 10;
    let ok = HelperServer::start(WORKS)?;
    let url = format!("{}/", session.server()?.base_url());
    let link = ok.url("/");
    let run = new_name("load");
    let run = run.as_str();
    let client = session.client().clone();
    let sent = format!(
        "{POSTERS} clients at once, each POSTing {POSTS} bookmarks to / (like curl -d \
         'longuri=...&shortname=...'), all with a link that answers 200 OK"
    );
    let names = |poster| (0..POSTS).map(move |post| format!("{run}-{poster:02}-{post:02}"));
    let results = at_once(POSTERS, |poster| {
        for name in names(poster) {
            let fields = [("longuri", link.as_str()), ("shortname", name.as_str())];
            post_form_expecting(&client, &url, &fields, 303)?;
        }
        Ok(())
    });
    expect_crowd_ok(
        results,
        &sent,
        "every POST answered 303 See Other",
        "The server must answer many visitors at once, every time.",
    )?;
    let page = session.get("/")?;
    let missing: Vec<String> = (0..POSTERS)
        .flat_map(names)
        .filter(|name| items_for(&page.body, name).len() != 1)
        .collect();
    page.expect_noting(
        |_| missing.is_empty(),
        format!(
            "{} missing or repeated, such as {:?}",
            missing.len(),
            &missing[..missing.len().min(3)]
        ),
        format!(
            "after {sent}: all {} short names on the page, each once",
            POSTERS * POSTS
        ),
        "Insert each bookmark into the one shared map in one step, under the lock: \
         self.bookmarks().insert(...). A copy changed and stored back loses other threads' saves.",
    )?;
    Ok(())
}
