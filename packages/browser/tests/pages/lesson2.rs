//! Lesson 2, the messageboard: a form, Post/Redirect/Get, escaping, and a
//! page that holds up to whatever a visitor types.

use anyhow::{Result, ensure};
use browser_tests::{Page, page_case};

use crate::layout;

const BOARD: &str = "messageboard_sol";

/// Types `message` into the board's form and sends it with the button.
fn post(page: &mut Page, message: &str) -> Result<()> {
    page.type_into("textarea[name=message]", message)?;
    page.click("form button[type=submit]")
}

/// How many POSTs the server's log shows so far.
fn posts_logged(page: &Page) -> usize {
    page.server_log().matches("\"POST / HTTP/1.1\"").count()
}

#[test]
fn messageboard_posts_and_lands_back_on_the_board() {
    page_case("2_messageboard", "board", BOARD, |page| {
        page.open("/")?;
        page.wait_until("the title Message Board", |page| {
            Ok(page.browser.title()? == "Message Board")
        })?;
        let label = page.text_of("label[for=message]")?;
        ensure!(!label.trim().is_empty(), "the message box has no label");
        layout::has_main(page)?;
        layout::is_a_course_box(page, "textarea")?;

        post(page, "Hello, board! Don't forget: the meeting is at noon.")?;
        page.wait_for_path("/")?;
        page.wait_for_text("ul", "Don't forget: the meeting is at noon.")?;
        post(page, "A second message,\non two lines.")?;
        page.wait_for_text("ul", "on two lines.")?;
        page.screenshot_of("body", "2_messageboard-board-page")?;
        ensure!(
            posts_logged(page) == 2,
            "two messages, but the log shows {} POSTs",
            posts_logged(page)
        );

        // Reload: after the 303 the page is a GET, so nothing is sent again.
        page.script("window.beforeReload = true")?;
        page.browser.refresh()?;
        page.wait_until("the reloaded page", |page| {
            Ok(page.script("return window.beforeReload === undefined")? == true)
        })?;
        page.wait_for_text("ul", "on two lines.")?;
        ensure!(
            posts_logged(page) == 2,
            "the reload posted again: {} POSTs",
            posts_logged(page)
        );

        // Back: the POST is not in the history, so it cannot be sent again.
        page.browser.back()?;
        page.wait_for_path("/")?;
        page.open("/")?;
        page.wait_for_text("ul", "on two lines.")?;
        ensure!(
            posts_logged(page) == 2,
            "Back posted again: {} POSTs",
            posts_logged(page)
        );
        let shown = page.texts_of("ul li")?;
        let hello = shown
            .iter()
            .filter(|text| text.starts_with("Hello, board!"))
            .count();
        ensure!(
            hello == 1,
            "the first message is on the board {hello} times: {shown:?}"
        );
        // The page names its icon: the browser asks for no /favicon.ico
        // (which answers 404, as it should when asked).
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}

#[test]
fn messageboard_shows_a_script_as_text() {
    page_case("2_messageboard", "script", BOARD, |page| {
        page.open("/")?;
        let attack = "<script>window.scriptRan = true</script> <b>not bold</b>";
        post(page, attack)?;
        // Wait for the board after the post, whatever it shows.
        page.wait_until("the board with one message", |page| {
            let ready = page.script("return document.readyState === 'complete'")? == true;
            Ok(ready && page.path()? == "/" && !page.text_of("ul")?.contains("No messages yet"))
        })?;
        let shown = page.text_of("ul li")?;
        let script_ran = page.script("return window.scriptRan === true")? == true;
        ensure!(
            shown.trim() == attack && !script_ran,
            "the message shows as {shown:?}, not as the text that was typed, {attack:?}, \
             and its <script> ran: {script_ran}"
        );
        ensure!(
            page.browser.find_all("ul script, ul b")?.is_empty(),
            "the message's tags became elements of the page"
        );
        Ok(())
    });
}

#[test]
fn messageboard_keeps_a_long_word_inside_the_page() {
    page_case("2_messageboard", "long-word", BOARD, |page| {
        page.open("/")?;
        let word = "a".repeat(2000);
        post(page, &word)?;
        page.wait_for_text("ul", &word[..100])?;
        ensure!(
            !page.scrolls_sideways()?,
            "a 2,000-letter word widens the page"
        );
        // And on a phone-sized screen.
        page.browser.resize(390, 800)?;
        page.wait_until("a page as narrow as a phone", |page| {
            Ok(page.script("return window.innerWidth <= 400")? == true)
        })?;
        ensure!(
            !page.scrolls_sideways()?,
            "on a phone, the page scrolls sideways"
        );
        Ok(())
    });
}

#[test]
fn messageboard_refuses_a_blank_message() {
    page_case("2_messageboard", "blank", BOARD, |page| {
        // The refusal is a 400 (with the form), which the browser logs.
        page.expect_console_error(
            "/ - Failed to load resource: the server responded with a status of 400",
        );
        page.open("/")?;
        // An empty box: the browser itself refuses to send it (`required`).
        page.click("form button[type=submit]")?;
        let missing =
            page.script("return document.querySelector('textarea').validity.valueMissing")?;
        ensure!(missing == true, "the browser would send an empty message");
        ensure!(posts_logged(page) == 0, "an empty box was posted");

        // Spaces only pass `required`: the server refuses them with the form.
        post(page, "   \n  ")?;
        page.wait_until("a POST", |page| Ok(posts_logged(page) == 1))?;
        page.wait_for_text("[role=alert]", "empty")?;
        layout::has_main(page)?;
        page.screenshot_of("body", "2_messageboard-blank-page")?;
        ensure!(
            page.server_log().contains("\"POST / HTTP/1.1\" 400"),
            "the refusal is not a 400: {}",
            page.server_log()
        );
        ensure!(
            !page
                .browser
                .find_all("form textarea[name=message]")?
                .is_empty(),
            "the refusal has no form to try again"
        );
        Ok(())
    });
}
