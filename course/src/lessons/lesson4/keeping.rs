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

pub(super) fn working_link_is_kept(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/kept");
    let name = new_name("kept");
    let reply = post_bookmark(session, &url, &name)?;
    let reply = about(reply, &format!("URL: {url}, a server that answers 200 OK"));
    save_answer_is_a_redirect(session, &reply)?;
    session.get("/")?.expect(
        |page| listed_once_with(page, &name, &escape_html_text(&url)),
        format!("the page to list the short name {name} once, with its link {url}"),
        "After the 303 the browser GETs /, and the new bookmark should be there: insert it \
         into self.bookmarks() before answering.",
    )?;
    Ok(())
}

/// Expects the answer to a working link's POST to be `303`, `Location: /`.
fn save_answer_is_a_redirect(session: &mut Session, reply: &Reply) -> CheckResult {
    let expected = "status 303 See Other, with the header Location: /";
    let base_url = session.server()?.base_url().to_owned();
    let location = reply.header("location").unwrap_or_default();
    reply
        .expect(
            |reply| reply.status == 303,
            expected,
            save_hint(reply.status),
        )?
        .expect(
            |reply| reply.header("location").is_some(),
            expected,
            "A 303 needs a Location header to say where to go: send_header(\"Location\", \"/\").",
        )?
        .expect(
            |_| location == "/" || location == format!("{base_url}/"),
            format!("Location: / (got Location: {location})"),
            "After saving, the browser goes back to the list, at /.",
        )?;
    Ok(())
}

pub(super) fn cross_site_posts_are_refused(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let url = ok.url("/elsewhere");
    for (header, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "http://evil.example"),
    ] {
        let name = new_name("forged");
        let body = encode_form(&[("longuri", &url), ("shortname", &name)]);
        let form = ("Content-Type", "application/x-www-form-urlencoded");
        let request = Outgoing {
            method: "POST",
            path: "/",
            headers: vec![form, (header, value)],
            body: Some(body.into_bytes()),
        };
        session.send(request)?.expect(
            |reply| reply.status == 403,
            format!("status 403 Forbidden: the browser says ({header}: {value}) that a page of another site sent this form"),
            "Any page on the web can hold a form that posts to your server, and a visitor's \
             browser sends it. The first line of do_post, http_server::refuse_cross_site(request)?, \
             refuses what a browser marks as cross-site: keep it.",
        )?;
        session.get("/")?.expect(
            |page| items_for(&page.body, &name).is_empty(),
            format!("the page without {name}: its POST was refused"),
            "A refused POST changes nothing: refuse_cross_site(request)? comes first in do_post.",
        )?;
    }
    Ok(())
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
    if let Some(problem) = problems(&results).first() {
        return Err(Failure {
            sent: started,
            expected: format!("each of the {FULL} POSTs answered 303 See Other"),
            got: format!("{problem}{}", other.server()?.output_for_report()),
            hint: format!(
                "The store keeps up to {FULL} bookmarks: keep each one with \
                 self.keep(shortname, url.as_str()) (given), which refuses only a new name when \
                 the store already holds that many."
            ),
        });
    }
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
        "One visitor must not be able to fill the server's memory: when the map already holds \
         MAX_BOOKMARKS and the name is new, answer 507 with self.send_problem(...) and a \
         sentence such as \"The server is full: it keeps at most 10,000 bookmarks.\" \
         self.keep(shortname, url.as_str()) (given) tests and inserts under one lock, and gives \
         that sentence as Err(why).",
    )?;
    post_to(&mut other, &started, &ok.url("/moved"), "full-00042")?.expect(
        |reply| reply.status == 303,
        "status 303 See Other: a saved name takes a new link without making the store bigger",
        "A full store refuses new names only: replacing the link of a name it already holds \
         adds nothing (!bookmarks.contains_key(shortname)).",
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
    if listed_once_with(&page, &name, &format!(">{name}<")) {
        return Ok(());
    }
    Err(Failure {
        got: format!("the lines that mention it: {mentions:?}"),
        ..page.fail(
            format!(
                "the page to list the short name {name:?}, without the spaces typed around it, \
                 as a link to /{name}"
            ),
            "Spaces at either end of a field are not part of it (a phone's keyboard adds one \
             after a word): required_field returns value.trim(), so that ' learn ' is saved as \
             learn, and /learn finds it.",
        )
    })
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
        "Keep the link the visitor typed (check_link's Ok(url), the url it parsed from link), \
         not response.url(), where the redirects ended: the owner of the link may move its \
         target again, and the short name should follow the link wherever it leads then.",
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
        200 => format!(
            "That is the page of step b. In TODO(c), answer a link that does not work with the \
             page, 404 and a sentence that names the link and says why: {NOT_SAVED}"
        ),
        303 => "A broken link was accepted: look at `checked` first, and keep the bookmark only \
                if it is Ok(url)."
            .to_owned(),
        400 => format!(
            "The form is fine; the link it names does not work. That is 404 here, as in the \
             Python course, whose clients expect it (400 is for a form that is wrong in \
             itself): {NOT_SAVED}"
        ),
        _ => format!(
            "A link that does not work gets 404 (as in the Python course), with the page saying \
             why: {NOT_SAVED}"
        ),
    };
    reply
        .expect(|reply| reply.status == 404, expected, hint)?
        .expect(
            |reply| {
                let problem = outside_forms(&reply.body);
                problem.contains(&url) && problem.contains("404")
            },
            expected,
            "Say which link and why: format!(\"The link {longuri} is not reachable: {why}.\"). \
             To see it yourself, start lesson 3's names service (PORT=8001 cargo run --bin \
             names_service) and save the link http://localhost:8001/nowhere, which answers 404.",
        )?;
    expect_the_form_again(&reply, expected)?;
    expect_what_was_typed(&reply, &url, &name)?;
    session.get("/")?.expect(
        |page| items_for(&page.body, &name).is_empty(),
        format!("the page without the short name {name}: its link does not work"),
        "The bookmark was kept although its link is broken: insert it only after the check \
         says Ok(url), never before.",
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
    if listed_once_with(&page, &name, &second) && !items[0].contains(&first) {
        return Ok(());
    }
    Err(Failure {
        got: format!("the lines for {name}: {items:?}"),
        ..page.fail(
            format!(
                "after two POSTs with shortname={name} (first longuri={first}, then {second}), \
                 the page to list {name} once, with the second link"
            ),
            "A short name has one link: the second save replaces the first, as the Python \
             course's dictionary does. BTreeMap::insert does just that.",
        )
    })
}

