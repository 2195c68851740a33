//! Step d, files streamed with `Last-Modified` and `304`, and the going
//! further checks: ETag, Range, Cache-Control and precompressed gzip.

use std::fs;
use std::time::Duration;

use super::site::serve;
use super::{BIG_FILE_HINT, BIG_FILE_SIZE, ENOUGH_BODY, MEMORY_LIMIT_KIB, MODIFIED_TEXT};
use crate::kit::raw::RawConnection;
use crate::session::{Outgoing, Session};
use crate::{CheckResult, Failure};

/// The header a browser sends back with the Last-Modified it got.
const SINCE: &str = "If-Modified-Since";

pub(super) fn last_modified_and_304(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    site.get(session, "/hello.txt")?.expect_header(
        "Last-Modified",
        MODIFIED_TEXT,
        "Send the file's time: send_header(\"Last-Modified\", \
         &http_server::format_http_date(metadata.modified()?)).",
    )?;
    let later = "Fri, 05 Mar 2021 00:00:00 GMT";
    // (If-Modified-Since, whether the answer is 304, why)
    let cases = [
        (MODIFIED_TEXT, true, "the file's own Last-Modified"),
        (
            "Thursday, 04-Mar-21 05:06:07 GMT",
            true,
            "the same moment, in the old RFC 850 form",
        ),
        (
            "Thu Mar  4 05:06:07 2021",
            true,
            "the same moment, in C's asctime form",
        ),
        (later, true, "a day later than the file's time"),
        (
            "Wed, 03 Mar 2021 05:06:07 GMT",
            false,
            "a day before the file's time",
        ),
        (
            "Sat, 01 Jan 2000 00:00:00 GMT",
            false,
            "years before the file's time",
        ),
        ("yesterday", false, "not a date at all"),
    ];
    for (since, fresh, why) in cases {
        let reply = site.send(session, "GET", "/hello.txt", &[(SINCE, since)])?;
        let got_304 = reply.status == 304 && reply.body.is_empty();
        if fresh && !got_304 {
            // The same date fails, and a later one? Then it compares with
            // < where <= belongs.
            let later_is_304 = since == MODIFIED_TEXT
                && site
                    .send(session, "GET", "/hello.txt", &[(SINCE, later)])?
                    .status
                    == 304;
            let hint = if later_is_304 {
                "A later date gets 304, but the file's own date does not: the test is \"the file \
                 is not newer than the date\", modified <= since (in whole seconds), not modified \
                 < since. A browser sends back exactly the Last-Modified it got: with <, a file \
                 is never fresh."
            } else {
                "Parse If-Modified-Since with http_server::parse_http_date and compare times in \
                 whole seconds: the file is not newer, so the browser's copy is fresh. Comparing \
                 the strings fails as soon as a date is written another way."
            };
            let expected = format!("304 Not Modified and no body: If-Modified-Since is {why}");
            return Err(site.fail(&reply, expected, hint));
        }
        reply.expect(
            |reply| fresh || (reply.status == 200 && !reply.body.is_empty()),
            format!("200 OK and the file: If-Modified-Since is {why}"),
            "Answer 304 only when the file is not newer than the date; a header that is not \
             a date is ignored. Compare times, not strings: \"Wed\" sorts after \"Thu\".",
        )?;
    }
    // late.txt was modified half a second after MODIFIED: its Last-Modified
    // says 05:06:07, and that date must count as fresh.
    let reply = site.get(session, "/late.txt")?;
    let Some(last_modified) = reply.header("last-modified").map(str::to_owned) else {
        let hint = "Send Last-Modified for every file you serve.";
        return Err(site.fail(&reply, "Last-Modified on every file", hint));
    };
    site.send(session, "GET", "/late.txt", &[(SINCE, &last_modified)])?
        .expect(
            |reply| reply.status == 304,
            "304 Not Modified: this is the Last-Modified the server sent for the file",
            "HTTP dates have whole seconds, and file times have fractions: drop the fraction \
             (compare as_secs()) before comparing, or a file modified at 05:06:07.5 is never \
             fresh.",
        )?;
    Ok(())
}

