//! Lesson 3: the client.
//!
//! Until now we wrote servers and let the browser or curl ask the
//! questions. This program asks them: it is an HTTP client, written with
//! `reqwest` (its blocking API: each call waits for the answer) and `anyhow`
//! (errors that say what went wrong, in words). Each command is one step of
//! the lesson:
//!
//! ```text
//! client get URL                    show a whole response, like `curl -i`
//! client names [URL]                introduce the person a names service sends
//! client post URL name=value...     send a form, like a browser does
//! ```
//!
//! Options, anywhere on the line: `--follow` (or `-L`) follows redirects,
//! `--timeout SECONDS` changes how long to wait (10 seconds).
//!
//! Try it: `cargo run --bin names_service` in one terminal, then
//! `cargo run --bin client -- names` in another. The lesson text,
//! lessons/3_client/README.md, walks through it.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use reqwest::Url;
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::redirect::Policy;

/// Where `client names` asks when no URL is given: the course's names
/// service, started with `cargo run --bin names_service`.
const NAMES_URL: &str = "http://localhost:8000/";

/// How long to wait for an answer, unless `--timeout` says otherwise.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What `--help` shows.
const USAGE: &str = "\
usage: client get URL                  show the status, headers and body of a GET
       client names [URL]              introduce the person the names service sends
                                       (URL defaults to http://localhost:8000/)
       client post URL name=value...   send a form and say where it redirects
options: --follow, -L                  follow redirects
         --timeout SECONDS             wait this long for an answer (10)
";

/// What the command line asks for.
enum Command {
    Get {
        url: String,
    },
    Names {
        url: String,
    },
    Post {
        url: String,
        fields: Vec<(String, String)>,
    },
    Help,
}

/// The options, which may come anywhere on the command line.
struct Options {
    follow: bool,
    timeout: Duration,
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the error with its context, on one line:
            // "cannot read ...: missing field `surname` at line 9 column 1".
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let (command, options) = parse_args(args)?;
    // One client for the whole program: it keeps connections open between
    // requests to the same server, as a browser does.
    let client = Client::builder()
        // Say who is asking: some servers refuse requests that do not.
        .user_agent("http-course-client/0.1")
        .timeout(options.timeout)
        .redirect(if options.follow {
            Policy::limited(10)
        } else {
            Policy::none()
        })
        .build()
        .context("cannot set up the HTTP client")?;
    match command {
        Command::Get { url } => get(&client, &url),
        Command::Names { url } => names(&client, &url),
        Command::Post { url, fields } => post(&client, &url, &fields),
        Command::Help => {
            print!("{USAGE}");
            Ok(())
        }
    }
}

/// `client get URL`: the whole response, as `curl -i` shows it.
fn get(client: &Client, url: &str) -> Result<()> {
    // TODO(get): print the status line and the headers before the body.
    // `?` hands any error (no server, no answer) up to main, which prints it.
    let response = send(client.get(url))?;
    // The status line: the version, then the code and its reason phrase,
    // which `StatusCode` prints together: "HTTP/1.1 200 OK".
    println!("{:?} {}", response.version(), response.status());
    // A header value is bytes, not always text: show it without failing.
    for (name, value) in response.headers() {
        println!("{name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
    // The blank line that ends the headers, as on the wire.
    println!();
    let body = response
        .bytes()
        .with_context(|| format!("cannot read the body from {url}"))?;
    print_body(&body);
    Ok(())
    // END TODO(get)
}

// TODO(names): decode the names service's JSON into structs, and introduce its person.
/// One record of the names service. serde fills it in from the JSON by
/// field name; the fields it does not mention (`age`, `expiration`) are
/// skipped, and a missing one is an error that names it.
#[derive(Debug, serde::Deserialize)]
struct Person {
    name: String,
    surname: String,
    // A JSON object inside the object: a struct inside the struct.
    credit_card: CreditCard,
}

/// The `credit_card` object of a record.
#[derive(Debug, serde::Deserialize)]
struct CreditCard {
    // Text, not a number: the zero of "0420" is part of the PIN.
    pin: String,
}

/// `client names [URL]`: "My name is ... and the PIN on my card is ...".
fn names(client: &Client, url: &str) -> Result<()> {
    let response = send(client.get(url))?;
    // An error page is not a record: stop before decoding it.
    let status = response.status();
    if !status.is_success() {
        bail!("{url} answered {status}, not a names record");
    }
    // Decode the body as JSON into a Person; context says what we were
    // doing, serde's error says what was wrong (and which field).
    let person: Person = response
        .json()
        .with_context(|| format!("the answer from {url} is not a names record"))?;
    println!(
        "My name is {} {} and the PIN on my card is {}.",
        person.name, person.surname, person.credit_card.pin
    );
    Ok(())
}
// END TODO(names)

/// `client post URL name=value...`: send a form, as a browser does when you
/// press its submit button, and report what came back.
fn post(client: &Client, url: &str, fields: &[(String, String)]) -> Result<()> {
    // TODO(post): send the form, then report the status and any redirect.
    // `form` encodes the fields (name=value&..., %-escaped) and sets the
    // header Content-Type: application/x-www-form-urlencoded.
    let response = send(client.post(url).form(fields))?;
    let status = response.status();
    println!("{:?} {status}", response.version());
    // A redirect is an answer too: "look over there". Without --follow we
    // report where, and stop.
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_else(|| "(none: the server did not say where)".to_owned());
        println!("Location: {location}");
        println!("(not followed: add --follow to go there)");
        return Ok(());
    }
    // The body, even of an error: a 400 page usually says what was wrong.
    println!();
    let body = response
        .bytes()
        .with_context(|| format!("cannot read the body from {url}"))?;
    print_body(&body);
    if !status.is_success() {
        bail!("{url} answered {status}: the form was not accepted");
    }
    Ok(())
    // END TODO(post)
}

/// Prints a body: as it is if it is UTF-8 text, and only its size if not,
/// since raw bytes can garble a terminal.
fn print_body(body: &[u8]) {
    match std::str::from_utf8(body) {
        Ok(text) => print!("{text}"),
        Err(_) => println!("[{} bytes that are not UTF-8 text, not shown]", body.len()),
    }
}

/// Sends a request and waits for the answer. When none comes, the error
/// says why in a sentence, rather than in the layers of reqwest's error.
fn send(request: RequestBuilder) -> Result<Response> {
    request.send().map_err(explain)
}

/// Turns a failed request into one clear sentence.
fn explain(error: reqwest::Error) -> anyhow::Error {
    let url = error
        .url()
        .map_or_else(|| "the server".to_owned(), |url| url.to_string());
    let port = error
        .url()
        .and_then(Url::port_or_known_default)
        .map_or_else(|| "8000".to_owned(), |port| port.to_string());
    // reqwest's error wraps others; the innermost says what really happened.
    let mut cause: &dyn std::error::Error = &error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let refused = cause
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
    if error.is_timeout() {
        anyhow!(
            "no answer from {url}: timed out (is the server stuck? --timeout SECONDS waits longer)"
        )
    } else if refused {
        anyhow!(
            "cannot connect to {url}: connection refused (is the server running on port {port}?)"
        )
    } else if error.is_connect() {
        anyhow!("cannot connect to {url}: {cause} (is the address right, and is the network up?)")
    } else if error.is_redirect() {
        anyhow!("too many redirects from {url} (a loop?)")
    } else {
        anyhow!("the request to {url} failed: {cause}")
    }
}

/// Reads the command line: options anywhere, then a command and its words.
fn parse_args(args: Vec<String>) -> Result<(Command, Options)> {
    let mut options = Options {
        follow: false,
        timeout: TIMEOUT,
    };
    let mut words = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--follow" | "-L" => options.follow = true,
            "--timeout" => {
                let value = args.next().unwrap_or_default();
                let seconds = value
                    .parse::<f64>()
                    .ok()
                    .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
                    .with_context(|| {
                        format!("--timeout needs a number of seconds, not {value:?}")
                    })?;
                options.timeout = Duration::from_secs_f64(seconds);
            }
            "--help" | "-h" => return Ok((Command::Help, options)),
            _ if arg.starts_with('-') => bail!("unknown option {arg} (see client --help)"),
            _ => words.push(arg),
        }
    }
    let command = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["get", url] => Command::Get {
            url: parse_url(url)?,
        },
        ["names"] => Command::Names {
            url: NAMES_URL.to_owned(),
        },
        ["names", url] => Command::Names {
            url: parse_url(url)?,
        },
        ["post", url, ref fields @ ..] => Command::Post {
            url: parse_url(url)?,
            fields: fields
                .iter()
                .map(|field| parse_field(field))
                .collect::<Result<_>>()?,
        },
        [] => bail!(
            "no command given (try client get URL, client names or client post URL name=value)"
        ),
        [command, ..] if ["get", "names", "post"].contains(&command) => {
            bail!("wrong arguments for {command} (see client --help)")
        }
        [command, ..] => {
            bail!("unknown command {command:?} (the commands are get, names and post)")
        }
    };
    Ok((command, options))
}

/// Checks a URL before any request: it must be complete and http(s).
fn parse_url(text: &str) -> Result<String> {
    let url = Url::parse(text).with_context(|| {
        format!("{text:?} is not a URL (write it in full: http://localhost:8000/)")
    })?;
    if !["http", "https"].contains(&url.scheme()) {
        bail!(
            "{text:?} is not an http:// or https:// URL (write it in full: http://localhost:8000/)"
        );
    }
    Ok(url.into())
}

/// Reads a form field written as `name=value` (the value may be empty).
fn parse_field(text: &str) -> Result<(String, String)> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => bail!("{text:?} is not a form field: write it as name=value"),
    }
}
