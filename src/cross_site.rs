//! Refusing requests that another site made a visitor's browser send.
//!
//! Any page on the web can hold a form that posts to `http://localhost:8000/`,
//! and a visitor's browser sends it, cookies and all: that is cross-site
//! request forgery. Browsers say where a request comes from, so a server can
//! refuse what another site sent: `Sec-Fetch-Site` names the relation
//! (`same-origin`, `same-site`, `cross-site`, or `none` when the visitor
//! typed the address), and older browsers send `Origin`, the page's scheme,
//! host and port. A request without either comes from a program such as
//! curl, which no other site can drive, so it is let through. Only methods
//! that change something are guarded: `GET`, `HEAD` and `OPTIONS` must
//! never change state, so a cross-site `GET` can do no harm.
//!
//! This is the rule Go's `net/http` follows in `CrossOriginProtection`.

use crate::{Handler, HandlerResult, HttpError, Request, Response};

/// Refuses an unsafe request (anything but `GET`, `HEAD` and `OPTIONS`)
/// that a browser marks as sent from another site, with `403 Forbidden`
/// and a sentence that says why. Call it first in a handler's `do_post`
/// (and `do_put`, `do_patch`, `do_delete`), with `?`.
///
/// ```
/// use http_server::{Handler, HandlerResult, Request, Response, refuse_cross_site};
/// use http_server::test::{TestRequest, call};
///
/// struct Board;
///
/// impl Handler for Board {
///     fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
///         refuse_cross_site(request)?;
///         response.send_response(303);
///         response.send_header("Location", "/");
///         response.end_headers();
///         Ok(())
///     }
/// }
///
/// let from_here = TestRequest::post("/").header("Sec-Fetch-Site", "same-origin");
/// assert_eq!(call(&Board, from_here).status(), 303);
/// let from_elsewhere = TestRequest::post("/").header("Sec-Fetch-Site", "cross-site");
/// assert_eq!(call(&Board, from_elsewhere).status(), 403);
/// let curl = TestRequest::post("/"); // no browser, no other site
/// assert_eq!(call(&Board, curl).status(), 303);
/// ```
pub fn refuse_cross_site(request: &Request) -> Result<(), HttpError> {
    if matches!(request.method(), "GET" | "HEAD" | "OPTIONS") {
        return Ok(());
    }
    let headers = request.headers();
    let refuse = |why: String| {
        Err(HttpError::new(
            403,
            format!(
                "{why}; this server takes changes only from its own pages (a page on another site cannot make your browser change things here)"
            ),
        ))
    };
    if let Some(site) = headers.get("Sec-Fetch-Site") {
        return match site.trim().to_ascii_lowercase().as_str() {
            "same-origin" | "none" => Ok(()),
            other => refuse(format!(
                "your browser says this request came from another site (Sec-Fetch-Site: {other})"
            )),
        };
    }
    let Some(origin) = headers.get("Origin") else {
        return Ok(());
    };
    let host = headers.get("Host").unwrap_or("");
    if is_same_origin(origin, host) {
        Ok(())
    } else {
        refuse(format!(
            "this request came from a page of {origin}, not of this server ({host})"
        ))
    }
}

/// Whether `origin` (`http://localhost:8000`) names the server that the
/// request's `Host` field (`localhost:8000`) names.
fn is_same_origin(origin: &str, host: &str) -> bool {
    let authority = origin
        .trim()
        .split_once("://")
        .map_or("", |(_scheme, authority)| authority);
    !authority.is_empty() && authority.eq_ignore_ascii_case(host.trim())
}

/// A handler wrapped so that every unsafe request another site sent is
/// refused (see [`refuse_cross_site`]) before the handler sees it: one line
/// guards every route of a server.
///
/// ```
/// use http_server::{CrossSiteGuard, Handler, HandlerResult, Request, Response};
/// use http_server::test::{TestRequest, call};
///
/// struct Todos;
///
/// impl Handler for Todos {
///     fn do_delete(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
///         response.send_response(204);
///         response.end_headers();
///         Ok(())
///     }
/// }
///
/// let guarded = CrossSiteGuard(Todos);
/// let evil = TestRequest::new("DELETE", "/todos/1")
///     .header("Host", "localhost:8000")
///     .header("Origin", "http://evil.example");
/// assert_eq!(call(&guarded, evil).status(), 403);
/// let own = TestRequest::new("DELETE", "/todos/1")
///     .header("Host", "localhost:8000")
///     .header("Origin", "http://localhost:8000");
/// assert_eq!(call(&guarded, own).status(), 204);
/// ```
#[derive(Debug, Clone)]
pub struct CrossSiteGuard<H>(pub H);

impl<H: Handler> Handler for CrossSiteGuard<H> {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.0.do_get(request, response)
    }

    fn do_head(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.0.do_head(request, response)
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        refuse_cross_site(request)?;
        self.0.do_post(request, response)
    }

    fn do_put(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        refuse_cross_site(request)?;
        self.0.do_put(request, response)
    }

    fn do_delete(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        refuse_cross_site(request)?;
        self.0.do_delete(request, response)
    }

    fn do_patch(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        refuse_cross_site(request)?;
        self.0.do_patch(request, response)
    }

    fn do_options(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        self.0.do_options(request, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::{TestRequest, call};

    struct Accept;

    impl Handler for Accept {
        fn do_post(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
            response.send_response(200);
            response.end_headers();
            Ok(())
        }

        fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
            self.do_post(request, response)
        }
    }

    fn post(headers: &[(&str, &str)]) -> u16 {
        let mut request = TestRequest::post("/").header("Host", "127.0.0.1:8000");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        call(&CrossSiteGuard(Accept), request).status()
    }

    #[test]
    fn sec_fetch_site_decides_when_the_browser_sends_it() {
        assert_eq!(post(&[("Sec-Fetch-Site", "same-origin")]), 200);
        assert_eq!(post(&[("Sec-Fetch-Site", "none")]), 200);
        assert_eq!(post(&[("Sec-Fetch-Site", "same-site")]), 403);
        assert_eq!(post(&[("Sec-Fetch-Site", "cross-site")]), 403);
        // It wins over an Origin that looks like ours.
        let both = [
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "http://127.0.0.1:8000"),
        ];
        assert_eq!(post(&both), 403);
    }

    #[test]
    fn without_it_the_origin_must_be_this_server() {
        assert_eq!(post(&[("Origin", "http://127.0.0.1:8000")]), 200);
        assert_eq!(post(&[("Origin", "http://127.0.0.1:8001")]), 403);
        assert_eq!(post(&[("Origin", "http://evil.example")]), 403);
        assert_eq!(post(&[("Origin", "null")]), 403);
        assert_eq!(post(&[]), 200, "no browser: curl and the checks");
    }

    #[test]
    fn safe_methods_are_never_refused() {
        let request = TestRequest::get("/").header("Sec-Fetch-Site", "cross-site");
        assert_eq!(call(&CrossSiteGuard(Accept), request).status(), 200);
    }

    #[test]
    fn the_refusal_says_why() {
        let request = TestRequest::post("/")
            .header("Host", "localhost:8000")
            .header("Origin", "http://evil.example");
        let reply = call(&CrossSiteGuard(Accept), request);
        assert_eq!(reply.status(), 403);
        assert!(reply.body_text().contains("http://evil.example"));
    }
}