pub(super) fn no_bookmark_lost_under_load(session: &mut Session) -> CheckResult {
    const POSTERS: usize = 20;
    const POSTS: usize = 10;
    let ok = HelperServer::start(WORKS)?;
    let url = format!("{}/", session.server()?.base_url());
    let link = ok.url("/");
    let run = new_name("load");
    let client = session.client().clone();
    let sent = format!(
        "{POSTERS} clients at once, each POSTing {POSTS} bookmarks to / (like curl -d \
         'longuri=...&shortname=...'), all with a link that answers 200 OK"
    );
    let results = at_once(POSTERS, |poster| {
        for post in 0..POSTS {
            let name = format!("{run}-{poster:02}-{post:02}");
            let fields = [("longuri", link.as_str()), ("shortname", name.as_str())];
            post_form_expecting(&client, &url, &fields, 303)?;
        }
        Ok(())
    });
    let problems = problems(&results);
    if let Some(problem) = problems.first() {
        return Err(Failure {
            sent,
            expected: "every POST answered 303 See Other".into(),
            got: format!(
                "{} of {POSTERS} posters had trouble; the first: {problem}",
                problems.len()
            ),
            hint: "The server must answer many visitors at once, every time.".into(),
        });
    }
    let page = session.get("/")?;
    let missing: Vec<String> = (0..POSTERS)
        .flat_map(|poster| (0..POSTS).map(move |post| (poster, post)))
        .map(|(poster, post)| format!("{run}-{poster:02}-{post:02}"))
        .filter(|name| items_for(&page.body, name).len() != 1)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let some: Vec<&str> = missing.iter().take(3).map(String::as_str).collect();
    Err(Failure {
        got: format!(
            "{} missing or repeated, such as {}",
            missing.len(),
            some.join(", ")
        ),
        ..page.fail(
            format!(
                "after {sent}: all {} short names on the page, each once",
                POSTERS * POSTS
            ),
            "Insert each bookmark into the one shared map in a single step, under the lock: \
             self.bookmarks().insert(...). Copying the map, changing the copy and storing it \
             back loses what other threads added in between.",
        )
    })
}
