//! Lesson 7, the file server, in four steps: (a) a URL path is mapped to a
//! file under DIR, and never to one outside it; (b) each file is sent with
//! its content type; (c) a folder serves its index.html (checked, like any
//! path, to be inside DIR), `/sub` redirects to `/sub/`, and `/file/` is
//! 404; (d) files are streamed, with `Last-Modified`, and
//! `If-Modified-Since` gets `304`.
//!
//! The checks build a folder in the session's temporary folder (see
//! [`Site`]), and each starts the program afresh with that folder as its
//! DIR. They send raw bytes: a client library would tidy `/../` and
//! `%2e%2e` away before sending them, and those are exactly what the
//! checks must send (`session.send_as_is`, in `kit::raw`). A
//! failure shows each request as a `curl --path-as-is` command. The markers in the files and the order of
//! the attacks come from the run's seed, which a failure prints.

mod caching;
mod folders;
mod paths;
mod site;

use crate::{Check, Hint, Lesson};
use caching::{
    byte_ranges, cache_control, etag_and_if_none_match, head_sends_the_length_only,
    last_modified_and_304, precompressed_gzip, streams_big_files, the_open_file_is_streamed,
};
use folders::{
    files_have_no_final_slash, folder_without_index, folders_redirect_to_their_slash_form,
    folders_serve_their_index, index_pages_stay_inside,
};
use paths::{
    bad_dir_is_one_error_line, content_types_by_extension, missing_files_are_404,
    never_leaves_the_folder, other_methods_are_not_allowed, pipes_are_not_files,
    serves_files_by_path, serves_the_lesson_site_by_default,
};

/// Lesson 7, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(7, "file_server", "File server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson7.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "files are served by path: spaces, UTF-8 names and + decoded, the query ignored", serves_files_by_path),
    Check::step("a", "a missing file gets 404 with a small HTML page, and the server keeps serving", missing_files_are_404),
    Check::step("a", "no byte from outside DIR: .. in every spelling, absolute paths and symlinks out get 404 (or 400/403)", never_leaves_the_folder),
    Check::step("a", "a named pipe (FIFO) in DIR gets 404 at once: no worker waits on it for ever", pipes_are_not_files),
    Check::step("a", "a DIR that is missing or not a folder: one error line and a non-zero exit", bad_dir_is_one_error_line),
    Check::step("a", "other methods get 405 with Allow: GET, HEAD; an unknown one keeps 501", other_methods_are_not_allowed),
    Check::step("b", "each file has its Content-Type (html, css, js, json, images, fonts, ...), text with charset=utf-8", content_types_by_extension),
    Check::step("b", "with no DIR, the lesson's own site is served, whatever the current directory", serves_the_lesson_site_by_default),
    Check::step("c", "/ and /sub/ serve their folder's index.html", folders_serve_their_index),
    Check::step("c", "a folder without its slash gets 301 to the slash form, never to another host", folders_redirect_to_their_slash_form),
    Check::step("c", "a folder without index.html gets 404 (or a listing, names escaped and links encoded, no dot-files)", folder_without_index),
    Check::step("c", "a folder's index.html is checked too: one that leads out of DIR gets 404, at / as at /sub/", index_pages_stay_inside),
    Check::step("c", "a file asked for with a final slash (/hello.txt/) gets 404: a slash names a folder", files_have_no_final_slash),
    Check::step("d", "Last-Modified on every file; If-Modified-Since, compared as a date, gets 304 with no body", last_modified_and_304),
    Check::step("d", "HEAD sends the headers only, with the file's exact Content-Length", head_sends_the_length_only),
    Check::step("d", "the file that was opened is the one streamed: a pipe swapped in for it never holds a worker (the test at the end of main.rs)", the_open_file_is_streamed),
    Check::step("d", "a 1 GiB file is streamed: exact Content-Length, and the server's memory stays under 64 MiB", streams_big_files),
    Check::new("an ETag, and If-None-Match with it gets 304", etag_and_if_none_match).optional(),
    Check::new("Range gets 206 with Content-Range, and 416 past the end", byte_ranges).optional(),
    Check::new("Cache-Control on every file", cache_control).optional(),
    Check::new("name.gz goes, with Content-Encoding: gzip and Vary, to a client that accepts gzip", precompressed_gzip).optional(),
];

