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
        //   For now only /index.html is served, and every other path gets 404.
        //   Map any path to a file under self.root, without ever leaving it:
        //   1. Decode it: http_server::percent_decode(url_path).ok()? gives
        //      "/my notes/café.txt" for "/my%20notes/caf%C3%A9.txt" (None if
        //      it does not decode). Decode first, then check: %2e%2e is "..".
        //   2. Refuse (return None) a path that contains '\\' or '\0'.
        //   3. Split it on '/': skip "" and "."; refuse ".."; push every other
        //      name onto a copy of self.root (a PathBuf).
        //   4. fs::canonicalize(&path).ok()? follows every symlink to the real
        //      path (None if there is no such file). Return it only if it
        //      starts_with(&self.root): a symlink may point anywhere.
        if url_path == "/index.html" {
            Some(self.root.join("index.html"))
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
        //   For now a folder gets 404, even /. When path.is_dir():
        //   1. If url_path does not end with '/', answer 301 Moved Permanently
        //      with Location: the same path plus '/', and return. Build it from
        //      the decoded names, each re-encoded with
        //      http_server::percent_encode, joined by '/': "/sub/". Never copy
        //      the raw path: "//evil.example" as a Location sends the browser
        //      to another host.
        //   2. Otherwise serve the folder's index page, path.join("index.html"),
        //      but check it as resolve() checks a path: it can be a symlink
        //      to anywhere. fs::canonicalize it; serve the real path only if
        //      it starts_with(&self.root), and answer not_found() otherwise
        //      (also when there is no index.html).
        //   3. A path that is not a folder but ends with '/' (/style.css/)
        //      gets not_found(): a final slash names a folder.
        if path.is_dir() {
            return not_found(response, url_path);
        }
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
        //   For now the whole file is read into memory and sent: a 1 GB file
        //   costs 1 GB. Instead:
        //   1. Send the header Last-Modified: http_server::format_http_date(
        //      metadata.modified()?).
        //   2. If the request has If-Modified-Since, and parse_http_date reads
        //      it, and the file's time in whole seconds is not later, answer
        //      304 with Last-Modified and no body, and return. Compare the
        //      times in whole seconds, not the strings:
        //      time.duration_since(std::time::UNIX_EPOCH)?.as_secs().
        //   3. After end_headers, hand the open file to
        //      response.send_body_from(file, metadata.len()): the server then
        //      streams it 64 KiB at a time (and sends no body to a HEAD).
        let mut file = file;
        let mut body = Vec::new();
        file.read_to_end(&mut body)?;
        response.send_response(200);
        response.send_header("Content-Type", content_type);
        response.send_header("Content-Length", &metadata.len().to_string());
        response.end_headers();
        response.write_all(&body)?;
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
    //   For now only .txt files have a type: the browser offers to save the
    //   page instead of showing it, and would refuse its stylesheet and
    //   script (application/octet-stream means "just bytes"). Match the
    //   extension instead: "html" => "text/html; charset=utf-8", then css,
    //   js and mjs, json, txt, svg, png, jpg, gif, webp, ico, wasm, woff2 and
    //   pdf (the lesson text has the table), and _ => "application/octet-stream".
    //   Text types end with "; charset=utf-8".
    match extension.as_str() {
        "txt" => "text/plain; charset=utf-8",
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
//   Not needed to finish the lesson: the "Going further" section of the
//   lesson text describes each, and `cargo course check file_server` runs
//   their optional checks. Helper functions for them can go here.
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
