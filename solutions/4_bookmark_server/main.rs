//! Lesson 4: the bookmark server.
//!
//! A URL shortener: give it a long link and a short name, and from then on
//! http://localhost:8000/name sends the browser to the long link. Before it
//! keeps a link, it checks that the link works, with an HTTP client: this
//! server is also a client. You build it in four steps, one TODO each:
//! (a) the form and the answers to bad forms, (b) the link checker,
//! (c) keeping the bookmarks, (d) following a short name. Run it with
//! `cargo run --bin bookmark_server`, open http://localhost:8000/, and check
//! a step with `cargo course check bookmark_server a` (or `b`, `c`, `d`).
//! The lesson text is lessons/4_bookmark_server/README.md.

use std::collections::BTreeMap;
use std::io::Write; // gives `Response` its `write_all` method
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http_server::{
    Form, Handler, HandlerResult, HttpError, Request, Response, ThreadingHttpServer,
    escape_html_text, parse_qs, percent_encode,
};
use reqwest::Url;
use reqwest::blocking::Client;

/// How long the link check waits for a link to answer. The POST that asked
/// for the check waits just as long, so keep it short.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// How many redirects in a row the link check follows before it gives up.
/// reqwest's default is 10; the lesson sets its own, smaller limit.
const MAX_REDIRECTS: usize = 5;

/// The longest link and short name the server keeps, in characters, and
/// the most bookmarks it keeps: one visitor must not be able to fill the
/// server's memory. Far above what anybody types, and what any check sends.
const MAX_LINK_CHARS: usize = 2_000;
const MAX_NAME_CHARS: usize = 100;
const MAX_BOOKMARKS: usize = 10_000;

// TODO(a): write the form that saves a bookmark, with what was typed in its boxes
/// The form a visitor fills in: `method="post"` sends it in the body of a
/// POST to `/`, as `longuri=...&shortname=...`, the names of its two boxes.
/// Each label names its box (`for` is the box's `id`), screen readers
/// included. After a refusal the boxes hold what the visitor typed
/// (`longuri`, `shortname`; empty otherwise), so that nothing is lost:
/// escaped with `escape_html`, since in an attribute value a `"` would end
/// the value.
fn form(longuri: &str, shortname: &str) -> String {
    format!(
        r#"<form method="post" action="/">
  <p><label for="longuri">Long URI</label>
  <input id="longuri" name="longuri" type="url" size="50" autocomplete="url" required autofocus
     placeholder="https://www.rust-lang.org/learn" value="{}"></p>
  <p><label for="shortname">Short name</label>
  <input id="shortname" name="shortname" autocomplete="off" required placeholder="learn"
     value="{}"></p>
  <p><button type="submit">Save it!</button></p>
</form>"#,
        http_server::escape_html(longuri),
        http_server::escape_html(shortname)
    )
}
// END TODO(a)

/// The bookmarks: short name to long URI, and the client that checks links.
///
/// One handler serves every connection, each on its own thread, so the
/// bookmarks are in a `Mutex`, as the messages of lesson 2 were.
struct BookmarkServer {
    bookmarks: Mutex<BTreeMap<String, String>>,
    /// One client for every check: it is made once, with its timeout and
    /// its redirect policy, and threads can share it.
    client: Client,
}

impl BookmarkServer {
    /// The bookmarks, locked until the guard this returns goes out of scope.
    fn bookmarks(&self) -> MutexGuard<'_, BTreeMap<String, String>> {
        // An insert either happened or did not, so a lock "poisoned" by a
        // panic still guards a whole map: carry on.
        self.bookmarks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `link` under `shortname`, replacing the link of a name that
    /// was already taken, or gives the sentence to answer 507 with when the
    /// store is full and the name is new. The lock is let go when it
    /// returns, so the caller can write a page.
    ///
    /// Given, not a TODO: the test "is the store full?" and the insert are
    /// under one lock. With two (a `len()` under one, the `insert` under
    /// another), two saves could both see room for one more. That race is
    /// met only by chance, once per full store, so no check could show it
    /// to you every time: here it is, done right, for do_post to call.
    fn keep(&self, shortname: &str, link: &str) -> Result<(), String> {
        let mut bookmarks = self.bookmarks();
        if bookmarks.len() >= MAX_BOOKMARKS && !bookmarks.contains_key(shortname) {
            return Err(format!(
                "The server is full: it keeps at most {} bookmarks.",
                with_commas(MAX_BOOKMARKS)
            ));
        }
        bookmarks.insert(shortname.to_owned(), link.to_owned());
        Ok(())
    }

