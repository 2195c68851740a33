//! The check that a form posted from another site is refused: any page on
//! the web can hold a form that posts to the student's server, and a
//! visitor's browser sends it, cookies included. A browser says so in
//! `Sec-Fetch-Site: cross-site` (modern ones) or in an `Origin` that is not
//! the site's own; `http_server::refuse_cross_site` answers either with 403.
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

/// The two ways a browser tells that another site's page sent a request.
pub const CROSS_SITE_HEADERS: [(&str, &str); 2] = [
    ("Sec-Fetch-Site", "cross-site"),
    ("Origin", "http://evil.example"),
];

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
