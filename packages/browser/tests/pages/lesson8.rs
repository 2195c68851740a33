//! Lesson 8, the todo API: lesson 7's front-end, served at `/` by the API,
//! adds, ticks and deletes todos through it; and a page from another
//! origin uses the API with `fetch`, preflights and all.

use anyhow::{Result, ensure};
use browser_tests::{Page, page_case};

const API: &str = "todo_api_sol";

/// Waits until the page has found the API: it ships its form disabled and
/// switches it on once `GET /todos` has answered a JSON list.
fn wait_for_the_form(page: &mut Page) -> Result<()> {
    page.wait_until("the form switched on (GET /todos answered)", |page| {
        Ok(
            page.script("return !document.querySelector('#new-todo input[name=title]').disabled")?
                == true,
        )
    })
}

/// Adds a todo through the page's form, and waits until it is listed.
fn add(page: &mut Page, title: &str) -> Result<()> {
    wait_for_the_form(page)?;
    page.type_into("#new-todo input[name=title]", title)?;
    page.click("#new-todo button[type=submit]")?;
    page.wait_for_text("ul#todo-list", title)
}

/// The `nth-child` number (from 1) of the item that shows `title`.
fn item_of(page: &Page, title: &str) -> Result<usize> {
    let items = page.texts_of("ul#todo-list li")?;
    let index = items.iter().position(|text| text.contains(title));
    index
        .map(|index| index + 1)
        .ok_or_else(|| anyhow::anyhow!("no todo {title:?} in the list: {items:?}"))
}

/// Whether the item that shows `title` is drawn as done.
fn is_completed(page: &Page, title: &str) -> Result<bool> {
    let item = item_of(page, title)?;
    let script = format!(
        "return document.querySelector('ul#todo-list li:nth-child({item})').classList.contains('completed')"
    );
    Ok(page.script(&script)? == true)
}

#[test]
fn todo_api_serves_the_front_end_that_uses_it() {
    page_case("8_todo_api", "front-end", API, |page| {
        page.open("/")?;
        wait_for_the_form(page)?;
        page.wait_for_text("ul#todo-list", "Read lesson 8")?;
        page.wait_for_text("#status", "GET /todos → 200")?;

        // Two new todos; one with characters HTML and JSON must escape.
        let (first, second) = ("Buy milk", "Write <b>tests</b> & \"docs\"");
        add(page, first)?;
        add(page, second)?;

        // Tick the first: a PATCH, and the page draws what the API answers.
        let item = item_of(page, first)?;
        page.click(&format!(
            "ul#todo-list li:nth-child({item}) input[type=checkbox]"
        ))?;
        page.wait_until("the ticked todo drawn as done", |page| {
            is_completed(page, first)
        })?;

        // Delete one of the examples: a DELETE, and the item goes.
        let item = item_of(page, "Build the todo API")?;
        page.click(&format!("ul#todo-list li:nth-child({item}) button.delete"))?;
        page.wait_until("the deleted todo gone from the list", |page| {
            Ok(!page.text_of("ul#todo-list")?.contains("Build the todo API"))
        })?;

        page.wait_for_text("#status", "204")?;

        // Reload: what the page shows now comes from the API alone.
        page.browser.refresh()?;
        wait_for_the_form(page)?;
        page.wait_for_text("ul#todo-list", second)?;
        let shown = page.texts_of("ul#todo-list li")?;
        ensure!(
            shown.len() == 3 && !shown.iter().any(|text| text.contains("Build the todo API")),
            "after a reload the list should hold the first example and the two new todos, \
             not the deleted one: {shown:?}"
        );
        ensure!(
            is_completed(page, first)? && !is_completed(page, second)?,
            "after a reload, {first:?} should be done and {second:?} not: {shown:?}"
        );
        ensure!(
            page.browser.find_all("ul#todo-list b")?.is_empty(),
            "the title's <b> became an element of the page"
        );
        let notice_hidden = page.script("return document.querySelector('#notice').hidden")?;
        ensure!(
            notice_hidden == true,
            "the page says there is no API: {}",
            page.text_of("#notice").unwrap_or_default()
        );
        let log = page.server_log();
        for request in [
            "\"POST /todos HTTP/1.1\" 201",
            "\"PATCH /todos/3 HTTP/1.1\" 200",
            "\"DELETE /todos/2 HTTP/1.1\" 204",
        ] {
            ensure!(
                log.contains(request),
                "the server's log has no {request}:\n{log}"
            );
        }
        page.screenshot_of("main", "8_todo_api-front-end-page")?;
        Ok(())
    });
}

