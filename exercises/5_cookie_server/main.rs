//! Lesson 5: the cookie server.
//!
//! A page that asks for your name and remembers it: not on the server, but in
//! a cookie that your browser keeps and sends back with every request. You
//! build it in three steps, one TODO each: (a) answer the form with a cookie
//! and send the browser back to the page, (b) read the cookie and greet the
//! name it holds, (c) encode the characters a cookie cannot hold as they are.
//! Run it with `cargo run --bin cookie_server`, open http://localhost:8000/,
//! and check a step with `cargo course check cookie_server a` (or `b`, `c`).
//! The lesson text is lessons/5_cookie_server/README.md.

use std::io::Write; // gives `Response` its `write_all` method
use std::time::Duration;

use http_server::{
    Handler, HandlerResult, Request, Response, SameSite, ServerError, SetCookie,
    ThreadingHttpServer, parse_qs,
};

/// The name of the form's text box and of the cookie: both hold your name.
const COOKIE_NAME: &str = "yourname";

/// How long the browser keeps the cookie (its Max-Age): 30 days.
const REMEMBER_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The most characters a name may have: a name, not a book.
const MAX_NAME_CHARS: usize = 100;

/// The longest `Set-Cookie` this server sends, in bytes: RFC 6265 asks
/// browsers to keep "at least 4096 bytes per cookie" (name, value and
/// attributes), and they drop a longer one without a word.
const MAX_COOKIE_BYTES: usize = 4096;

/// What the page says to a visitor who sent no name.
const STRANGER: &str = "<p>I don't know you yet. What's your name?</p>";

/// The server keeps nothing: each visitor's name lives in their own browser.
struct CookieServer;

impl Handler for CookieServer {
    /// The form was sent: remember the name in a cookie, and go back to `/`.
    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // Any page on the web can hold a form that posts a name here, and
        // the visitor's browser would keep the cookie that comes back:
        // refuse what a browser says another site sent (403).
        http_server::refuse_cross_site(request)?;
        // The form, decoded as on the board of lesson 2: yourname=Alice
        let form = parse_qs(request.read_body()?)?;

        // TODO(a): keep the name in a cookie, and send the browser back to /
        //   For now the POST answers a page that shows the header it should send.
        //   1. form.get(COOKIE_NAME) is the name typed in the box, or None. Answer
        //      None, or a blank name (name.trim().is_empty(): empty, or only
        //      spaces, tabs...), with 400 and the form again, as in step 2:
        //      return send_form_again(response, "Type your name first...", "");
        //      Keep the name itself as typed: trim() only tests it.
        //   2. A name over MAX_NAME_CHARS characters is refused too: count
        //      them with name.chars().count() (len() counts bytes), and
        //      return send_form_again(response, &why, name); where why says
        //      the limit and the length: "A name can be at most 100
        //      characters; yours has 5,000." (with_commas writes 5,000).
        //   3. Make the cookie: name_cookie(&encode_cookie_value(name)).
        //      name_cookie, below the TODOs, sets the attributes;
        //      encode_cookie_value is step c. If too_long_for_a_browser(&cookie)
        //      gives a sentence, send the form again with it.
        //   4. Answer 303 See Other with the header `Location: /`, as the board
        //      of lesson 2 did: the browser then asks for / with a GET.
        //   5. Give the browser the cookie to keep: response.set_cookie(&cookie)
        //      adds its Set-Cookie header.
        //   6. End the headers. A redirect needs no body.
        let name = form.get(COOKIE_NAME).unwrap_or("");
        let header = name_cookie(&encode_cookie_value(name));
        let not_yet = format!(
            "Hello, {name}! Remembering you is step a: not written yet.\n\
             This answer should be a 303 See Other to / with the header\n\
             Set-Cookie: {header}\n"
        );
        response.send_response(200);
        response.send_header("Content-type", "text/plain; charset=utf-8");
        response.end_headers();
        response.write_all(not_yet.as_bytes())?;
        // END TODO(a)
        Ok(())
    }

    /// Sends the page, whatever the path: a greeting, then the form.
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // The browser sends every cookie it keeps for this site in one
        // header: `Cookie: theme=dark; yourname=Alice`.
        let greeting = greeting(request.headers().get("Cookie"));
        send_page(response, 200, &page(&greeting, ""))
    }
}

/// Sends `page`, an HTML page, with `status`.
fn send_page(response: &mut Response, status: u16, page: &str) -> HandlerResult {
    response.send_response(status);
    response.send_header("Content-type", "text/html; charset=utf-8");
    response.end_headers();
    response.write_all(page.as_bytes())?;
    Ok(())
}

/// Answers 400 with the page: `problem` said above the form, and the name
/// the visitor `typed` put back in it, so that they can mend it.
fn send_form_again(response: &mut Response, problem: &str, typed: &str) -> HandlerResult {
    let problem = format!(
        "<p class=\"problem\" role=\"alert\">{}</p>",
        http_server::escape_html_text(problem)
    );
    send_page(response, 400, &page(&problem, typed))
}

