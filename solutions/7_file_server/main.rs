//! Lesson 7: the file server.
//!
//! `file_server [DIR]` serves the files in DIR, so that a page can load its
//! own stylesheet, script and images; with no DIR it serves the lesson's
//! own site, lessons/7_file_server/public/. You build it in four steps, one
//! TODO each: (a) map a URL path to a file, safely; (b) say what each file
//! is (its Content-Type); (c) serve a folder's index.html, and redirect
//! `/folder` to `/folder/`; (d) stream the file, with Last-Modified, and
//! answer `304 Not Modified` when the browser's copy is fresh. Run it with
//! `cargo run --bin file_server`, open http://localhost:8000/, and check a
//! step with `cargo course check file_server a` (or `b`, `c`, `d`). The
//! lesson text is lessons/7_file_server/README.md.

use std::fs;
use std::io::{Read, Write}; // `take` for files, `write_all` for `Response`
use std::path::{Path, PathBuf};

use http_server::{
    Handler, HandlerResult, Request, Response, ServerError, ThreadingHttpServer, escape_html_text,
};

/// The folder served when no DIR is given: the lesson's own site, found
/// from where the course was built, so any current directory works.
const DEFAULT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/7_file_server/public");

/// Serves the files under one folder, and nothing outside it.
struct FileServer {
    /// The served folder, as an absolute path with no symlinks in it
    /// (`fs::canonicalize`): a file is inside if its real path starts here.
    root: PathBuf,
}

impl FileServer {
    /// The file or folder that `url_path` (no query string) names under
    /// the root, or `None` if there is none, or it would be outside.
    fn resolve(&self, url_path: &str) -> Option<PathBuf> {
        // TODO(a): map the URL path to a file under the root, safely
        // Decode first, then check: `%2e%2e` is `..` once decoded, and a
        // `%2F` is a slash. A path that does not decode names no file.
        let decoded = http_server::percent_decode(url_path).ok()?;
        // A backslash is a separator on Windows and a NUL ends a path in C:
        // neither belongs in a file name we serve.
        if decoded.contains(['\\', '\0']) {
            return None;
        }
        let mut path = self.root.clone();
        for segment in decoded.split('/') {
            match segment {
                // `//` and `/./` name the same folder: skip them.
                "" | "." => {}
                // Browsers remove `..` before they send a URL; one that
                // arrives here was typed to climb out. Refuse it outright.
                ".." => return None,
                name => path.push(name),
            }
        }
        // The real path, with every symlink followed (None if it does not
        // exist). A symlink may lead anywhere, so check where it ends up.
        let real = fs::canonicalize(&path).ok()?;
        if real.starts_with(&self.root) {
            Some(real)
        } else {
            None
        }
        // END TODO(a)
    }

