//! The response builder's rules: the mistakes a handler can make, and what
//! each becomes.

use std::io::Write;

use crate::Response;

fn hello() -> Response {
    let mut response = Response::new();
    response.send_response(200);
    response.send_header("Content-Type", "text/plain");
    response.end_headers();
    response.write_all(b"Hello").unwrap();
    response
}

#[test]
fn names_each_mistake_in_order() {
    let mut response = Response::new();
    response.send_header("X", "y");
    assert!(
        response
            .problem(false)
            .unwrap()
            .contains("before send_response")
    );

    let mut response = Response::new();
    response.send_response(200);
    assert!(response.write_all(b"early").is_err());
    assert!(
        response
            .problem(false)
            .unwrap()
            .contains("before end_headers")
    );

    let mut response = Response::new();
    response.send_response(200);
    assert!(
        response
            .problem(false)
            .unwrap()
            .contains("never called end_headers")
    );

    assert!(
        Response::new()
            .problem(false)
            .unwrap()
            .contains("sent no response")
    );

    let mut response = hello();
    response.send_header("Late", "header");
    assert!(
        response
            .problem(false)
            .unwrap()
            .contains("after end_headers")
    );
}

#[test]
fn refuses_a_content_length_that_is_not_one_plain_number() {
    for values in [&["+5"][..], &[" 5"], &["5, 5"], &["-1"], &["5", "5"]] {
        let mut response = Response::new();
        response.send_response(200);
        for value in values {
            response.send_header("Content-Length", value);
        }
        response.end_headers();
        response.write_all(b"Hello").unwrap();
        assert!(response.problem(false).is_some(), "{values:?}");
    }
}

#[test]
fn refuses_out_of_range_status_codes() {
    for code in [0, 100, 199, 600] {
        let mut response = Response::new();
        response.send_response(code);
        assert!(response.problem(false).is_some(), "{code}");
    }
}
