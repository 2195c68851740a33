//! The check toolkit: what every lesson's checks share, so that a lesson's
//! check file says only what is new in that lesson.
//!
//! | helper | what it is for |
//! |---|---|
//! | [`crate::Session`] | the program under check: `get`, `post_form`, `send`, `send_raw`, `run`, `set_launch`, `temp_dir`, `restart` |
//! | [`crate::process::Launch`] | arguments, environment and folder of the program under check (clean environment) |
//! | [`expect`] | `reply.expect_status(...)`, `expect_redirect`, `expect_header`, `expect_no_header`, `expect_media_type`, `expect_body_contains`, `expect_body_lacks`, `expect_body`, and `expect(predicate, ...)` for the rest: lesson-worded failures |
//! | [`huge_body`] | `post_huge_form`: a body of many megabytes over a raw connection, the answer read as it comes |
//! | [`html`] | a page's title, forms and their fields, links, list items |
//! | [`json`] | a reply's body as JSON, and expectations about its fields |
//! | [`helpers`] | servers on 127.0.0.1 that answer 200, 404, a redirect, raw bytes or never; a refused port; a stand-in proxy; the course's own servers (`CourseServer`) |
//! | [`cross_site`] | `expect_cross_site_posts_refused`: a form posted from another site's page gets 403, and nothing is kept |
//! | [`cookies`] | a cookie jar a check keeps by hand (the client stores none) |
//! | [`crowd`] | many clients at once, for the checks that nothing is lost |
//! | [`tls`] | lesson 10: a server with an `https://` and an `http://` address and its own authority; clients trusting only its `ca.pem`; handshakes by hand |
//! | [`seed`] | the run's random numbers, from a seed a failure prints |

pub mod cookies;
pub mod cross_site;
pub mod crowd;
pub mod expect;
pub mod helpers;
pub mod html;
pub mod huge_body;
pub mod json;
pub mod seed;
pub mod tls;
