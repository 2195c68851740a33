//! A small HTTP/1.1 server, for learning how the web works.
//!
//! This is the course's counterpart of Python's `http.server`. A server is
//! two things:
//!
//! - a **server** ([`ThreadingHttpServer`], or [`HttpServer`] for one
//!   connection at a time) that waits for connections on a port, and
//! - a **handler** (your type, implementing [`Handler`]) that reads each
//!   [`Request`] and writes a [`Response`].
//!
//! ```no_run
//! use http_server::{Handler, HandlerResult, Request, Response, ThreadingHttpServer, ServerError};
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
//!     let server = ThreadingHttpServer::from_env()?;
//!     server.serve_forever(HelloHandler)
//! }
//! ```
//!
//! Small as it is, it is a careful HTTP/1.1 server: it reads requests by the
//! rules of RFC 9112 and answers a malformed one with the right `4xx`
//! status; it keeps connections open between requests; it gives each
//! connection its own thread, with timeouts and caps, so a slow or greedy
//! client cannot stall the others; and a handler that panics or fails
//! costs one `500` answer, never the server.
//!
//! # A map, in reading order
//!
//! Each file holds one idea. Read them from the top: what you use first,
//! then how a request travels, then the helpers.
//!
//! | file | idea |
//! |---|---|
//! | `handler.rs` | one method per HTTP method: `do_get`, `do_post`, ... |
//! | `request.rs`, `response.rs` | what a handler reads and writes |
//! | `server.rs` | the two servers, [`HttpServer`] and [`ThreadingHttpServer`], one [`Server`] type |
//! | `listener.rs` | accepting connections and serving one ([`Listener`], [`Connection`]) |
//! | `pool.rs` | a thread per connection, reused; caps in all and per address |
//! | `stream.rs` | serving any byte stream: TLS, a Unix socket, a pipe ([`serve_stream`]) |
//! | `connection.rs` | one request after another on a connection, stage by stage (Python's `handle()`) |
//! | `transport.rs` | the stream under a connection, its deadlines, and the socket under it |
//! | `head.rs` | reading the head: lines, header fields, limits |
//! | `request_line.rs` | the first line: method, target, version |
//! | `grammar.rs` | which bytes may go where: tokens, field values, hosts, targets |
//! | `framing.rs` | where the body ends; whether the connection stays open |
//! | `body.rs` | reading exactly the body, and no further |
//! | `wire.rs` | a response turned into bytes and sent, a file streamed |
//! | `headers.rs`, `status.rs`, `error.rs` | header lists, reason phrases, the two errors |
//! | `test.rs` ([`test`](mod@test)) | trying a handler without a socket |
//! | `form.rs`, `html.rs`, `cookie.rs`, `date.rs` | forms and `%`-escapes, HTML escaping, cookies, dates |
//! | `cross_site.rs` | refusing changes that another site's page sent |
//! | `log.rs`, `raw.rs` | the request log; sending raw bytes by hand |
//! | `tests/` (tests only) | tests across files: streams, responses, and the fuzzer (`tests/fuzz/`) |

// Every public item is documented (CI's clippy -D warnings holds us to it).
#![warn(missing_docs)]
// The package's [lints] allow these for the lesson binaries (a starter's
// unfinished steps leave code unused); the module is held to them.
#![warn(dead_code, unused_imports)]

mod body;
mod connection;
mod cookie;
mod cross_site;
mod date;
mod error;
mod form;
mod framing;
mod grammar;
mod handler;
mod head;
mod headers;
mod html;
mod listener;
mod log;
mod pool;
mod raw;
mod request;
mod request_line;
mod response;
mod server;
mod status;
mod stream;
mod style;
pub mod test;
#[doc(hidden)]
pub mod testkit;
#[cfg(test)]
mod tests;
mod transport;
mod wire;

pub use cookie::{SameSite, SetCookie, parse_cookies};
pub use cross_site::{CrossSiteGuard, refuse_cross_site};
pub use date::{format_http_date, parse_http_date};
pub use error::{HttpError, ServerError};
pub use form::{DecodeError, Form, parse_qs, percent_decode, percent_encode};
pub use handler::{Handler, HandlerResult};
pub use headers::Headers;
pub use html::{escape_html, escape_html_text};
pub use listener::{Connection, DEFAULT_HOST, DEFAULT_PORT, Incoming, Listener};
pub use raw::send_raw;
pub use request::Request;
pub use response::Response;
pub use server::{
    HttpServer, OneAtATime, RunningServer, Server, ServerKind, ThreadingHttpServer, Threads,
};
pub use status::reason_phrase;
pub use stream::{StreamOptions, serve_stream};
pub use style::{ICON_LINK, STYLESHEET};