    /// Answers `200 OK` with the page: the form, then every bookmark.
    fn send_list(&self, response: &mut Response) -> HandlerResult {
        // Copy the bookmarks and let the lock go at the semicolon, then
        // write the page from the copy: writing 10,000 escaped links takes
        // far longer than copying them, and a lock held meanwhile would keep
        // every save and every short name waiting for this one page.
        let bookmarks = self.bookmarks().clone();
        let page = list_page(&bookmarks);
        send_html(response, 200, &page)
    }

    /// Answers `status` with a short page that says what went wrong (`what`,
    /// a few words for the title, and `why`), the form with what the
    /// visitor typed put back in it, and a link to the list. No list: an
    /// error needs none, and with it every 404 would be as big as all the
    /// bookmarks together. It takes no lock, so it can be called anywhere.
    fn send_problem(
        &self,
        response: &mut Response,
        status: u16,
        what: &str,
        why: &str,
        typed: (&str, &str),
    ) -> HandlerResult {
        let page = problem_page(what, why, typed);
        send_html(response, status, &page)
    }
}

impl Handler for BookmarkServer {
    /// `/` is the page with the form and the bookmarks; any other path is a
    /// short name to follow.
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // A query string (`/?from=home`) is not part of the name.
        let path = request.path().split('?').next().unwrap_or("/");
        if path == "/" {
            return self.send_list(response);
        }
        // TODO(d): send the browser on to the long URI of a short name
        // The name travels percent-encoded (`/caf%C3%A9` for café); a broken
        // escape is the client's mistake, and `?` answers it with 400.
        let name = http_server::percent_decode(path.strip_prefix('/').unwrap_or(path))?;
        // Copy the URI out, so that the lock is released at the semicolon.
        let uri = self.bookmarks().get(&name).cloned();
        let Some(uri) = uri else {
            let why = format!("I don't know the short name {name:?}: save it with the form.");
            return self.send_problem(response, 404, "Not found", &why, ("", &name));
        };
        // 303 See Other: "what you asked for is over there; GET it".
        response.send_response(303);
        response.send_header("Location", &uri);
        response.end_headers();
        // END TODO(d)
        Ok(())
    }

    /// A form was sent: check it, check its link, and keep the bookmark.
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // A page on another site can hold a form that posts here, and a
        // visitor's browser would send it: refuse what a browser marks as
        // sent from another site (403). curl sends no such mark.
        http_server::refuse_cross_site(request)?;
        let body = request.read_body()?;
        let form = parse_qs(&body)?;
        let (longuri, shortname) = match read_form(&form) {
            Ok(fields) => fields,
            // The page again, saying what is wrong above the form, with
            // what was typed back in its boxes, so that the visitor can put
            // it right and send it once more.
            Err(error) => {
                let typed = |name| form.get(name).unwrap_or("");
                let typed = (typed("longuri"), typed("shortname"));
                return self.send_problem(
                    response,
                    error.status(),
                    "Not saved",
                    error.message(),
                    typed,
                );
            }
        };

        // This request waits here while the link is fetched: up to
        // CHECK_TIMEOUT for a link that never answers. The lock is not held,
        // so other visitors are not kept waiting too.
        let checked = check_link(&self.client, longuri);

        // TODO(c): keep a working link, and send the browser back to the list
        // A link that does not work is not kept. The Python course answers
        // 404 for it, and clients written for that server expect it; the
        // page says which link and why, above the form, to try again.
        let url = match checked {
            Ok(url) => url,
            Err(why) => {
                let why = format!("The link {longuri} is not reachable: {why}.");
                let typed = (longuri, shortname);
                return self.send_problem(response, 404, "Not saved", &why, typed);
            }
        };
        // Keep the link as the URL parser wrote it (a space is %20, é is
        // %C3%A9, the scheme in small letters: a Location header must be
        // ASCII), and as typed, not where its redirects ended: if its owner
        // moves the target again, the short name still works. keep (given,
        // above) replaces the link of a short name already taken, or says
        // why the store is full.
        if let Err(why) = self.keep(shortname, url.as_str()) {
            let typed = (longuri, shortname);
            return self.send_problem(response, 507, "Not saved", &why, typed);
        }
        // Post/Redirect/Get, as in lesson 2: reloading the page it lands on
        // does not send the form again.
        response.send_response(303);
        response.send_header("Location", "/");
        response.end_headers();
        // END TODO(c)
        Ok(())
    }
}

