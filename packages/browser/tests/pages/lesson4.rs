//! Lesson 4, the bookmark server: save a link with the form, land back on
//! the list, follow the short name to the long link; a broken link gets the
//! page again, saying why.
//!
//! The links are the kit's helper servers on 127.0.0.1, so nothing here
//! needs the network.

use anyhow::{Result, ensure};
use browser_tests::{Page, page_case};
use course::kit::helpers::{Answer, HelperServer};
use course::kit::seed::random_number;

use crate::layout;

const BOOKMARKS: &str = "bookmark_server_sol";

/// Fills in the form with `longuri` and `shortname` and sends it.
fn save(page: &mut Page, longuri: &str, shortname: &str) -> Result<()> {
    page.type_into("input[name=longuri]", longuri)?;
    page.type_into("input[name=shortname]", shortname)?;
    page.click("form button[type=submit]")
}

#[test]
fn bookmark_server_saves_a_link_and_follows_its_short_name() {
    page_case("4_bookmark_server", "saved", BOOKMARKS, |page| {
        let target = HelperServer::start(Answer::Ok(
            "<!DOCTYPE html><title>The long link</title><h1>You arrived</h1>",
        ))
        .map_err(|failure| anyhow::anyhow!("{failure}"))?;
        let longuri = target.url("/a/rather/long/path/to/somewhere");
        let name = format!("docs-{}", random_number() % 10_000);

        page.open("/")?;
        page.wait_until("the title Bookmark Server", |page| {
            Ok(page.browser.title()? == "Bookmark Server")
        })?;
        for field in ["longuri", "shortname"] {
            let label = page.text_of(&format!("label[for={field}]"))?;
            ensure!(!label.trim().is_empty(), "the {field} box has no label");
        }
        save(page, &longuri, &name)?;
        page.wait_for_path("/")?;
        page.wait_for_text("ul", &name)?;
        page.wait_for_text("ul", &longuri)?;
        page.audit()?;
        page.screenshot_of("body", "4_bookmark_server-saved-page")?;
        layout::has_main(page)?;
        // The boxes are the course's, and the link box lines up with the
        // cards of the list below it, on a computer and on a phone.
        for field in ["#longuri", "#shortname"] {
            layout::is_a_course_box(page, field)?;
        }
        lines_up_with_the_cards(page)?;
        layout::at_phone_width(page, lines_up_with_the_cards)?;
        layout::links_in_the_course_colour(page, "ul a")?;

        // The short name is a link: follow it, through the 303, to the target.
        page.click(&format!("ul a[href=\"/{name}\"]"))?;
        page.wait_until("the long link's page", |page| {
            Ok(page.browser.url()? == longuri && page.browser.title()? == "The long link")
        })?;
        // Typed by hand, the short address goes to the same place.
        page.open(&format!("/{name}"))?;
        page.wait_until("the long link's page again", |page| {
            Ok(page.browser.url()? == longuri)
        })?;
        // Back on the list, the short name, now visited, keeps its colour.
        page.open("/")?;
        page.wait_for_text("ul", &name)?;
        layout::links_in_the_course_colour(page, "ul a")?;
        // The page names its icon: the browser never asks for
        // /favicon.ico, which this server would take for a short name.
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}

#[test]
fn bookmark_server_says_why_a_link_is_not_kept() {
    page_case("4_bookmark_server", "broken", BOOKMARKS, |page| {
        // The page that says why is a 404 (the link's), which the browser logs.
        page.expect_console_error(
            "/ - Failed to load resource: the server responded with a status of 404",
        );
        let missing = HelperServer::start(Answer::NotFound)
            .map_err(|failure| anyhow::anyhow!("{failure}"))?;
        let longuri = missing.url("/gone");
        let name = format!("gone-{}", random_number() % 10_000);

        page.open("/")?;
        save(page, &longuri, &name)?;
        page.wait_until("the page that says the link was not saved", |page| {
            Ok(page.browser.title()? == "Not saved: Bookmark Server")
        })?;
        let problem = page.text_of(".problem")?;
        ensure!(
            problem.contains(&longuri) && problem.contains("404"),
            "the page should name the link and say it answered 404, but says {problem:?}"
        );
        // The form is there to try again, with what was typed still in it.
        let typed = page.script(
            "return [document.querySelector('input[name=longuri]').value, \
             document.querySelector('input[name=shortname]').value]",
        )?;
        ensure!(
            typed == serde_json::json!([longuri, name]),
            "the form should hold what was typed, {longuri:?} and {name:?}, but holds {typed}"
        );
        page.screenshot_of("body", "4_bookmark_server-broken-page")?;
        layout::has_main(page)?;
        layout::links_in_the_course_colour(page, "a[href=\"/\"]")?;
        // An error page has no list; the list, one click away, lacks the name.
        page.click("a[href=\"/\"]")?;
        page.wait_until("the list page", |page| {
            Ok(page.browser.title()? == "Bookmark Server")
        })?;
        ensure!(
            !page.text_of("ul")?.contains(&name),
            "the broken link was kept"
        );
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}

/// The link box is as wide as the cards of the list below it: the same
/// left and right edges.
fn lines_up_with_the_cards(page: &mut Page) -> Result<()> {
    let boxed = layout::rect(page, "#longuri")?;
    let card = layout::rect(page, "ul.messages li")?;
    ensure!(
        (boxed.left - card.left).abs() <= 1.0 && (boxed.right - card.right).abs() <= 1.0,
        "the link box ({:.0} to {:.0} px) does not line up with the cards below it \
         ({:.0} to {:.0} px)",
        boxed.left,
        boxed.right,
        card.left,
        card.right
    );
    Ok(())
}
