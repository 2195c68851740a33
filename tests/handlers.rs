//! Handlers that go wrong: each mistake gets the client a `500` that names
//! it (never a hung or dropped connection), the same words go to the log
//! for the student to read, and the server keeps serving, on the same
//! connection even.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use common::{Client, PATIENCE, get};
use http_server::{
    Handler, HandlerResult, HttpError, Request, Response, ThreadingHttpServer, parse_qs,
};

/// One mistake per path.
struct Faulty;

impl Handler for Faulty {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        match request.path() {
            "/panic" => panic!("the handler fell over on purpose"),
            "/body-first" => {
                response.send_response(200);
                response.write_all(b"the body, too early")?;
                response.end_headers();
            }
            "/body-first-unchecked" => {
                response.send_response(200);
                let _ = response.write_all(b"the body, too early");
                response.end_headers();
            }
            "/silent" => {}
            "/split" => {
                response.send_response(200);
                response.send_header("X-Note", "fine\r\nSet-Cookie: session=stolen");
                response.end_headers();
            }
            "/error" => return Err("the database is on fire".into()),
            "/not-found" => return Err(HttpError::new(404, "no page here").into()),
            "/bad-form" => {
                parse_qs("name=%zz")?;
            }
            "/no-end" => response.send_response(200),
            "/twice" => {
                response.send_response(200);
                response.send_response(201);
                response.end_headers();
            }
            "/wrong-length" => {
                response.send_response(200);
                response.send_header("Content-Length", "10");
                response.end_headers();
                response.write_all(b"short")?;
            }
            _ => {
                response.send_response(200);
                response.end_headers();
                response.write_all(b"fine")?;
            }
        }
        Ok(())
    }

    /// Reads part of the body, then fails: the server must still skip the
    /// rest, so the next request on the connection is read correctly.
    fn do_post(&self, request: &mut Request, _response: &mut Response) -> HandlerResult {
        let mut start = [0; 3];
        request.read_exact(&mut start)?;
        panic!("the handler read 3 bytes and fell over");
    }
}

/// What each path must answer, and words the answer must contain.
const MISTAKES: &[(&str, u16, &str)] = &[
    (
        "/panic",
        500,
        "do_get panicked: the handler fell over on purpose",
    ),
    (
        "/body-first",
        500,
        "the body was written before end_headers()",
    ),
    (
        "/body-first-unchecked",
        500,
        "the body was written before end_headers()",
    ),
    ("/silent", 500, "the handler sent no response"),
    ("/split", 500, "may not contain a line break"),
    (
        "/error",
        500,
        "do_get returned an error: the database is on fire",
    ),
    ("/no-end", 500, "never called end_headers()"),
    ("/twice", 500, "send_response() was called twice"),
    ("/wrong-length", 500, "Content-Length: 10 but wrote 5 bytes"),
    ("/not-found", 404, "no page here"),
    ("/bad-form", 400, "'%zz' is not a valid percent-escape"),
];

#[test]
fn each_handler_mistake_is_an_answer_that_names_it_and_the_connection_goes_on() {
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(Faulty);
    let mut client = Client::connect(server.address());
    for &(path, status, words) in MISTAKES {
        let reply = client
            .exchange(get(path))
            .unwrap_or_else(|problem| panic!("GET {path}: {problem}"));
        assert_eq!(reply.status, status, "GET {path}: {}", reply.text());
        assert!(reply.text().contains(words), "GET {path}: {}", reply.text());
        assert!(!reply.closes(), "GET {path} closed the connection");
        // Nothing the handler set survives into a refused response: above
        // all, not a header smuggled in through a line break.
        assert_eq!(reply.header("Set-Cookie"), None, "GET {path}");
        assert_eq!(reply.header("X-Note"), None, "GET {path}");
        let after = client.exchange(get("/ok")).unwrap();
        assert_eq!((after.status, after.text().as_str()), (200, "fine"));
    }

    let reply = client
        .exchange("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n0123456789")
        .unwrap();
    assert_eq!(reply.status, 500);
    assert!(
        reply.text().contains("do_post panicked"),
        "{}",
        reply.text()
    );
    let after = client.exchange(get("/ok")).unwrap();
    assert_eq!((after.status, after.text().as_str()), (200, "fine"));
}

#[test]
fn a_head_request_to_a_failing_handler_gets_the_500_without_a_body() {
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(Faulty);
    let mut client = Client::connect(server.address());
    client
        .send("HEAD /panic HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    let reply = client.response_to_head().unwrap();
    assert_eq!(reply.status, 500);
    // Had a body come along, it would spoil the next answer.
    assert_eq!(client.exchange(get("/ok")).unwrap().text(), "fine");
}

/// Set in the child process that serves `Faulty` for the log test.
const CHILD: &str = "HANDLERS_TEST_LOG_CHILD";

/// Not a test of its own: `the_log_names_each_mistake` runs this test
/// binary again with only this function, to get a server whose stderr (the
/// request log) it can read. Without the variable it does nothing.
#[test]
#[ignore = "run by the_log_names_each_mistake in a child process"]
fn serve_faulty_handler_as_a_child() {
    if std::env::var_os(CHILD).is_some() {
        let _ = ThreadingHttpServer::from_env()
            .unwrap()
            .serve_forever(Faulty);
    }
}

/// Kills the child server however the test ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_log_names_each_mistake() {
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["serve_faulty_handler_as_a_child", "--exact", "--ignored"])
        .args(["--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Killed(child);

    // The server's first line names its address. libtest talks first, and
    // leaves "test serve_faulty_handler_as_a_child ... " without a line
    // break, so the address is looked for anywhere in a line.
    let (lines, stdout) = mpsc::channel();
    let out = child.0.stdout.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let banner = "Serving HTTP on http://";
    let address = loop {
        let line = stdout
            .recv_timeout(PATIENCE)
            .expect("the child server never said where it listens");
        if let Some(at) = line.find(banner) {
            let rest = &line[at + banner.len()..];
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };

    let (log_lines, log) = mpsc::channel();
    let err = child.0.stderr.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = log_lines.send(line);
        }
    });

    let mut client = Client::connect(address);
    let expected: Vec<(&str, &str)> = MISTAKES
        .iter()
        .filter(|(_, status, _)| *status == 500)
        .map(|&(path, _, words)| (path, words))
        .collect();
    for (path, _) in &expected {
        assert_eq!(client.exchange(get(path)).unwrap().status, 500);
    }

    // Each mistake is logged as a "handler error" line with its words (as
    // the log escapes them), next to the usual request line and status.
    let mut missing: Vec<Vec<String>> = expected
        .iter()
        .flat_map(|(path, words)| {
            let words = words.replace('"', "\\\"");
            [
                vec!["handler error: ".to_owned(), words],
                vec![format!("\"GET {path} HTTP/1.1\" 500 -")],
            ]
        })
        .collect();
    let mut seen = Vec::new();
    while !missing.is_empty() {
        let Ok(line) = log.recv_timeout(PATIENCE) else {
            panic!(
                "the log never said {missing:#?}\nit said:\n{}",
                seen.join("\n")
            );
        };
        missing.retain(|parts| !parts.iter().all(|part| line.contains(part.as_str())));
        seen.push(line);
    }
    let mut alive = Client::connect(address);
    assert_eq!(alive.exchange(get("/ok")).unwrap().status, 200);
}
