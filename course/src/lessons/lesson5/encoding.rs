//! Step c: names %-encoded into the cookie and decoded back.

use super::*;

/// Posts `name` and expects step (a)'s answer, 303 and the yourname cookie.
fn post_name_for_a_cookie(
    session: &mut Session,
    name: &str,
) -> Result<(Reply, SetCookieHeader), Failure> {
    let reply = post_name(session, name)?;
    match reply
        .set_cookie_named(COOKIE)
        .filter(|_| reply.status == 303)
    {
        Some(cookie) => Ok((reply, cookie)),
        None => Err(reply.fail(
            "303 See Other and a Set-Cookie for yourname",
            "Step a first: a POST with a name answers 303 and sets the cookie yourname.",
        )),
    }
}

pub(super) fn plain_names_stay_as_they_are(session: &mut Session) -> CheckResult {
    for name in ["Alice".to_owned(), format!("Ada{}", number())] {
        let (reply, cookie) = post_name_for_a_cookie(session, &name)?;
        expect_cookie(
            &reply,
            &cookie,
            cookie.value == name,
            &format!("303 See Other and Set-Cookie: yourname={name}; ..."),
            "Letters and digits may stand in a cookie as they are: encode only the bytes that \
             are not cookie-octets, and %. Alice stays Alice, which any client can read.",
        )?;
    }
    Ok(())
}

/// A random name of three words with awkward characters between them.
fn awkward_name() -> String {
    const WORDS: &str = "Zoë Søren José Łukasz Мария 日本 Ærø 🍪 Anne-Marie O'Neil Bob Smith";
    const BETWEEN: &[&str] = &[
        " ", "; ", ", ", " \"", "\" ", "%", " 100% ", "%41", "\\", "=", "+", " & ", ";",
    ];
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let pick = |list: &[&str]| random_distinct(list, 1)[0].to_owned();
    let mut name = pick(&words);
    for _ in 0..2 {
        name.push_str(&pick(BETWEEN));
        name.push_str(&pick(&words));
    }
    name
}

/// Why `bad`, found in a cookie's value, cannot stand there as it is.
fn why_not_an_octet(bad: char, value_as_read: &str) -> String {
    match bad {
        ';' => format!(
            "a browser cuts the value at a ; (it keeps {value_as_read:?} here) and reads the \
             rest as attributes."
        ),
        '\\' => "some clients and servers read a \\ as an escape, as in a quoted string \
                  (\\\"), and drop it or change the character after it."
            .to_owned(),
        ',' => "a , once separated cookies in one header, and some servers still split there."
            .to_owned(),
        ' ' | '"' => "clients differ on spaces and quotes: some keep them, some trim or \
                      refuse them."
            .to_owned(),
        _ if !bad.is_ascii() => "bytes beyond ASCII are not cookie-octets: clients read them in \
                                 different encodings, or refuse them."
            .to_owned(),
        _ => "RFC 6265 keeps it out of cookie values.".to_owned(),
    }
}

