//! Lesson 9, the todo app: the list made on the server works with
//! JavaScript turned off (add, toggle, delete through plain forms), and
//! lesson 7's front-end at `/app/` works on the same todos with it on.
//!
//! Each case starts the solution with `TODO_DB` naming a file of its own,
//! in a fresh folder under `target/`, where the server also runs: never the
//! working folder's `todo.sqlite3`.

use std::path::PathBuf;

use anyhow::{Result, ensure};
use browser_tests::audit;
use browser_tests::page::screenshot_folder;
use browser_tests::{Page, Setup, page_case_with};
use course::process::Launch;

const LESSON: &str = "9_todo_app";
const APP: &str = "todo_app_sol";

/// A setup with a fresh, empty folder for the case's database.
fn setup(case: &str, javascript: bool) -> Setup {
    let folder: PathBuf = screenshot_folder()
        .with_file_name("browser-tmp")
        .join(format!("{LESSON}-{case}"));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("a folder under target/ can be made");
    let database = folder.join("todo.sqlite3");
    Setup {
        launch: Launch::default()
            .env("TODO_DB", database.display().to_string())
            .in_dir(folder),
        javascript,
        ..Setup::default()
    }
}

/// How many POSTs the server's log shows so far.
fn posts_logged(page: &Page) -> usize {
    page.server_log().matches("\"POST /").count()
}

/// Types `title` into the add form and presses its button, then waits for
/// the list to show it (after the 303, the browser is back at `/`).
fn add(page: &mut Page, title: &str, shown_as: &str) -> Result<()> {
    page.type_into("form.add input[name=title]", title)?;
    page.click("form.add button[type=submit]")?;
    page.wait_for_path("/")?;
    page.wait_for_text("ul.todos", shown_as)
}

#[test]
fn todo_app_works_with_javascript_turned_off() {
    page_case_with(
        LESSON,
        "no-script",
        APP,
        &setup("no-script", false),
        |page| {
            // First, proof that scripts are off: lesson 7's page says it needs them.
            page.open("/app/")?;
            page.wait_for_text("body", "This page needs JavaScript")?;

            page.open("/")?;
            page.wait_until("the title Todo List", |page| {
                Ok(page.browser.title()? == "Todo List")
            })?;
            let label = page.text_of("label[for=new-title]")?;
            ensure!(!label.trim().is_empty(), "the new-todo field has no label");
            page.wait_for_text("ul.todos", "Nothing to do")?;

            add(page, "Water the plants", "Water the plants")?;
            add(page, "Write the lesson's last check", "last check")?;
            let script = "<script>document.body.innerHTML = 'hacked'</script> <b>bold?</b>";
            add(page, script, "<b>bold?</b>")?;
            ensure!(
                page.texts_of("ul.todos li .title")?
                    .contains(&script.to_owned()),
                "the <script> title is not shown as typed: {:?}",
                page.texts_of("ul.todos li .title")?
            );
            ensure!(
                page.find("ul.todos b").is_err(),
                "a title's <b> became a real element"
            );

            // Done: the first todo's form posts to /toggle/<id>.
            page.click("ul.todos li:first-child form[action^='/toggle/'] button")?;
            page.wait_for_path("/")?;
            page.wait_until("the first todo to be completed", |page| {
                Ok(page.text_of("ul.todos li.completed .title")? == "Water the plants")
            })?;
            // Every button names its todo for a screen reader, and the tick
            // box says whether it is ticked.
            let buttons = page.script(
                "return [...document.querySelectorAll('ul.todos li:first-child button')]\
                 .map((button) => [button.getAttribute('aria-label'), \
                 button.getAttribute('aria-pressed')])",
            )?;
            ensure!(
                buttons
                    == serde_json::json!([
                        ["Done: “Water the plants”", "true"],
                        ["Delete “Water the plants”", null]
                    ]),
                "the first todo's buttons should be named after it: {buttons}"
            );
            // The page is in a <main> landmark; Delete is not the blue
            // button that Add is (it cannot be undone).
            ensure!(
                page.find("main ul.todos").is_ok(),
                "the list is not in <main>"
            );
            let colours = page.script(
                "const style = (selector) => getComputedStyle(document.querySelector(selector)); \
                 return [style('form.add button').backgroundColor, \
                 style('ul.todos button.delete').backgroundColor]",
            )?;
            ensure!(
                colours[0] != colours[1],
                "Delete is styled as the primary button, like Add: {colours}"
            );
            page.screenshot_of("body", "9_todo_app-list-page")?;

            // On a phone, the buttons leave the title most of the line,
            // and it wraps between words, never inside one.
            audit::emulate_phone(&page.browser)?;
            page.wait_until("the browser to emulate a phone", |page| {
                Ok(page.script("return window.innerWidth")? == audit::PHONE.0)
            })?;
            let room = page.script(
                "const title = document.querySelector('ul.todos li:nth-child(2) .title'); \
                 return [title.getBoundingClientRect().width, \
                 getComputedStyle(title).overflowWrap]",
            )?;
            ensure!(
                room[0].as_f64().unwrap_or_default() >= 200.0 && room[1] == "break-word",
                "on a phone the title gets {} px and overflow-wrap {} (200 px and break-word \
                 expected: the buttons leave it room, and words stay whole)",
                room[0],
                room[1]
            );
            page.screenshot("9_todo_app-list-phone")?;
            audit::stop_emulating(&page.browser)?;

            // Delete: the second one goes.
            page.click("ul.todos li:nth-child(2) form[action^='/delete/'] button")?;
            page.wait_for_path("/")?;
            page.wait_until("the second todo to be gone", |page| {
                Ok(!page.text_of("ul.todos")?.contains("last check"))
            })?;
            ensure!(
                page.texts_of("ul.todos li")?.len() == 2,
                "two todos should be left: {:?}",
                page.texts_of("ul.todos li")?
            );

            // Post/Redirect/Get: a reload asks for the list, it posts nothing.
            let posts = posts_logged(page);
            ensure!(posts == 5, "5 forms sent, but the log shows {posts} POSTs");
            page.browser.refresh()?;
            page.wait_for_text("ul.todos", "Water the plants")?;
            ensure!(
                posts_logged(page) == posts,
                "the reload posted again: {} POSTs",
                posts_logged(page)
            );
            Ok(())
        },
    );
}