pub(super) fn head_sends_the_length_only(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let get = site.get(session, "/hello.txt")?;
    let length = get.body.len().to_string();
    get.expect(
        |reply| reply.header("content-length") == Some(length.as_str()),
        format!("Content-Length: {length}, the size of the file"),
        "Let the server set Content-Length from send_body_from(file, metadata.len()).",
    )?;
    site.send(session, "HEAD", "/hello.txt", &[])?
        .expect(
            |reply| reply.status == 200 && reply.header("content-length") == Some(&length),
            format!("200 OK, Content-Length: {length}, and no body"),
            "HEAD answers with the headers a GET would get: the module's do_head calls do_get.",
        )?
        .expect(
            |reply| reply.body.is_empty(),
            "no body after the headers of a HEAD answer",
            "Do not write the body yourself for HEAD: send_body_from lets the server leave it \
             out.",
        )?;
    let head = site.send(session, "HEAD", "/big.bin", &[])?;
    let big = BIG_FILE_SIZE.to_string();
    head.expect(
        |reply| reply.status == 200 && reply.header("content-length") == Some(&big),
        format!("200 OK and Content-Length: {big} (a 1 GiB file)"),
        "HEAD sends the length of the file, from its metadata, without reading it.",
    )?;
    // A fast machine may read the file whole within the timeout: its
    // memory tells, whatever the speed.
    let pid = session.server()?.pid();
    if let Some(peak) = peak_memory_kib(pid).filter(|&peak| peak > MEMORY_LIMIT_KIB) {
        let limit = MEMORY_LIMIT_KIB / 1024;
        let expected = format!(
            "the headers, with the server's memory under {limit} MiB: a HEAD reads none of the file"
        );
        let mut failure = site.fail(&head, expected, BIG_FILE_HINT);
        failure.got = format!(
            "the server's memory peaked at {} MiB (VmHWM in /proc/PID/status), with {}",
            peak / 1024,
            failure.got
        );
        return Err(failure);
    }
    Ok(())
}

/// The server's peak memory so far, in KiB (`VmHWM` in `/proc/PID/status`),
/// or `None` where there is no `/proc` (not Linux).
fn peak_memory_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(super) fn streams_big_files(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let big = BIG_FILE_SIZE.to_string();
    let fail = |got: String, hint: &str| Failure {
        sent: "curl -o /dev/null -D - --path-as-is http://localhost:8000/big.bin".into(),
        expected: format!(
            "200 OK, Content-Length: {big}, then the body (the check reads {} MiB of it), with \
             the server's memory under {} MiB",
            ENOUGH_BODY >> 20,
            MEMORY_LIMIT_KIB / 1024
        ),
        got: format!("{got}{}", site.footnote()),
        hint: hint.into(),
    };
    // Read the answer as it comes, and throw it away. The first 128 MiB
    // of body are enough: a server that reads the whole file into memory
    // has done so before it sends a byte, and one that keeps what it sent
    // holds 128 MiB by then. (All of it would take seconds in a debug build.)
    let server = session.server()?;
    let (address, pid) = (
        server.base_url().trim_start_matches("http://").to_owned(),
        server.pid(),
    );
    let request = Outgoing {
        method: "GET",
        path: "/big.bin",
        headers: vec![("Connection", "close")],
        body: None,
    };
    let mut connection = RawConnection::open(&address, Duration::from_secs(30))
        .and_then(|mut connection| connection.send(&request).map(|()| connection))
        .map_err(|error| fail(error, ""))?;
    let skimmed = connection.skim_reply(ENOUGH_BODY);
    let body_bytes = skimmed.body_bytes;
    if let Some(error) = skimmed.error {
        let got = format!("the answer stopped: {error}, after {body_bytes} bytes of body");
        return Err(fail(got, BIG_FILE_HINT));
    }
    if let Some(peak) = peak_memory_kib(pid).filter(|&peak| peak > MEMORY_LIMIT_KIB) {
        let got = format!(
            "the server's memory peaked at {} MiB (VmHWM in /proc/PID/status)",
            peak / 1024
        );
        return Err(fail(got, BIG_FILE_HINT));
    }
    let whole = skimmed.reply.is_some_and(|reply| {
        reply.status == 200 && reply.header("content-length") == Some(big.as_str())
    });
    if !whole || body_bytes < ENOUGH_BODY {
        let head = skimmed.head.trim_end().replace("\r\n", " | ");
        return Err(fail(
            format!("{head}, then {body_bytes} bytes of body"),
            "Send exactly the file: Content-Length from metadata.len(), and the body from \
             send_body_from(file, metadata.len()).",
        ));
    }
    // Where there is no /proc (not Linux), the memory is not measured: the
    // body's exact length is all this check can see.
    Ok(())
}

