//! Handlers tried without a socket (`http_server::test`): the answers are
//! those the wire would carry, HEAD, 501, 400 and 500 included.

use std::io::Write;

use http_server::test::{TestRequest, call};
use http_server::{
    Handler, HandlerResult, Request, Response, SameSite, SetCookie, parse_cookies, parse_qs,
};

struct Greeter;

impl Handler for Greeter {
    fn do_get(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        if request.path() == "/panic" {
            panic!("on purpose");
        }
        let cookie = request.headers().get("Cookie").unwrap_or("");
        let name = parse_cookies(cookie)
            .into_iter()
            .find(|(name, _)| *name == "yourname")
            .map_or("stranger", |(_, value)| value);
        response.send_response(200);
        response.send_header("Content-Type", "text/plain; charset=utf-8");
        response.end_headers();
        write!(response, "Hello, {name}!")?;
        Ok(())
    }

    fn do_post(&self, request: &mut Request, response: &mut Response) -> HandlerResult {
        let form = parse_qs(request.read_body()?)?;
        let name = form.get("yourname").unwrap_or("");
        response.send_response(303);
        response.send_header("Location", "/");
        response.set_cookie(
            &SetCookie::new("yourname", name)
                .path("/")
                .http_only()
                .same_site(SameSite::Lax),
        );
        response.end_headers();
        Ok(())
    }
}

#[test]
fn a_get_is_answered_as_on_the_wire() {
    let response = call(&Greeter, TestRequest::get("/"));
    assert_eq!(response.status(), 200);
    assert_eq!(response.body_text(), "Hello, stranger!");
    assert_eq!(response.header("Content-Length"), Some("16"));
    assert!(response.header("Date").is_some());
}

#[test]
fn a_cookie_goes_in_and_a_set_cookie_comes_out() {
    let response = call(&Greeter, TestRequest::post("/").form("yourname=Ada"));
    assert_eq!(response.status(), 303);
    assert_eq!(response.header("Location"), Some("/"));
    assert_eq!(
        response.header("Set-Cookie"),
        Some("yourname=Ada; Path=/; HttpOnly; SameSite=Lax")
    );
    let response = call(
        &Greeter,
        TestRequest::get("/").header("Cookie", "theme=dark; yourname=Ada"),
    );
    assert_eq!(response.body_text(), "Hello, Ada!");
}

#[test]
fn head_keeps_the_length_and_drops_the_body() {
    let response = call(&Greeter, TestRequest::head("/"));
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("Content-Length"), Some("16"));
    assert!(response.body().is_empty());
}

#[test]
fn methods_without_a_do_method_get_501() {
    for method in ["PUT", "DELETE", "BREW"] {
        assert_eq!(call(&Greeter, TestRequest::new(method, "/")).status(), 501);
    }
}

#[test]
fn bad_requests_get_4xx_and_failing_handlers_500() {
    let bad_form = call(&Greeter, TestRequest::post("/").form("yourname=%zz"));
    assert_eq!(bad_form.status(), 400);
    let bad_header = call(&Greeter, TestRequest::get("/").header("Bad Name", "x"));
    assert_eq!(bad_header.status(), 400);
    let bad_length = call(
        &Greeter,
        TestRequest::post("/")
            .header("Content-Length", "10")
            .body("short"),
    );
    assert_eq!(bad_length.status(), 400);
    let panicked = call(&Greeter, TestRequest::get("/panic"));
    assert_eq!(panicked.status(), 500);
    assert!(panicked.body_text().contains("on purpose"));
}

#[test]
fn a_bad_head_request_gets_its_error_without_a_body() {
    let response = call(&Greeter, TestRequest::head("/").header("Bad Name", "x"));
    assert_eq!(response.status(), 400);
    assert!(response.body().is_empty());
}
