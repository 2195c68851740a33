//! No lost data: many clients posting at once, with every way of framing a
//! body, and every message is kept exactly once, exactly as sent.

mod common;

use http_server::percent_encode;

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::thread;

use common::{Client, get};
use http_server::{
    Handler, HandlerResult, HttpError, Request, Response, ThreadingHttpServer, parse_qs,
};

/// A message board like lesson 2's: POST stores the `message` field and
/// answers 303; GET lists every message, one per line.
#[derive(Default)]
struct Board {
    messages: Mutex<Vec<String>>,
}

impl Handler for Board {
    fn do_get(&self, _request: &mut Request, response: &mut Response) -> HandlerResult {
        let page = self.messages.lock().unwrap().join("\n");
        response.send_response(200);
        response.send_header("Content-Type", "text/plain; charset=utf-8");
        response.end_headers();
        response.write_all(page.as_bytes())?;
        Ok(())
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let form = parse_qs(request.read_body()?)?;
        let Some(message) = form.get("message") else {
            return Err(HttpError::new(400, "no message field").into());
        };
        self.messages.lock().unwrap().push(message.to_owned());
        response.send_response(303);
        response.send_header("Location", "/");
        response.end_headers();
        Ok(())
    }
}

const POSTERS: usize = 50;
const MESSAGES_EACH: usize = 20;

/// The text of one message: unique, with characters that need escaping.
fn message(poster: usize, number: usize) -> String {
    format!("poster {poster} says #{number}: caf\u{e9} & 1+1=2 100% <ok>")
}

/// A POST of `text`, its body framed in one of three ways.
fn post(text: &str, way: usize) -> String {
    let body = format!("message={}", percent_encode(text));
    let length = body.len();
    match way % 3 {
        0 => format!("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: {length}\r\n\r\n{body}"),
        1 => {
            let (first, second) = body.split_at(length / 2);
            format!(
                "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
                 {:x}\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\n\r\n",
                first.len(),
                second.len()
            )
        }
        _ => format!(
            "POST / HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n\
             Content-Length: {length}\r\n\r\n{body}"
        ),
    }
}

#[test]
fn fifty_concurrent_posters_lose_no_message_and_repeat_none() {
    let server = ThreadingHttpServer::bind("127.0.0.1:0")
        .unwrap()
        .spawn(Board::default());
    let address = server.address();
    let posters: Vec<_> = (0..POSTERS)
        .map(|poster| {
            thread::spawn(move || {
                let mut client = Client::connect(address);
                let mut number = 0;
                while number < MESSAGES_EACH {
                    // Every fourth time, two requests in one write
                    // (pipelined); otherwise one at a time.
                    let batch = if number % 4 == 3 { 2 } else { 1 }.min(MESSAGES_EACH - number);
                    let requests: String = (number..number + batch)
                        .map(|n| post(&message(poster, n), poster + n))
                        .collect();
                    client.send(requests).unwrap();
                    for n in number..number + batch {
                        let mut reply = client.response().unwrap();
                        if reply.status == 100 {
                            reply = client.response().unwrap();
                        }
                        assert_eq!(
                            reply.status,
                            303,
                            "poster {poster}, message {n}: {}",
                            reply.text()
                        );
                    }
                    number += batch;
                }
            })
        })
        .collect();
    for poster in posters {
        poster.join().unwrap();
    }

    let page = Client::connect(address).exchange(get("/")).unwrap().text();
    let mut kept: HashMap<&str, usize> = HashMap::new();
    for line in page.lines() {
        *kept.entry(line).or_default() += 1;
    }
    for poster in 0..POSTERS {
        for number in 0..MESSAGES_EACH {
            let text = message(poster, number);
            assert_eq!(
                kept.remove(text.as_str()),
                Some(1),
                "{text:?} kept how often?"
            );
        }
    }
    assert!(kept.is_empty(), "messages nobody sent: {kept:?}");
}
