//! Lesson 6, the threaded server: the parallelometer's 16 frames, loaded
//! by the browser itself, show how many requests the solution had in
//! flight at once in each of its modes.
//!
//! A frame waits for all 16 (which the browser never sends at once: it
//! opens 6 connections to a server at most), then says how many it saw.
//! Where a count must reach a number, the cases open `/?wait=5`, so that a
//! busy machine has 5 seconds, not the page's 1, to deliver the frames of
//! a crowd (the browser opens a page only once all its frames are loaded,
//! so a longer wait makes a slow case). The one-at-a-time server, which
//! never has two, gets `/?wait=0`.

use anyhow::{Result, ensure};
use browser_tests::{Page, Setup, page_case_with};
use course::process::Launch;

use crate::layout;

const LESSON: &str = "6_threaded_server";
const SERVER: &str = "threaded_server_sol";

/// The counts the frames show so far ("4 requests in flight" gives 4),
/// one per frame that has answered.
fn counts(page: &Page) -> Result<Vec<usize>> {
    let texts = page.script(
        "return Array.from(document.querySelectorAll('iframe')).map(frame => {
             const count = frame.contentDocument && frame.contentDocument.querySelector('.count');
             return count ? count.textContent : '';
         });",
    )?;
    Ok(texts
        .as_array()
        .map(|texts| {
            texts
                .iter()
                .filter_map(|text| text.as_str()?.split(' ').next()?.parse().ok())
                .collect()
        })
        .unwrap_or_default())
}

/// Waits until at least `frames` frames have answered, and returns their
/// counts.
fn wait_for_frames(page: &mut Page, frames: usize) -> Result<Vec<usize>> {
    page.wait_until(&format!("{frames} frames to show a count"), |page| {
        Ok(counts(page)?.len() >= frames)
    })?;
    counts(page)
}

/// The frames whose count wraps badly: "1 request in" then "flight",
/// rather than the number and "request(s)" on one line and "in flight" on
/// one line. Each is named by its text and the lines it wraps into.
fn counts_wrapped_badly(page: &Page) -> Result<Vec<String>> {
    let wrapped = page.script(
        "return Array.from(document.querySelectorAll('iframe')).flatMap(frame => {
             const document = frame.contentDocument;
             const count = document && document.querySelector('.count');
             if (!count || !count.firstChild) return [];
             const text = count.firstChild;
             const top = word => {
                 const start = text.textContent.indexOf(word);
                 const range = document.createRange();
                 range.setStart(text, start);
                 range.setEnd(text, start + word.length);
                 return Math.round(range.getBoundingClientRect().top);
             };
             const number = text.textContent.split(' ')[0];
             if (top(number) === top('request') && top('in flight') === top('flight')) return [];
             return [`${text.textContent}: the number at ${top(number)} px, request at \
                 ${top('request')}, in at ${top('in flight')}, flight at ${top('flight')}`];
         });",
    )?;
    Ok(wrapped
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|line| line.as_str().map(str::to_owned))
        .collect())
}

/// The page says which mode serves it: `words`, such as "a pool of 4
/// worker threads".
fn says_the_mode(page: &Page, words: &str) -> Result<()> {
    let said = page.text_of(".mode")?;
    ensure!(
        said.contains(words),
        "the page should say the server serves {words:?}, but says {said:?}"
    );
    Ok(())
}

/// The solution started with `args`, the mode to show.
fn with_args(args: &[&str]) -> Setup {
    Setup {
        launch: args
            .iter()
            .fold(Launch::default(), |launch, arg| launch.arg(*arg)),
        ..Setup::default()
    }
}

#[test]
fn the_pool_shows_four_in_flight() {
    page_case_with(LESSON, "pool", SERVER, &with_args(&[]), |page| {
        // The page as a student first sees it: every frame fills in, and a
        // pool of 4 never has more than 4 in flight.
        page.open("/")?;
        page.wait_until("the title Parallelometer", |page| {
            Ok(page.browser.title()? == "Parallelometer")
        })?;
        let all = wait_for_frames(page, 16)?;
        ensure!(
            all.iter().all(|&count| (1..=4).contains(&count)),
            "a pool of 4 showed {all:?}"
        );
        says_the_mode(page, "a pool of 4 worker threads")?;
        layout::has_main(page)?;
        // Tall enough for all four rows of frames in the picture.
        page.browser.resize(900, 1000)?;
        page.screenshot_of("body", "6_threaded_server-pool-page")?;
        // Four frames a row, about 160 px wide: each count on two lines
        // at most, broken between "requests" and "in flight".
        let wrapped = counts_wrapped_badly(page)?;
        ensure!(wrapped.is_empty(), "counts wrapped badly: {wrapped:?}");
        let wrapped = layout::at_phone_width(page, |page| counts_wrapped_badly(page))?;
        ensure!(
            wrapped.is_empty(),
            "on a phone, counts wrapped badly: {wrapped:?}"
        );
        // With time to gather, the frames meet 4 at once, exactly.
        page.open("/?wait=5")?;
        let all = wait_for_frames(page, 16)?;
        ensure!(
            all.iter().all(|&count| count == 4),
            "the pool's frames showed {all:?}, not 4 each"
        );
        // The page and its frames name their icon: no /favicon.ico asked.
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}

#[test]
fn a_thread_per_connection_shows_more_than_one() {
    page_case_with(
        LESSON,
        "threads",
        SERVER,
        &with_args(&["--threads"]),
        |page| {
            page.open("/?wait=5")?;
            let all = wait_for_frames(page, 16)?;
            ensure!(
                all.iter().all(|&count| count > 1),
                "--threads showed {all:?}: no more than 1 in flight"
            );
            says_the_mode(page, "a thread per connection")?;
            let wrapped = counts_wrapped_badly(page)?;
            ensure!(wrapped.is_empty(), "counts wrapped badly: {wrapped:?}");
            layout::asks_for_no_favicon(page)?;
            Ok(())
        },
    );
}

#[test]
fn one_at_a_time_shows_one() {
    page_case_with(
        LESSON,
        "one-at-a-time",
        SERVER,
        &with_args(&["--one-at-a-time"]),
        |page| {
            page.open("/?wait=0")?;
            let all = wait_for_frames(page, 16)?;
            ensure!(
                all.iter().all(|&count| count == 1),
                "--one-at-a-time showed {all:?}"
            );
            says_the_mode(page, "one connection at a time")?;
            let wrapped = counts_wrapped_badly(page)?;
            ensure!(wrapped.is_empty(), "counts wrapped badly: {wrapped:?}");
            layout::asks_for_no_favicon(page)?;
            Ok(())
        },
    );
}