/// The hints: a nudge, the idea, then the code, for each step.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "A URL path is not yet a file name: /my%20notes.txt is the file \"my notes.txt\", and /../secret.txt must not name anything. Try yours: `cargo run --bin file_server -- some/folder`, then `curl -i --path-as-is 'http://localhost:8000/../Cargo.toml'`.",
        concept: "Work on the path's meaning, never on its spelling: decode it first (http_server::percent_decode), then look at its names one by one: split('/'), skip \"\" and \".\", refuse \"..\", and push the others onto a copy of self.root. A symlink can point anywhere: fs::canonicalize(&path) gives the real path; serve it only if real.starts_with(&self.root), which main made canonical too. A backslash or a NUL in the decoded path: refuse it.",
        code: "Lesson text, \"Traversal\": decode with http_server::percent_decode(url_path).ok()?; refuse '\\\\' and '\\0'; push the names of decoded.split('/') onto self.root.clone(), skipping \"\" and \".\", None for \"..\"; then fs::canonicalize(&path) and real.starts_with(&self.root).",
    },
    Hint {
        step: Some("b"),
        nudge: "Open http://localhost:8000/index.html with your server: does the browser show the page, or offer to save it? The Content-Type header decides, not the file's name.",
        concept: "The browser trusts the Content-Type, not the file's name: match on the extension, \"css\" => \"text/css; charset=utf-8\", \"js\" | \"mjs\" => \"text/javascript; charset=utf-8\", \"png\" => \"image/png\", ... and _ => \"application/octet-stream\" for a kind you do not know. Text types say their charset.",
        code: "match extension.as_str() { \"html\" | \"htm\" => \"text/html; charset=utf-8\", \"css\" => \"text/css; charset=utf-8\", \"js\" | \"mjs\" => \"text/javascript; charset=utf-8\", \"json\" => \"application/json\", \"txt\" => \"text/plain; charset=utf-8\", \"svg\" => \"image/svg+xml\", \"png\" => \"image/png\", \"jpg\" | \"jpeg\" => \"image/jpeg\", \"gif\" => \"image/gif\", \"webp\" => \"image/webp\", \"ico\" => \"image/x-icon\", \"wasm\" => \"application/wasm\", \"woff2\" => \"font/woff2\", \"pdf\" => \"application/pdf\",",
    },
    Hint {
        step: Some("c"),
        nudge: "Try `curl -i http://localhost:8000/` and `curl -i http://localhost:8000/images`: a folder is not a file to send. Which page stands for a folder, and at which address?",
        concept: "When path.is_dir(): a url_path without a final '/' gets send_response(301) and a Location of the same names plus '/'; otherwise serve the folder's index.html, checked as resolve() checks a path (it can be a symlink out of DIR): canonicalize path.join(\"index.html\") and serve it only if it starts_with(&self.root). Build the Location from the decoded names, each passed through http_server::percent_encode and joined with '/', skipping empty ones: a request for //evil.example must not send the browser to Location: //evil.example/. A file asked for with a final slash (/style.css/) is not there: not_found().",
        code: "if !url_path.ends_with('/') { let mut location = String::from(\"/\"); for name in http_server::percent_decode(url_path)?.split('/') { if !name.is_empty() && name != \".\" { location.push_str(&http_server::percent_encode(name)); location.push('/'); } } response.send_response(301); response.send_header(\"Location\", &location); response.end_headers(); return Ok(()); }",
    },
    Hint {
        step: Some("d"),
        nudge: "`curl -I` a file: is there a Last-Modified? Send its value back with `curl -i -H 'If-Modified-Since: ...'`: a browser whose copy is fresh needs no body. And watch the server's memory while it sends a big file.",
        concept: "send_header(\"Last-Modified\", &http_server::format_http_date(metadata.modified()?)). For If-Modified-Since, read the header with request.headers().get and parse it with http_server::parse_http_date: compare the two times in whole seconds, never the two strings. Instead of reading it whole, after end_headers() hand the file the given code opened to response.send_body_from(file, metadata.len()): the server copies it 64 KiB at a time, and sends no body to a HEAD.",
        code: "Lesson text, \"Caching: Last-Modified and 304\": headers.get(\"If-Modified-Since\").and_then(http_server::parse_http_date), fresh if seconds(modified) <= seconds(since): 304. Else 200, Last-Modified, end_headers(), response.send_body_from(file, metadata.len()). Going further: see the solution.",
    },
];

/// The size of the sparse file: 1 GiB of holes, which costs no disk.
pub(super) const BIG_FILE_SIZE: u64 = 1 << 30;
/// How much of it the check reads before it looks at the server's memory.
pub(super) const ENOUGH_BODY: u64 = 128 << 20;
/// The most memory the server may have used after sending that much.
pub(super) const MEMORY_LIMIT_KIB: u64 = 64 * 1024;
/// The hint for any failure on the big file: a server that reads it whole
/// is slow to answer (a timeout) or big in memory, whichever comes first.
pub(super) const BIG_FILE_HINT: &str = "A HEAD or GET of the 1 GiB file must not read it whole: fs::read and \
     read_to_end load all of it before a byte goes out. Hand the open file to \
     response.send_body_from(file, metadata.len()): the server copies it 64 KiB at a time, and \
     reads none of it for a HEAD.";
/// The time every fixed-time file was last modified: Thu, 04 Mar 2021 05:06:07 GMT.
pub(super) const MODIFIED: u64 = 1_614_834_367;
/// The same moment as an HTTP date.
pub(super) const MODIFIED_TEXT: &str = "Thu, 04 Mar 2021 05:06:07 GMT";
