//! Step c: a folder serves its index.html (checked, like any path, to be
//! inside DIR), `/sub` redirects to `/sub/`, and `/file/` is 404.

use super::site::serve;
use crate::CheckResult;
use crate::process::{Launch, shell_quote};
use crate::session::{Reply, Session};

pub(super) fn folders_serve_their_index(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let marker = &site.marker;
    for (target, title) in [
        ("/", "Top page"),
        ("/sub/", "Sub page"),
        ("/sub/?x=1", "Sub page"),
        ("/dir%20two/", "Dir two"),
    ] {
        let reply = site.get(session, target)?;
        let expected = format!("200 OK, text/html, the folder's index.html ({title} {marker})");
        reply
            .expect(
                |reply| !(target.contains('?') && reply.status == 301),
                &expected,
                "The path ends with a slash, /sub/, and the query string (?x=1) comes after \
                 it: it is not part of the path. Test url_path, the path without its query, \
                 for the final slash (url_path.ends_with('/')), not request.path(), which \
                 still holds the query.",
            )?
            .expect(
                |reply| reply.status == 200 && reply.body.contains(&format!("{title} {marker}")),
                &expected,
                "A path that names a folder serves the index.html inside it: in step c's \
                 TODO, when path.is_dir() and the path ends with '/', use \
                 path.join(\"index.html\").",
            )?
            .expect_media_type(
                "text/html",
                "The folder's index is index.html: take its content type from that name, \
                 not from the folder's.",
            )?;
    }
    Ok(())
}

pub(super) fn folders_redirect_to_their_slash_form(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for (target, location) in [
        ("/sub", "/sub/"),
        ("/sub?x=1", "/sub/"),
        ("/dir%20two", "/dir%20two/"),
        ("//sub", "/sub/"),
        ("//evil.example", "/evil.example/"),
    ] {
        let reply = site.get(session, target)?;
        let expected = format!("301 Moved Permanently, Location: {location}");
        let got = reply.header("location").unwrap_or("");
        reply
            .expect(
                |reply| reply.status == 301,
                &expected,
                "A folder asked for without its final slash gets 301 Moved Permanently to \
                 the slash form: the page's relative links (style.css) are resolved from the \
                 last slash of its URL.",
            )?
            .expect(
                |_| !(got.starts_with("//") || got.starts_with("/\\") || got.contains("://")),
                &expected,
                "That Location sends the browser to another host: a browser reads \
                 //evil.example/ as http://evil.example/. Rebuild the Location from the \
                 decoded names, each percent-encoded, and skip the empty ones.",
            )?
            // Keeping the query string is fine too.
            .expect(
                |_| got == location || got == format!("{location}?x=1"),
                &expected,
                "The Location is the same folder, with a '/' at the end, its names \
                 percent-encoded (a space is %20).",
            )?;
    }
    Ok(())
}

pub(super) fn folder_without_index(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    let reply = site.get(session, "/noindex/")?;
    if reply.status == 404 {
        return Ok(());
    }
    let (escaped, link) = ("a&amp;b &lt;c&gt;.txt", "a%26b%20%3Cc%3E.txt");
    reply
        .expect(
            |reply| reply.status == 200,
            "404 Not Found: the folder has no index.html",
            "Serve path.join(\"index.html\"); when there is no such file, the 404 below \
             answers. A 500 means an error (such as reading a folder as a file) went up \
             with `?`.",
        )?
        .expect(
            |reply| {
                !reply.body.contains("<c>")
                    && reply.body.contains(escaped)
                    && reply.body.contains(link)
            },
            format!(
                "404, or a listing where the name a&b <c>.txt shows as {escaped} and its link \
                 is {link}"
            ),
            "A file name is text from elsewhere: escape it for the page (escape_html_text) \
             and percent-encode it for the link (percent_encode, then escape_html for the \
             attribute).",
        )?
        .expect_body_lacks(
            ".env",
            "Leave out names that start with a dot: .env, .git and .htpasswd hold what \
             nobody meant to publish, and a listing is how they leak. Skip them with \
             !name.starts_with('.'). (Or answer 404: the folder has no index.html.)",
        )?;
    Ok(())
}

pub(super) fn index_pages_stay_inside(session: &mut Session) -> CheckResult {
    if !cfg!(unix) {
        // The site has no symlinks where it cannot make them.
        return Ok(());
    }
    let site = serve(session)?;
    const HINT: &str = "A folder's index.html is one more name, and can be a symlink like any \
                        other: resolve() checked the folder, not the file inside it. Canonicalize \
                        path.join(\"index.html\") and serve it only if it starts_with(&self.root); otherwise \
                        not_found().";
    let stays_inside = |reply: &Reply| {
        !reply.body.contains(&site.secret) && matches!(reply.status, 400 | 403 | 404)
    };
    site.get(session, "/linked/")?.expect(
        stays_inside,
        "404 Not Found: linked/index.html is a symlink to a file outside DIR (GET \
         /linked/index.html gets 404 too)",
        HINT,
    )?;
    site.expect_file(
        session,
        "/alias/",
        &format!("Sub page {}", site.marker),
        "alias/index.html is a symlink to sub/index.html, inside DIR: a symlink is fine as long as \
         it leads to a file inside. Compare where it leads (canonicalize) with the root.",
    )?;
    // DIR's own index.html, served at /: the check's linked/ folder as DIR.
    let linked = site.www.join("linked");
    session.set_launch(Launch::default().arg(linked.to_string_lossy()));
    session.restart()?;
    let reply = site.get(session, "/")?;
    let outcome = reply.expect(
        stays_inside,
        "404 Not Found: DIR's own index.html is a symlink to a file outside DIR",
        HINT,
    );
    outcome.map(drop).map_err(|mut failure| {
        let command = shell_quote(&linked.to_string_lossy());
        failure.sent = format!(
            "cargo run --bin file_server -- {command}, then: {}",
            failure.sent
        );
        failure
    })
}

pub(super) fn files_have_no_final_slash(session: &mut Session) -> CheckResult {
    let site = serve(session)?;
    for target in ["/hello.txt/", "/sub/page.txt/", "/style.css/"] {
        let reply = site.get(session, target)?;
        reply.expect(
            |reply| reply.status == 404,
            "404 Not Found: a path that ends with a slash names a folder, and this is a file",
            "A final slash names a folder: /style.css/ is not the file style.css (a page \
             served there would look for its relative links in /style.css/). When the path \
             is not a folder and url_path ends with '/', answer not_found(), as nginx and \
             Python's http.server do.",
        )?;
    }
    Ok(())
}