/// The long URI and the short name of a form, or why the form is wrong.
fn read_form(form: &Form) -> Result<(&str, &str), HttpError> {
    let longuri = required_field(form, "longuri")?;
    let shortname = required_field(form, "shortname")?;
    check_length("A link", longuri, MAX_LINK_CHARS)?;
    check_length("A short name", shortname, MAX_NAME_CHARS)?;
    check_short_name(shortname)?;
    refuse_credentials(longuri)?;
    Ok((longuri, shortname))
}

/// Refuses a link with a user name or a password in it
/// (`https://ada:secret@example.com/`): 400. The page shows every link to
/// everyone, and a password in a URL also ends up in server logs, in
/// browsers' history and in what the next site is told about where its
/// visitor came from. Keeping the link without them would save a link that
/// no longer works for its owner, so the visitor decides: save it again
/// without them.
fn refuse_credentials(link: &str) -> Result<(), HttpError> {
    match Url::parse(link) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => Err(HttpError::new(
            400,
            "The link has a user name or password in it (name:password@): this page shows every link to everyone, so save it without them.",
        )),
        _ => Ok(()),
    }
}

/// `2345` written as `2,345`, for the sentences that name a limit.
fn with_commas(number: usize) -> String {
    let digits = number.to_string();
    let mut written = String::new();
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            written.push(',');
        }
        written.push(digit);
    }
    written
}

// TODO(a): refuse a form that is missing a field, is too long, or whose short name cannot be a path
/// The value of the form's field `name`, without spaces at either end. A
/// field that is missing or blank is the client's mistake: 400, with a
/// sentence that names the field.
fn required_field<'a>(form: &'a Form, name: &str) -> Result<&'a str, HttpError> {
    match form.get(name) {
        Some(value) if !value.trim().is_empty() => Ok(value.trim()),
        Some(_) => Err(HttpError::new(400, format!("The field '{name}' is empty."))),
        None => Err(HttpError::new(
            400,
            format!("The form has no '{name}' field."),
        )),
    }
}

/// A field of at most `limit` characters, or 400 with a sentence that
/// names the limit; `what` is the field in words, `"A link"`. Characters,
/// not bytes (`value.len()`): `é` is one character and two bytes.
fn check_length(what: &str, value: &str, limit: usize) -> Result<(), HttpError> {
    let length = value.chars().count();
    if length > limit {
        let why = format!(
            "{what} can be at most {} characters; yours has {}.",
            with_commas(limit),
            with_commas(length)
        );
        return Err(HttpError::new(400, why));
    }
    Ok(())
}

/// A short name becomes the path `/name`, so it must be one piece of a
/// path: a `/` would split it in two, `?` and `#` would end the path, and a
/// browser resolves `.` and `..` away before it sends the request.
fn check_short_name(name: &str) -> Result<(), HttpError> {
    let breaks_the_path = |c: char| matches!(c, '/' | '?' | '#') || c.is_control();
    if name.contains(breaks_the_path) || name == "." || name == ".." {
        let why = format!(
            "The short name {name:?} cannot be a path: use no '/', '?', '#' or control characters, and not '.' or '..'."
        );
        return Err(HttpError::new(400, why));
    }
    Ok(())
}
// END TODO(a)

// TODO(b): check a link with an HTTP client: GET it, with a timeout and a few redirects
/// Sets up the client that checks links. reqwest reads the proxy settings
/// (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`) here, as a server behind a
/// proxy needs.
fn link_checker() -> reqwest::Result<Client> {
    Client::builder()
        // Never wait for ever: a link that does not answer fails the check.
        .timeout(CHECK_TIMEOUT)
        // A link that moved still works; a loop of redirects, or a chain
        // longer than MAX_REDIRECTS, does not.
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .user_agent("bookmark-server (Rust HTTP course)")
        .build()
}

