//! Step c: forms that add, toggle and delete, with Post/Redirect/Get.

use super::*;
use crate::kit::cross_site::{ANOTHER_ORIGIN, ANOTHER_SITE, cross_site_request};
use crate::kit::crowd::{at_once, expect_crowd_ok, post_form_expecting};
use crate::kit::html::{PageForm, form_posting_to, unescape_html};
use crate::session::encode_form;

pub(super) fn page_has_the_forms(session: &mut Session) -> CheckResult {
    database(session)?;
    let id = create_id(session, &format!("Form me {}", marker()))?;
    let page = get_page(session)?;
    let add = form_posting_to(&page.body, "/");
    let title = add.as_ref().and_then(|add| add.field("title"));
    let typed_in = title.is_some_and(|field| field.tag == "input" || field.tag == "textarea");
    page.expect_on_page(
        |_| add.is_some(),
        &["<form", THE_LIST[0]],
        "<form method=\"post\" action=\"/\"> with an <input name=\"title\">",
        "Write the add_form macro in FORMS_TEMPLATE: a form that POSTs title=... to /.",
    )?
    .expect_on_page(
        |_| typed_in && add.as_ref().is_some_and(PageForm::has_submit),
        &["<form", THE_LIST[0]],
        "inside the add form: <input name=\"title\"> and a <button type=\"submit\">",
        "The field's name is what the text travels under: name=\"title\" makes title=... .",
    )?;
    for action in ["toggle", "delete"] {
        let path = format!("/{action}/{id}");
        let form = form_posting_to(&page.body, &path);
        let around = [path.as_str(), &format!("{id}\""), THE_LIST[0]];
        page.expect_on_page(
            |_| form.is_some(),
            &around,
            format!("<form method=\"post\" action=\"{path}\"> for the todo {id}"),
            "Write the toggle_form and delete_form macros: each a form that POSTs to \
             /toggle/{{ todo.id }} (or /delete/...), with a button.",
        )?
        .expect_on_page(
            |_| form.as_ref().is_some_and(PageForm::has_submit),
            &around,
            format!("a submit button inside <form method=\"post\" action=\"{path}\">"),
            "Without a <button type=\"submit\"> there is nothing to press.",
        )?;
    }
    Ok(())
}

pub(super) fn add_form_redirects(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let title = format!("Water the plants {run}");
    // Typed with spaces around it, as people do: stored trimmed.
    let typed = format!("  {title}   ");
    let hint = "In add_from_form: take form.get(\"title\"), store it with \
                self.store.add(title, false, None)?, then answer 303 See Other to /.";
    let reply = session.post_form("/", &[("title", &typed)])?;
    reply.expect_see_other(&run, hint)?;
    get_page(session)?.expect_on_page(
        |page| list_item_showing(&page.body, &title).is_some(),
        &[&run, THE_LIST[0], THE_LIST[1]],
        format!("after the 303, the list to show {title:?}"),
        "add_from_form should store the title with self.store.add before it redirects.",
    )?;
    // The todos of the list titled `title`.
    let titled = |todos: &Value, title: &str| -> Vec<Value> {
        let todos = todos.as_array().into_iter().flatten();
        todos
            .filter(|todo| todo["title"] == title)
            .cloned()
            .collect()
    };
    api(session, "GET", "/todos", None)?
        .expect_json_that(
            |todos| titled(todos, &typed).is_empty(),
            format!("GET /todos to have the todo {title:?}, trimmed (the form sent {typed:?})"),
            "Store the title trimmed: let title = typed.trim(); then self.store.add(title, false, \
             None)?, not typed. Spaces around a title are not part of it (and the empty test \
             and the limit look at the trimmed title too).",
        )?
        .expect_json_that(
            |todos| {
                titled(todos, &title)
                    .iter()
                    .any(|todo| todo["completed"] == false)
            },
            format!("GET /todos to have the todo {title:?}, not completed"),
            "The page and the API share one store: add the todo with self.store.add.",
        )?;
    Ok(())
}

pub(super) fn toggle_and_delete_redirect(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let id = create_id(session, &format!("Toggle me {run}"))?;
    let path = format!("/todos/{id}");
    for expected in [true, false] {
        let reply = session.post_form(&format!("/toggle/{id}"), &[])?;
        let hint =
            "In toggle_from_form: self.store.toggle(id)?, then 303 See Other with Location: /.";
        reply.expect_see_other(&run, hint)?;
        let now = todo_at(session, &path)?;
        reply.expect(
            |_| now["completed"] == expected,
            format!("after the POST, GET {path} to say \"completed\": {expected}"),
            "Toggling flips completed each time: SET completed = NOT completed WHERE id = ?1.",
        )?;
    }
    let reply = session.post_form(&format!("/delete/{id}"), &[])?;
    let hint = "In delete_from_form: self.store.delete(id)?, then 303 See Other with Location: /.";
    reply.expect_see_other(&run, hint)?;
    let now = todo_at(session, &path)?;
    reply.expect(
        |_| now.is_null(),
        format!("after the POST, GET {path} to answer 404: the todo is gone"),
        "delete_from_form should call self.store.delete(id).",
    )?;
    Ok(())
}

