//! Steps a and b: a URL path mapped to a file under DIR, never to one
//! outside it, and each file sent with its content type.

use std::fs;
use std::path::Path;

use super::site::{Site, serve};
use crate::kit::seed;
use crate::process::Launch;
use crate::session::{Session, quote_body};
use crate::{CheckResult, Failure};

pub(super) fn serves_files_by_path(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let marker = &site.marker;
    let files = [
        (
            "/hello.txt",
            "Hello, files!",
            "Map the path to a file under the served folder: /hello.txt is DIR/hello.txt. Step \
             a's TODO is in resolve().",
        ),
        (
            "/sub/page.txt",
            "deep",
            "A path can go down into folders: /sub/page.txt is DIR/sub/page.txt. Push each name \
             of the path onto the folder, one after the other.",
        ),
        (
            "/with%20space.txt",
            "spaces",
            "The browser sends a space as %20: decode the path with http_server::percent_decode \
             before looking for the file.",
        ),
        (
            "/caf%C3%A9.txt",
            "café",
            "é travels as its two UTF-8 bytes, %C3%A9: percent_decode gives back café.",
        ),
        (
            "/a+b.txt",
            "plus",
            "In a path, + is a plus: decode it with percent_decode, not parse_qs (which turns + \
             into a space, as forms do).",
        ),
        (
            "/hello.txt?v=2&x=..%2Fsecret.txt",
            "Hello, files!",
            "The query string (after ?) does not name a file: cut it off before mapping the path.",
        ),
    ];
    for (target, content, hint) in files {
        site.expect_file(session, target, &format!("{content} {marker}"), hint)?;
    }
    Ok(())
}

pub(super) fn missing_files_are_404(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let www = site.www.to_string_lossy().into_owned();
    // %FF alone is not UTF-8: a path that does not decode names no file.
    for target in [
        "/no-such-file.txt",
        "/sub/missing.html",
        "/hello.txt/more",
        "/%FF.txt",
    ] {
        let reply = site.get(session, target)?;
        reply
            .expect_status(
                404,
                "A path that names no file (or does not decode) gets 404: resolve() returns \
                 None, and the code after it answers with not_found(). A 500 means a panic \
                 (an unwrap) or an error from fs that went up with `?`.",
            )?
            .expect_body_lacks(
                &www,
                "The page names the folder on the server's disk, which tells a visitor (or \
                 an attacker) where the files are: show only the path of the URL.",
            )?
            .expect(
                |reply| {
                    reply.media_type().as_deref() == Some("text/html") && !reply.body.is_empty()
                },
                "404 with a small HTML page (Content-Type: text/html)",
                "Keep not_found(): a browser shows its page.",
            )?;
    }
    let hint = "After a few 404s, the server should still serve files.";
    site.expect_file(session, "/hello.txt", &site.marker, hint)
}

/// The attacks: ways of writing a path that leads out of DIR.
fn attacks(top: &Path, mut random: impl FnMut() -> u64) -> Vec<String> {
    let top = top.to_string_lossy();
    let mut targets: Vec<String> = [
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
        "/..\\secret.txt",
        "/\\..\\secret.txt",
    ]
    .map(String::from)
    .to_vec();
    targets.push(format!("/{top}/secret.txt"));
    targets.push(format!("/%2F{}/secret.txt", top.trim_start_matches('/')));
    targets.push(format!("/{}/secret.txt", top.replace('/', "%2F")));
    // The order comes from the seed: a program cannot count on it.
    for index in (1..targets.len()).rev() {
        let other = usize::try_from(random() % (index as u64 + 1)).unwrap_or(0);
        targets.swap(index, other);
    }
    targets
}

/// The hint for an attack that leaked a file: how `target` got out.
fn leak_hint(target: &str) -> &'static str {
    if target.contains("%2") || target.contains("%5") || target.contains("%00") {
        "A file outside the folder was sent! Decode the path before you check it: %2e%2e is .. \
         and %2f is / once decoded. Then refuse any name that is \"..\", and any '\\\\' or NUL \
         in the decoded path."
    } else if target.starts_with("/sibling-") {
        "A file outside the folder was sent, through a symlink into www-private, a folder beside \
         DIR whose name starts with DIR's name! Compare paths as paths, name by name: \
         real.starts_with(&self.root) on the PathBufs (Path::starts_with). As strings, \
         \"/x/www-private\" starts with \"/x/www\"."
    } else if target.starts_with("/link-out") || target.starts_with("/dir-out") {
        "A file outside the folder was sent, through a symlink! fs::canonicalize(&path) follows \
         every link to the real path: serve it only if it starts_with(&self.root)."
    } else if target.starts_with("//") || !target.contains("..") {
        "A file outside the folder was sent! Joining a path that starts with / replaces the \
         folder (Path::join with an absolute path). Push the names one by one, and skip the \
         empty ones."
    } else {
        "A file outside the folder was sent! Split the decoded path on '/' and refuse a name \
         that is \"..\": never join the request's path onto the folder as it is."
    }
}

