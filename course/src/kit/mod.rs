//! The check toolkit: what every lesson's checks share, so that a lesson's
//! check file says only what is new in that lesson.
//!
//! | helper | what it is for |
//! |---|---|
//! | [`crate::Session`] | the program under check: `get`, `post_form`, `send`, `send_raw`, `run`, `set_launch`, `temp_dir`, `restart` |
//! | [`crate::process::Launch`] | arguments, environment and folder of the program under check (clean environment) |
//! | [`expect`] | `reply.expect_status(...)`, `expect_redirect`, `expect_header`, `expect_no_header`, `expect_media_type`, `expect_body_contains`, `expect_body_lacks`, `expect_body`, and `expect(predicate, ...)` for the rest: lesson-worded failures |
//! | [`huge_body`] | `post_huge_form`: a body of many megabytes over a raw connection, the answer read as it comes |
//! | [`html`] | a page's title, forms and their fields (and what their boxes show), links, list items, the page outside its forms |
//! | [`json`] | a reply's body as JSON, and expectations about its fields |
//! | [`helpers`] | servers on 127.0.0.1 that answer 200, 404, a redirect, raw bytes or never; a refused port; a stand-in proxy; the course's own servers (`CourseServer`) |
//! | [`cross_site`] | requests as another site's page makes a browser send them (`cross_site_request`), and `expect_cross_site_posts_refused`: such a form gets 403, and nothing is kept |
//! | [`cors`] | whether a page from another origin may read an answer; failures that show the `Access-Control-*` headers |
//! | [`program`] | a program run to its end (the client): `output.expect_success(...)`, `expect_failure`, `expect_no_panic`, `expect_stdout_contains`, `expect_one_stderr_line`, `expect(predicate, ...)` |
//! | [`cookies`] | a cookie jar a check keeps by hand (the client stores none) |
//! | [`crowd`] | many clients at once, for the checks that nothing is lost |
//! | [`pipeline`] | many POSTs down one connection, written before any answer is read |
//! | [`raw`] | requests sent byte for byte (`session.send_as_is`), connections held open (`RawConnection`: an answer read later, keep-alive, a long answer skimmed), raw answers read as a `Reply` |
//! | [`tls`] | lesson 10: a server with an `https://` and an `http://` address and its own authority; clients trusting only its `ca.pem`; handshakes by hand |
//! | [`seed`] | the run's random numbers, from a seed a failure prints |
//! | [`startup`] | around a program a check starts on its own: its start-up line, a scratch folder in memory |

pub mod cookies;
pub mod cors;
pub mod cross_site;
pub mod crowd;
pub mod expect;
pub mod helpers;
pub mod html;
pub mod huge_body;
pub mod json;
pub mod pipeline;
pub mod program;
pub mod raw;
pub mod seed;
pub mod startup;
pub mod tls;