#[test]
fn todo_api_answers_a_page_from_another_origin() {
    page_case("8_todo_api", "cross-origin", API, |page| {
        // The same server under another name is another origin: a page at
        // http://localhost:PORT calls the API at http://127.0.0.1:PORT.
        let api = page.server.base_url().to_owned();
        let page_url = api.replace("127.0.0.1", "localhost");
        ensure!(page_url != api, "the API is not at 127.0.0.1: {api}");
        page.browser.open(&format!("{page_url}/"))?;
        wait_for_the_form(page)?;

        let script = r#"
            window.crossOrigin = null;
            (async () => {
              const steps = [];
              try {
                const json = () => ({ "Content-Type": "application/json" });
                let answer = await fetch("API_URL/todos", {
                  method: "POST",
                  headers: json(),
                  body: JSON.stringify({ title: "from another origin" }),
                });
                const todo = await answer.json();
                steps.push(`POST ${answer.status} ${answer.headers.get("Location") === todo.url}`);
                answer = await fetch(todo.url, {
                  method: "PATCH",
                  headers: json(),
                  body: JSON.stringify({ completed: true }),
                });
                steps.push(`PATCH ${answer.status} ${(await answer.json()).completed}`);
                answer = await fetch(todo.url, { method: "DELETE" });
                steps.push(`DELETE ${answer.status}`);
                answer = await fetch(todo.url);
                steps.push(`GET ${answer.status} ${typeof (await answer.json()).error}`);
              } catch (error) {
                steps.push(`failed: ${error}`);
              }
              window.crossOrigin = steps.join("; ");
            })();
        "#
        .replace("API_URL", &api);
        page.script(&script)?;
        page.wait_until("the page's requests to the API answered", |page| {
            Ok(page.script("return window.crossOrigin !== null")? == true)
        })?;
        // The last GET asks for the deleted todo: a 404, which the browser logs.
        page.expect_console_error(
            "/todos/3 - Failed to load resource: the server responded with a status of 404",
        );
        let steps = page.script("return window.crossOrigin")?;
        let expected = "POST 201 true; PATCH 200 true; DELETE 204; GET 404 string";
        ensure!(
            steps == expected,
            "from a page at {page_url}, the API at {api} answered {steps}, not {expected}"
        );
        // The JSON POST and the PATCH each needed the browser's permission.
        let log = page.server_log();
        ensure!(
            log.contains("\"OPTIONS /todos HTTP/1.1\" 204")
                && log.contains("\"OPTIONS /todos/3 HTTP/1.1\" 204"),
            "the browser sent no preflight OPTIONS for the POST and the PATCH:\n{log}"
        );
        Ok(())
    });
}

/// The title box of the item being edited.
const EDIT_BOX: &str = "ul#todo-list input.edit-title";

#[test]
fn todo_api_front_end_edits_a_title() {
    page_case("8_todo_api", "edit", API, |page| {
        page.open("/")?;
        add(page, "Buy milk")?;
        add(page, "Call the plumber")?;
        // The front-end shows the todos in the order the API lists them
        // (oldest first), the order lesson 9's page has too.
        let titles = page.texts_of("ul#todo-list li .title")?;
        ensure!(
            titles.ends_with(&["Buy milk".to_owned(), "Call the plumber".to_owned()]),
            "the new todos are not last, in the order they were added: {titles:?}"
        );

        // Edit, type, Enter: a PATCH of the title, and the item shows it.
        let item = item_of(page, "Buy milk")?;
        page.click(&format!("ul#todo-list li:nth-child({item}) button.edit"))?;
        page.wait_until("a text box with the old title", |page| {
            Ok(page.script(&format!(
                "const box = document.querySelector('{EDIT_BOX}'); \
                 return box !== null && box.value === 'Buy milk' && document.activeElement === box"
            ))? == true)
        })?;
        page.audit()?;
        page.script(&format!("document.querySelector('{EDIT_BOX}').value = ''"))?;
        page.type_into(EDIT_BOX, "Buy oat milk\u{E007}")?;
        page.wait_until("the new title drawn, the box gone", |page| {
            Ok(page.browser.find_all(EDIT_BOX)?.is_empty()
                && page
                    .texts_of("ul#todo-list li .title")?
                    .contains(&"Buy oat milk".to_owned()))
        })?;
        page.wait_for_text("#status", "200")?;
        let log = page.server_log();
        ensure!(
            log.contains("\"PATCH /todos/3 HTTP/1.1\" 200"),
            "the edit sent no PATCH of /todos/3:\n{log}"
        );
        let focused = page.script("return document.activeElement.className")?;
        ensure!(
            focused == "edit",
            "after saving, keyboard focus should be back on the Edit button, not on {focused}"
        );

        // A double click on a title edits it too; Escape puts it back.
        let item = item_of(page, "Call the plumber")?;
        page.script(&format!(
            "document.querySelector('ul#todo-list li:nth-child({item}) .title')\
             .dispatchEvent(new MouseEvent('dblclick', {{ bubbles: true }}))"
        ))?;
        page.wait_until("a text box after the double click", |page| {
            Ok(!page.browser.find_all(EDIT_BOX)?.is_empty())
        })?;
        page.type_into(EDIT_BOX, " tomorrow\u{E00C}")?;
        page.wait_until("the box gone after Escape", |page| {
            Ok(page.browser.find_all(EDIT_BOX)?.is_empty())
        })?;
        let patches = page.server_log().matches("\"PATCH /").count();
        ensure!(
            patches == 1,
            "Escape must send nothing, but the log shows {patches} PATCHes"
        );

        // Reload: the new title is the API's, the cancelled edit is not.
        page.browser.refresh()?;
        wait_for_the_form(page)?;
        page.wait_for_text("ul#todo-list", "Buy oat milk")?;
        let titles = page.texts_of("ul#todo-list li .title")?;
        ensure!(
            titles.ends_with(&["Buy oat milk".to_owned(), "Call the plumber".to_owned()]),
            "after a reload the titles should be the edited one and the unchanged one: {titles:?}"
        );
        Ok(())
    });
}
