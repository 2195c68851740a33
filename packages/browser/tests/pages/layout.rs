//! What the cases of several lessons check alike about a page's make-up
//! (issue 23): its icon, its `<main>`, its boxes, buttons and links as the
//! course's stylesheet draws them, and its layout on a phone's screen.

use anyhow::{Context, Result, ensure};
use browser_tests::{Page, audit};
use serde_json::Value;

/// The course's link colour (src/style.css), as the browser computes it.
pub const LINK_COLOUR: &str = "rgb(5, 80, 174)";

/// Where an element is drawn, in CSS pixels.
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Rect {
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

/// The box of the first element that `selector` matches.
pub fn rect(page: &Page, selector: &str) -> Result<Rect> {
    let found = page.script(&format!(
        "const element = document.querySelector({selector:?}); \
         if (!element) return null; \
         const box = element.getBoundingClientRect(); \
         return [box.left, box.right, box.top, box.bottom];"
    ))?;
    let number = |at: usize| found[at].as_f64();
    match (number(0), number(1), number(2), number(3)) {
        (Some(left), Some(right), Some(top), Some(bottom)) => Ok(Rect {
            left,
            right,
            top,
            bottom,
        }),
        _ => anyhow::bail!("the page has no {selector}"),
    }
}

/// The computed style `property` of the first element `selector` matches.
pub fn style_of(page: &Page, selector: &str, property: &str) -> Result<String> {
    let value = page.script(&format!(
        "const element = document.querySelector({selector:?}); \
         return element && getComputedStyle(element).getPropertyValue({property:?});"
    ))?;
    value
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the page has no {selector}"))
}

/// Runs `check` with the browser showing the page as a phone does (390
/// pixels wide, a mobile browser), then puts the window back.
pub fn at_phone_width<T>(page: &mut Page, check: impl FnOnce(&mut Page) -> Result<T>) -> Result<T> {
    audit::emulate_phone(&page.browser)?;
    let result = page
        .wait_until("the browser to emulate a phone", |page| {
            Ok(page.script("return screen.width")? == audit::PHONE.0)
        })
        .and_then(|()| check(page));
    audit::stop_emulating(&page.browser)?;
    result
}

/// The page declares its icon in its `<head>` (so that the browser asks for
/// no /favicon.ico), and the server's log shows that nothing asked for it.
/// Called at the end of a case, when the browser has had its time to ask.
pub fn asks_for_no_favicon(page: &Page) -> Result<()> {
    let icon = page.script(
        "const link = document.querySelector('head link[rel~=icon]'); \
         return link && link.getAttribute('href');",
    )?;
    ensure!(
        icon.as_str().is_some_and(|href| !href.is_empty()),
        "the page names no icon (<link rel=\"icon\" href=...> in its <head>): the browser \
         asks the server for /favicon.ico"
    );
    ensure!(
        !page.server_log().contains("GET /favicon.ico"),
        "the browser asked for /favicon.ico:\n{}",
        page.server_log()
    );
    Ok(())
}

/// The page's heading and content are in its one `<main>`.
pub fn has_main(page: &Page) -> Result<()> {
    let mains = page.browser.find_all("main")?.len();
    ensure!(mains == 1, "the page has {mains} <main> elements, not one");
    ensure!(
        !page.browser.find_all("main h1")?.is_empty(),
        "the page's <h1> is outside its <main>"
    );
    Ok(())
}

/// A text box as the course draws it: a 1-pixel border with round
/// corners, not the browser's 2-pixel inset one.
pub fn is_a_course_box(page: &Page, selector: &str) -> Result<()> {
    let drawn = [
        "border-top-width",
        "border-top-style",
        "border-top-left-radius",
    ]
    .map(|property| style_of(page, selector, property));
    let [width, style, radius] = drawn;
    let (width, style, radius) = (width?, style?, radius?);
    ensure!(
        width == "1px" && style == "solid" && radius == "6px",
        "{selector} is drawn with the browser's border ({width} {style}, corners {radius}), \
         not the course's (1px solid, corners 6px)"
    );
    Ok(())
}

/// The links that `selector` matches are in the course's colour, and so
/// are visited ones. A page's scripts are never told whether a link was
/// visited (the browser hides it), so the `a:visited` rule is read from
/// the page's stylesheets.
pub fn links_in_the_course_colour(page: &Page, selector: &str) -> Result<()> {
    let colours = page.script(&format!(
        "return Array.from(document.querySelectorAll({selector:?})) \
             .map(link => getComputedStyle(link).color);"
    ))?;
    let colours: Vec<&str> = colours
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    ensure!(!colours.is_empty(), "the page has no {selector}");
    ensure!(
        colours.iter().all(|colour| *colour == LINK_COLOUR),
        "the links {selector} are drawn in {colours:?}, not the course's {LINK_COLOUR}"
    );
    let visited = page.script(
        "for (const sheet of document.styleSheets) \
           for (const rule of sheet.cssRules) \
             if (rule.selectorText && rule.selectorText.split(',') \
                   .some(part => part.trim() === 'a:visited')) \
               return rule.style.color; \
         return null;",
    )?;
    ensure!(
        visited == LINK_COLOUR,
        "a visited link is drawn in {visited}, not the course's {LINK_COLOUR}: the browser's \
         purple says nothing on these pages"
    );
    Ok(())
}

/// The box `input` and the button `button` sit side by side on one line,
/// as tall as each other, with a gap between them.
pub fn side_by_side(page: &Page, input: &str, button: &str) -> Result<()> {
    let (boxed, pressed) = (rect(page, input)?, rect(page, button)?);
    ensure!(
        (boxed.height() - pressed.height()).abs() <= 1.0,
        "{input} is {:.0} px tall beside a {button} {:.0} px tall",
        boxed.height(),
        pressed.height()
    );
    ensure!(
        (boxed.top - pressed.top).abs() <= 1.0 && pressed.left >= boxed.right + 4.0,
        "{button} is not beside {input} with a gap: the box is at {boxed:?}, the button at \
         {pressed:?}"
    );
    Ok(())
}