pub(super) fn names_survive_the_round_trip(session: &mut Session) -> CheckResult {
    // One name with every kind of trouble, then random ones (a failure
    // prints the run's seed, which replays them).
    let mut list = vec![
        r#"Zoë "Z"; Smith, Jr 100%"#.to_owned(),
        r"Anne\Marie".to_owned(),
        // Kept as typed, spaces around it too: trim() only tests for blank.
        format!(" Ada  Lovelace{} ", number()),
    ];
    list.extend((0..4).map(|_| awkward_name()));
    for name in &list {
        let (reply, cookie) = post_name_for_a_cookie(session, name)?;
        let expected = format!("a cookie value that holds {name:?}, %-encoded");
        let pair = cookie.header.split(';').next().unwrap_or("");
        let value = pair.split_once('=').map_or("", |(_, value)| value);
        if let Some(bad) = value
            .chars()
            .find(|c| !c.is_ascii() || !is_cookie_octet(*c as u8))
        {
            return expect_cookie(
                &reply,
                &cookie,
                false,
                &expected,
                format!(
                    "The value holds {bad:?}, which a cookie cannot hold as it is: {} Write each \
                     byte that is not a cookie-octet (printable ASCII except space, \", ,, ; and \
                     \\) as % and two hex digits in encode_cookie_value, and make the cookie \
                     from what it returns: name_cookie(&encode_cookie_value(name)).",
                    why_not_an_octet(bad, &cookie.value)
                ),
            );
        }
        // Send the value back, as a browser does: `Cookie: yourname=value`.
        let mut jar = Jar::default();
        jar.take_from_reply(&reply);
        let page = get_with_cookie(session, &jar.header())?;
        let expected = format!("the page greets {name:?}");
        expect_a_page(&page, &expected)?;
        let decoded = percent_decode(&cookie.value).ok();
        let hint = if decoded.as_deref() != Some(name) {
            if decoded.as_deref() == Some(name.trim()) {
                "The name lost the spaces around it. Keep it as typed: name.trim() only tells \
                 whether it is blank, and the cookie holds the name itself."
            } else if decoded.is_some_and(|decoded| decoded.replace('+', " ") == *name) {
                "A + stands for a space only in forms: percent_decode keeps it a +. Write a space \
                 as %20."
            } else if name.contains('%') && !cookie.value.contains("%25") {
                "The name holds a %, and percent_decode reads every % as the start of an escape: \
                 encode % itself too (as %25)."
            } else {
                "percent_decode must give back the name exactly: write each byte that is not a \
                 cookie-octet as % and two hex digits (é is two bytes, %C3%A9)."
            }
        } else if shows_as_text(&page.body, &cookie.value) {
            "The page shows the value as it is in the cookie: decode it with \
             http_server::percent_decode before greeting."
        } else {
            "Encode the name when you set the cookie, and decode it with percent_decode when you \
             read it, so that it comes back as typed."
        };
        if !shows_as_text(&page.body, name) {
            return Err(Failure {
                got: format!("Set-Cookie: {}\n{}", cookie.header, page.summary()),
                ..page.fail(expected, hint)
            });
        }
    }
    Ok(())
}

/// The most bytes of a `Set-Cookie` a browser must keep (RFC 6265, section
/// 6.1: "at least 4096 bytes per cookie", name, value and attributes).
const MAX_COOKIE_BYTES: usize = 4096;

pub(super) fn longest_name_fits_in_a_cookie(session: &mut Session) -> CheckResult {
    // 🍪 takes 4 bytes, 12 once %-encoded: the longest cookie a name of 100
    // characters can make.
    let name = format!("Zoë{}", "🍪".repeat(MAX_NAME_CHARS - 3));
    let reply = post_name(session, &name)?.reported_as(
        "curl -i --data-urlencode 'yourname=Zoë🍪🍪🍪...' http://localhost:8000/  (a name of 100 \
         characters)",
    );
    let Some(cookie) = reply
        .set_cookie_named(COOKIE)
        .filter(|_| reply.status == 303)
    else {
        return Err(reply.fail(
            "303 See Other and a Set-Cookie for yourname: 100 characters are allowed",
            "Count characters, with name.chars().count(), not bytes: 🍪 is one character of 4 \
             bytes.",
        ));
    };
    expect_cookie(
        &reply,
        &cookie,
        cookie.header.len() <= MAX_COOKIE_BYTES,
        "a Set-Cookie of at most 4,096 bytes, which every browser keeps",
        format!(
            "The header is {} bytes: a browser would drop it without a word. Encode only the \
             bytes that are not cookie-octets, as % and two hex digits.",
            cookie.header.len()
        ),
    )?;
    let mut jar = Jar::default();
    jar.take_from_reply(&reply);
    get_with_cookie(session, &jar.header())?.expect(
        |page| shows_as_text(&page.body, &name),
        format!("the page greets {name:?}"),
        "Decode the cookie's value with percent_decode: the name comes back as typed.",
    )?;
    Ok(())
}