pub(super) fn etag_and_if_none_match(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let reply = site.get(session, "/hello.txt")?;
    let etag = reply.header("etag").unwrap_or("").to_owned();
    reply
        .expect(
            |_| !etag.is_empty(),
            "an ETag header: a quoted tag for this version of the file",
            "Make a tag from what changes with the file, its length and time: \
             format!(\"\\\"{:x}-{:x}\\\"\", len, nanos), quotes included.",
        )?
        .expect(
            |_| etag.trim_start_matches("W/").starts_with('"') && etag.ends_with('"'),
            "an ETag in double quotes, like \"3f-5a1b\"",
            "The quotes are part of an entity tag.",
        )?;
    let cases = [
        (etag.clone(), true, "the file's own tag"),
        (
            format!("\"nope\", {etag}"),
            true,
            "a list that holds the tag",
        ),
        ("*".to_owned(), true, "*, any version"),
        ("\"nope\"".to_owned(), false, "another tag"),
    ];
    for (tags, fresh, why) in cases {
        // A date that alone would give 304: If-None-Match must win.
        let headers = [
            ("If-None-Match", tags.as_str()),
            ("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"),
        ];
        let reply = site.send(session, "GET", "/hello.txt", &headers)?;
        let expected = if fresh {
            format!("304 Not Modified, no body: If-None-Match is {why}")
        } else {
            format!("200 OK: If-None-Match is {why} (If-Modified-Since is then ignored)")
        };
        reply.expect(
            |reply| match fresh {
                true => reply.status == 304 && reply.body.is_empty(),
                false => reply.status == 200,
            },
            expected,
            "If-None-Match is a comma-separated list of tags, or *: 304 if one of them is the \
             file's ETag. When it is there, it decides, and If-Modified-Since is ignored \
             (RFC 9110, section 13.2.2).",
        )?;
    }
    Ok(())
}

pub(super) fn byte_ranges(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let whole = site.get(session, "/hello.txt")?.body.clone();
    let length = whole.len();
    let cases: [(String, usize, usize); 4] = [
        ("bytes=0-4".into(), 0, 4),
        ("bytes=7-".into(), 7, length - 1),
        ("bytes=-6".into(), length - 6, length - 1),
        (format!("bytes=3-{}", length + 100), 3, length - 1),
    ];
    for (range, first, last) in cases {
        let reply = site.send(session, "GET", "/hello.txt", &[("Range", &range)])?;
        let content_range = format!("bytes {first}-{last}/{length}");
        let part = &whole[first..=last];
        reply.expect(
            |reply| {
                reply.status == 206
                    && reply.header("content-range") == Some(content_range.as_str())
                    && reply.body == part
            },
            format!("206 Partial Content, Content-Range: {content_range}, and the body {part:?}"),
            "Read Range: bytes=FIRST-LAST (LAST may be missing: to the end; FIRST may be \
             missing: the last LAST bytes). Seek the file to FIRST, take() the count, and \
             send_body_from(file.take(count), count) after a 206 with Content-Range.",
        )?;
    }
    let past = format!("bytes={}-", length + 10);
    let reply = site.send(session, "GET", "/hello.txt", &[("Range", &past)])?;
    let star = format!("bytes */{length}");
    reply.expect(
        |reply| reply.status == 416 && reply.header("content-range") == Some(star.as_str()),
        format!("416 Range Not Satisfiable, with Content-Range: {star}"),
        "A range that starts after the end of the file cannot be satisfied: 416, and a \
         Content-Range that gives the file's length.",
    )?;
    // The end of the 1 GiB file, without the rest of it.
    let tail = format!("bytes={}-", BIG_FILE_SIZE - 4);
    let reply = site.send(session, "GET", "/big.bin", &[("Range", &tail)])?;
    reply.expect(
        |reply| reply.status == 206 && reply.body == "\0\0\0\0",
        "206 Partial Content and the last 4 bytes of the 1 GiB file",
        "Seek to the first byte of the range: do not read (or send) what comes before it.",
    )?;
    Ok(())
}

