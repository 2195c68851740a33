//! Lesson 0: the hello server.
//!
//! A web server is a program that waits for connections and answers each
//! request with a response. Here every GET, whatever the path, gets the same
//! short text. Run it with `cargo run --bin hello_server` and open
//! http://localhost:8000/ in a browser. The lesson text,
//! lessons/0_hello_server/README.md, walks through it line by line.

use std::io::Write; // gives `Response` its `write_all` method

use http_server::{Handler, HandlerResult, Request, Response, ServerError, ThreadingHttpServer};

/// The handler: the part of the server that decides what to answer.
struct HelloHandler;

impl Handler for HelloHandler {
    /// Called for every GET request. HelloHandler has no `do_post`, so a POST
    /// gets the default answer: 501 Not Implemented.
    fn do_get(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        // 1. The status line: 200 means "OK, here is what you asked for".
        response.send_response(200);

        // 2. Headers: facts about the body. This one says it is plain text
        //    in the UTF-8 encoding, so the browser shows it as it is.
        response.send_header("Content-type", "text/plain; charset=utf-8");

        // 3. A blank line: the headers are over, the body comes next.
        response.end_headers();

        // 4. The body. A network carries bytes, not text: `as_bytes` gives
        //    the UTF-8 bytes of the string (Python: "...".encode()).
        let message = "Hello, HTTP!\n";
        response.write_all(message.as_bytes())?;
        Ok(())
    }
}

fn main() -> Result<(), ServerError> {
    // Listen on 127.0.0.1, port 8000 (or the port in $PORT), ...
    let server = ThreadingHttpServer::from_env()?;
    // ... and answer requests with HelloHandler until Ctrl-C stops us.
    server.serve_forever(HelloHandler)
}
