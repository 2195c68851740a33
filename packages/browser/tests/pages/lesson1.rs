//! Lesson 1, the echo server: the page shows the path it was asked for.

use anyhow::ensure;
use browser_tests::page_case;

#[test]
fn echo_server_shows_the_path() {
    page_case("1_echo_server", "balloon", "echo_server_sol", |page| {
        page.open("/Balloon")?;
        page.wait_for_text("body", "Balloon")?;
        let shown = page.text_of("body")?;
        ensure!(
            shown.trim() == "Balloon",
            "the page shows {shown:?}, not \"Balloon\""
        );
        Ok(())
    });
}

#[test]
fn echo_server_decodes_what_the_browser_encodes() {
    page_case("1_echo_server", "hello-world", "echo_server_sol", |page| {
        // Typed in the address bar as "Hello World": the browser sends %20.
        page.open("/Hello World")?;
        page.wait_for_text("body", "Hello World")?;
        page.open("/Hello%20World")?;
        page.wait_for_text("body", "Hello World")?;
        let shown = page.text_of("body")?;
        ensure!(
            !shown.contains('%'),
            "the page still shows an escape: {shown:?}"
        );
        // The picture in the lesson text: the page, in a narrow window.
        page.browser.resize(360, 300)?;
        page.screenshot_of("html", "1_echo_server-hello-world-page")?;
        Ok(())
    });
}
