//! Lesson 7, the file server, in four steps: (a) a URL path is mapped to a
//! file under DIR, and never to one outside it; (b) each file is sent with
//! its content type; (c) a folder serves its index.html (checked, like any
//! path, to be inside DIR), `/sub` redirects to `/sub/`, and `/file/` is
//! 404; (d) files are streamed, with `Last-Modified`, and
//! `If-Modified-Since` gets `304`.
//!
//! The checks build a folder in the session's temporary folder (see
//! [`Site`]), and each starts the program afresh with that folder as its
//! DIR. They send raw bytes (`session.send_raw`): a client library would
//! tidy `/../` and `%2e%2e` away before sending them, and those are exactly
//! what the checks must send. A failure shows each request as a
//! `curl --path-as-is` command. The markers in the files and the order of
//! the attacks come from the run's seed, which a failure prints.

use std::fs;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::kit::seed;
use crate::process::{Launch, shell_quote};
use crate::session::{Reply, Session, quote_body};
use crate::{Check, CheckResult, Failure, Hint, Lesson};

/// Lesson 7, as the registry lists it.
pub const LESSON: Lesson = Lesson::new(7, "file_server", "File server").checks(
    CHECKS,
    HINTS,
    include_str!("lesson7.mutants.toml"),
);

/// The checks, in the order the lesson text asks for them.
pub const CHECKS: &[Check] = &[
    Check::step(
        "a",
        "files are served by path: spaces, UTF-8 names and + decoded, the query ignored",
        serves_files_by_path,
    ),
    Check::step(
        "a",
        "a missing file gets 404 with a small HTML page, and the server keeps serving",
        missing_files_are_404,
    ),
    Check::step(
        "a",
        "no byte from outside DIR: .. in every spelling, absolute paths and symlinks out get 404 (or 400/403)",
        never_leaves_the_folder,
    ),
    Check::step(
        "a",
        "a named pipe (FIFO) in DIR gets 404 at once: no worker waits on it for ever",
        pipes_are_not_files,
    ),
    Check::step(
        "a",
        "a DIR that is missing or not a folder: one error line and a non-zero exit",
        bad_dir_is_one_error_line,
    ),
    Check::step(
        "a",
        "other methods get 405 with Allow: GET, HEAD; an unknown one keeps 501",
        other_methods_are_not_allowed,
    ),
    Check::step(
        "b",
        "each file has its Content-Type (html, css, js, json, images, fonts, ...), text with charset=utf-8",
        content_types_by_extension,
    ),
    Check::step(
        "b",
        "with no DIR, the lesson's own site is served, whatever the current directory",
        serves_the_lesson_site_by_default,
    ),
    Check::step(
        "c",
        "/ and /sub/ serve their folder's index.html",
        folders_serve_their_index,
    ),
    Check::step(
        "c",
        "a folder without its slash gets 301 to the slash form, never to another host",
        folders_redirect_to_their_slash_form,
    ),
    Check::step(
        "c",
        "a folder without index.html gets 404 (or a listing, names escaped and links encoded, no dot-files)",
        folder_without_index,
    ),
    Check::step(
        "c",
        "a folder's index.html is checked too: one that leads out of DIR gets 404, at / as at /sub/",
        index_pages_stay_inside,
    ),
    Check::step(
        "c",
        "a file asked for with a final slash (/hello.txt/) gets 404: a slash names a folder",
        files_have_no_final_slash,
    ),
    Check::step(
        "d",
        "Last-Modified on every file; If-Modified-Since, compared as a date, gets 304 with no body",
        last_modified_and_304,
    ),
    Check::step(
        "d",
        "HEAD sends the headers only, with the file's exact Content-Length",
        head_sends_the_length_only,
    ),
    Check::step(
        "d",
        "the file that was opened is the one streamed: a pipe swapped in for it never holds a worker (the test at the end of main.rs)",
        the_open_file_is_streamed,
    ),
    Check::step(
        "d",
        "a 1 GiB file is streamed: exact Content-Length, and the server's memory stays under 64 MiB",
        streams_big_files,
    ),
    Check::new(
        "an ETag, and If-None-Match with it gets 304",
        etag_and_if_none_match,
    )
    .optional(),
    Check::new(
        "Range gets 206 with Content-Range, and 416 past the end",
        byte_ranges,
    )
    .optional(),
    Check::new("Cache-Control on every file", cache_control).optional(),
    Check::new(
        "name.gz goes, with Content-Encoding: gzip and Vary, to a client that accepts gzip",
        precompressed_gzip,
    )
    .optional(),
];

/// The hints: a nudge, the idea, then the code, for each step.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "A URL path is not yet a file name: /my%20notes.txt is the file \"my notes.txt\", and /../secret.txt must not name anything. Try yours: `cargo run --bin file_server -- some/folder`, then `curl -i --path-as-is 'http://localhost:8000/../Cargo.toml'`.",
        concept: "Work on the path's meaning, never on its spelling: decode it first (http_server::percent_decode), then look at its names one by one: split('/'), skip \"\" and \".\", refuse \"..\", and push the others onto a copy of self.root. A symlink can point anywhere: fs::canonicalize(&path) gives the real path; serve it only if real.starts_with(&self.root), which main made canonical too. A backslash or a NUL in the decoded path: refuse it.",
        code: "let decoded = http_server::percent_decode(url_path).ok()?; if decoded.contains(['\\\\', '\\0']) { return None; } let mut path = self.root.clone(); for segment in decoded.split('/') { match segment { \"\" | \".\" => {}, \"..\" => return None, name => path.push(name) } } let real = fs::canonicalize(&path).ok()?; real.starts_with(&self.root).then_some(real)",
    },
    Hint {
        step: Some("b"),
        nudge: "Open http://localhost:8000/index.html with your server: does the browser show the page, or offer to save it? The Content-Type header decides, not the file's name.",
        concept: "The browser trusts the Content-Type, not the file's name: match on the extension, \"css\" => \"text/css; charset=utf-8\", \"js\" | \"mjs\" => \"text/javascript; charset=utf-8\", \"png\" => \"image/png\", ... and _ => \"application/octet-stream\" for a kind you do not know. Text types say their charset.",
        code: "match extension.as_str() { \"html\" | \"htm\" => \"text/html; charset=utf-8\", \"css\" => \"text/css; charset=utf-8\", \"js\" | \"mjs\" => \"text/javascript; charset=utf-8\", \"json\" => \"application/json\", \"txt\" => \"text/plain; charset=utf-8\", \"svg\" => \"image/svg+xml\", \"png\" => \"image/png\", \"jpg\" | \"jpeg\" => \"image/jpeg\", \"gif\" => \"image/gif\", \"webp\" => \"image/webp\", \"ico\" => \"image/x-icon\", \"wasm\" => \"application/wasm\", \"woff2\" => \"font/woff2\", \"pdf\" => \"application/pdf\", _ => \"application/octet-stream\" }",
    },
    Hint {
        step: Some("c"),
        nudge: "Try `curl -i http://localhost:8000/` and `curl -i http://localhost:8000/images`: a folder is not a file to send. Which page stands for a folder, and at which address?",
        concept: "When path.is_dir(): a url_path without a final '/' gets send_response(301) and a Location of the same names plus '/'; otherwise serve the folder's index.html, checked as resolve() checks a path (it can be a symlink out of DIR): canonicalize path.join(\"index.html\") and serve it only if it starts_with(&self.root). Build the Location from the decoded names, each passed through http_server::percent_encode and joined with '/', skipping empty ones: a request for //evil.example must not send the browser to Location: //evil.example/. A file asked for with a final slash (/style.css/) is not there: not_found().",
        code: "let path = if path.is_dir() { if !url_path.ends_with('/') { let mut location = String::from(\"/\"); for name in http_server::percent_decode(url_path)?.split('/') { if !name.is_empty() && name != \".\" { location.push_str(&http_server::percent_encode(name)); location.push('/'); } } response.send_response(301); response.send_header(\"Location\", &location); response.end_headers(); return Ok(()); } match fs::canonicalize(path.join(\"index.html\")) { Ok(real) if real.starts_with(&self.root) => real, _ => return not_found(response, url_path) } } else if url_path.ends_with('/') { return not_found(response, url_path); } else { path };",
    },
    Hint {
        step: Some("d"),
        nudge: "`curl -I` a file: is there a Last-Modified? Send its value back with `curl -i -H 'If-Modified-Since: ...'`: a browser whose copy is fresh needs no body. And watch the server's memory while it sends a big file.",
        concept: "send_header(\"Last-Modified\", &http_server::format_http_date(metadata.modified()?)). For If-Modified-Since, read the header with request.headers().get and parse it with http_server::parse_http_date: compare the two times in whole seconds, never the two strings. Instead of reading it whole, after end_headers() hand the file the given code opened to response.send_body_from(file, metadata.len()): the server copies it 64 KiB at a time, and sends no body to a HEAD.",
        code: "let modified = metadata.modified()?; let secs = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()); let since = request.headers().get(\"If-Modified-Since\").and_then(http_server::parse_http_date); if since.is_some_and(|since| secs(modified) <= secs(since)) { 304, Last-Modified, end_headers(), return } then 200, Content-Type, Last-Modified, end_headers(), response.send_body_from(file, metadata.len()); (Going further: the lesson text's last section describes ETag, Range, Cache-Control and name.gz; solutions/7_file_server/main.rs has one way to write each.)",
    },
];
/// The size of the sparse file: 1 GiB of holes, which costs no disk.
const BIG_FILE_SIZE: u64 = 1 << 30;
/// How much of it the check reads before it looks at the server's memory.
const ENOUGH_BODY: u64 = 128 << 20;
/// The most memory the server may have used after sending that much.
const MEMORY_LIMIT_KIB: u64 = 64 * 1024;
/// The hint for any failure on the big file: a server that reads it whole
/// is slow to answer (a timeout) or big in memory, whichever comes first.
const BIG_FILE_HINT: &str = "A HEAD or GET of the 1 GiB file must not read it whole: fs::read and \
     read_to_end load all of it before a byte goes out. Hand the open file to \
     response.send_body_from(file, metadata.len()): the server copies it 64 KiB at a time, and \
     reads none of it for a HEAD.";
