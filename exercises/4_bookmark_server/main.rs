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
//   The pages put form(longuri, shortname) on them; for now it is a
//   placeholder. Write a form that POSTs to / (as in lesson 2), with inside
//   it:
//   1. an <input> named "longuri", for the long link;
//   2. an <input> named "shortname", for the short name;
//   3. a <button type="submit">.
//   After a refusal the pages call form() with what the visitor typed
//   (empty otherwise): put it back in the boxes, value="...", so that
//   nothing typed is lost. Escape it with http_server::escape_html, not
//   escape_html_text: in an attribute value a " would end the value.
//   format!(r#"<form ...>...value="{}"...</form>"#, ...) writes it.
//   Replace this doc comment with one that says what your form sends.
//   The names are the fields do_post reads, as in the Python course's
//   bookmark server, so that clients written for one work with the other.
/// The form a visitor fills in.
fn form(_longuri: &str, _shortname: &str) -> String {
    "<p>(The form will go here.)</p>".to_owned()
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
        //   For now every short name gets 404. Instead:
        //   1. The name is the path without its "/", percent-encoded
        //      (/caf%C3%A9 is café): http_server::percent_decode(...)?
        //      decodes it, and answers a broken escape with 400.
        //   2. Look it up: self.bookmarks().get(&name).cloned() is an
        //      Option<String>, a copy, so the lock is released at once.
        //   3. None: answer a short page with 404 and a sentence that names
        //      the unknown name (and the name in the form's box):
        //        let why = format!("I don't know the short name {name:?}: save it with the form.");
        //        return self.send_problem(response, 404, "Not found", &why, ("", &name));
        //   4. Some(uri): answer 303 See Other with the header Location: uri.
        response.send_error(404, "following short names is not written yet (step d)");
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
        //   For now the POST answers with what the link check found. Instead:
        //   1. If `checked` is Err(why), the link does not work: answer the
        //      page with 404, a sentence that names the link and says why,
        //      and what was typed back in the form:
        //        let why = format!("The link {longuri} is not reachable: {why}.");
        //        return self.send_problem(response, 404, "Not saved", &why, (longuri, shortname));
        //   2. If it is Ok(url), keep it with self.keep(shortname, url.as_str())
        //      (given, above): the link as the URL parser wrote it, not the
        //      text typed (longuri), since a Location header must be ASCII
        //      (Url writes a space as %20, é as %C3%A9, the scheme in small
        //      letters). A short name that was already taken gets the new link.
        //   3. keep gives Err(why) when the store is full: answer 507 with
        //      send_problem, that sentence, and what was typed:
        //        return self.send_problem(response, 507, "Not saved", &why, (longuri, shortname));
        //   4. Answer 303 See Other with Location: /, and no body (lesson 2).
        let found = match checked {
            Ok(url) => format!("{url} is reachable: it answered 200 OK"),
            Err(why) => format!("{longuri} is not reachable: {why}"),
        };
        response.send_response(200);
        response.send_header("Content-Type", "text/plain; charset=utf-8");
        response.end_headers();
        writeln!(response, "The link checker says: {found}")?;
        writeln!(response, "(Step c will keep the bookmark {shortname:?}.)")?;
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
//   For now a missing field counts as empty, any length will do, and any
//   short name too. Instead:
//   1. required_field: form.get(name) is None for a missing field, and
//      Some("") (or only spaces: value.trim()) for an empty one. Answer
//      both with Err(HttpError::new(400, ...)) and a sentence that names
//      the field. Return the value trimmed (value.trim()), so that
//      " learn " is saved as "learn".
//   2. check_length: a value of more than `limit` characters (count them
//      with value.chars().count(): value.len() counts bytes) gets 400
//      and a sentence that names the limit:
//        format!("{what} can be at most {} characters; yours has {}.", with_commas(limit), with_commas(length))
//   3. check_short_name: a short name becomes the path /name. Answer 400
//      to a name with a '/', '?' or '#' in it, or a control character
//      (c.is_control()), and to the names "." and "..", which browsers
//      remove from paths.
/// The value of the form's field `name`, without spaces at either end.
fn required_field<'a>(form: &'a Form, name: &str) -> Result<&'a str, HttpError> {
    Ok(form.get(name).unwrap_or("").trim())
}

/// Whether a field is at most `limit` characters long.
fn check_length(_what: &str, _value: &str, _limit: usize) -> Result<(), HttpError> {
    Ok(())
}

/// Whether a short name can be a path.
fn check_short_name(_name: &str) -> Result<(), HttpError> {
    Ok(())
}
// END TODO(a)

// TODO(b): check a link with an HTTP client: GET it, with a timeout and a few redirects
//   For now the checker says it is not written yet, and a POST says so.
//   1. link_checker: set up the client with Client::builder(), adding
//      .timeout(CHECK_TIMEOUT), so that a link that never answers fails in
//      a few seconds, and .redirect(reqwest::redirect::Policy::limited(
//      MAX_REDIRECTS)), so that a link that moved still works and a
//      chain longer than MAX_REDIRECTS does not. Leave the
//      proxy settings as reqwest reads them from the environment.
//   2. check_link: Url::parse(link) reads the link. Text that is not a
//      URL, or whose url.scheme() is not "http" or "https", is Err(why).
//   3. Send a GET: client.get(url.clone()).send(). If it fails, return
//      Err(why(&error)): why() below says what happened in a few words.
//   4. Do not read the body: the status says all. Ok(url) if it is
//      reqwest::StatusCode::OK, otherwise Err saying which status came.
/// Sets up the client that checks links.
fn link_checker() -> reqwest::Result<Client> {
    Client::builder().build()
}

/// Checks that `link` works: Ok(its URL), or Err(why not).
fn check_link(_client: &Client, _link: &str) -> Result<Url, String> {
    Err("the link checker is not written yet (step b)".to_owned())
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