/// Many clicks at once on the same todos, an even number on each: every
/// todo must end as it began. A toggle that reads the todo and then writes
/// it (two statements, the lock taken twice) lets two clicks read the same
/// state, and one of them is lost. Timing cannot force that interleaving,
/// so a crowd makes it all but certain: with the read-then-write toggle of
/// the lesson's catalog, this check failed 50 runs out of 50.
pub(super) fn no_click_lost(session: &mut Session) -> CheckResult {
    // A todo whose lost clicks happen to be even ends right, so one todo
    // would pass half the time; twelve all pass about once in 4,000.
    const TODOS: usize = 12;
    const CLIENTS: usize = 16;
    const ROUNDS: usize = 4;
    database(session)?;
    let run = marker();
    let mut ids = Vec::new();
    for number in 0..TODOS {
        ids.push(create_id(session, &format!("Click me {number} {run}"))?);
    }
    let base = session.server()?.base_url().to_owned();
    let client = session.client().clone();
    // Every client clicks the todos in the same order, ROUNDS times over,
    // so that the clicks on each todo come from many clients at once.
    let results = at_once(CLIENTS, |_| {
        for click in 0..TODOS * ROUNDS {
            let id = ids[click % TODOS];
            post_form_expecting(&client, &format!("{base}/toggle/{id}"), &[], 303)?;
        }
        Ok(())
    });
    let clicks = CLIENTS * ROUNDS;
    let sent = format!(
        "{CLIENTS} clients at once, each clicking Done/Undo {ROUNDS} times on each of {TODOS} \
         todos (like curl -X POST http://localhost:8000/toggle/{}): {clicks} clicks per todo",
        ids[0]
    );
    expect_crowd_ok(
        results,
        &sent,
        "every POST answered 303 See Other",
        "Each click is one POST /toggle/<id>: toggle the todo, then redirect.",
    )?;
    for id in ids {
        api(session, "GET", &format!("/todos/{id}"), None)?.expect_json_that(
            |todo| todo["completed"] == false,
            format!(
                "after {sent}: \"completed\": false, as it began ({clicks} clicks, an even \
                 number, leave a todo as it was; one was lost)"
            ),
            "Two clicks at the same moment both read the todo before either writes it, and \
             write the same value: one click is lost. That happens when toggle reads the todo, \
             then writes completed = !completed, locking the connection twice. Do it in one \
             statement, which SQLite runs whole: UPDATE todos SET completed = NOT completed \
             WHERE id = ?1.",
        )?;
    }
    Ok(())
}

pub(super) fn bad_forms_are_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let normal = get_page(session)?;
    let normal_lines: Vec<&str> = normal.body.lines().collect();
    // A message: a line of text the normal page does not have.
    let has_message = |page: &Reply| {
        page.body.lines().any(|line| {
            !line.trim().is_empty()
                && !normal_lines.contains(&line)
                && !text_of_html(line).trim().is_empty()
        })
    };
    let expected = "400 Bad Request, and the page again: the add form and a message";
    for title in ["", "   "] {
        session
            .post_form("/", &[("title", title)])?
            .expect(
                |reply| reply.status != 501,
                expected,
                "Write add_from_form (step c).",
            )?
            .expect(
                |reply| reply.status == 400,
                expected,
                "A todo needs a title: when form.get(\"title\") is missing or blank (trim it), \
                 do not store anything; answer self.send_list(response, 400, Some(\"...\")).",
            )?
            .expect_on_page(
                |page| {
                    page.media_type().as_deref() == Some("text/html")
                        && form_posting_to(&page.body, "/").is_some()
                        && has_message(page)
                },
                &[],
                expected,
                "Answer with the list page, so that the visitor can try again, and a message: \
                 self.send_list(response, 400, Some(\"A todo needs a title.\"), typed).",
            )?;
    }
    let unknown = [
        "/toggle/999999999",
        "/delete/999999999",
        "/toggle/not-a-number",
    ];
    for path in unknown {
        session.post_form(path, &[])?.expect(
            |reply| reply.status == 404,
            "404 Not Found: there is no such todo",
            "self.store.toggle(id)? (and delete) is false when no row has this id: answer \
             return Err(HttpError::new(404, \"...\").into()).",
        )?;
    }
    // A todo that exists, named in other spellings of its id: 404, and
    // the todo as it was.
    let id = create_id(session, &format!("Spelled one way {}", marker()))?;
    let path = format!("/todos/{id}");
    let odd_spellings = [
        format!("/toggle/+{id}"),
        format!("/delete/0{id}"),
        format!("/toggle/{id}/"),
    ];
    for odd in odd_spellings {
        let reply = session.post_form(&odd, &[])?;
        let now = todo_at(session, &path)?;
        reply.expect(
            |reply| reply.status == 404 && now["completed"] == false,
            format!("404 Not Found, and todo {id} unchanged: its id is written {id}"),
            "do_post reads the id with id_after, which takes only the plain decimal form \
             (id_from, given): str::parse would also read +7 and 07 as 7. Keep them as given.",
        )?;
    }
    Ok(())
}

