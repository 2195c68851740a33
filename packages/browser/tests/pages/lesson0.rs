//! Lesson 0, the hello server: plain text, whatever the path.

use browser_tests::page_case;

#[test]
fn hello_server_greets_the_browser() {
    page_case("0_hello_server", "hello", "hello_server_sol", |page| {
        page.open("/any/path/at/all")?;
        page.wait_for_text("body", "Hello, HTTP!")?;
        page.open("/")?;
        page.wait_for_text("body", "Hello, HTTP!")?;
        // The picture in the lesson text: the page, in a narrow window.
        page.browser.resize(360, 300)?;
        page.screenshot_of("html", "0_hello_server-hello-page")?;
        Ok(())
    });
}