/// The time every fixed-time file was last modified: Thu, 04 Mar 2021 05:06:07 GMT.
const MODIFIED: u64 = 1_614_834_367;
/// The same moment as an HTTP date.
const MODIFIED_TEXT: &str = "Thu, 04 Mar 2021 05:06:07 GMT";

/// The check's folder, in the session's temporary folder:
///
/// ```text
/// TEMP/
///   secret.txt                     <- outside DIR: never to be served
///   www-private/secret.txt         <- outside too, though its name starts with DIR's
///   www/                           <- DIR
///     index.html  hello.txt  with space.txt  café.txt  a+b.txt
///     style.css  app.js  ...       <- one file per content type
///     sub/index.html  sub/page.txt
///     dir two/index.html  evil.example/index.html
///     noindex/a&b <c>.txt  .env    <- a folder without index.html
///     big.bin                      <- 1 GiB, sparse
///     link-out -> ../secret.txt    dir-out -> ..
///     sibling-leak -> ../www-private/secret.txt   sibling-dir -> ../www-private
///     linked/index.html -> ../../secret.txt   <- an index page that leads out
///     alias/index.html -> ../sub/index.html   <- one that stays inside
///     pipe.txt                     <- a named pipe (FIFO), made with mkfifo
/// ```
///
/// It is built once per run, by the first check that needs it.
#[derive(Clone)]
struct Site {
    top: PathBuf,
    www: PathBuf,
    /// A word that only secret.txt contains.
    secret: String,
    /// A word that every served file contains.
    marker: String,
}

impl Site {
    /// The session's folder, built if it is not there yet.
    fn of(session: &mut Session) -> Result<Site, Failure> {
        let top = session.temp_dir()?;
        let seed = seed::seed();
        let site = Site {
            www: top.join("www"),
            top,
            secret: format!("TOP-SECRET-{:016x}", seed.rotate_left(17)),
            marker: format!("{seed:016x}"),
        };
        if !site.www.join("late.txt").exists() {
            site.build().map_err(|error| {
                Failure::plain(
                    format!(
                        "could not build the check's folder {}: {error}",
                        site.top.display()
                    ),
                    "The checks write their folder under target/course-tmp/: is the disk full?",
                )
            })?;
        }
        Ok(site)
    }