/// Checks that `link` works: Ok(its URL), or Err(why not). It works if a
/// GET of it ends in 200 OK, after at most MAX_REDIRECTS redirects.
fn check_link(client: &Client, link: &str) -> Result<Url, String> {
    let url = Url::parse(link)
        .map_err(|error| format!("it is not a URL ({error}): write it whole, with https://"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https links can be checked, not {}",
            url.scheme()
        ));
    }
    // send() returns once the status line and headers are in. The body is
    // never read: dropping the response closes the connection, so a link
    // to a huge file costs no more than a link to a small one.
    let response = client
        .get(url.clone())
        .send()
        .map_err(|error| why(&error))?;
    match response.status() {
        reqwest::StatusCode::OK => Ok(url),
        status => Err(format!("it answered {status}")),
    }
}
// END TODO(b)

/// Why a request failed, in a few words: reqwest's error wraps others,
/// and the innermost one says what really happened.
fn why(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return format!(
            "it did not answer within {} seconds",
            CHECK_TIMEOUT.as_secs()
        );
    }
    if error.is_redirect() {
        return format!("it redirects more than {MAX_REDIRECTS} times in a row");
    }
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// Answers `status` with `page`, an HTML page.
fn send_html(response: &mut Response, status: u16, page: &str) -> HandlerResult {
    response.send_response(status);
    response.send_header("Content-Type", "text/html; charset=utf-8");
    response.end_headers();
    response.write_all(page.as_bytes())?;
    Ok(())
}

/// The page: the form, then every bookmark as a link to its short name.
fn list_page(bookmarks: &BTreeMap<String, String>) -> String {
    let mut items = String::new();
    // A BTreeMap keeps its keys sorted: the list is in alphabetical order.
    for (name, uri) in bookmarks {
        // Both were typed by a visitor: escape them, as in lesson 2. In the
        // link the name becomes a path, percent-encoded, which leaves no
        // character that HTML would read as markup.
        items.push_str(&format!(
            "  <li><a href=\"/{}\">{}</a> → {}</li>\n",
            percent_encode(name),
            escape_html_text(name),
            escape_html_text(uri)
        ));
    }
    if items.is_empty() {
        items.push_str("  <li><i>No bookmarks yet: save the first!</i></li>\n");
    }
    let form = form("", "");
    // The limits, said before anybody meets them.
    let limits = format!(
        "<p>Links of up to {} characters, short names of up to {}; the server keeps at most {} bookmarks.</p>",
        with_commas(MAX_LINK_CHARS),
        with_commas(MAX_NAME_CHARS),
        with_commas(MAX_BOOKMARKS)
    );
    page(
        "Bookmark Server",
        &format!(
            "{form}\n{limits}\n<h2>Short names I know</h2>\n<ul class=\"messages\">\n{items}</ul>\n"
        ),
    )
}

/// The page for a problem: the title and a line above the form say what
/// it is, the form holds what was `typed`, and a link leads to the list.
fn problem_page(what: &str, why: &str, (longuri, shortname): (&str, &str)) -> String {
    let form = form(longuri, shortname);
    // The tab and the history show the title: say there what went wrong.
    page(
        &format!("{what}: Bookmark Server"),
        &format!(
            "<p class=\"problem\" role=\"alert\">{}</p>\n{form}\n<p><a href=\"/\">See all the short names</a></p>\n",
            escape_html_text(why)
        ),
    )
}

/// A whole page, with the course's stylesheet (src/style.css) and icon
/// inside it (so the browser asks for no /favicon.ico, which this server
/// would take for a short name).
fn page(title: &str, body: &str) -> String {
    let style = http_server::STYLESHEET;
    let icon = http_server::ICON_LINK;
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{icon}
<style>
{style}</style>
</head>
<body>
<main>
<h1>Bookmark Server</h1>
{body}</main>
</body>
</html>
"#
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = link_checker()
        .map_err(|error| format!("cannot set up the link checker: {}", why(&error)))?;
    let server = BookmarkServer {
        bookmarks: Mutex::new(BTreeMap::new()),
        client,
    };
    // Listen on 127.0.0.1, port 8000 (or $HOST and $PORT), and serve the
    // bookmarks, each connection on its own thread.
    ThreadingHttpServer::from_env()?.serve_forever(server)?;
    Ok(())
}