/// The computed styles that make the design, of the elements both todo
/// pages have: the card, the add button, a todo's tick box, its title and
/// its Delete button, the title of a done todo.
const DESIGN: &str = "
    const style = (selector) => {
      const element = document.querySelector(selector);
      if (element === null) return `no ${selector}`;
      const css = getComputedStyle(element);
      return [css.backgroundColor, css.color, css.borderTopColor, css.borderTopWidth,
              css.borderRadius, css.width, css.maxWidth, css.fontSize, css.paddingTop]
        .join(' ');
    };
    return [
      style('body'), style('main'), style('form.add button[type=submit]'),
      style('ul.todos li:not(.completed) .toggle'), style('ul.todos li.completed .toggle'),
      style('ul.todos li:not(.completed) .title').replace(/ \\S+px \\S+ \\S+px \\S+$/, ''),
      style('ul.todos li.completed .title').replace(/ \\S+px \\S+ \\S+px \\S+$/, ''),
      style('ul.todos button.delete').replace(/ \\S+px \\S+ \\S+px \\S+$/, ''),
    ];";

/// The titles the page lists, in its order.
fn titles(page: &Page) -> Result<Vec<String>> {
    page.texts_of("ul.todos li .title")
}

#[test]
fn lesson_7_front_end_shows_the_same_todos() {
    page_case_with(
        LESSON,
        "front-end",
        APP,
        &setup("front-end", true),
        |page| {
            // A todo added on the server-made page...
            page.open("/")?;
            add(page, "Made without JavaScript", "Made without JavaScript")?;
            // ...is in lesson 7's front-end, which reads the JSON API.
            page.open("/app/")?;
            page.wait_for_text("#todo-list", "Made without JavaScript")?;
            // And one added there is on the server-made page.
            page.wait_until("the front-end's form to be on", |page| {
                Ok(page.script("return !document.getElementById('new-title').disabled")? == true)
            })?;
            page.type_into("#new-title", "Made with JavaScript")?;
            page.click("#new-todo button[type=submit]")?;
            page.wait_for_text("#todo-list", "Made with JavaScript")?;
            page.audit()?;
            page.open("/")?;
            page.wait_for_text("ul.todos", "Made with JavaScript")?;

            // One list, one order: oldest first on both pages, whichever
            // page added the todo (a todo from the form has no "order").
            add(page, "Made without JavaScript again", "again")?;
            page.click("ul.todos li:first-child form[action^='/toggle/'] button")?;
            page.wait_for_path("/")?;
            page.wait_for_text("ul.todos li.completed", "Made without JavaScript")?;
            let expected = [
                "Made without JavaScript",
                "Made with JavaScript",
                "Made without JavaScript again",
            ];
            ensure!(
                titles(page)? == expected,
                "the server's page lists {:?}, not oldest first",
                titles(page)?
            );
            let server_design = page.script(DESIGN)?;
            page.open("/app/")?;
            page.wait_for_text("#todo-list", "again")?;
            ensure!(
                titles(page)? == expected,
                "the front-end lists {:?}, the server's page {expected:?}: one list, two orders",
                titles(page)?
            );

            // One design: the same colours, sizes and controls on both.
            let front_end_design = page.script(DESIGN)?;
            ensure!(
                front_end_design == server_design,
                "the two pages look different:\n  /      {server_design}\n  /app/  {front_end_design}"
            );

            // Its icon is served (no 404 in the console, which the audit
            // checks), and its footer says what is true here.
            page.wait_until("the front-end's icon fetched", |page| {
                Ok(page
                    .server_log()
                    .contains("\"GET /app/favicon.ico HTTP/1.1\" 200"))
            })?;
            let footer = page.text_of("body > footer")?;
            ensure!(
                footer.contains("lesson 9 at /app/") && !footer.contains("lesson 8's todo_api"),
                "the front-end's footer does not say how lesson 9 serves it: {footer:?}"
            );
            Ok(())
        },
    );
}
