//! Lesson 7, the file server: the lesson's own site, served as files. A
//! page is many requests (its stylesheet, script and images), and each
//! works only if the server sends it with the right Content-Type.

use anyhow::{Result, ensure};
use browser_tests::{Page, page_case};

use crate::layout;

const FILES: &str = "file_server_sol";

/// How many todos the sample list holds: the page draws it when there is
/// no API at /todos (a file server has none).
fn sample_todos() -> Result<usize> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lessons/7_file_server/public/sample-todos.json"
    );
    let text = std::fs::read_to_string(path)?;
    let todos: serde_json::Value = serde_json::from_str(&text)?;
    Ok(todos.as_array().map_or(0, Vec::len))
}

/// Whether the image `selector` loaded: a broken or refused one is 0 wide.
fn image_loaded(page: &Page, selector: &str) -> Result<bool> {
    let script = format!(
        "const image = document.querySelector({selector:?}); \
         return image !== null && image.complete && image.naturalWidth > 0"
    );
    Ok(page.script(&script)? == true)
}

#[test]
fn file_server_serves_a_page_with_its_stylesheet_script_and_images() {
    page_case("7_file_server", "site", FILES, |page| {
        page.open("/")?;
        page.wait_until("the title Todo List", |page| {
            Ok(page.browser.title()? == "Todo List")
        })?;

        // Only style.css sets these: a stylesheet sent as text/plain is
        // ignored, and main would be as wide as the window, content-box.
        let style = page.script(
            "const main = getComputedStyle(document.querySelector('main')); \
             return [main.maxWidth, main.boxSizing]",
        )?;
        ensure!(
            style == serde_json::json!(["576px", "border-box"]),
            "style.css was not applied: main's max-width and box-sizing are {style}"
        );

        // The script ran (a module script needs a JavaScript type): the page
        // names no API (its todo-api tag is empty as the file server sends
        // it), so it shows its notice and draws the sample list, without
        // asking for /todos, which would be a 404 in the console.
        page.wait_for_text("#notice", "No API here yet")?;
        let expected = sample_todos()?;
        page.wait_until("the sample list", |page| {
            Ok(page.texts_of("#todo-list li")?.len() == expected)
        })?;
        ensure!(
            !page.server_log().contains("/todos "),
            "the script asked for /todos, which a file server does not have:\n{}",
            page.server_log()
        );

        // Both images, the logo and done.png (in a hidden paragraph, but an
        // <img> loads all the same): a refused one is 0 pixels wide.
        page.wait_until("images/logo.svg", |page| image_loaded(page, "header img"))?;
        page.wait_until("images/done.png", |page| image_loaded(page, "#empty img"))?;

        // The whole page, at a phone-to-laptop width, for the lesson text.
        page.browser.resize(640, 960)?;
        page.screenshot_of("body", "7_file_server-site-page")?;
        Ok(())
    });
}

#[test]
fn file_server_says_a_file_is_not_there_on_a_page_of_the_course() {
    page_case("7_file_server", "not-found", FILES, |page| {
        // The page is a 404, as it should be, which the browser logs.
        page.expect_console_error(
            "/no-such-file.html - Failed to load resource: the server responded with a status \
             of 404",
        );
        page.open("/no-such-file.html")?;
        page.wait_until("the title 404 Not Found", |page| {
            Ok(page.browser.title()? == "404 Not Found")
        })?;
        page.wait_for_text("main", "There is no file at /no-such-file.html")?;
        layout::has_main(page)?;
        // The course's stylesheet (src/style.css), not the browser's serif
        // font at the window's full width; the audit's phone-width pass
        // checks its viewport tag.
        let font = layout::style_of(page, "body", "font-family")?;
        ensure!(
            font.starts_with("system-ui"),
            "the 404 page is in the browser's font, {font:?}, not the course's"
        );
        let width = layout::style_of(page, "body", "max-width")?;
        ensure!(
            width != "none",
            "the 404 page's lines run the window's whole width: no course stylesheet"
        );
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}
