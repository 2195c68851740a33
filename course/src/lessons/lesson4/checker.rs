//! Step b: the link checker, which GETs the link and judges it by its status.

use super::*;
use std::time::Duration;

/// How long the lesson's link check waits (`CHECK_TIMEOUT` in the program).
const LINK_TIMEOUT: Duration = Duration::from_secs(5);

/// The start of an answer that never ends: `200 OK`, a `Content-Length` of
/// 1 GB and its first bytes. A client that reads the body waits until its
/// timeout.
const HUGE_BODY_START: Answer = Answer::Stall(
    b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 1000000000\r\n\r\n\
      \0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41",
);

/// What the link check found, read from the answer to a POST: before step
/// (c), a 200 page that says "reachable" or "not reachable"; after, `303`
/// (kept) or `404` (not reachable). `None` if the answer is neither.
fn verdict(reply: &Reply) -> Option<bool> {
    let body = reply.body.to_ascii_lowercase();
    match reply.status {
        303 => Some(true),
        404 => Some(false),
        200 if body.contains("not reachable") => Some(false),
        200 if body.contains("reachable") => Some(true),
        _ => None,
    }
}

/// The hint for an answer that is no verdict at all.
fn no_verdict_hint(reply: &Reply) -> &'static str {
    if matches!(reply.status, 301 | 302 | 307 | 308) {
        "After step c, a POST with a working link answers 303 See Other (after a 307 or 308 the \
         browser would POST again)."
    } else if reply.body.contains("not written yet") {
        "The link checker is not written yet: write check_link, in the TODO(b) region."
    } else if reply.status == 400 && reply.body.contains("reachable") {
        "A link that does not work gets 404 Not Found, as in the Python course; 400 is for \
         forms that are wrong in themselves."
    } else if reply.status == 400 {
        "The form was good: keep the 400s for missing fields and bad short names."
    } else {
        "Keep the starter's TODO(c) code until step b passes: it says what check_link found."
    }
}

/// POSTs `url` (`what` says what answers there) under a new short name and
/// expects the check to find it reachable or not. Returns the reply.
fn expect_verdict(
    session: &mut Session,
    url: &str,
    what: &str,
    reachable: bool,
    wrong_hint: &str,
) -> Result<Reply, Failure> {
    let reply = post_bookmark(session, url, &new_name("check"))?;
    let reply = about(reply, &format!("URL: {url}, {what}"));
    let expected = if reachable {
        "the link found reachable: before step c, a page that says it is reachable; after, 303 See Other"
    } else {
        "the link found not reachable: before step c, a page that says so and why; after, 404"
    };
    let hint = match verdict(&reply) {
        Some(found) if found != reachable && !reply.body.contains("not written yet") => wrong_hint,
        _ => no_verdict_hint(&reply),
    };
    reply.expect(|reply| verdict(reply) == Some(reachable), expected, hint)?;
    Ok(reply)
}

pub(super) fn working_link_is_reachable(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let hint = "This link answers 200 OK: GET it with client.get(url).send() and compare \
                response.status() with reqwest::StatusCode::OK.";
    expect_verdict(
        session,
        &ok.url("/"),
        "a server that answers 200 OK",
        true,
        hint,
    )?;
    Ok(())
}

pub(super) fn broken_link_is_not_reachable(session: &mut Session) -> CheckResult {
    let missing = HelperServer::start(Answer::NotFound)?;
    let what = "a server that answers 404 Not Found";
    let hint = "The server answered, so send() succeeds: look at response.status(); only 200 OK \
                is a working link.";
    expect_verdict(session, &missing.url("/gone"), what, false, hint)?.expect_body_contains(
        "404",
        "Say which status came back, Err(format!(\"it answered {status}\")): the page shows it. \
         Lesson 3's names service (PORT=8001) answers 404 at http://localhost:8001/nowhere.",
    )?;
    Ok(())
}

/// Answers that are not `200 OK`, though no error either: a success with
/// nothing in it, and a redirect that leads nowhere (reqwest follows a
/// redirect only when it has a `Location`, and hands this one back).
const NO_CONTENT: Answer = Answer::Raw(b"HTTP/1.1 204 No Content\r\n\r\n");

