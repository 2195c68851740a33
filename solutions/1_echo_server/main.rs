//! Lesson 1: the echo server.
//!
//! The hello server gave every request the same answer. This one answers
//! with what was asked for: the path of the request, without its leading
//! slash, so http://localhost:8000/Balloon shows `Balloon`. Run it with
//! `cargo run --bin echo_server`, and check it with
//! `cargo course check echo_server`. The lesson text,
//! lessons/1_echo_server/README.md, explains where the path comes from.

use std::io::Write; // gives `Response` its `write_all` method

use http_server::{Handler, HandlerResult, Request, Response, ServerError, ThreadingHttpServer};

/// The handler: answers every GET with the path it asked for.
struct EchoHandler;

impl Handler for EchoHandler {
    /// Called for every GET request, whatever its path.
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        // 1. The status line: 200, "OK, here is what you asked for".
        response.send_response(200);

        // 2. One header: the body is plain text, in UTF-8.
        response.send_header("Content-type", "text/plain; charset=utf-8");

        // 3. A blank line: the headers are over, the body comes next.
        response.end_headers();

        // 4. The body.
        // TODO: answer with the path of the request, without its first "/"
        // The path comes from the request line, `GET /Balloon HTTP/1.1`, and
        // always starts with "/"; strip_prefix takes it off ("/" gives "").
        let path = request.path();
        let message = path.strip_prefix('/').unwrap_or(path);
        // END TODO
        // TODO(going further): decode the %-escapes, so /Hello%20World echoes "Hello World"
        // On the wire a space is %20 and "é" is %C3%A9. Escapes that make no
        // UTF-8 text (%FF) are the client's mistake: `?` answers 400 Bad Request.
        let message = http_server::percent_decode(message)?;
        // END TODO(going further)
        response.write_all(message.as_bytes())?;
        Ok(())
    }
}

fn main() -> Result<(), ServerError> {
    // Listen on 127.0.0.1, port 8000 (or the port in $PORT), ...
    let server = ThreadingHttpServer::from_env()?;
    // ... and answer requests with EchoHandler until Ctrl-C stops us.
    server.serve_forever(EchoHandler)
}
