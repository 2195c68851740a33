//! The check's folder: the files every check of the lesson serves, built
//! once per run in the session's temporary folder, and how a failure says
//! where a copy of it stays.

use std::fs;
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{BIG_FILE_HINT, BIG_FILE_SIZE, MODIFIED};
use crate::kit::seed;
use crate::process::{Launch, shell_quote};
use crate::session::{Outgoing, Reply, Session};
use crate::{CheckResult, Failure};

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
pub(super) struct Site {
    pub(super) top: PathBuf,
    pub(super) www: PathBuf,
    /// A word that only secret.txt contains.
    pub(super) secret: String,
    /// A word that every served file contains.
    pub(super) marker: String,
}

impl Site {
    /// The session's folder, built if it is not there yet.
    pub(super) fn of(session: &mut Session) -> Result<Site, Failure> {
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
    pub(super) fn command(&self) -> String {
        format!(
            "cargo run --bin file_server -- {}",
            shell_quote(&self.www.to_string_lossy())
        )
    }

    /// What a report adds, so that a failure can be repeated. The
    /// session's folder is removed when the run ends, so the same folder
    /// (same seed, same files) is built again where it stays, until the
    /// next failure replaces it.
    pub(super) fn footnote(&self) -> String {
        let kept = crate::process::target_dir()
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
    pub(super) fn get(&self, session: &mut Session, target: &str) -> Result<Served<'_>, Failure> {
        self.send(session, "GET", target, &[])
    }

    /// Sends `method target` with `headers` byte for byte as given, and
    /// reads the whole answer (the server closes the connection after it).
    pub(super) fn send(
        &self,
        session: &mut Session,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
    ) -> Result<Served<'_>, Failure> {
        let headers = headers.to_vec();
        let request = Outgoing {
            method,
            path: target,
            headers,
            body: None,
        };
        let reply = session.send_as_is(request).map_err(|failure| {
            if !failure.hint.is_empty() {
                return failure; // an answer, but not HTTP
            }
            let hint = if target.starts_with("/big.bin") {
                BIG_FILE_HINT
            } else {
                "Every request needs a complete answer; a panic in the server's output names the \
                 file and line."
            };
            let got = format!("{}{}", timeout_in_words(&failure.got), self.footnote());
            Failure {
                got,
                hint: hint.into(),
                ..failure
            }
        })?;
        Ok(Served { reply, site: self })
    }

    /// A failure about `reply`: what the kit's report shows, the headers
    /// this lesson is about, and how to serve the same folder by hand.
    pub(super) fn fail(&self, reply: &Reply, expected: impl Into<String>, hint: &str) -> Failure {
        self.explained(reply, reply.fail(expected, hint))
    }

    /// `failure`, about `reply`, with the headers this lesson is about and
    /// the footnote.
    fn explained(&self, reply: &Reply, mut failure: Failure) -> Failure {
        for name in ["Content-Length", "Location", "Last-Modified", "Allow"] {
            if let Some(value) = reply.header(name) {
                failure.got.push_str(&format!("\n{name}: {value}"));
            }
        }
        failure.got.push_str(&self.footnote());
        failure
    }

    /// Expects `target` to be served: 200 and a body that contains `content`.
    pub(super) fn expect_file(
        &self,
        session: &mut Session,
        target: &str,
        content: &str,
        hint: &str,
    ) -> CheckResult {
        self.get(session, target)?
            .expect_status(200, hint)?
            .expect_body_contains(content, hint)?;
        Ok(())
    }
}

/// An answer from the site's server: the kit's expectations, each failure
/// reported as [`Site::fail`] does.
pub(super) struct Served<'s> {
    reply: Reply,
    site: &'s Site,
}

impl Deref for Served<'_> {
    type Target = Reply;

    fn deref(&self) -> &Reply {
        &self.reply
    }
}

impl Served<'_> {
    fn noted(&self, result: Result<&Reply, Failure>) -> Result<&Self, Failure> {
        let explain = |failure| self.site.explained(&self.reply, failure);
        result.map(|_| self).map_err(explain)
    }

    pub(super) fn expect(
        &self,
        holds: impl FnOnce(&Reply) -> bool,
        expected: impl Into<String>,
        hint: impl Into<String>,
    ) -> Result<&Self, Failure> {
        self.noted(self.reply.expect(holds, expected, hint))
    }

    pub(super) fn expect_status(&self, status: u16, hint: &str) -> Result<&Self, Failure> {
        self.noted(self.reply.expect_status(status, hint))
    }

    pub(super) fn expect_header(
        &self,
        name: &str,
        value: &str,
        hint: &str,
    ) -> Result<&Self, Failure> {
        self.noted(self.reply.expect_header(name, value, hint))
    }

    pub(super) fn expect_media_type(&self, media_type: &str, hint: &str) -> Result<&Self, Failure> {
        self.noted(self.reply.expect_media_type(media_type, hint))
    }

    pub(super) fn expect_body_contains(&self, text: &str, hint: &str) -> Result<&Self, Failure> {
        self.noted(self.reply.expect_body_contains(text, hint))
    }

    pub(super) fn expect_body_lacks(&self, text: &str, hint: &str) -> Result<&Self, Failure> {
        self.noted(self.reply.expect_body_lacks(text, hint))
    }
}

/// A read that timed out, in words: the system's ("Resource temporarily
/// unavailable") says nothing to a student.
fn timeout_in_words(got: &str) -> String {
    let signs = [
        "os error 11)",
        "os error 35)",
        "os error 10060)",
        "timed out",
    ];
    if signs.iter().any(|sign| got.contains(sign)) {
        "no answer within 5 seconds: the server was still busy with the request".into()
    } else {
        got.to_owned()
    }
}

/// Starts the program afresh, serving the check's folder:
/// `file_server TEMP/www`.
pub(super) fn serve(session: &mut Session) -> Result<Site, Failure> {
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