    /// Answers GET (and HEAD, through the module's `do_head`).
    fn serve(&self, request: &Request, response: &mut Response) -> HandlerResult {
        // The query string (`?v=2`) does not name a file: ignore it.
        let url_path = request.path().split('?').next().unwrap_or("/");
        let Some(path) = self.resolve(url_path) else {
            return not_found(response, url_path);
        };

        // TODO(c): a folder: redirect to its slash form, then serve its index.html
        let path = if path.is_dir() {
            // Relative links in a page (`style.css`) are resolved from the
            // last slash of its URL, so a folder's page must be at `/sub/`,
            // not `/sub`: send the browser there first. The Location is
            // rebuilt from the decoded names, each encoded again, so it
            // never starts with `//`, which a browser would read as the
            // name of another host (`//evil.example/`).
            if !url_path.ends_with('/') {
                let mut location = String::from("/");
                for name in http_server::percent_decode(url_path)?.split('/') {
                    if !name.is_empty() && name != "." {
                        location.push_str(&http_server::percent_encode(name));
                        location.push('/');
                    }
                }
                response.send_response(301);
                response.send_header("Location", &location);
                response.end_headers();
                return Ok(());
            }
            // No index.html: 404, not a listing of the folder. A listing
            // shows files nobody meant to publish (backups, .git).
            let index = path.join("index.html");
            // index.html is one more name, and can be a symlink like any
            // other: resolve() checked the folder, not what is inside it.
            // Check the path that will be served, as resolve() does.
            match fs::canonicalize(&index) {
                Ok(real) if real.starts_with(&self.root) => real,
                _ => return not_found(response, url_path),
            }
        } else if url_path.ends_with('/') {
            // A final slash names a folder, and this is a file: /style.css/
            // is not style.css (a page served there would look for its
            // relative links in /style.css/).
            return not_found(response, url_path);
        } else {
            path
        };
        // END TODO(c)

        // Only a plain file is served: not a folder without an index, a
        // device or a pipe. Open it first, then ask what was opened: a
        // look at the path before the open could be answered by a file,
        // and the open by a pipe renamed over it in between.
        let Some((file, metadata)) = open_plain_file(&path) else {
            return not_found(response, url_path);
        };
        let content_type = content_type(&path);

        // TODO(d): stream the file, with Last-Modified, and 304 when nothing changed
        // (Going further: a client that accepts gzip gets `name.gz`, if it
        // is beside the file. Everything below then describes that file.)
        let (path, mut file, metadata, encoding) = match gzipped(&self.root, &path, request) {
            Some((gz_path, gz_file, gz_metadata)) => (gz_path, gz_file, gz_metadata, Some("gzip")),
            None => (path, file, metadata, None),
        };
        // An HTTP date counts whole seconds: compare whole seconds.
        let seconds = |time: std::time::SystemTime| {
            time.duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())
        };
        let modified = metadata.modified()?;
        let last_modified = http_server::format_http_date(modified);
        let etag = entity_tag(&metadata, modified);
        // Compare dates, not text: one moment can be written three ways. A
        // header that is not a date is ignored. (Going further: a tag, in
        // If-None-Match, wins over a date, as RFC 9110 asks.)
        let headers = request.headers();
        let fresh = match headers.get("If-None-Match") {
            Some(tags) => tags_match(tags, &etag),
            None => headers
                .get("If-Modified-Since")
                .and_then(http_server::parse_http_date)
                .is_some_and(|since| seconds(modified) <= seconds(since)),
        };
        // The headers that describe this version of the file, on a 200, a
        // 206 and a 304 alike.
        let describe = |response: &mut Response| {
            response.send_header("Last-Modified", &last_modified);
            response.send_header("ETag", &etag);
            // Use a stored copy only after asking (a 304 is cheap): the
            // site's file names carry no version number.
            response.send_header("Cache-Control", "no-cache");
            response.send_header("Accept-Ranges", "bytes");
            if has_gzip_sibling(&path) || encoding.is_some() {
                response.send_header("Vary", "Accept-Encoding");
            }
        };
        if fresh {
            // The browser's copy is fresh: no body, it uses its own.
            response.send_response(304);
            describe(response);
            response.end_headers();
            return Ok(());
        }
        let length = metadata.len();
        // (Going further: `Range: bytes=0-99` asks for part of the file.)
        let range = headers
            .get("Range")
            .filter(|_| if_range_holds(headers.get("If-Range"), &etag, &last_modified))
            .and_then(|range| byte_range(range, length));
        let (status, start, count) = match range {
            Some(Some((first, last))) => (206, first, last - first + 1),
            Some(None) => {
                response.send_response(416);
                response.send_header("Content-Range", &format!("bytes */{length}"));
                response.end_headers();
                return Ok(());
            }
            None => (200, 0, length),
        };
        response.send_response(status);
        response.send_header("Content-Type", content_type);
        if let Some(encoding) = encoding {
            response.send_header("Content-Encoding", encoding);
        }
        if status == 206 {
            let last = start + count - 1;
            response.send_header("Content-Range", &format!("bytes {start}-{last}/{length}"));
        }
        describe(response);
        response.end_headers();
        // The server copies the file to the connection 64 KiB at a time, so
        // a 1 GB file costs 64 KiB of memory. A HEAD gets the length only.
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(start))?;
        response.send_body_from(file.take(count), count);
        // END TODO(d)
        Ok(())
    }
}

/// The Content-Type for a file, from its extension (in any case).
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // TODO(b): the media type of each kind of file
    // The browser goes by this header, not by the name: it ignores a
    // stylesheet sent as text/plain, and refuses to run a module script.
    // Text types say their charset, so that é is not shown as Ã©.
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        // Unknown: "just bytes". The browser offers to save it.
        _ => "application/octet-stream",
    }
    // END TODO(b)
}

/// The file at `path`, open for reading, and its metadata, if it is a plain
/// file: `None` for a folder, a pipe, a device, or nothing at all.
///
/// It opens first and looks at what it opened (`File::metadata`), never
/// at the path: the path can name a file when we look and a pipe when we
/// open. And it opens without waiting (`O_NONBLOCK`): opening a pipe
/// (a FIFO, made with `mkfifo`) for reading otherwise waits until
/// something writes to it, and holds the worker for ever. The flag means
/// nothing to a plain file, which is read as usual.
fn open_plain_file(path: &Path) -> Option<(fs::File, fs::Metadata)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, O_NONBLOCK);
    let file = options.open(path).ok()?;
    let metadata = file.metadata().ok()?;
    metadata.is_file().then_some((file, metadata))
}