    fn build(&self) -> io::Result<()> {
        for folder in ["sub", "dir two", "evil.example", "noindex"] {
            fs::create_dir_all(self.www.join(folder))?;
        }
        fs::write(self.top.join("secret.txt"), format!("{}\n", self.secret))?;
        // Beside DIR, a folder whose name starts with DIR's: as a string,
        // TEMP/www-private starts with TEMP/www; as a path, it does not.
        fs::create_dir_all(self.top.join("www-private"))?;
        fs::write(
            self.top.join("www-private/secret.txt"),
            format!("{}\n", self.secret),
        )?;
        let marker = &self.marker;
        let page = |title: &str| {
            format!(
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
                 <body><p>{title} {marker}</p></body></html>\n"
            )
        };
        let files: Vec<(&str, Vec<u8>)> = vec![
            ("index.html", page("Top page").into_bytes()),
            (
                "hello.txt",
                format!("Hello, files! {marker}\n").into_bytes(),
            ),
            ("with space.txt", format!("spaces {marker}\n").into_bytes()),
            ("café.txt", format!("café {marker}\n").into_bytes()),
            ("a+b.txt", format!("plus {marker}\n").into_bytes()),
            ("sub/index.html", page("Sub page").into_bytes()),
            ("sub/page.txt", format!("deep {marker}\n").into_bytes()),
            ("dir two/index.html", page("Dir two").into_bytes()),
            ("evil.example/index.html", page("Not evil").into_bytes()),
            (
                "noindex/a&b <c>.txt",
                format!("odd {marker}\n").into_bytes(),
            ),
            // A listing must leave out names that start with a dot.
            ("noindex/.env", format!("API_KEY={marker}\n").into_bytes()),
            (
                "style.css",
                format!("/* {marker} */ body {{ }}\n").into_bytes(),
            ),
            ("app.js", format!("// {marker}\n").into_bytes()),
            ("module.mjs", format!("// {marker}\n").into_bytes()),
            (
                "data.json",
                format!("{{\"marker\": \"{marker}\"}}\n").into_bytes(),
            ),
            ("notes.txt", format!("notes {marker}\n").into_bytes()),
            (
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n".to_vec(),
            ),
            ("image.png", b"\x89PNG\r\n\x1a\n".to_vec()),
            ("photo.jpg", b"\xff\xd8\xff\xe0".to_vec()),
            ("anim.gif", b"GIF89a".to_vec()),
            ("favicon.ico", b"\0\0\x01\0".to_vec()),
            ("picture.webp", b"RIFF\0\0\0\0WEBP".to_vec()),
            ("program.wasm", b"\0asm\x01\0\0\0".to_vec()),
            ("font.woff2", b"wOF2".to_vec()),
            ("paper.pdf", b"%PDF-1.4\n".to_vec()),
            ("mystery.xyz", b"?".to_vec()),
            ("README", b"no extension".to_vec()),
            // Not real gzip: the server sends a .gz file as it is, so any
            // bytes show which of the two files came back.
            ("packed.txt", format!("plain {marker}\n").into_bytes()),
            ("packed.txt.gz", format!("GZ-{marker}").into_bytes()),
            ("leak.txt", format!("harmless {marker}\n").into_bytes()),
        ];
        for (name, content) in files {
            fs::write(self.www.join(name), content)?;
        }
        // A fixed time, so that the checks know the Last-Modified to expect;
        // late.txt's is half a second later, as real files' times are.
        let fixed = UNIX_EPOCH + Duration::from_secs(MODIFIED);
        set_modified(&self.www.join("hello.txt"), fixed)?;
        fs::write(self.www.join("late.txt"), format!("late {marker}\n"))?;
        set_modified(
            &self.www.join("late.txt"),
            fixed + Duration::from_millis(500),
        )?;
        // 1 GiB that takes no room on disk: set_len leaves a hole.
        fs::File::create(self.www.join("big.bin"))?.set_len(BIG_FILE_SIZE)?;
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../secret.txt", self.www.join("link-out"))?;
            std::os::unix::fs::symlink("..", self.www.join("dir-out"))?;
            std::os::unix::fs::symlink("../www-private/secret.txt", self.www.join("sibling-leak"))?;
            std::os::unix::fs::symlink("../www-private", self.www.join("sibling-dir"))?;
            std::os::unix::fs::symlink("../secret.txt", self.www.join("leak.txt.gz"))?;
            for folder in ["linked", "alias"] {
                fs::create_dir_all(self.www.join(folder))?;
            }
            std::os::unix::fs::symlink("../../secret.txt", self.www.join("linked/index.html"))?;
            std::os::unix::fs::symlink("../sub/index.html", self.www.join("alias/index.html"))?;
            // Opening a pipe for reading waits for a writer, for ever. std
            // cannot make one; without mkfifo the pipe check has nothing
            // to ask, and says so by passing.
            let _ = std::process::Command::new("mkfifo")
                .arg(self.www.join("pipe.txt"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
        Ok(())
    }

    /// The folder as a student would pass it to their server.
    fn command(&self) -> String {
        format!(
            "cargo run --bin file_server -- {}",
            shell_quote(&self.www.to_string_lossy())
        )
    }

    /// What a report adds, so that a failure can be repeated. The
    /// session's folder is removed when the run ends, so the same folder
    /// (same seed, same files) is built again where it stays, until the
    /// next failure replaces it.
    fn footnote(&self) -> String {
        let kept = crate::shipped::target_dir()
            .join("course-tmp")
            .join("file_server-site");
        let copy = Site {
            www: kept.join("www"),
            top: kept,
            secret: self.secret.clone(),
            marker: self.marker.clone(),
        };
        // Built aside, then moved: two failing runs at once do not mix.
        let aside = copy.top.with_extension(std::process::id().to_string());
        let staged = Site {
            www: aside.join("www"),
            top: aside.clone(),
            ..copy.clone()
        };
        let _ = fs::remove_dir_all(&aside);
        let _ = fs::remove_dir_all(&copy.top);
        if staged
            .build()
            .and_then(|()| fs::rename(&aside, &copy.top))
            .is_err()
        {
            let _ = fs::remove_dir_all(&aside);
            return "\n(the server was serving a folder the check built and removed)".into();
        }
        format!(
            "\n(the server was serving a folder the check built; a copy stays in {}: `{}`)",
            copy.top.display(),
            copy.command()
        )
    }

    /// `GET target`, sent byte for byte as given.
    fn get(&self, session: &mut Session, target: &[u8]) -> Result<Reply, Failure> {
        self.send(session, "GET", target, &[])
    }

    /// Sends `method target` with `headers` as raw bytes, and reads the
    /// whole answer (the server closes the connection after it).
    fn send(
        &self,
        session: &mut Session,
        method: &str,
        target: &[u8],
        headers: &[(&str, &str)],
    ) -> Result<Reply, Failure> {
        let sent = curl_command(method, target, headers);
        let mut request = Vec::new();
        request.extend_from_slice(method.as_bytes());
        request.push(b' ');
        request.extend_from_slice(target);
        request.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        for (name, value) in headers {
            request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        request.extend_from_slice(b"\r\n");
        let answer = session.send_raw(&request).map_err(|failure| Failure {
            sent: sent.clone(),
            got: format!("{}{}", timeout_in_words(&failure.got), self.footnote()),
            hint: if target.starts_with(b"/big.bin") {
                BIG_FILE_HINT.into()
            } else {
                "Every request needs a complete answer; a panic in the server's output names the \
                 file and line."
                    .into()
            },
            ..failure
        })?;
        parse_reply(sent.clone(), &answer).ok_or_else(|| Failure {
            sent,
            expected: "an HTTP response".into(),
            got: quote_body(&answer),
            hint: "The answer is not HTTP: keep send_response, send_header and end_headers.".into(),
        })
    }

    /// A failure about `reply`: what the kit's report shows, the headers
    /// this lesson is about, and how to serve the same folder by hand.
    fn fail(&self, reply: &Reply, expected: impl Into<String>, hint: &str) -> Failure {
        let mut failure = reply.fail(expected, hint);
        for name in ["Content-Length", "Location", "Last-Modified", "Allow"] {
            if let Some(value) = reply.header(name) {
                failure.got.push_str(&format!("\n{name}: {value}"));
            }
        }
        failure.got.push_str(&self.footnote());
        failure
    }
}

/// A read that timed out, in words: the system's ("Resource temporarily
/// unavailable") says nothing to a student.
fn timeout_in_words(got: &str) -> String {
    let timed_out = [
        "os error 11)",
        "os error 35)",
        "os error 10060)",
        "timed out",
    ]
    .iter()
    .any(|sign| got.contains(sign));
    if timed_out {
        "no answer within 5 seconds: the server was still busy with the request".into()
    } else {
        got.to_owned()
    }
}

/// Starts the program afresh, serving the check's folder:
/// `file_server TEMP/www`.
fn serve(session: &mut Session) -> Result<Site, Failure> {
    let site = Site::of(session)?;
    session.set_launch(Launch::default().arg(site.www.to_string_lossy()));
    session.restart()?;
    Ok(site)
}

fn set_modified(path: &Path, time: SystemTime) -> io::Result<()> {
    fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(time)
}

/// The request as a command the student can run: curl with `--path-as-is`
/// (otherwise curl itself removes `/../`), or printf into nc for bytes that
/// curl cannot send.
fn curl_command(method: &str, target: &[u8], headers: &[(&str, &str)]) -> String {
    let printable = target.iter().all(|&byte| byte.is_ascii_graphic());
    let target_text = String::from_utf8_lossy(target);
    if !printable {
        let raw = format!("{method} {target_text} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        return format!(
            "printf {} | nc localhost 8000",
            shell_quote(&raw.escape_default().to_string())
        );
    }
    let mut words = vec!["curl".to_owned()];
    match method {
        "GET" => words.push("-i".into()),
        "HEAD" => words.push("-I".into()),
        _ => words.extend(["-i".into(), "-X".into(), method.into()]),
    }
    for (name, value) in headers {
        words.extend(["-H".into(), shell_quote(&format!("{name}: {value}"))]);
    }
    words.push("--path-as-is".into());
    let url = if target_text.starts_with('/') {
        format!("http://localhost:8000{target_text}")
    } else {
        target_text.into_owned()
    };
    words.push(shell_quote(&url));
    words.join(" ")
}

/// The media type of a reply, without parameters ("" if it has none).
fn media_type_of(reply: &Reply) -> String {
    reply.media_type().unwrap_or_default()
}

/// An answer read from raw bytes, as the kit's [`Reply`].
fn parse_reply(sent: String, answer: &str) -> Option<Reply> {
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers = HeaderMap::new();
    for (name, value) in lines.filter_map(|line| line.split_once(':')) {
        let name = HeaderName::from_bytes(name.trim().as_bytes()).ok()?;
        let value = HeaderValue::from_str(value.trim()).ok()?;
        headers.append(name, value);
    }
    Some(Reply {
        sent,
        status,
        headers,
        body: body.to_owned(),
    })
}

/// Checks that `target` gets 200 and a body that contains `content`.
fn expect_file(
    session: &mut Session,
    site: &Site,
    target: &str,
    content: &str,
    hint: &str,
) -> CheckResult {
    let reply = site.get(session, target.as_bytes())?;
    if reply.status == 200 && reply.body.contains(content) {
        return Ok(());
    }
    Err(site.fail(
        &reply,
        format!("200 OK and the file's content, {content:?}"),
        hint,
    ))
}

fn serves_files_by_path(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let marker = site.marker.clone();
    expect_file(
        session,
        &site,
        "/hello.txt",
        &format!("Hello, files! {marker}"),
        "Map the path to a file under the served folder: /hello.txt is DIR/hello.txt. Step a's \
         TODO is in resolve().",
    )?;
    expect_file(
        session,
        &site,
        "/sub/page.txt",
        &format!("deep {marker}"),
        "A path can go down into folders: /sub/page.txt is DIR/sub/page.txt. Push each name of \
         the path onto the folder, one after the other.",
    )?;
    expect_file(
        session,
        &site,
        "/with%20space.txt",
        &format!("spaces {marker}"),
        "The browser sends a space as %20: decode the path with http_server::percent_decode \
         before looking for the file.",
    )?;
    expect_file(
        session,
        &site,
        "/caf%C3%A9.txt",
        &format!("café {marker}"),
        "é travels as its two UTF-8 bytes, %C3%A9: percent_decode gives back café.",
    )?;
    expect_file(
        session,
        &site,
        "/a+b.txt",
        &format!("plus {marker}"),
        "In a path, + is a plus: decode it with percent_decode, not parse_qs (which turns + into \
         a space, as forms do).",
    )?;
    expect_file(
        session,
        &site,
        "/hello.txt?v=2&x=..%2Fsecret.txt",
        &format!("Hello, files! {marker}"),
        "The query string (after ?) does not name a file: cut it off before mapping the path.",
    )
}

fn missing_files_are_404(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let www = site.www.to_string_lossy().into_owned();
    // %FF alone is not UTF-8: a path that does not decode names no file.
    for target in [
        "/no-such-file.txt",
        "/sub/missing.html",
        "/hello.txt/more",
        "/%FF.txt",
    ] {
        let reply = site.get(session, target.as_bytes())?;
        if reply.status != 404 {
            return Err(site.fail(
                &reply,
                "404 Not Found",
                "A path that names no file (or does not decode) gets 404: resolve() returns None, \
                 and the code after it answers with not_found(). A 500 means a panic (an unwrap) \
                 or an error from fs that went up with `?`.",
            ));
        }
        if reply.body.contains(&www) {
            return Err(site.fail(
                &reply,
                "a 404 page that shows the path as it was asked for",
                "The page names the folder on the server's disk, which tells a visitor (or an \
                 attacker) where the files are: show only the path of the URL.",
            ));
        }
        if media_type_of(&reply) != "text/html" || reply.body.is_empty() {
            return Err(site.fail(
                &reply,
                "404 with a small HTML page (Content-Type: text/html)",
                "Keep not_found(): a browser shows its page.",
            ));
        }
    }
    expect_file(
        session,
        &site,
        "/hello.txt",
        &site.marker.clone(),
        "After a few 404s, the server should still serve files.",
    )
}

/// The attacks: ways of writing a path that leads out of DIR.
fn attacks(top: &Path, mut random: impl FnMut() -> u64) -> Vec<Vec<u8>> {
    let top = top.to_string_lossy();
    let mut targets: Vec<Vec<u8>> = [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/./../secret.txt",
        "/sub/../../secret.txt",
        "/sub/..%2f..%2fsecret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/..%00/secret.txt",
        "/%00",
        "/secret.txt%00.html",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/link-out",
        "/dir-out/secret.txt",
        "/sibling-leak",
        "/sibling-dir/secret.txt",
        "http://localhost/../secret.txt",
    ]
    .iter()
    .map(|target| target.as_bytes().to_vec())
    .collect();
    targets.push(b"/..\\secret.txt".to_vec());
    targets.push(b"/\\..\\secret.txt".to_vec());
    targets.push(format!("/{top}/secret.txt").into_bytes());
    targets.push(format!("/%2F{}/secret.txt", top.trim_start_matches('/')).into_bytes());
    targets.push(format!("/{}/secret.txt", top.replace('/', "%2F")).into_bytes());
    // The order comes from the seed: a program cannot count on it.
    for index in (1..targets.len()).rev() {
        let other = usize::try_from(random() % (index as u64 + 1)).unwrap_or(0);
        targets.swap(index, other);
    }
    targets
}

fn never_leaves_the_folder(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    // The served folder's place on disk: no attack names it, so an answer
    // that shows it is telling the attacker where the files are.
    let www = site.www.to_string_lossy().into_owned();
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let passwd_line = passwd.lines().next().unwrap_or("").to_owned();
    for target in attacks(&site.top, seed::random_number) {
        let reply = site.get(session, &target)?;
        let text = &reply.body;
        let leaked =
            text.contains(&site.secret) || (!passwd_line.is_empty() && text.contains(&passwd_line));
        if leaked {
            let hint = if target.windows(2).any(|pair| pair == b"%2" || pair == b"%5")
                || target.windows(3).any(|three| three == b"%00")
            {
                "A file outside the folder was sent! Decode the path before you check it: %2e%2e \
                 is .. and %2f is / once decoded. Then refuse any name that is \"..\", and any \
                 '\\\\' or NUL in the decoded path."
            } else if target.starts_with(b"/sibling-") {
                "A file outside the folder was sent, through a symlink into www-private, a folder \
                 beside DIR whose name starts with DIR's name! Compare paths as paths, name by \
                 name: real.starts_with(&self.root) on the PathBufs (Path::starts_with). As \
                 strings, \"/x/www-private\" starts with \"/x/www\"."
            } else if target.starts_with(b"/link-out") || target.starts_with(b"/dir-out") {
                "A file outside the folder was sent, through a symlink! fs::canonicalize(&path) \
                 follows every link to the real path: serve it only if it starts_with(&self.root)."
            } else if target.starts_with(b"//") || !target.windows(2).any(|pair| pair == b"..") {
                "A file outside the folder was sent! Joining a path that starts with / replaces \
                 the folder (Path::join with an absolute path). Push the names one by one, and \
                 skip the empty ones."
            } else {
                "A file outside the folder was sent! Split the decoded path on '/' and refuse a \
                 name that is \"..\": never join the request's path onto the folder as it is."
            };
            return Err(site.fail(
                &reply,
                "404 Not Found (or 400/403), and not a byte of the file outside the folder",
                hint,
            ));
        }
        if !matches!(reply.status, 400 | 403 | 404) {
            return Err(site.fail(
                &reply,
                "404 Not Found (or 400/403): this path leads out of the folder",
                "Refuse it with 404, like a file that is not there: that tells an attacker nothing. \
                 A 500 means an error from fs went up with `?`; a 200 or a 3xx answers something \
                 that must not be answered.",
            ));
        }
        if text.contains(&www) {
            return Err(site.fail(
                &reply,
                "an answer that does not show where the files are on disk",
                "The page names a folder on the server's disk: tell the client only that there is \
                 no such file.",
            ));
        }
    }
    expect_file(
        session,
        &site,
        "/hello.txt",
        &site.marker.clone(),
        "After the attacks, the server should still serve files.",
    )
}

/// Whether `path` is a named pipe (made by the site's mkfifo).
fn is_pipe(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_fifo())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

fn pipes_are_not_files(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    if !is_pipe(&site.www.join("pipe.txt")) {
        // No mkfifo here (or not unix): there is no pipe to ask for.
        return Ok(());
    }
    // The session's request timeout is the guard: a worker that opens the
    // pipe waits for a writer that never comes, and the request is never
    // answered.
    const HINT: &str = "A named pipe (a FIFO, made with mkfifo) is not a file: opening one for \
        reading waits until something writes to it, for ever. The code after step c's region \
        opens the file first without waiting (O_NONBLOCK), then asks what it opened \
        (file.metadata()): keep it, and do not open the path again in your step d.";
    let reply = site.get(session, b"/pipe.txt").map_err(|failure| Failure {
        hint: HINT.into(),
        ..failure
    })?;
    if !matches!(reply.status, 400 | 403 | 404) {
        return Err(site.fail(&reply, "404 Not Found: a pipe is not a file to serve", HINT));
    }
    expect_file(
        session,
        &site,
        "/hello.txt",
        &site.marker.clone(),
        "After the pipes, the server should still serve files.",
    )
}

fn bad_dir_is_one_error_line(session: &mut Session) -> CheckResult {
    let site = Site::of(session)?;
    // `session.run` adds its arguments to the launch's: start from none.
    session.set_launch(Launch::default());
    let missing = site.top.join("no-such-folder");
    let file = site.www.join("hello.txt");
    for (dir, what) in [(&missing, "does not exist"), (&file, "is a file")] {
        let dir = dir.to_string_lossy().into_owned();
        let output = session.run(&[&dir])?;
        let lines: Vec<&str> = output.stderr.lines().collect();
        let fail = |hint: &str| Failure {
            sent: output.command.clone(),
            expected: format!(
                "one line on stderr that names the problem, and a non-zero exit code (DIR {what})"
            ),
            got: format!(
                "exit code {:?}, stderr: {}",
                output.code,
                quote_body(&output.stderr)
            ),
            hint: hint.into(),
        };
        if output.code == Some(0) || output.code.is_none() {
            return Err(fail(
                "Check DIR before serving: fs::canonicalize fails for a path that does not exist, \
                 and is_dir() tells a folder from a file. Print one line with eprintln! and \
                 std::process::exit(1).",
            ));
        }
        if lines.len() != 1 || output.stderr.contains("panicked") {
            return Err(fail(
                "One clear line, not a panic: a student reads it. Keep main()'s fail().",
            ));
        }
    }
    Ok(())
}

fn other_methods_are_not_allowed(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let reply = site.send(session, method, b"/hello.txt", &[("Content-Length", "0")])?;
        let allow = reply.header("allow").unwrap_or("").to_ascii_uppercase();
        if reply.status != 405 || !allow.contains("GET") || !allow.contains("HEAD") {
            return Err(site.fail(
                &reply,
                "405 Method Not Allowed, with Allow: GET, HEAD",
                "Files are read, not changed: every method but GET and HEAD gets 405 and an Allow \
                 header that lists the methods that work. Keep the starter's do_post, do_put, ...",
            ));
        }
    }
    let reply = site.send(session, "BREW", b"/hello.txt", &[])?;
    if reply.status != 501 {
        return Err(site.fail(
            &reply,
            "501 Not Implemented: a method the server module does not know",
            "Leave unknown methods to the server module: it answers 501.",
        ));
    }
    Ok(())
}

fn content_types_by_extension(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let table: [(&str, &[&str]); 18] = [
        ("/index.html", &["text/html"]),
        ("/style.css", &["text/css"]),
        // RFC 9239 made text/javascript the one name; application/javascript
        // is obsolete: one rule, and a hint for the old name.
        ("/app.js", &["text/javascript"]),
        ("/module.mjs", &["text/javascript"]),
        ("/data.json", &["application/json"]),
        ("/notes.txt", &["text/plain"]),
        ("/logo.svg", &["image/svg+xml"]),
        ("/image.png", &["image/png"]),
        ("/photo.jpg", &["image/jpeg"]),
        ("/anim.gif", &["image/gif"]),
        (
            "/favicon.ico",
            &["image/x-icon", "image/vnd.microsoft.icon"],
        ),
        ("/picture.webp", &["image/webp"]),
        ("/program.wasm", &["application/wasm"]),
        ("/font.woff2", &["font/woff2"]),
        ("/paper.pdf", &["application/pdf"]),
        ("/mystery.xyz", &["application/octet-stream"]),
        ("/README", &["application/octet-stream"]),
        ("/sub/page.txt", &["text/plain"]),
    ];
    for (target, types) in table {
        let reply = site.get(session, target.as_bytes())?;
        if reply.status != 200 {
            return Err(site.fail(
                &reply,
                "200 OK",
                "Step a serves every file in the folder: finish it first.",
            ));
        }
        let media_type = media_type_of(&reply);
        if !types.contains(&media_type.as_str()) {
            let hint = match target {
                "/app.js" | "/module.mjs" if media_type == "application/javascript" => {
                    "application/javascript is the old name of JavaScript's type: RFC 9239 (2022) \
                     made text/javascript the one to use. Send text/javascript; charset=utf-8."
                }
                "/app.js" | "/module.mjs" => {
                    "A script needs a JavaScript type, text/javascript: a browser refuses to run a \
                     module script sent as anything else."
                }
                "/style.css" => {
                    "A stylesheet needs text/css: a browser ignores one sent as anything else."
                }
                "/mystery.xyz" | "/README" => {
                    "A file whose kind you do not know is application/octet-stream: \"just bytes\". \
                     Guessing text/plain could make a browser show (or run) what it should not."
                }
                _ => {
                    "Match on the file's extension in content_type(): the lesson text has the table."
                }
            };
            let charset = if types[0].starts_with("text/") {
                "; charset=utf-8"
            } else {
                ""
            };
            return Err(site.fail(&reply, format!("Content-Type: {}{charset}", types[0]), hint));
        }
        let charset = reply
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase()
            .replace([' ', '"'], "");
        if media_type.starts_with("text/") && !charset.contains("charset=utf-8") {
            return Err(site.fail(
                &reply,
                format!("Content-Type: {media_type}; charset=utf-8"),
                "Text types say their charset: without charset=utf-8 a browser may show é as Ã©.",
            ));
        }
    }
    Ok(())
}

fn serves_the_lesson_site_by_default(session: &mut Session) -> CheckResult {
    // Started in the session's temporary folder, with no DIR: the default must
    // not depend on where the student stands.
    let site = Site::of(session)?;
    session.set_launch(Launch::default().in_dir(&site.top));
    session.restart()?;
    let files = [
        ("/index.html", "text/html", "<title>Todo List</title>"),
        ("/style.css", "text/css", ""),
        ("/app.js", "text/javascript", ""),
        ("/images/logo.svg", "image/svg+xml", "<svg"),
        ("/images/done.png", "image/png", "PNG"),
        ("/favicon.ico", "image/x-icon", ""),
        ("/sample-todos.json", "application/json", "title"),
    ];
    for (target, media_type, content) in files {
        let reply = site.get(session, target.as_bytes())?;
        let type_ok = media_type_of(&reply) == media_type
            || (media_type == "image/x-icon"
                && media_type_of(&reply) == "image/vnd.microsoft.icon");
        if reply.status != 200 || !type_ok || !reply.body.contains(content) {
            return Err(Failure {
                sent: format!(
                    "cargo run --bin file_server  (no DIR, from another folder), then: {}",
                    reply.sent
                ),
                expected: format!(
                    "200 OK, Content-Type: {media_type}, the file from lessons/7_file_server/public/"
                ),
                got: reply.summary(),
                hint: "With no DIR, serve the lesson's own site: keep DEFAULT_DIR, which is found \
                       from CARGO_MANIFEST_DIR, so it works whatever the current directory. And \
                       every file needs its type (step b)."
                    .into(),
            });
        }
    }
    // The page asks for /todos, the API of lesson 8: a file server has none.
    let reply = site.get(session, b"/todos")?;
    if reply.status != 404 {
        return Err(reply.fail(
            "404 Not Found: there is no file called todos",
            "The page falls back to its sample list when /todos answers 404.",
        ));
    }
    Ok(())
}

fn folders_serve_their_index(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let marker = site.marker.clone();
    for (target, title) in [
        ("/", "Top page"),
        ("/sub/", "Sub page"),
        ("/sub/?x=1", "Sub page"),
        ("/dir%20two/", "Dir two"),
    ] {
        let reply = site.get(session, target.as_bytes())?;
        let expected = format!("200 OK, text/html, the folder's index.html ({title} {marker})");
        if target.contains('?') && reply.status == 301 {
            return Err(site.fail(
                &reply,
                expected,
                "The path ends with a slash, /sub/, and the query string (?x=1) comes after it: \
                 it is not part of the path. Test url_path, the path without its query, for the \
                 final slash (url_path.ends_with('/')), not request.path(), which still holds \
                 the query.",
            ));
        }
        if reply.status != 200 || !reply.body.contains(&format!("{title} {marker}")) {
            return Err(site.fail(
                &reply,
                expected,
                "A path that names a folder serves the index.html inside it: in step c's TODO, \
                 when path.is_dir() and the path ends with '/', use path.join(\"index.html\").",
            ));
        }
        if media_type_of(&reply) != "text/html" {
            return Err(site.fail(
                &reply,
                expected,
                "The folder's index is index.html: take its content type from that name, not \
                 from the folder's.",
            ));
        }
    }
    Ok(())
}

fn folders_redirect_to_their_slash_form(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for (target, location) in [
        ("/sub", "/sub/"),
        ("/sub?x=1", "/sub/"),
        ("/dir%20two", "/dir%20two/"),
        ("//sub", "/sub/"),
        ("//evil.example", "/evil.example/"),
    ] {
        let reply = site.get(session, target.as_bytes())?;
        let expected = format!("301 Moved Permanently, Location: {location}");
        if reply.status != 301 {
            return Err(site.fail(
                &reply,
                expected,
                "A folder asked for without its final slash gets 301 Moved Permanently to the \
                 slash form: the page's relative links (style.css) are resolved from the last \
                 slash of its URL.",
            ));
        }
        let got = reply.header("location").unwrap_or("");
        if got.starts_with("//") || got.starts_with("/\\") || got.contains("://") {
            return Err(site.fail(
                &reply,
                expected,
                "That Location sends the browser to another host: a browser reads //evil.example/ \
                 as http://evil.example/. Rebuild the Location from the decoded names, each \
                 percent-encoded, and skip the empty ones.",
            ));
        }
        // Keeping the query string is fine too.
        if got != location && got != format!("{location}?x=1") {
            return Err(site.fail(
                &reply,
                expected,
                "The Location is the same folder, with a '/' at the end, its names \
                 percent-encoded (a space is %20).",
            ));
        }
    }
    Ok(())
}

fn folder_without_index(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let reply = site.get(session, b"/noindex/")?;
    match reply.status {
        404 => Ok(()),
        200 => {
            let text = &reply.body;
            let escaped = "a&amp;b &lt;c&gt;.txt";
            let link = "a%26b%20%3Cc%3E.txt";
            if text.contains("<c>") || !text.contains(escaped) || !text.contains(link) {
                return Err(site.fail(
                    &reply,
                    format!(
                        "404, or a listing where the name a&b <c>.txt shows as {escaped} and its \
                         link is {link}"
                    ),
                    "A file name is text from elsewhere: escape it for the page (escape_html_text) \
                     and percent-encode it for the link (percent_encode, then escape_html for the \
                     attribute).",
                ));
            }
            if text.contains(".env") {
                return Err(site.fail(
                    &reply,
                    "404, or a listing without the names that start with a dot (here .env)",
                    "Leave out names that start with a dot: .env, .git and .htpasswd hold what \
                     nobody meant to publish, and a listing is how they leak. Skip them with \
                     !name.starts_with('.').",
                ));
            }
            Ok(())
        }
        _ => Err(site.fail(
            &reply,
            "404 Not Found: the folder has no index.html",
            "Serve path.join(\"index.html\"); when there is no such file, the 404 below answers. \
             A 500 means an error (such as reading a folder as a file) went up with `?`.",
        )),
    }
}

fn index_pages_stay_inside(session: &mut Session) -> CheckResult {
    if !cfg!(unix) {
        // The site has no symlinks where it cannot make them.
        return Ok(());
    }
    let site = serve(session)?;
    const HINT: &str = "A folder's index.html is one more name, and can be a symlink like any \
        other: resolve() checked the folder, not the file inside it. Canonicalize \
        path.join(\"index.html\") and serve it only if it starts_with(&self.root); otherwise \
        not_found().";
    let leaked = |reply: &Reply| {
        reply.body.contains(&site.secret) || !matches!(reply.status, 400 | 403 | 404)
    };
    let reply = site.get(session, b"/linked/")?;
    if leaked(&reply) {
        return Err(site.fail(
            &reply,
            "404 Not Found: linked/index.html is a symlink to a file outside DIR (GET \
             /linked/index.html gets 404 too)",
            HINT,
        ));
    }
    let marker = site.marker.clone();
    expect_file(
        session,
        &site,
        "/alias/",
        &format!("Sub page {marker}"),
        "alias/index.html is a symlink to sub/index.html, inside DIR: a symlink is fine as long as \
         it leads to a file inside. Compare where it leads (canonicalize) with the root.",
    )?;
    // DIR's own index.html, served at /: the check's linked/ folder as DIR.
    let linked = site.www.join("linked");
    session.set_launch(Launch::default().arg(linked.to_string_lossy()));
    session.restart()?;
    let reply = site.get(session, b"/")?;
    if leaked(&reply) {
        let mut failure = site.fail(
            &reply,
            "404 Not Found: DIR's own index.html is a symlink to a file outside DIR",
            HINT,
        );
        failure.sent = format!(
            "cargo run --bin file_server -- {}, then: {}",
            shell_quote(&linked.to_string_lossy()),
            failure.sent
        );
        return Err(failure);
    }
    Ok(())
}

fn files_have_no_final_slash(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for target in ["/hello.txt/", "/sub/page.txt/", "/style.css/"] {
        let reply = site.get(session, target.as_bytes())?;
        if reply.status != 404 {
            return Err(site.fail(
                &reply,
                "404 Not Found: a path that ends with a slash names a folder, and this is a file",
                "A final slash names a folder: /style.css/ is not the file style.css (a page \
                 served there would look for its relative links in /style.css/). When the path \
                 is not a folder and url_path ends with '/', answer not_found(), as nginx and \
                 Python's http.server do.",
            ));
        }
    }
    Ok(())
}

fn last_modified_and_304(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let reply = site.get(session, b"/hello.txt")?;
    if reply.header("last-modified") != Some(MODIFIED_TEXT) {
        return Err(site.fail(
            &reply,
            format!("200 OK with Last-Modified: {MODIFIED_TEXT} (the file's time)"),
            "Send the file's time: send_header(\"Last-Modified\", \
             &http_server::format_http_date(metadata.modified()?)).",
        ));
    }
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
        (
            "Fri, 05 Mar 2021 00:00:00 GMT",
            true,
            "a day later than the file's time",
        ),
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
        let reply = site.send(
            session,
            "GET",
            b"/hello.txt",
            &[("If-Modified-Since", since)],
        )?;
        if fresh {
            if reply.status != 304 || !reply.body.is_empty() {
                // The same date fails, and a later one? Then it compares
                // with < where <= belongs.
                let later = if since == MODIFIED_TEXT {
                    site.send(
                        session,
                        "GET",
                        b"/hello.txt",
                        &[("If-Modified-Since", "Fri, 05 Mar 2021 00:00:00 GMT")],
                    )?
                    .status
                } else {
                    0
                };
                let hint = if later == 304 {
                    "A later date gets 304, but the file's own date does not: the test is \
                     \"the file is not newer than the date\", modified <= since (in whole \
                     seconds), not modified < since. A browser sends back exactly the \
                     Last-Modified it got: with <, a file is never fresh."
                } else {
                    "Parse If-Modified-Since with http_server::parse_http_date and compare times \
                     in whole seconds: the file is not newer, so the browser's copy is fresh. \
                     Comparing the strings fails as soon as a date is written another way."
                };
                return Err(site.fail(
                    &reply,
                    format!("304 Not Modified and no body: If-Modified-Since is {why}"),
                    hint,
                ));
            }
        } else if reply.status != 200 || reply.body.is_empty() {
            return Err(site.fail(
                &reply,
                format!("200 OK and the file: If-Modified-Since is {why}"),
                "Answer 304 only when the file is not newer than the date; a header that is not \
                 a date is ignored. Compare times, not strings: \"Wed\" sorts after \"Thu\".",
            ));
        }
    }
    // late.txt was modified half a second after MODIFIED: its Last-Modified
    // says 05:06:07, and that date must count as fresh.
    let reply = site.get(session, b"/late.txt")?;
    let Some(last_modified) = reply.header("last-modified").map(str::to_owned) else {
        return Err(site.fail(
            &reply,
            "Last-Modified on every file",
            "Send Last-Modified for every file you serve.",
        ));
    };
    let reply = site.send(
        session,
        "GET",
        b"/late.txt",
        &[("If-Modified-Since", &last_modified)],
    )?;
    if reply.status != 304 {
        return Err(site.fail(
            &reply,
            "304 Not Modified: this is the Last-Modified the server sent for the file",
            "HTTP dates have whole seconds, and file times have fractions: drop the fraction \
             (compare as_secs()) before comparing, or a file modified at 05:06:07.5 is never \
             fresh.",
        ));
    }
    Ok(())
}

fn head_sends_the_length_only(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let get = site.get(session, b"/hello.txt")?;
    let length = get.body.len().to_string();
    if get.header("content-length") != Some(length.as_str()) {
        return Err(site.fail(
            &get,
            format!("Content-Length: {length}, the size of the file"),
            "Let the server set Content-Length from send_body_from(file, metadata.len()).",
        ));
    }
    let head = site.send(session, "HEAD", b"/hello.txt", &[])?;
    if head.status != 200 || head.header("content-length") != Some(length.as_str()) {
        return Err(site.fail(
            &head,
            format!("200 OK, Content-Length: {length}, and no body"),
            "HEAD answers with the headers a GET would get: the module's do_head calls do_get.",
        ));
    }
    if !head.body.is_empty() {
        return Err(site.fail(
            &head,
            "no body after the headers of a HEAD answer",
            "Do not write the body yourself for HEAD: send_body_from lets the server leave it out.",
        ));
    }
    let head = site.send(session, "HEAD", b"/big.bin", &[])?;
    let big = BIG_FILE_SIZE.to_string();
    if head.status != 200 || head.header("content-length") != Some(big.as_str()) {
        return Err(site.fail(
            &head,
            format!("200 OK and Content-Length: {big} (a 1 GiB file)"),
            "HEAD sends the length of the file, from its metadata, without reading it.",
        ));
    }
    // A fast machine may read the file whole within the timeout: its
    // memory tells, whatever the speed.
    let pid = session.server()?.pid();
    if let Some(peak) = peak_memory_kib(pid).filter(|&peak| peak > MEMORY_LIMIT_KIB) {
        let mut failure = site.fail(
            &head,
            format!(
                "the headers, with the server's memory under {} MiB: a HEAD reads none of the file",
                MEMORY_LIMIT_KIB / 1024
            ),
            BIG_FILE_HINT,
        );
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

fn streams_big_files(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let sent = curl_command("GET", b"/big.bin", &[]);
    let big = BIG_FILE_SIZE.to_string();
    let fail = |got: String, hint: &str| Failure {
        sent: sent.replace("-i ", "-o /dev/null -D - "),
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
    let (address, pid) = {
        let server = session.server()?;
        let address = server.base_url().trim_start_matches("http://").to_owned();
        (address, server.pid())
    };
    let mut stream = TcpStream::connect(&address)
        .map_err(|error| fail(format!("no connection: {error}"), ""))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|error| fail(format!("could not send: {error}"), ""))?;
    let mut buffer = vec![0; 256 * 1024];
    let mut head = Vec::new();
    let mut body_bytes: u64 = 0;
    let mut head_done = false;
    while body_bytes < ENOUGH_BODY {
        let read = match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                return Err(fail(
                    format!("the answer stopped: {error}, after {body_bytes} bytes of body"),
                    BIG_FILE_HINT,
                ));
            }
        };
        if head_done {
            body_bytes += read as u64;
            continue;
        }
        head.extend_from_slice(&buffer[..read]);
        if let Some(end) = head.windows(4).position(|window| window == b"\r\n\r\n") {
            body_bytes = (head.len() - end - 4) as u64;
            head.truncate(end + 4);
            head_done = true;
        }
    }
    let head_text = String::from_utf8_lossy(&head).into_owned();
    let status_ok = head_text.starts_with("HTTP/1.1 200");
    let length_ok = head_text
        .to_ascii_lowercase()
        .contains(&format!("\r\ncontent-length: {big}\r\n"));
    let peak = peak_memory_kib(pid);
    if let Some(peak) = peak.filter(|&peak| peak > MEMORY_LIMIT_KIB) {
        return Err(fail(
            format!(
                "the server's memory peaked at {} MiB (VmHWM in /proc/PID/status)",
                peak / 1024
            ),
            BIG_FILE_HINT,
        ));
    }
    if !status_ok || !length_ok || body_bytes < ENOUGH_BODY {
        return Err(fail(
            format!(
                "{}, then {body_bytes} bytes of body",
                head_text.trim_end().replace("\r\n", " | ")
            ),
            "Send exactly the file: Content-Length from metadata.len(), and the body from \
             send_body_from(file, metadata.len()).",
        ));
    }
    // Where there is no /proc (not Linux), the memory is not measured: the
    // body's exact length is all this check can see.
    Ok(())
}

fn etag_and_if_none_match(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let reply = site.get(session, b"/hello.txt")?;
    let Some(etag) = reply.header("etag").map(str::to_owned) else {
        return Err(site.fail(
            &reply,
            "an ETag header: a quoted tag for this version of the file",
            "Make a tag from what changes with the file, its length and time: \
             format!(\"\\\"{:x}-{:x}\\\"\", len, nanos), quotes included.",
        ));
    };
    if !etag.trim_start_matches("W/").starts_with('"') || !etag.ends_with('"') {
        return Err(site.fail(
            &reply,
            "an ETag in double quotes, like \"3f-5a1b\"",
            "The quotes are part of an entity tag.",
        ));
    }
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
        let reply = site.send(session, "GET", b"/hello.txt", &headers)?;
        let right = if fresh {
            reply.status == 304 && reply.body.is_empty()
        } else {
            reply.status == 200
        };
        if !right {
            return Err(site.fail(
                &reply,
                if fresh {
                    format!("304 Not Modified, no body: If-None-Match is {why}")
                } else {
                    format!("200 OK: If-None-Match is {why} (If-Modified-Since is then ignored)")
                },
                "If-None-Match is a comma-separated list of tags, or *: 304 if one of them is the \
                 file's ETag. When it is there, it decides, and If-Modified-Since is ignored \
                 (RFC 9110, section 13.2.2).",
            ));
        }
    }
    Ok(())
}

