//! Fuzzing what builds or decodes text: the form decoder and header values.

use std::io::Write;

use crate::{Response, parse_qs, percent_decode, percent_encode};

use super::*;

/// Form bodies and query strings to start from.
const FORMS: &[&[u8]] = &[
    b"message=Hi+there%21&from=me",
    b"a=%C3%A9&b=&c",
    b"w=%F0%9F%8E%88&&x==1",
    b"name=Sam&tag=a&tag=b",
    b"%zz=1&ok=%4",
    b"m=%E2%28",
];

const FORM_PIECES: &[&[u8]] = &[
    b"%",
    b"%2",
    b"%zz",
    b"%FF",
    b"%C3",
    b"%A9",
    b"+",
    b"=",
    b"&",
    b"\xc3\xa9",
    b"\xff",
    b"\0",
];

#[test]
fn the_form_decoder_survives_mutated_forms_and_round_trips() {
    let make = |rng: &mut Rng| {
        let mut input = rng.pick(FORMS).to_vec();
        for _ in 0..=rng.below(6) {
            mutate(rng, &mut input, FORMS, FORM_PIECES);
        }
        input.truncate(16 * 1024);
        input
    };
    campaign("forms", iterations(), make, |input| {
        if let Ok(form) = parse_qs(input) {
            let decoded: usize = form
                .iter()
                .map(|(name, value)| name.len() + value.len())
                .sum();
            assert!(decoded <= input.len(), "decoding never makes text longer");
            let again: Vec<String> = form
                .iter()
                .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
                .collect();
            assert_eq!(parse_qs(again.join("&")).as_ref(), Ok(&form));
        }
        let text = String::from_utf8_lossy(input);
        if let Ok(decoded) = percent_decode(&text) {
            assert!(decoded.len() <= text.len());
            let escaped = percent_encode(&decoded);
            assert_eq!(percent_decode(&escaped).as_deref(), Ok(decoded.as_str()));
        }
    });
}

#[test]
fn header_values_never_split_a_response() {
    const NAMES: &[&[u8]] = &[b"X-Note", b"Location", b"Set-Cookie", b"Content-Length"];
    const VALUES: &[&[u8]] = &[b"/", b"a=1; Path=/", b"12", b"text/plain; charset=utf-8"];
    let make = |rng: &mut Rng| {
        let mut name = rng.pick(NAMES).to_vec();
        let mut value = rng.pick(VALUES).to_vec();
        for _ in 0..rng.below(3) {
            mutate(rng, &mut name, NAMES, PIECES);
        }
        for _ in 0..=rng.below(3) {
            mutate(rng, &mut value, VALUES, PIECES);
        }
        name.truncate(200);
        value.truncate(200);
        // The two, separated by a NUL (which neither may contain anyway).
        [name, vec![0], value].concat()
    };
    campaign("response headers", iterations(), make, |input| {
        let split = input.iter().position(|&byte| byte == 0).unwrap_or(0);
        let name = String::from_utf8_lossy(&input[..split]);
        let value = String::from_utf8_lossy(&input[split + 1..]);
        let mut response = Response::new();
        response.send_response(200);
        response.send_header(&name, &value);
        response.end_headers();
        let _ = response.write_all(b"twelve bytes");
        if value.contains(['\r', '\n', '\0']) || name.contains(['\r', '\n', ':', ' ']) {
            assert!(
                response.problem(false).is_some(),
                "{name:?}: {value:?} was accepted"
            );
        }
        if response.problem(false).is_some() {
            return;
        }
        let mut out = Vec::new();
        crate::wire::serialize(&response, &mut out, false, None);
        let head_end = out.windows(4).position(|four| four == b"\r\n\r\n").unwrap();
        let head = std::str::from_utf8(&out[..head_end]).unwrap();
        let lines: Vec<&str> = head.split("\r\n").collect();
        assert!(lines.iter().all(|line| !line.contains(['\r', '\n'])));
        // Status line, the handler's header, Date, Server, and a
        // Content-Length unless the handler sent its own.
        let own_length = name.eq_ignore_ascii_case("Content-Length");
        assert_eq!(lines.len(), if own_length { 4 } else { 5 }, "{head}");
        assert_eq!(lines[1], format!("{name}: {value}"));
    });
}
