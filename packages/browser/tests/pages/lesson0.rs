//! Lesson 0, the hello server: plain text, whatever the path.

use browser_tests::page_case;

#[test]
fn hello_server_greets_the_browser() {
    page_case("0_hello_server", "hello", "hello_server_sol", |page| {
        page.open("/")?;
        page.wait_for_text("body", "Hello, HTTP!")?;
        page.open("/any/path/at/all")?;
        page.wait_for_text("body", "Hello, HTTP!")
    });
}
