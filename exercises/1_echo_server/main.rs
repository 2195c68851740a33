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
        //   1. request.path() is the path from the request line: "/Balloon".
        //   2. Take off its first character, the "/" (str::strip_prefix).
        //   3. Make what is left the message, in place of the greeting.
        let _path = request.path(); // not used yet: that is your job
        let message = "Hello, HTTP!\n";
        // END TODO
        // TODO(going further): decode the %-escapes, so /Hello%20World echoes "Hello World"
        //   Once your echo works, open http://localhost:8000/Hello World: the
        //   browser sends the space as %20, and the echo shows it that way.
        //   http_server::percent_decode(message) undoes the escapes; put `?`
        //   after it, so that escapes that are not UTF-8 text (/%FF) get 400 Bad Request.
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
