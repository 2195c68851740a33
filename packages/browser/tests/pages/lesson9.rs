//! Lesson 9, the todo app: the list made on the server works with
//! JavaScript turned off (add, toggle, delete through plain forms), and
//! lesson 7's front-end at `/app/` works on the same todos with it on.
//!
//! Each case starts the solution with `TODO_DB` naming a file of its own,
//! in a fresh folder under `target/`, where the server also runs: never the
//! working folder's `todo.sqlite3`.

use std::path::PathBuf;

use anyhow::{Result, ensure};
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
            page.screenshot_of("body", "9_todo_app-list-page")?;

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
            page.wait_for_text("ul.todos", "Made with JavaScript")
        },
    );
}
