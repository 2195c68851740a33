//! The course's pages in a real browser: headless Chromium, driven through
//! `chromedriver`, opens the pages of each lesson's solution, types, clicks,
//! and checks what a student would see.
//!
//! A browser case is one small function in `tests/pages/`:
//!
//! ```no_run
//! browser_tests::page_case("0_hello_server", "greeting", "hello_server_sol", |page| {
//!     page.open("/")?;
//!     page.wait_for_text("body", "Hello, HTTP!")
//! });
//! ```
//!
//! [`page_case`] builds and starts the solution on a free port, starts a
//! fresh browser, runs the case, and saves a screenshot of the page it ends
//! on to `target/browser-screenshots/<lesson>-<case>.png`. Without Chromium
//! it skips (see [`availability`]).
//!
//! | module | what it holds |
//! |---|---|
//! | [`webdriver`] | the WebDriver client: chromedriver's HTTP commands |
//! | [`page`] | a case's view: the server, the browser and waiting helpers |
//! | [`audit`] | what every page must pass: axe-core, a phone's width, a clean console |

pub mod audit;
pub mod page;
pub mod webdriver;

pub use page::{Availability, Page, Setup, availability, page_case, page_case_with};