fn byte_ranges(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let whole = site.get(session, b"/hello.txt")?.body;
    let length = whole.len() as u64;
    let cases: [(String, u64, u64); 4] = [
        ("bytes=0-4".into(), 0, 4),
        ("bytes=7-".into(), 7, length - 1),
        ("bytes=-6".into(), length - 6, length - 1),
        (format!("bytes=3-{}", length + 100), 3, length - 1),
    ];
    for (range, first, last) in cases {
        let reply = site.send(session, "GET", b"/hello.txt", &[("Range", &range)])?;
        let content_range = format!("bytes {first}-{last}/{length}");
        let part = &whole[usize::try_from(first).unwrap_or(0)..=usize::try_from(last).unwrap_or(0)];
        if reply.status != 206
            || reply.header("content-range") != Some(content_range.as_str())
            || reply.body != part
        {
            return Err(site.fail(
                &reply,
                format!(
                    "206 Partial Content, Content-Range: {content_range}, and the body {:?}",
                    part
                ),
                "Read Range: bytes=FIRST-LAST (LAST may be missing: to the end; FIRST may be \
                 missing: the last LAST bytes). Seek the file to FIRST, take() the count, and \
                 send_body_from(file.take(count), count) after a 206 with Content-Range.",
            ));
        }
    }
    let past = format!("bytes={}-", length + 10);
    let reply = site.send(session, "GET", b"/hello.txt", &[("Range", &past)])?;
    let star = format!("bytes */{length}");
    if reply.status != 416 || reply.header("content-range") != Some(star.as_str()) {
        return Err(site.fail(
            &reply,
            format!("416 Range Not Satisfiable, with Content-Range: {star}"),
            "A range that starts after the end of the file cannot be satisfied: 416, and a \
             Content-Range that gives the file's length.",
        ));
    }
    // The end of the 1 GiB file, without the rest of it.
    let tail = format!("bytes={}-", BIG_FILE_SIZE - 4);
    let reply = site.send(session, "GET", b"/big.bin", &[("Range", &tail)])?;
    if reply.status != 206 || reply.body != "\0\0\0\0" {
        return Err(site.fail(
            &reply,
            "206 Partial Content and the last 4 bytes of the 1 GiB file",
            "Seek to the first byte of the range: do not read (or send) what comes before it.",
        ));
    }
    Ok(())
}

