//! A small HTTP/1.1 server, for learning how the web works.
//!
//! This is the course's counterpart of Python's `http.server`. A server is
//! two things:
//!
//! - a **listener** ([`Server`]) that waits for connections on a port, and
//! - a **handler** (your type, implementing [`Handler`]) that reads each
//!   [`Request`] and writes a [`Response`].
//!
//! ```no_run
//! use http_server::{Handler, HandlerResult, Request, Response, Server, ServerError};
//! use std::io::Write;
//!
//! struct HelloHandler;
//!
//! impl Handler for HelloHandler {
//!     fn do_get(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
//!         response.send_response(200);
//!         response.send_header("Content-Type", "text/plain; charset=utf-8");
//!         response.end_headers();
//!         response.write_all("Hello, HTTP!\n".as_bytes())?;
//!         Ok(())
//!     }
//! }
//!
//! fn main() -> Result<(), ServerError> {
//!     let server = Server::from_env()?;
//!     server.serve_forever(HelloHandler)
//! }
//! ```
//!
//! Small as it is, it is a careful HTTP/1.1 server: it reads requests by the
//! rules of RFC 9112 and answers a malformed one with the right `4xx`
//! status; it keeps connections open between requests; it gives each
//! connection its own thread, with timeouts, so a slow client cannot stall
//! the others; and a handler that panics or fails costs one `500` answer,
//! never the server. Each file of its source explains one of these ideas:
//!
//! | file | idea |
//! |---|---|
//! | `server.rs` | listening, accepting, one thread per connection |
//! | `connection.rs` | one request after another on a connection; timeouts |
//! | `parse.rs` | reading the request line and headers (the "head") |
//! | `body.rs` | reading exactly the body, and no further |
//! | `request.rs`, `response.rs` | what a handler reads and writes |
//! | `handler.rs` | one method per HTTP method: `do_get`, `do_post`, ... |
//! | `form.rs`, `html.rs`, `cookie.rs` | decoding forms, escaping HTML, reading cookies |
//! | `log.rs`, `date.rs` | the request log and the dates it shows |
//! | `fuzz.rs` (tests only) | thousands of mutated requests thrown at all of the above |

// Every public item is documented (CI's clippy -D warnings holds us to it).
#![warn(missing_docs)]

mod body;
mod connection;
mod cookie;
mod date;
mod error;
mod form;
#[cfg(test)]
mod fuzz;
mod handler;
mod headers;
mod html;
mod log;
mod parse;
mod raw;
mod request;
mod response;
mod server;
mod status;
mod style;

pub use cookie::parse_cookies;
pub use error::HttpError;
pub use form::{DecodeError, Form, parse_qs, percent_decode};
pub use handler::{Handler, HandlerResult};
pub use headers::Headers;
pub use html::escape_html;
pub use raw::send_raw;
pub use request::Request;
pub use response::Response;
pub use server::{DEFAULT_PORT, RunningServer, Server, ServerError};
pub use status::reason_phrase;
pub use style::STYLESHEET;