pub(super) fn cache_control(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for target in ["/index.html", "/style.css", "/app.js", "/image.png"] {
        let reply = site.get(session, target)?;
        reply.expect(
            |reply| {
                reply
                    .header("cache-control")
                    .is_some_and(|value| !value.is_empty())
            },
            "a Cache-Control header (no-cache, max-age=..., ...)",
            "Tell caches how long they may use their copy without asking: no-cache (always \
             ask, and get a cheap 304) suits files whose names carry no version.",
        )?;
    }
    Ok(())
}

pub(super) fn precompressed_gzip(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let marker = &site.marker;
    let accept = [("Accept-Encoding", "deflate, gzip;q=0.8")];
    let gzip = site.send(session, "GET", "/packed.txt", &accept)?;
    let hint = "When Accept-Encoding lists gzip (with a q that is not 0) and name.gz is a file \
                beside name, send name.gz as it is, with Content-Encoding: gzip and the type of \
                name. Vary: Accept-Encoding tells caches that the answer depends on that header.";
    gzip.expect(
        |reply| {
            let vary = reply.header("vary").unwrap_or("").to_ascii_lowercase();
            reply.status == 200
                && reply.body == format!("GZ-{marker}")
                && reply.header("content-encoding") == Some("gzip")
                && reply.media_type().as_deref() == Some("text/plain")
                && vary.contains("accept-encoding")
        },
        "200 OK, the bytes of packed.txt.gz, Content-Encoding: gzip, Content-Type: \
         text/plain (the type of packed.txt), Vary: Accept-Encoding",
        hint,
    )?;
    for accept in [None, Some("gzip;q=0"), Some("br")] {
        let headers: Vec<(&str, &str)> = accept
            .map(|value| ("Accept-Encoding", value))
            .into_iter()
            .collect();
        let plain = site.send(session, "GET", "/packed.txt", &headers)?;
        plain.expect(
            |reply| {
                reply.body == format!("plain {marker}\n")
                    && reply.header("content-encoding").is_none()
            },
            "200 OK and packed.txt itself, with no Content-Encoding",
            "Send the .gz only to a client that accepts gzip: no Accept-Encoding, gzip;q=0 \
             (\"not gzip\") or only br get the file itself.",
        )?;
    }
    // leak.txt.gz is a symlink to the secret outside the folder.
    let reply = site.send(session, "GET", "/leak.txt", &[("Accept-Encoding", "gzip")])?;
    reply.expect(
        |reply| !reply.body.contains(&site.secret) && reply.status == 200,
        "200 OK and leak.txt itself: its .gz is a symlink out of the folder",
        "The .gz beside a file can be a symlink too: canonicalize it, and use it only if it \
         starts_with(&self.root), as in step a.",
    )?;
    Ok(())
}

/// The test that ships at the end of main.rs, in starter and solution.
const PIPE_TEST: &str = "tests::a_pipe_swapped_in_never_holds_a_worker";

pub(super) fn the_open_file_is_streamed(session: &mut Session) -> CheckResult {
    if cfg!(not(unix)) {
        // No named pipes among the files (the test is for unix only).
        return Ok(());
    }
    let test = session.unit_test(PIPE_TEST)?;
    if test.passed {
        return Ok(());
    }
    let (got, hint) = if test.found {
        (
            test.output,
            "A worker got stuck opening the pipe: something opened the path again after \
             open_plain_file had checked it (fs::File::open(&path), fs::read, ...). Between the \
             check and that second open, the name can be given to a pipe, and opening a pipe \
             waits for a writer, for ever. Stream the `file` the given code opened and checked, \
             with its `metadata`: response.send_body_from(file, metadata.len()).",
        )
    } else {
        (
            format!("there is no test {PIPE_TEST}"),
            "The starter ends with a tests module that swaps a pipe in for a file: keep it as \
             it is (copy it back from solutions/7_file_server/main.rs).",
        )
    };
    Err(Failure {
        sent: format!(
            "cargo test --bin {} -- --exact {PIPE_TEST} (it renames a file and a named pipe over \
             index.html, back and forth, as fast as it can, while it asks for /index.html 90,000 \
             times through http_server::test::call)",
            session.binary_name()
        ),
        expected: "every request answered, 200 or 404: no worker waits on the pipe".into(),
        got,
        hint: hint.into(),
    })
}