fn cache_control(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for target in ["/index.html", "/style.css", "/app.js", "/image.png"] {
        let reply = site.get(session, target.as_bytes())?;
        if reply.header("cache-control").is_none_or(str::is_empty) {
            return Err(site.fail(
                &reply,
                "a Cache-Control header (no-cache, max-age=..., ...)",
                "Tell caches how long they may use their copy without asking: no-cache (always \
                 ask, and get a cheap 304) suits files whose names carry no version.",
            ));
        }
    }
    Ok(())
}

fn precompressed_gzip(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let marker = site.marker.clone();
    let gzip = site.send(
        session,
        "GET",
        b"/packed.txt",
        &[("Accept-Encoding", "deflate, gzip;q=0.8")],
    )?;
    let vary = gzip.header("vary").unwrap_or("").to_ascii_lowercase();
    if gzip.status != 200
        || gzip.body != format!("GZ-{marker}")
        || gzip.header("content-encoding") != Some("gzip")
        || media_type_of(&gzip) != "text/plain"
        || !vary.contains("accept-encoding")
    {
        return Err(site.fail(
            &gzip,
            "200 OK, the bytes of packed.txt.gz, Content-Encoding: gzip, Content-Type: \
             text/plain (the type of packed.txt), Vary: Accept-Encoding",
            "When Accept-Encoding lists gzip (with a q that is not 0) and name.gz is a file \
             beside name, send name.gz as it is, with Content-Encoding: gzip and the type of \
             name. Vary: Accept-Encoding tells caches that the answer depends on that header.",
        ));
    }
    for accept in [None, Some("gzip;q=0"), Some("br")] {
        let headers: Vec<(&str, &str)> = accept
            .map(|value| ("Accept-Encoding", value))
            .into_iter()
            .collect();
        let plain = site.send(session, "GET", b"/packed.txt", &headers)?;
        if plain.body != format!("plain {marker}\n") || plain.header("content-encoding").is_some() {
            return Err(site.fail(
                &plain,
                "200 OK and packed.txt itself, with no Content-Encoding",
                "Send the .gz only to a client that accepts gzip: no Accept-Encoding, \
                 gzip;q=0 (\"not gzip\") or only br get the file itself.",
            ));
        }
    }
    // leak.txt.gz is a symlink to the secret outside the folder.
    let reply = site.send(session, "GET", b"/leak.txt", &[("Accept-Encoding", "gzip")])?;
    if reply.body.contains(&site.secret) || reply.status != 200 {
        return Err(site.fail(
            &reply,
            "200 OK and leak.txt itself: its .gz is a symlink out of the folder",
            "The .gz beside a file can be a symlink too: canonicalize it, and use it only if it \
             starts_with(&self.root), as in step a.",
        ));
    }
    Ok(())
}

