//! Lesson 5, the cookie server: a name typed once is kept by the browser,
//! in a cookie that comes back with every request and that no script in the
//! page can read.

use anyhow::{Result, ensure};
use browser_tests::{Page, page_case};

use crate::layout;

const SERVER: &str = "cookie_server_sol";

/// How many POSTs the server's log shows so far.
fn posts_logged(page: &Page) -> usize {
    page.server_log().matches("\"POST / HTTP/1.1\"").count()
}

/// Reloads the page and waits for the new one to be there.
fn reload(page: &mut Page) -> Result<()> {
    page.script("window.beforeReload = true")?;
    page.browser.refresh()?;
    page.wait_until("the reloaded page", |page| {
        Ok(page.script("return window.beforeReload === undefined")? == true)
    })
}

#[test]
fn cookie_server_remembers_a_name_with_awkward_characters() {
    page_case("5_cookie_server", "remembered", SERVER, |page| {
        page.open("/")?;
        page.wait_until("the title I Remember You", |page| {
            Ok(page.browser.title()? == "I Remember You")
        })?;
        let label = page.text_of("label[for=yourname]")?;
        ensure!(!label.trim().is_empty(), "the name box has no label");
        page.wait_for_text("body", "I don't know you yet")?;
        layout::has_main(page)?;
        // The name box is the course's, as tall as its button and beside
        // it, with a gap, on a computer and on a phone.
        layout::is_a_course_box(page, "input[name=yourname]")?;
        let (input, button) = ("input[name=yourname]", "form button[type=submit]");
        layout::side_by_side(page, input, button)?;
        layout::at_phone_width(page, |page| layout::side_by_side(page, input, button))?;

        // Spaces, quotes, a ; and a letter beyond ASCII: all must survive
        // the cookie, there and back.
        let name = r#"Zoë "Z"; Smith, Jr"#;
        page.type_into("input[name=yourname]", name)?;
        page.click("form button[type=submit]")?;
        page.wait_for_path("/")?;
        page.wait_for_text("body", "Welcome back")?;
        let greeted = page.text_of("strong")?;
        ensure!(
            greeted == name,
            "the page greets {greeted:?}, not the name that was typed, {name:?}"
        );
        page.screenshot_of("body", "5_cookie_server-greeted-page")?;

        // A reload sends no form: the name comes from the cookie alone.
        reload(page)?;
        page.wait_for_text("body", "Welcome back")?;
        let greeted = page.text_of("strong")?;
        ensure!(
            greeted == name && posts_logged(page) == 1,
            "after a reload the page greets {greeted:?} (and the log shows {} POSTs)",
            posts_logged(page)
        );

        // HttpOnly: the page's scripts see no cookie, and cannot replace it.
        let seen = page.script("return document.cookie")?;
        ensure!(
            seen == "",
            "document.cookie shows {seen}: the cookie should be HttpOnly"
        );
        page.script("document.cookie = 'yourname=Mallory; path=/'")?;
        reload(page)?;
        page.wait_for_text("body", "Welcome back")?;
        let greeted = page.text_of("strong")?;
        ensure!(
            greeted == name,
            "a script replaced the HttpOnly cookie: the page greets {greeted:?}"
        );
        // The page names its icon: the browser asks for no /favicon.ico
        // (which this server would answer with the whole page).
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}

#[test]
fn cookie_server_gives_an_unreadable_cookie_the_form() {
    page_case("5_cookie_server", "unreadable", SERVER, |page| {
        page.open("/")?;
        // A cookie the server never set, with a broken %-escape: scripts may
        // set cookies that are not HttpOnly, as any client may.
        page.script("document.cookie = 'yourname=100%zz; path=/'")?;
        reload(page)?;
        page.wait_for_text("[role=alert]", "cannot read")?;
        ensure!(
            !page
                .browser
                .find_all("form input[name=yourname]")?
                .is_empty(),
            "the note has no form to give the name again"
        );
        page.screenshot_of("body", "5_cookie_server-unreadable-page")?;
        Ok(())
    });
}