pub(super) fn long_titles_are_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    // 501 characters, with what must be escaped in an attribute.
    let too_long = title_of_length(&format!("Say \"<hi>\" & 'bye' {run} "), 501);
    let expected = "400 Bad Request, and the page again: a message that names the limit (\"500 \
                    characters\"), and the add form with the title as typed in its field";
    let hint = "In add_from_form, title_too_long(title) (given) is Some(sentence) when the title \
                is over 500 characters: answer self.send_list(response, 400, Some(&sentence), \
                typed), and in add_form put it back: <input name=\"title\" ... value=\"{{ typed \
                }}\"> (escaped for you, quotes included).";
    let put_back = |page: &Reply| {
        form_posting_to(&page.body, "/")
            .and_then(|form| form.field("title").cloned())
            .is_some_and(|field| unescape_html(&field.value) == too_long)
    };
    session
        .post_form("/", &[("title", &too_long)])?
        .expect(|reply| reply.status == 400, expected, hint)?
        // "500 characters": other todos' random markers can hold a bare 500.
        .expect_on_page(
            |page| put_back(page) && text_of_html(&page.body).contains("500 character"),
            &["<form", "500"],
            expected,
            hint,
        )?;
    if list_item_showing(&get_page(session)?.body, &run).is_some() {
        return Err(Failure::plain(
            "a title of 501 characters was refused with 400, but it is on the list",
            "Do not store a title that is too long: return before self.store.add.",
        ));
    }
    // 500 characters of two bytes each are within the limit.
    let longest = title_of_length(&format!("é {run} "), 500);
    let hint = "A title of 500 characters is within the limit: it counts characters \
                (chars().count(), as title_too_long does), not bytes (len()).";
    let reply = session.post_form("/", &[("title", &longest)])?;
    reply.expect_see_other(&run, hint)?;
    // 500 characters with spaces around them: the limit is on the title
    // as stored, trimmed.
    let longest = title_of_length(&format!("Trim me {run} "), 500);
    let hint = "The title, trimmed, has at most 500 characters: it is within the limit. Test the \
                trimmed title, title_too_long(title) with title = typed.trim(), not typed: the \
                spaces around it are not kept, so they do not count.";
    let reply = session.post_form("/", &[("title", &format!("   {}   ", longest.trim()))])?;
    reply.expect_see_other(&run, hint)?;
    Ok(())
}

pub(super) fn cross_site_changes_are_refused(session: &mut Session) -> CheckResult {
    database(session)?;
    let run = marker();
    let id = create_id(session, &format!("Mine, not theirs {run}"))?;
    let path = format!("/todos/{id}");
    let (toggle, delete) = (format!("/toggle/{id}"), format!("/delete/{id}"));
    let (origin, fetch) = (ANOTHER_ORIGIN, ANOTHER_SITE);
    let (form, json_type) = ("application/x-www-form-urlencoded", "application/json");
    let title = format!("Planted {run}");
    let planted_form = encode_form(&[("title", &title)]);
    let planted_json = json!({ "title": title }).to_string();
    let completed = json!({ "completed": true }).to_string();
    let attempts = [
        cross_site_request("POST", &delete, origin, None),
        cross_site_request("POST", &toggle, fetch, None),
        cross_site_request("POST", "/", origin, Some((form, &planted_form))),
        cross_site_request("PATCH", &path, origin, Some((json_type, &completed))),
        cross_site_request("POST", "/todos", fetch, Some((json_type, &planted_json))),
        cross_site_request("DELETE", "/todos", fetch, None),
    ];
    for attempt in attempts {
        let reply = session.send(attempt)?;
        let unchanged = todo_at(session, &path)?["completed"] == false;
        let planted = api(session, "GET", "/todos", None)?.body.contains(&title);
        reply.expect(
            |reply| reply.status == 403 && unchanged && !planted,
            format!(
                "403 Forbidden, and nothing changed: todo {id} still there, not completed, and \
                 no todo {title:?}"
            ),
            "Any page on the web can make a visitor's browser send a form (or a fetch) here; \
             the browser says so with Sec-Fetch-Site, or an Origin that is not this server. \
             main.rs serves CrossSiteGuard(app), which refuses such a POST, PATCH, PUT or \
             DELETE with 403 before the app sees it: keep it as given.",
        )?;
    }
    // The server's own page is let through: its Origin is the server.
    let base = session.server()?.base_url().to_owned();
    let hint = "A form on the server's own page sends Origin: the server's own address; \
                that one must be served (303), not refused.";
    let reply = session.send(cross_site_request("POST", &toggle, ("Origin", &base), None))?;
    reply.expect_see_other(&run, hint)?;
    Ok(())
}