const REDIRECT_TO_NOWHERE: Answer =
    Answer::Raw(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

pub(super) fn only_200_is_reachable(session: &mut Session) -> CheckResult {
    let cases = [
        (
            REDIRECT_TO_NOWHERE,
            "a server that answers 302 Found with no Location header",
        ),
        (NO_CONTENT, "a server that answers 204 No Content"),
    ];
    for (answer, what) in cases {
        let helper = HelperServer::start(answer)?;
        let hint = "Only 200 OK is a working link, as the lesson says: compare response.status() \
                    with reqwest::StatusCode::OK itself, not is_success() or a range.";
        expect_verdict(session, &helper.url("/almost"), what, false, hint)?;
    }
    Ok(())
}

pub(super) fn redirect_is_followed(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let moved = redirect_to(ok.url("/new-home"))?;
    let what = format!(
        "a server that answers 303 See Other, Location: {}, which answers 200 OK",
        ok.url("/new-home")
    );
    let hint = "This link redirects to a page that works, as many do: let the client follow \
                redirects, Policy::limited(MAX_REDIRECTS), not Policy::none().";
    expect_verdict(session, &moved.url("/old-home"), &what, true, hint)?;
    Ok(())
}

pub(super) fn long_redirect_chain_is_refused(session: &mut Session) -> CheckResult {
    // Six helpers in a row, each redirecting to the next, the last to a page
    // that works: one redirect more than MAX_REDIRECTS (5), and fewer than
    // reqwest's default limit (10), so only the lesson's policy refuses it.
    let ok = HelperServer::start(WORKS)?;
    let mut next = ok.url("/end");
    let mut chain = Vec::new();
    for hop in (1..=6).rev() {
        let helper = redirect_to(next)?;
        next = helper.url(&format!("/hop-{hop}"));
        chain.push(helper);
    }
    let what = "the first of 6 servers that each answer 303 See Other to the next; the last \
                one's Location answers 200 OK";
    let hint = "6 redirects are one more than MAX_REDIRECTS, and reqwest's default follows 10: \
                .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS)).";
    expect_verdict(session, &next, what, false, hint)?.expect_body_contains(
        "redirect",
        "Say why the request failed: Err(why(&error)), and why() names the redirects.",
    )?;
    drop(chain);
    Ok(())
}

pub(super) fn refused_link_is_not_reachable(session: &mut Session) -> CheckResult {
    let url = format!("http://127.0.0.1:{}/", refused_port()?);
    let hint = "Nothing listens there, so send() fails: that is Err(why(&error)).";
    expect_verdict(session, &url, "a port where nothing listens", false, hint)?.expect(
        |reply| reply.body.to_ascii_lowercase().contains("refused"),
        "a page that says why: the connection was refused",
        "Err(why(&error)) finds reqwest's innermost error, \"Connection refused\"; \
         error.to_string() only says that sending failed.",
    )?;
    Ok(())
}

pub(super) fn non_links_are_not_reachable(session: &mut Session) -> CheckResult {
    let texts = [
        ("example.com", "no scheme: not a whole URL"),
        ("http://", "no host"),
        (
            "ftp://127.0.0.1/file.txt",
            "an ftp: link, not http or https",
        ),
        (
            "javascript:alert(1)",
            "a javascript: link, not http or https",
        ),
        (
            "<script>alert(1)</script>",
            "HTML, which the page must show as text",
        ),
    ];
    for (text, what) in texts {
        let reply = post_bookmark(session, text, &new_name("text"))?;
        let hint = match verdict(&reply) {
            Some(false) => {
                "The page shows what was typed as HTML, so a browser would run it: \
                            escape_html_text(why), as bookmarks_page does."
            }
            _ if reply.status == 500 => {
                "The handler failed: did it unwrap() Url::parse(link)? \
                                         Turn the error into Err(why) with .map_err(...)?."
            }
            Some(true) => "Only http and https links can be checked: look at url.scheme().",
            None => no_verdict_hint(&reply),
        };
        let script_runs = |reply: &Reply| {
            reply.media_type().as_deref() == Some("text/html")
                && reply.body.contains("<script>alert")
        };
        reply.expect(
            |reply| verdict(reply) == Some(false) && !script_runs(reply),
            format!("the link found not reachable ({what}), with a page that says so, not a 500"),
            hint,
        )?;
    }
    Ok(())
}

pub(super) fn silent_link_times_out(session: &mut Session) -> CheckResult {
    let silent = HelperServer::start(Answer::Never)?;
    let url = silent.url("/");
    let link = format!("URL: {url}, a server that accepts the connection and never answers");
    // The session's client waits 10 seconds: twice the lesson's timeout.
    let reply = post_bookmark(session, &url, &new_name("silent")).map_err(|failure| {
        let hint = "The POST waited with the link checker for a server that never answers: \
                    Client::builder().timeout(CHECK_TIMEOUT) (reqwest's own is 30 seconds).";
        let failure = hint_if_got(failure, NO_ANSWER, hint);
        Failure {
            sent: format!("{}\n({link})", failure.sent),
            ..failure
        }
    })?;
    let reply = about(reply, &link);
    let (expected, hint) = match verdict(&reply) {
        Some(true) => (
            "the link found not reachable: it never answered".to_owned(),
            "A link that does not answer does not work: when send() fails, return Err(why).",
        ),
        _ => (
            format!(
                "the link found not reachable after {} seconds",
                LINK_TIMEOUT.as_secs()
            ),
            no_verdict_hint(&reply),
        ),
    };
    reply.expect(|reply| verdict(reply) == Some(false), expected, hint)?;
    Ok(())
}

pub(super) fn huge_body_is_not_read(session: &mut Session) -> CheckResult {
    let huge = HelperServer::start(HUGE_BODY_START)?;
    let url = huge.url("/film.mp4");
    let link = format!(
        "URL: {url}, a server that answers 200 OK with a Content-Length of 1 GB, sends the \
         first bytes, and then stalls"
    );
    about(post_bookmark(session, &url, &new_name("huge"))?, &link).expect(
        |reply| verdict(reply) == Some(true),
        "the link found reachable: it answered 200 OK",
        "The status came before the body: judge by response.status(), and never read the body \
         (.text(), .bytes()), which downloads the whole file or, here, waits for the timeout.",
    )?;
    Ok(())
}

pub(super) fn link_check_uses_the_proxy(session: &mut Session) -> CheckResult {
    let ok = HelperServer::start(WORKS)?;
    let proxy = Proxy::start()?;
    let target = ok.url("/through-the-proxy");
    let name = session.binary_name();
    // The checks' clean environment names loopback in NO_PROXY; this
    // server gets an empty one, so that a link on 127.0.0.1 goes through
    // the proxy like any other.
    let launch = Launch::default()
        .env("HTTP_PROXY", proxy.url())
        .env("NO_PROXY", "");
    let started = format!(
        "HTTP_PROXY={} cargo run --bin {name} (a stand-in proxy the check started; the link: a \
         server that answers 200 OK)",
        proxy.url()
    );
    let mut other = another_server(session, launch);
    let reply = post_to(&mut other, &started, &target, &new_name("proxy"))?;
    let forwarded = proxy.forwarded();
    let asked = format!("GET {target}");
    let hint = if forwarded.iter().any(|line| line.ends_with(&target)) {
        "Check a link with a GET, like the Python course's requests.get: some servers answer \
         HEAD differently, or not at all."
    } else {
        "reqwest's Client::builder() reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY by itself: do \
         not call .no_proxy() on it (and send the request: a link is judged by its answer)."
    };
    reply.expect_noting(
        |_| forwarded.contains(&asked),
        format!("the proxy forwarded: {forwarded:?}"),
        format!("the link checked through the proxy with {asked}, as a browser would"),
        hint,
    )?;
    // With NO_PROXY naming the link's host, the check goes straight there.
    let direct = Proxy::start()?;
    let launch = Launch::default()
        .env("HTTP_PROXY", direct.url())
        .env("NO_PROXY", "127.0.0.1");
    let started = format!(
        "HTTP_PROXY={} NO_PROXY=127.0.0.1 cargo run --bin {name}",
        direct.url()
    );
    let mut other = another_server(session, launch);
    post_to(&mut other, &started, &target, &new_name("proxy"))?.expect_noting(
        |reply| direct.forwarded().is_empty() && matches!(reply.status, 200 | 303),
        format!("the proxy forwarded: {:?}", direct.forwarded()),
        "the link checked directly, not through the proxy, and found reachable",
        "NO_PROXY lists the hosts reached without the proxy: leave both to reqwest's \
         Client::builder(), which reads HTTP_PROXY and NO_PROXY together.",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_huge_body_answers_200_and_never_ends() {
        let huge = HelperServer::start(HUGE_BODY_START).expect("a helper");
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(1))
            .build()
            .expect("a client");
        let response = client.get(huge.url("/film.mp4")).send().expect("its head");
        assert_eq!(response.status(), 200);
        assert_eq!(response.content_length(), Some(1_000_000_000));
        // The body never comes: reading it ends with the client's timeout.
        assert!(response.bytes().is_err());
    }
}
