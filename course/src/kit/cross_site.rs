//! Requests as another site's page makes a visitor's browser send them (a
//! form it posts, a fetch it makes), and the check that they are refused:
//! any page on the web can hold a form that posts to the student's server,
//! and a visitor's browser sends it, cookies included. A browser gives it
//! away in `Sec-Fetch-Site: cross-site` (modern ones) or in an `Origin`
//! that is not the site's own; `http_server::refuse_cross_site` answers
//! either with 403.
//!
//! ```
//! use course::kit::cross_site::{ANOTHER_ORIGIN, cross_site_request};
//!
//! let request = cross_site_request("POST", "/delete/7", ANOTHER_ORIGIN, Some(("application/json", "{}")));
//! assert_eq!(request.headers, [ANOTHER_ORIGIN, ("Content-Type", "application/json")]);
//! assert_eq!(request.body.as_deref(), Some(&b"{}"[..]));
//! ```
//!
//! ```no_run
//! use course::kit::cross_site::expect_cross_site_posts_refused;
//!
//! # fn check(session: &mut course::Session) -> course::CheckResult {
//! expect_cross_site_posts_refused(
//!     session,
//!     || vec![("message", "Sent from another site".to_owned())],
//!     "Keep http_server::refuse_cross_site(request)? as do_post's first line.",
//!     |session, _reply, form| {
//!         session
//!             .get("/")?
//!             .expect_body_lacks(&form[0].1, "Refuse the POST before keeping it.")?;
//!         Ok(())
//!     },
//! )
//! # }
//! ```

use crate::CheckResult;
use crate::session::{Outgoing, Reply, Session, encode_form};

/// The `Origin` a page of another site gives its requests.
pub const ANOTHER_ORIGIN: (&str, &str) = ("Origin", "http://evil.example");

/// What a browser says of a request that another site's page made.
pub const ANOTHER_SITE: (&str, &str) = ("Sec-Fetch-Site", "cross-site");

/// The two ways a browser tells that another site's page sent a request.
pub const CROSS_SITE_HEADERS: [(&str, &str); 2] = [ANOTHER_SITE, ANOTHER_ORIGIN];

/// `method path` as a browser sends it from another site's page: with
/// `header` (such as [`ANOTHER_ORIGIN`] or [`ANOTHER_SITE`]) and a body
/// of the given type, if any.
pub fn cross_site_request<'a>(
    method: &'a str,
    path: &'a str,
    header: (&'a str, &'a str),
    body: Option<(&'a str, &'a str)>,
) -> Outgoing<'a> {
    let mut headers = vec![header];
    headers.extend(body.map(|(content_type, _)| ("Content-Type", content_type)));
    Outgoing {
        method,
        path,
        headers,
        body: body.map(|(_, body)| body.as_bytes().to_vec()),
    }
}

/// POSTs a form to `/` once with each of [`CROSS_SITE_HEADERS`], as a
/// browser sends a form that another site's page holds, and expects each
/// answered 403 Forbidden (`hint` otherwise). `form` makes each POST's
/// fields (fresh ones, so that each can be looked for afterwards); `then`
/// gets each reply with its fields, to check that nothing was kept or set.
pub fn expect_cross_site_posts_refused(
    session: &mut Session,
    mut form: impl FnMut() -> Vec<(&'static str, String)>,
    hint: &str,
    mut then: impl FnMut(&mut Session, &Reply, &[(&'static str, String)]) -> CheckResult,
) -> CheckResult {
    for (header, value) in CROSS_SITE_HEADERS {
        let fields = form();
        let borrowed: Vec<(&str, &str)> = fields
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let reply = session.send(Outgoing {
            method: "POST",
            path: "/",
            headers: vec![
                ("Content-Type", "application/x-www-form-urlencoded"),
                (header, value),
            ],
            body: Some(encode_form(&borrowed).into_bytes()),
        })?;
        reply.expect(
            |reply| reply.status == 403,
            format!("status 403 Forbidden: {header}: {value} says another site's page sent it"),
            hint,
        )?;
        then(session, &reply, &fields)?;
    }
    Ok(())
}