/// Why a browser would not keep `cookie`, if it would not: its header
/// (name, value and attributes) is longer than MAX_COOKIE_BYTES. With names
/// of at most MAX_NAME_CHARS characters, it never is (a character becomes
/// 12 bytes at most, %F0%9F%8D%AA); this stays true if the limit changes.
fn too_long_for_a_browser(cookie: &SetCookie) -> Option<String> {
    let bytes = cookie.to_string().len();
    (bytes > MAX_COOKIE_BYTES).then(|| {
        format!(
            "Your name would make a cookie of {} bytes, and a browser keeps at most {}: \
             try a shorter one.",
            with_commas(bytes),
            with_commas(MAX_COOKIE_BYTES)
        )
    })
}

/// `1234567` as `1,234,567`: how the page writes a length.
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

// TODO(b): find the cookie named yourname, and greet the name it holds
//   For now the page greets nobody. Once step a sets the cookie, it says
//   that your browser sent one back: reading it is this step.
//   1. http_server::parse_cookies(header) splits the header into (name,
//      value) pairs, in order; find the first one named exactly COOKIE_NAME
//      (names are case-sensitive). None: STRANGER.
//   2. Decode its value with http_server::percent_decode (step c explains
//      why it may be encoded; `Alice` stays `Alice`). Anybody may send any
//      cookie: a value that does not decode gets a note (without the
//      value), never a 500.
//   3. Greet the decoded name, passed through http_server::escape_html_text:
//      it comes from the client, and <script> must show as text. Escape
//      after decoding, never before: %3C decodes to <.
/// What the page says above the form, from the `Cookie` header, if any.
fn greeting(cookie_header: Option<&str>) -> String {
    match cookie_header {
        None => STRANGER.to_owned(),
        Some(_) => "<p>Your browser sent a cookie, but reading it is step b.</p>".to_owned(),
    }
}
// END TODO(b)

// TODO(c): encode the characters that a cookie cannot hold as they are
//   A cookie's value may only hold printable ASCII, and not space, ", ",",
//   ";" or "\" (RFC 6265 calls the rest cookie-octets). Until you do this
//   step, a name such as `Smith; Jr` is cut short at the ";".
//   Go through the name's bytes (name.bytes()): keep a cookie-octet as it
//   is, except "%" (it starts an escape); write every other byte as "%" and
//   two hex digits, format!("%{byte:02X}"). percent_decode undoes that,
//   and `Alice` stays `Alice`.
/// The value of the cookie for `name` (for now, the name as it is).
fn encode_cookie_value(name: &str) -> String {
    name.to_owned()
}
// END TODO(c)

/// The cookie that remembers a name: `yourname=value`, then the attributes
/// that tell the browser where to send it back, for how long, and who may
/// read it. Its header reads
/// `yourname=Alice; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax`.
fn name_cookie(value: &str) -> SetCookie {
    SetCookie::new(COOKIE_NAME, value)
        // Back with every request to the site, not only to the form's path.
        .path("/")
        // Kept for 30 days, even after the browser closes.
        .max_age(REMEMBER_FOR)
        // Out of reach of scripts in the page (document.cookie).
        .http_only()
        // Not sent with requests that other sites' pages start.
        .same_site(SameSite::Lax)
}

/// The page: a title, the greeting, and the form that sends a name, with
/// what the visitor `typed` in its field (escaped for an attribute value:
/// a quote in it must not end the value).
fn page(greeting: &str, typed: &str) -> String {
    let typed = http_server::escape_html(typed);
    // The course's stylesheet (src/style.css) and icon come inside the page.
    let style = http_server::STYLESHEET;
    let icon = http_server::ICON_LINK;
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>I Remember You</title>
{icon}
<style>
{style}</style>
</head>
<body>
<main>
<h1>I Remember You</h1>
{greeting}
<form method="post" action="/">
  <label for="{COOKIE_NAME}">Your name</label>
  <p class="row"><input type="text" id="{COOKIE_NAME}" name="{COOKIE_NAME}" value="{typed}" autocomplete="name" required autofocus>
  <button type="submit">Remember me</button></p>
</form>
</main>
</body>
</html>
"#
    )
}

fn main() -> Result<(), ServerError> {
    // Listen on 127.0.0.1, port 8000 (or $PORT), and serve the page.
    ThreadingHttpServer::from_env()?.serve_forever(CookieServer)
}

#[cfg(test)]
mod tests {
    //! Run with `cargo test --bin cookie_server_sol`: the given code that
    //! no check can reach, since a name of 100 characters always fits.

    use super::*;

    /// The longest name makes a cookie a browser keeps.
    #[test]
    fn the_longest_name_fits_in_a_cookie() {
        let name = "🍪".repeat(MAX_NAME_CHARS);
        let value: String = name.bytes().map(|byte| format!("%{byte:02X}")).collect();
        assert_eq!(too_long_for_a_browser(&name_cookie(&value)), None);
    }

    /// A cookie longer than a browser keeps is refused, with a sentence
    /// that names the limit.
    #[test]
    fn a_cookie_too_long_is_refused() {
        let cookie = name_cookie(&"a".repeat(5_000));
        let why = too_long_for_a_browser(&cookie).expect("a cookie of 5,000 bytes is refused");
        assert!(why.contains("4,096"), "{why}");
        assert_eq!(too_long_for_a_browser(&name_cookie("Alice")), None);
    }
}