/// `O_NONBLOCK`, which std does not name: its value differs from system
/// to system (libc's headers have it). On a unix not listed here it is 0,
/// no flag: a pipe is still refused, but one renamed over a file at the
/// wrong moment can hold a worker there. (Windows has no pipes among its
/// files.)
#[cfg(unix)]
const O_NONBLOCK: i32 = if cfg!(any(target_os = "linux", target_os = "android")) {
    if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
        0o200
    } else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        0x4000
    } else {
        0o4000
    }
} else if cfg!(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly",
)) {
    0x4
} else if cfg!(any(target_os = "illumos", target_os = "solaris")) {
    0x80
} else {
    0
};

/// A small HTML page for a file that is not there, or may not be shown:
/// the answer is the same, so that it gives nothing away.
fn not_found(response: &mut Response, url_path: &str) -> HandlerResult {
    // The path as it came, still %-encoded: a decoded one could hold a NUL.
    let shown = escape_html_text(url_path);
    response.send_response(404);
    response.send_header("Content-Type", "text/html; charset=utf-8");
    response.end_headers();
    // The course's stylesheet (src/style.css) and icon, as on the pages of
    // the other lessons: the page is the server's, not one of DIR's files.
    let style = http_server::STYLESHEET;
    let icon = http_server::ICON_LINK;
    write!(
        response,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>404 Not Found</title>
{icon}
<style>
{style}</style>
</head>
<body>
<main>
<h1>Not Found</h1>
<p>There is no file at <code>{shown}</code>.</p>
</main>
</body>
</html>
"#
    )?;
    Ok(())
}

/// `405 Method Not Allowed`: files can be read, not changed. `Allow` says
/// which methods would work.
fn method_not_allowed(response: &mut Response) -> HandlerResult {
    response.send_response(405);
    response.send_header("Allow", "GET, HEAD");
    response.send_header("Content-Type", "text/plain; charset=utf-8");
    response.end_headers();
    response.write_all(
        b"405 Method Not Allowed\n\nThis server only serves files: use GET or HEAD.\n",
    )?;
    Ok(())
}

impl Handler for FileServer {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.serve(request, response)
    }

    // Every other method the module knows gets 405; one it does not know
    // (BREW) keeps the module's 501 Not Implemented.
    fn do_post(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        method_not_allowed(response)
    }
    fn do_put(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        method_not_allowed(response)
    }
    fn do_delete(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        method_not_allowed(response)
    }
    fn do_patch(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        method_not_allowed(response)
    }
    fn do_options(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        method_not_allowed(response)
    }
}

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from);
    // One clear line and a non-zero exit for a DIR we cannot serve.
    let root = match fs::canonicalize(&dir) {
        Ok(root) if root.is_dir() => root,
        Ok(_) => fail(&format!("{} is not a directory", dir.display())),
        Err(error) => fail(&format!("cannot serve {}: {error}", dir.display())),
    };
    eprintln!("Serving the files in {}", root.display());
    let result: Result<(), ServerError> = ThreadingHttpServer::from_env()
        .and_then(|server| server.serve_forever(FileServer { root }));
    if let Err(error) = result {
        fail(&error.to_string());
    }
}

/// Prints `file_server: what` on stderr and exits with status 1.
fn fail(what: &str) -> ! {
    eprintln!("file_server: {what}");
    std::process::exit(1)
}

// TODO: going further (optional): compression, ETag and byte ranges
/// `name.gz`, beside `path`, if the client accepts gzip and the file is
/// there, inside the root (it could be a symlink to anywhere).
fn gzipped(
    root: &Path,
    path: &Path,
    request: &Request,
) -> Option<(PathBuf, fs::File, fs::Metadata)> {
    let accepts_gzip = request
        .headers()
        .get_all("Accept-Encoding")
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            // `gzip;q=0` means "anything but gzip".
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        });
    if !accepts_gzip {
        return None;
    }
    let real = fs::canonicalize(gzip_sibling(path)?).ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let (file, metadata) = open_plain_file(&real)?;
    Some((real, file, metadata))
}

/// `style.css.gz` for `style.css`.
fn gzip_sibling(path: &Path) -> Option<PathBuf> {
    let mut name = path.file_name()?.to_owned();
    name.push(".gz");
    Some(path.with_file_name(name))
}