pub(super) fn never_leaves_the_folder(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    // The served folder's place on disk: no attack names it, so an answer
    // that shows it is telling the attacker where the files are.
    let www = site.www.to_string_lossy().into_owned();
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let passwd_line = passwd.lines().next().unwrap_or("").to_owned();
    for target in attacks(&site.top, seed::random_number) {
        let reply = site.get(session, &target)?;
        reply
            .expect(
                |reply| {
                    !reply.body.contains(&site.secret)
                        && (passwd_line.is_empty() || !reply.body.contains(&passwd_line))
                },
                "404 Not Found (or 400/403), and not a byte of the file outside the folder",
                leak_hint(&target),
            )?
            .expect(
                |reply| matches!(reply.status, 400 | 403 | 404),
                "404 Not Found (or 400/403): this path leads out of the folder",
                "Refuse it with 404, like a file that is not there: that tells an attacker \
                 nothing. A 500 means an error from fs went up with `?`; a 200 or a 3xx \
                 answers something that must not be answered.",
            )?
            .expect(
                |reply| !reply.body.contains(&www),
                "an answer that does not show where the files are on disk",
                "The page names a folder on the server's disk: tell the client only that \
                 there is no such file.",
            )?;
    }
    let hint = "After the attacks, the server should still serve files.";
    site.expect_file(session, "/hello.txt", &site.marker, hint)
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

pub(super) fn pipes_are_not_files(session: &mut Session) -> CheckResult {
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
    let reply = site.get(session, "/pipe.txt").map_err(|failure| Failure {
        hint: HINT.into(),
        ..failure
    })?;
    reply.expect(
        |reply| matches!(reply.status, 400 | 403 | 404),
        "404 Not Found: a pipe is not a file to serve",
        HINT,
    )?;
    let hint = "After the pipes, the server should still serve files.";
    site.expect_file(session, "/hello.txt", &site.marker, hint)
}

pub(super) fn bad_dir_is_one_error_line(session: &mut Session) -> CheckResult {
    let site = Site::of(session)?;
    // `session.run` adds its arguments to the launch's: start from none.
    session.set_launch(Launch::default());
    let missing = site.top.join("no-such-folder");
    let file = site.www.join("hello.txt");
    for (dir, what) in [(&missing, "does not exist"), (&file, "is a file")] {
        let output = session.run(&[&dir.to_string_lossy()])?;
        let hint = if output.code == Some(0) || output.code.is_none() {
            "Check DIR before serving: fs::canonicalize fails for a path that does not exist, and \
             is_dir() tells a folder from a file. Print one line with eprintln! and \
             std::process::exit(1)."
        } else if output.stderr.lines().count() != 1 || output.stderr.contains("panicked") {
            "One clear line, not a panic: a student reads it. Keep main()'s fail()."
        } else {
            continue;
        };
        return Err(Failure {
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
        });
    }
    Ok(())
}

pub(super) fn other_methods_are_not_allowed(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let reply = site.send(session, method, "/hello.txt", &[("Content-Length", "0")])?;
        let allow = reply.header("allow").unwrap_or("").to_ascii_uppercase();
        reply.expect(
            |reply| reply.status == 405 && allow.contains("GET") && allow.contains("HEAD"),
            "405 Method Not Allowed, with Allow: GET, HEAD",
            "Files are read, not changed: every method but GET and HEAD gets 405 and an \
             Allow header that lists the methods that work. Keep the starter's do_post, \
             do_put, ...",
        )?;
    }
    site.send(session, "BREW", "/hello.txt", &[])?
        .expect_status(
            501,
            "Leave unknown methods to the server module: it answers 501.",
        )?;
    Ok(())
}

/// The hint for a file sent with the wrong type.
fn type_hint(target: &str, media_type: &str) -> &'static str {
    match target {
        "/app.js" | "/module.mjs" if media_type == "application/javascript" => {
            "application/javascript is the old name of JavaScript's type: RFC 9239 (2022) made \
             text/javascript the one to use. Send text/javascript; charset=utf-8."
        }
        "/app.js" | "/module.mjs" => {
            "A script needs a JavaScript type, text/javascript: a browser refuses to run a module \
             script sent as anything else."
        }
        "/style.css" => "A stylesheet needs text/css: a browser ignores one sent as anything else.",
        "/mystery.xyz" | "/README" => {
            "A file whose kind you do not know is application/octet-stream: \"just bytes\". \
             Guessing text/plain could make a browser show (or run) what it should not."
        }
        _ => "Match on the file's extension in content_type(): the lesson text has the table.",
    }
}

pub(super) fn content_types_by_extension(session: &mut Session) -> CheckResult {
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
        let reply = site.get(session, target)?;
        let media_type = reply.media_type().unwrap_or_default();
        let text = types[0].starts_with("text/");
        let charset = if text { "; charset=utf-8" } else { "" };
        reply
            .expect_status(
                200,
                "Step a serves every file in the folder: finish it first.",
            )?
            .expect(
                |_| types.contains(&media_type.as_str()),
                format!("Content-Type: {}{charset}", types[0]),
                type_hint(target, &media_type),
            )?
            .expect(
                |reply| !text || reply.charset().as_deref() == Some("utf-8"),
                format!("Content-Type: {media_type}; charset=utf-8"),
                "Text types say their charset: without charset=utf-8 a browser may show é \
                 as Ã©.",
            )?;
    }
    Ok(())
}

pub(super) fn serves_the_lesson_site_by_default(session: &mut Session) -> CheckResult {
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
        let reply = site.get(session, target)?;
        let found = reply.media_type().unwrap_or_default();
        let type_ok = found == media_type
            || (media_type == "image/x-icon" && found == "image/vnd.microsoft.icon");
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
    site.get(session, "/todos")?.expect_status(
        404,
        "There is no file called todos: the page falls back to its sample list when /todos \
         answers 404.",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
