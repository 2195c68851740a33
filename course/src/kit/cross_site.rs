//! Requests as another site's page makes a visitor's browser send them
//! (a form it posts, a fetch it makes): the browser gives them away with
//! `Sec-Fetch-Site: cross-site`, or an `Origin` that is not the server's.
//!
//! ```
//! use course::kit::cross_site::{ANOTHER_ORIGIN, cross_site_request};
//!
//! let request = cross_site_request("POST", "/delete/7", ANOTHER_ORIGIN, Some(("application/json", "{}")));
//! assert_eq!(request.headers, [ANOTHER_ORIGIN, ("Content-Type", "application/json")]);
//! assert_eq!(request.body.as_deref(), Some(&b"{}"[..]));
//! ```

use crate::session::Outgoing;

/// The `Origin` a page of another site gives its requests.
pub const ANOTHER_ORIGIN: (&str, &str) = ("Origin", "http://evil.example");

/// What a browser says of a request that another site's page made.
pub const ANOTHER_SITE: (&str, &str) = ("Sec-Fetch-Site", "cross-site");

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