/// Whether a compressed copy sits beside `path`: the answer then depends on
/// Accept-Encoding, and caches must know (`Vary`).
fn has_gzip_sibling(path: &Path) -> bool {
    gzip_sibling(path).is_some_and(|gz| gz.is_file())
}

/// A tag for this version of the file: its length and its time to the
/// nanosecond, so that it changes whenever the file does, even twice in a
/// second.
fn entity_tag(metadata: &fs::Metadata, modified: std::time::SystemTime) -> String {
    let nanos = modified
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!("\"{:x}-{nanos:x}\"", metadata.len())
}

/// Whether `If-None-Match: "a", W/"b"` names `etag` (or is `*`). A weak
/// tag (`W/`) matches too: for a 304 only the version matters.
fn tags_match(tags: &str, etag: &str) -> bool {
    tags.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// `If-Range` lets a client ask for a part only if the file is still the
/// version it has; otherwise it gets the whole file.
fn if_range_holds(if_range: Option<&str>, etag: &str, last_modified: &str) -> bool {
    if_range.is_none_or(|value| value == etag || value == last_modified)
}

/// What `Range: bytes=...` asks of a file of `length` bytes: its first
/// and last byte, `Some(None)` if no byte of it is in the file (416), or
/// `None` for a range this server does not do, such as several at once
/// (the whole file, as if there were no Range: RFC 9110 allows that).
fn byte_range(range: &str, length: u64) -> Option<Option<(u64, u64)>> {
    let spec = range.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let number = |text: &str| text.parse::<u64>().ok();
    let range = if first.is_empty() {
        // bytes=-500: the last 500 bytes.
        let suffix = number(last)?.min(length);
        (suffix > 0).then(|| (length - suffix, length - 1))
    } else {
        // bytes=500- (to the end), or bytes=0-99.
        let start = number(first)?;
        let end = if last.is_empty() {
            u64::MAX
        } else {
            number(last)?
        };
        if end < start {
            return None;
        }
        (start < length).then(|| (start, end.min(length - 1)))
    };
    Some(range)
}
// END TODO

/// A pipe renamed over a file between the server's look at the path and
/// its open: an open that waits for a writer holds a worker for ever. The
/// test swaps a file and a pipe under index.html as fast as it can while it
/// asks for /index.html: every request must be answered, with the file or
/// with 404. (Run it with `cargo test --bin file_server_sol`.)
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use http_server::test::{TestRequest, call};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    use std::time::Duration;

    /// Enough requests to meet the swap between a look and an open many
    /// times over (see the lesson text for the figures), and between the
    /// given open and a second open of the path in step d: 30,000 let
    /// that mistake through in 1 run of 50; 90,000 caught it 50 of 50.
    const REQUESTS: usize = 90_000;

    #[test]
    #[ignore = "step d checks it: cargo course check file_server d"]
    fn a_pipe_swapped_in_never_holds_a_worker() {
        let dir = std::env::temp_dir().join(format!("file-server-pipe-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("plain"), "a file\n").unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("pipe"))
            .status();
        if !made.is_ok_and(|status| status.success()) {
            eprintln!("no mkfifo here: nothing to test");
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let swapper = {
            let (dir, stop) = (dir.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                // A new name for the file (or the pipe), renamed over
                // index.html: the swap is one step, and index.html is
                // always there, a file or a pipe.
                let (index, next) = (dir.join("index.html"), dir.join("next"));
                while !stop.load(Ordering::Relaxed) {
                    for name in ["plain", "pipe"] {
                        let _ = fs::hard_link(dir.join(name), &next);
                        let _ = fs::rename(&next, &index);
                    }
                }
            })
        };
        let server = FileServer {
            root: fs::canonicalize(&dir).unwrap(),
        };
        let (answers, answered) = mpsc::channel();
        std::thread::spawn(move || {
            for _ in 0..REQUESTS {
                let status = call(&server, TestRequest::get("/index.html")).status();
                if answers.send(status).is_err() {
                    return;
                }
            }
        });
        let mut outcome = Ok(());
        for number in 1..=REQUESTS {
            match answered.recv_timeout(Duration::from_secs(10)) {
                Ok(200 | 404) => {}
                Ok(status) => {
                    outcome = Err(format!("request {number} got {status}, not 200 or 404"));
                    break;
                }
                Err(_) => {
                    outcome = Err(format!(
                        "request {number} got no answer in 10 s: a worker is stuck opening a pipe"
                    ));
                    break;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        swapper.join().unwrap();
        let _ = fs::remove_dir_all(&dir);
        outcome.unwrap();
    }
}