/// The test that ships at the end of main.rs, in starter and solution.
const PIPE_TEST: &str = "tests::a_pipe_swapped_in_never_holds_a_worker";

fn the_open_file_is_streamed(session: &mut Session) -> CheckResult {
    if cfg!(not(unix)) {
        // No named pipes among the files (the test is for unix only).
        return Ok(());
    }
    let binary = session.binary_name();
    let sent = format!(
        "cargo test --bin {binary} -- --exact {PIPE_TEST} (it renames a file and a named pipe \
         over index.html, back and forth, as fast as it can, while it asks for /index.html \
         90,000 times through http_server::test::call)"
    );
    let expected = "every request answered, 200 or 404: no worker waits on the pipe";
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
        sent,
        expected: expected.into(),
        got,
        hint: hint.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_answer_from_raw_bytes() {
        let reply = parse_reply(
            "sent".into(),
            "HTTP/1.1 301 Moved Permanently\r\nLocation: /sub/\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(reply.status, 301);
        assert_eq!(reply.header("LOCATION"), Some("/sub/"));
        assert!(reply.body.is_empty());
        assert!(parse_reply(String::new(), "garbage").is_none());
    }

    #[test]
    fn shows_attacks_as_commands_a_student_can_run() {
        assert_eq!(
            curl_command("GET", b"/..%2fsecret.txt", &[]),
            "curl -i --path-as-is http://localhost:8000/..%2fsecret.txt"
        );
        assert_eq!(
            curl_command("GET", b"/a\\b", &[]),
            "curl -i --path-as-is 'http://localhost:8000/a\\b'"
        );
        assert!(curl_command("GET", b"/a b", &[]).starts_with("printf "));
    }

    #[test]
    fn the_order_of_the_attacks_depends_on_the_random_numbers_only() {
        let top = Path::new("/tmp/x");
        let counter = |start: u64| {
            let mut next = start;
            move || {
                next = next.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                next >> 11
            }
        };
        assert_eq!(attacks(top, counter(1)), attacks(top, counter(1)));
        assert_ne!(attacks(top, counter(1)), attacks(top, counter(2)));
        let mut sorted = attacks(top, counter(1));
        sorted.sort();
        let mut other = attacks(top, counter(2));
        other.sort();
        assert_eq!(sorted, other, "the same attacks, in another order");
    }
}
