//! Lesson 10, HTTPS and HTTP/2, in three steps: (a) the certificate
//! authority, the certificate and the TLS configuration, (b) serving
//! HTTP/1.1 and HTTP/2, a task per connection, (c) the plain-HTTP port's
//! redirect and the answer to plain HTTP on the HTTPS port.
//!
//! Every check starts the server with a `TLS_DIR` of its own (the
//! session's temporary folder, never the student's `.course/tls/`), and
//! trusts only the `ca.pem` it finds there: no certificate built into the
//! client. The names the certificate carries are proved by handshakes
//! made by hand (the kit's `tls`), all to 127.0.0.1, asking for
//! `localhost`, `127.0.0.1` and `::1` in turn: a check needs no IPv6.
//! HTTP/2 is seen as a client sees it, chosen by ALPN in the handshake
//! (`response.version()`), never forced. Concurrency is seen through
//! requests that wait for each other inside the server (frames that wait
//! for 16 in flight, a hold and its release), never by timing: a working
//! server answers at once, and `?wait=10` only bounds how long a broken one
//! keeps a check waiting.

use std::thread;

use crate::kit::seed::random_number;
use crate::kit::tls;
use crate::session::Outgoing;
use crate::{Check, CheckResult, Failure, Hint, Lesson, Session};

/// Lesson 10, as the registry lists it. Its folder is `10_https`, not
/// `10_https_server`: the name the issue and the course card give it.
pub const LESSON: Lesson = Lesson::new(10, "https_server", "HTTPS and HTTP/2")
    .folder_slug("https")
    .checks(CHECKS, HINTS, include_str!("lesson10.mutants.toml"));

/// The checks, in the order the lesson text asks for them.
#[rustfmt::skip]
pub const CHECKS: &[Check] = &[
    Check::step("a", "trusting only ca.pem, the handshake succeeds for localhost, 127.0.0.1 and ::1", names_are_trusted),
    Check::step("a", "key.pem is readable by its owner only (0600), and no key of the authority is on disk", key_is_private),
    Check::step("a", "ALPN: offered h2 and http/1.1 the server picks h2, offered http/1.1 alone it picks http/1.1; TLS 1.3 and 1.2 both work", alpn_and_versions),
    Check::step("a", "a restart reuses the certificate: ca.pem, cert.pem and key.pem unchanged", restart_reuses_the_certificate),
    Check::step("a", "a cert.pem that is not a certificate stops the program with one line that names it, and exit 1", broken_cert_is_an_error),
    Check::step("b", "GET / comes over HTTP/2 when the client offers it, and over HTTP/1.1 from a client that offers only that", both_protocols),
    Check::step("b", "16 frames asked for at once on one HTTP/2 connection are all in flight together, each saying HTTP/2 and the same client port", sixteen_on_one_connection),
    Check::step("b", "over HTTP/1.1, a held request is released by a second connection: every connection is served at once", two_connections_at_once),
    Check::step("b", "a client that does not trust the certificate fails its handshake, and the server goes on serving", failed_handshake_is_harmless),
    Check::step("c", "the plain-HTTP port answers 308 with Location: the same path and query on https:// and the HTTPS port", plain_port_redirects),
    Check::step("c", "plain HTTP sent to the HTTPS port gets a plain-HTTP 400 that names the https:// URL", plain_http_on_https_port),
];

/// The hints: a nudge, the idea, then the code.
pub const HINTS: &[Hint] = &[
    Hint {
        step: Some("a"),
        nudge: "Run `cargo run --bin https_server` and look at .course/tls/: the starter makes a throwaway certificate, signed by itself, for localhost only, again at every start, with a key anybody can read. The four TODO(a) regions are make_certificate, save, load_or_make and tls_config.",
        concept: "A certificate authority is a certificate that may sign others (is_ca), made with its own key; the server's certificate names localhost, 127.0.0.1 and ::1 and is signed by the authority's key, which is then dropped, never written. Reuse the files when read_files says they are valid; write key.pem with mode 0600; offer h2 then http/1.1 by ALPN.",
        code: "let cert = server.signed_by(&server_key, &Issuer::new(authority, authority_key))?; ... write(\"key.pem\", &files.key, true)?; ... config.alpn_protocols = vec![b\"h2\".to_vec(), b\"http/1.1\".to_vec()];",
    },
    Hint {
        step: Some("b"),
        nudge: "`curl --cacert .course/tls/ca.pem https://localhost:8443/` says `ALPN: server accepted h2`, then the connection dies: serve_tls speaks only HTTP/1.1. And serve_https awaits each connection before it accepts the next.",
        concept: "hyper-util's auto::Builder serves HTTP/1.1 and HTTP/2 on the same connection type, reading which one the client speaks from its first bytes. tokio::spawn gives a connection a task of its own: the loop goes straight back to accept, as lesson 6's thread per connection did, but a waiting task costs no thread.",
        code: "let served = auto::Builder::new(TokioExecutor::new()).serve_connection(TokioIo::new(stream), service).await; ... tokio::spawn(connection);",
    },
    Hint {
        step: Some("c"),
        nudge: "`curl -i http://localhost:8080/frame1` gets 501, and `curl -i http://localhost:8443/` (no s) gets a connection that dies: the two TODO(c) regions are redirect and speaks_tls.",
        concept: "308 Permanent Redirect keeps the method (301 lets a POST become a GET), and its Location is absolute: https://, the host the client asked for (its Host header, without the port), the HTTPS port, and the same path and query. On the HTTPS port, peek at the first byte: 0x16 starts a TLS handshake; anything else is plain HTTP, which gets refuse_plain_http's 400.",
        code: "if first[0] == TLS_HANDSHAKE { return true; } eprintln!(\"{client} - plain HTTP on the HTTPS port: answered 400\"); let _ = refuse_plain_http(stream, https_url).await; false",
    },
];

/// The wait every check asks for: long enough for any computer, and it
/// ends only a check that fails.
const WAIT: &str = "wait=10";

/// The command a student runs to see the server of a check.
const RUN: &str = "cargo run --bin https_server";

fn curl(url: &str) -> String {
    format!("curl --cacert .course/tls/ca.pem '{url}'")
}

/// A failure about the running server, with its last lines of output.
fn failure(
    session: &mut Session,
    sent: String,
    expected: &str,
    got: String,
    hint: &str,
) -> Failure {
    let output = session
        .server()
        .map(|server| server.output_for_report())
        .unwrap_or_default();
    Failure {
        sent,
        expected: expected.into(),
        got: format!("{got}{output}"),
        hint: hint.into(),
    }
}

fn names_are_trusted(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    for name in ["localhost", "127.0.0.1", "::1"] {
        let url = if name.contains(':') {
            format!("https://[{name}]:{}/", server.address.port())
        } else {
            format!("https://{name}:{}/", server.address.port())
        };
        let both = [&rustls::version::TLS13, &rustls::version::TLS12];
        if let Err(error) = server.handshake(name, &["http/1.1"], &both) {
            let hint = if error.contains("NotValidForName") || error.contains("not valid for") {
                "The certificate does not carry this name: a client compares the host of the URL \
                 with the certificate's names. Make it for every name in NAMES: \
                 CertificateParams::new(NAMES.map(String::from).to_vec())."
            } else if error.contains("UnknownIssuer") || error.contains("issuer") {
                "cert.pem must be signed by the authority in ca.pem (signed_by with the \
                 authority's Issuer), and ca.pem must hold the authority's certificate, not the \
                 server's."
            } else {
                "Make a certificate authority and a certificate signed by it (make_certificate), \
                 and serve that certificate (tls_config)."
            };
            return Err(failure(
                session,
                format!("{RUN}, then: {}", curl(&url)),
                &format!("a TLS handshake that trusts only ca.pem succeeds for {name}"),
                format!("the handshake failed: {error}"),
                hint,
            ));
        }
    }
    Ok(())
}

fn key_is_private(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let sent = format!("{RUN}, then: ls -l {}", server.tls_dir.display());
    let key = server.tls_dir.join("key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key)
            .map_err(|error| Failure::plain(format!("no key.pem: {error}"), ""))?
            .permissions()
            .mode()
            & 0o777;
        if mode != 0o600 {
            return Err(failure(
                session,
                sent,
                "key.pem with mode 0600 (-rw-------): only its owner may read it",
                format!("key.pem has mode {mode:o}"),
                "Whoever reads key.pem can be this server. Write it with write_file(..., true): \
                 it makes the file with mode 0600 (OpenOptionsExt::mode), after removing an old \
                 one (a mode is set only when a file is made).",
            ));
        }
    }
    // The authority's key would let anybody who reads it make a
    // certificate for any name, one this computer now trusts.
    let entries = std::fs::read_dir(&server.tls_dir)
        .map_err(|error| Failure::plain(format!("cannot list TLS_DIR: {error}"), ""))?;
    let mut keys = Vec::new();
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let name = entry.file_name().to_string_lossy().into_owned();
        let blocks = text
            .lines()
            .filter(|line| line.starts_with("-----BEGIN") && line.contains("PRIVATE KEY"))
            .count();
        keys.extend(std::iter::repeat_n(name, blocks));
    }
    if keys != ["key.pem"] {
        return Err(failure(
            session,
            sent,
            "one private key on disk: key.pem, the server's, alone in its file",
            format!("private keys in: {}", keys.join(", ")),
            "The authority's key is never written anywhere: make it, sign with it, and let it \
             go at the end of make_certificate. With it on disk, anybody who can read the \
             folder could make a certificate for any site, and your computer would trust it.",
        ));
    }
    Ok(())
}

/// A handshake to try: the protocols offered by ALPN, the TLS versions,
/// the protocol the server must pick, and the try in words.
type Try<'a> = (
    &'a [&'a str],
    &'a [&'static rustls::SupportedProtocolVersion],
    Option<&'a str>,
    &'a str,
);

fn alpn_and_versions(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let url = format!("{}/", server.https.replace("127.0.0.1", "localhost"));
    let both = [&rustls::version::TLS13, &rustls::version::TLS12];
    let tries: [Try; 4] = [
        (
            &["h2", "http/1.1"],
            &both,
            Some("h2"),
            "TLS 1.3 or 1.2, offering h2 and http/1.1",
        ),
        (
            &["http/1.1"],
            &both,
            Some("http/1.1"),
            "offering only http/1.1",
        ),
        (
            &["h2", "http/1.1"],
            &[&rustls::version::TLS13],
            Some("h2"),
            "TLS 1.3 only",
        ),
        (
            &["h2", "http/1.1"],
            &[&rustls::version::TLS12],
            Some("h2"),
            "TLS 1.2 only",
        ),
    ];
    for (alpn, versions, wanted, what) in tries {
        let sent = format!(
            "{RUN}, then: curl -v {}{} ({what})",
            curl(&url).trim_start_matches("curl "),
            if alpn.len() == 1 { " --http1.1" } else { "" }
        );
        match server.handshake("localhost", alpn, versions) {
            Ok(handshake) if handshake.alpn.as_deref() == wanted => {}
            Ok(handshake) => {
                return Err(failure(
                    session,
                    sent,
                    &format!("ALPN: the server picks {}", wanted.unwrap_or("nothing")),
                    format!(
                        "ALPN: the server picked {}",
                        handshake.alpn.as_deref().unwrap_or("nothing")
                    ),
                    "The client lists the protocols it speaks; the server picks the first of its \
                     own list that the client has: config.alpn_protocols = vec![b\"h2\".to_vec(), \
                     b\"http/1.1\".to_vec()], h2 first.",
                ));
            }
            Err(error) => {
                return Err(failure(
                    session,
                    sent,
                    &format!("a handshake ({what})"),
                    format!("it failed: {error}"),
                    "Accept TLS 1.3 and TLS 1.2, and nothing older: \
                     .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12]).",
                ));
            }
        }
    }
    Ok(())
}

fn restart_reuses_the_certificate(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let before: Vec<String> = ["ca.pem", "cert.pem", "key.pem"]
        .iter()
        .map(|name| server.file(name))
        .collect::<Result<_, _>>()?;
    let server = tls::start(session)?; // the same TLS_DIR: the session's
    for (name, old) in ["ca.pem", "cert.pem", "key.pem"].iter().zip(&before) {
        if &server.file(name)? != old {
            return Err(failure(
                session,
                format!(
                    "{RUN}, Ctrl-C, {RUN} again, then: cat {}",
                    server.tls_dir.join(name).display()
                ),
                &format!("{name} unchanged: a valid certificate is reused"),
                format!("{name} was made again at the second start"),
                "A new authority at every start means a client must trust a new ca.pem every \
                 time. In load_or_make, match read_files(dir)?: Found::Valid(files) is returned \
                 as it is; only Found::Remake makes new files.",
            ));
        }
    }
    Ok(())
}

fn broken_cert_is_an_error(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let cert = server.tls_dir.join("cert.pem");
    std::fs::write(&cert, "not a certificate\n")
        .map_err(|error| Failure::plain(format!("cannot write cert.pem: {error}"), ""))?;
    let sent = format!("echo 'not a certificate' > {}; {RUN}", cert.display());
    let output = session.run(&[]);
    // The next checks start from no certificate at all.
    let _ = std::fs::remove_dir_all(&server.tls_dir);
    let output = output?;
    let said = format!("{}{}", output.stdout, output.stderr);
    let named = said.lines().any(|line| line.contains("cert.pem"));
    if output.code == Some(1) && named && !output.stdout.contains("https://") {
        return Ok(());
    }
    Err(Failure {
        sent,
        expected: "one line that names cert.pem, and exit code 1, before listening".into(),
        got: format!(
            "exit code {:?}; it printed:\n{}",
            output.code,
            said.trim_end()
        ),
        hint: "A file that is there but wrong is an error, not a reason to make a new one \
               (that would hide it): read_files names the file, and main exits with 1. Do not \
               make new files when read_files returns Err: pass it on with `?`."
            .into(),
    })
}

fn both_protocols(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let url = format!("{}/", server.https);
    for (http1_only, wanted, flag) in [
        (false, reqwest::Version::HTTP_2, ""),
        (true, reqwest::Version::HTTP_11, " --http1.1"),
    ] {
        let client = server.client(http1_only)?;
        let sent = format!("{RUN}, then: {}{flag}", curl(&url));
        let expected = format!("200 over {wanted:?}");
        match client.get(&url).send() {
            Ok(response) if response.status() == 200 && response.version() == wanted => {}
            Ok(response) => {
                let got = format!("{} over {:?}", response.status(), response.version());
                return Err(failure(
                    session,
                    sent,
                    &expected,
                    got,
                    "ALPN chose the protocol; the server must speak it: serve_connection of \
                     hyper_util's auto::Builder speaks HTTP/1.1 and HTTP/2.",
                ));
            }
            Err(error) => {
                return Err(failure(
                    session,
                    sent,
                    &expected,
                    format!("no answer: {}", error_chain(&error)),
                    if http1_only {
                        "A client offering only http/1.1 must still get an answer."
                    } else {
                        "The handshake chose h2 and then the connection died: an HTTP/1.1 server \
                         cannot read the HTTP/2 preface. Serve with \
                         auto::Builder::new(TokioExecutor::new()) (step b)."
                    },
                ));
            }
        }
    }
    Ok(())
}

/// An error and its causes, in one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The count in "16 requests in flight", and the client port in
/// "port 54321", of a frame's page.
fn frame_says(body: &str) -> (Option<usize>, Option<u16>) {
    let number_before = |at: usize| -> Option<usize> {
        let digits: String = body[..at]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().ok()
    };
    let count = body.find(" request").and_then(number_before);
    let port = body
        .find("port ")
        .map(|at| &body[at + 5..])
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|digits| digits.parse().ok());
    (count, port)
}

fn sixteen_on_one_connection(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let client = server.client(false)?;
    let page = format!("{}/", server.https);
    let sent = format!(
        "{RUN}, then open https://localhost:8443/ in a browser (16 frames at once, /frame1?{WAIT} ... /frame16?{WAIT}, on one HTTP/2 connection)"
    );
    let expected = "every frame: \"16 requests in flight\", HTTP/2, and the same client port";
    // The first request opens the connection; the 16 then share it, as a
    // browser's frames do.
    if let Err(error) = client.get(&page).send() {
        return Err(failure(
            session,
            sent,
            expected,
            format!("GET / got no answer: {}", error_chain(&error)),
            "Step b's first check shows what to do.",
        ));
    }
    let frames: Vec<_> = (1..=16)
        .map(|number| {
            let client = client.clone();
            let url = format!("{}/frame{number}?{WAIT}", server.https);
            thread::spawn(move || {
                let response = client
                    .get(&url)
                    .send()
                    .map_err(|error| error_chain(&error))?;
                let version = response.version();
                let body = response.text().map_err(|error| error.to_string())?;
                Ok::<_, String>((version, body))
            })
        })
        .collect();
    let mut ports = Vec::new();
    for (index, frame) in frames.into_iter().enumerate() {
        let answer = frame
            .join()
            .unwrap_or_else(|_| Err("the check's thread failed".into()));
        let (version, body) = match answer {
            Ok(answer) => answer,
            Err(error) => {
                return Err(failure(
                    session,
                    sent,
                    expected,
                    format!("frame {}: no answer: {error}", index + 1),
                    "Every frame must be answered.",
                ));
            }
        };
        let (count, port) = frame_says(&body);
        if version != reqwest::Version::HTTP_2 || !body.contains("HTTP/2") {
            return Err(failure(
                session,
                sent,
                expected,
                format!(
                    "frame {} came over {version:?} and says {:?}",
                    index + 1,
                    crate::session::quote_body(&body)
                ),
                "Each frame says the protocol its request came over: request.version(). Over HTTP/2 it says HTTP/2.",
            ));
        }
        if count != Some(16) {
            return Err(failure(
                session,
                sent,
                expected,
                format!("frame {}: {count:?} requests in flight", index + 1),
                "The 16 requests of one HTTP/2 connection are streams, each answered as soon as \
                 it can be: hyper runs them side by side. A frame that saw fewer waited alone: \
                 do the frames share one Parallelometer?",
            ));
        }
        ports.push(port);
    }
    ports.dedup();
    if ports.len() != 1 || ports[0].is_none() {
        return Err(failure(
            session,
            sent,
            expected,
            format!("the frames named these client ports: {ports:?}"),
            "Each frame names the client port of its connection (client.port()); over one HTTP/2 connection they are all the same.",
        ));
    }
    Ok(())
}

fn two_connections_at_once(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let key = format!("{:012x}", random_number() & 0xffff_ffff_ffff);
    let hold_url = format!("{}/hold/{key}?{WAIT}", server.https);
    let release_url = format!("{}/release/{key}?{WAIT}", server.https);
    let sent = format!(
        "{RUN}, then at once: {} --http1.1 and {} --http1.1",
        curl(&hold_url.replace("127.0.0.1", "localhost")),
        curl(&release_url.replace("127.0.0.1", "localhost"))
    );
    // Two clients: two HTTP/1.1 connections, one request on each.
    let (first, second) = (server.client(true)?, server.client(true)?);
    let hold = thread::spawn(move || {
        first
            .get(&hold_url)
            .send()
            .and_then(|response| response.text())
    });
    // The release waits in the server until the hold is there.
    let release = second
        .get(&release_url)
        .send()
        .and_then(|response| response.text());
    let hold = hold
        .join()
        .unwrap_or_else(|_| Ok("the check's thread failed".into()));
    match (&hold, &release) {
        (Ok(hold), Ok(_)) if hold.starts_with("released") => Ok(()),
        _ => Err(failure(
            session,
            sent,
            "the hold answered \"released\": the second connection was served while the first waited",
            format!(
                "the hold: {}; the release: {}",
                hold.as_ref()
                    .map_or_else(|error| error_chain(error), |body| body.trim().to_owned()),
                release
                    .as_ref()
                    .map_or_else(|error| error_chain(error), |body| body.trim().to_owned()),
            ),
            "The accept loop waits for each connection to end before it takes the next: one at a \
             time, as lesson 6's starter. Give each connection a task of its own, \
             tokio::spawn(connection), and go straight back to accept.",
        )),
    }
}

fn failed_handshake_is_harmless(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let url = format!("{}/", server.https.replace("127.0.0.1", "localhost"));
    let sent = format!(
        "{RUN}, then: curl '{url}' (no --cacert: curl does not trust it), then {}",
        curl(&url)
    );
    if server.untrusting_handshake().is_ok() {
        return Err(failure(
            session,
            sent,
            "the handshake of a client that trusts nothing fails",
            "it succeeded".into(),
            "The server must present its certificate, which no client trusts unless told.",
        ));
    }
    let client = server.client(false)?;
    match client.get(&url).send() {
        Ok(response) if response.status() == 200 => Ok(()),
        other => Err(failure(
            session,
            sent,
            "the next client, which trusts ca.pem, gets 200",
            match other {
                Ok(response) => format!("{}", response.status()),
                Err(error) => format!("no answer: {}", error_chain(&error)),
            },
            "A failed handshake ends that connection only: log it in one line and return from \
             serve_tls; never end the program.",
        )),
    }
}

fn plain_port_redirects(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let word = format!("{:08x}", random_number() & 0xffff_ffff);
    for (method, path) in [
        ("GET", format!("/frame3?wait={}", random_number() % 9 + 1)),
        ("POST", format!("/{word}/x?q={word}")),
    ] {
        let reply = session.send(Outgoing {
            method,
            path: &path,
            headers: vec![],
            body: (method == "POST").then(Vec::new),
        })?;
        let location = format!("{}{path}", server.https);
        let hint = match reply.status {
            501 => "The plain-HTTP port still answers 501: write redirect (step c).",
            301 | 302 | 303 | 307 => {
                "308 Permanent Redirect: 301 and 302 let a client turn a POST into a GET, and 303 says to; 307 and 308 keep the method, and 308 says the move is for good."
            }
            _ => {
                "Every request on the plain-HTTP port gets 308 and a Location: https://, the host the client asked for (Host, without its port), the HTTPS port, and the same path and query. An absolute URL: a relative one would stay on http://."
            }
        };
        reply.expect_status(308, hint)?;
        reply.expect_header("location", &location, hint)?;
    }
    Ok(())
}

fn plain_http_on_https_port(session: &mut Session) -> CheckResult {
    let server = tls::start(session)?;
    let port = server.address.port();
    let sent = format!("{RUN}, then: curl -i http://localhost:{port}/ (http, on the HTTPS port)");
    let request = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    let expected = format!("a plain-HTTP 400 whose body names {}/", server.https);
    let answer = match server.send_plain(request.as_bytes()) {
        Ok(answer) => answer,
        Err(error) => {
            return Err(failure(
                session,
                sent,
                &expected,
                error,
                "Look at the first byte (stream.peek) before the handshake: plain HTTP gets refuse_plain_http's 400.",
            ));
        }
    };
    let status_400 = answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.0 400");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    if status_400 && body.contains(&format!("{}/", server.https)) {
        return Ok(());
    }
    let got = if answer.is_empty() {
        "the connection closed without an answer".to_owned()
    } else {
        format!("{:?}", answer.chars().take(300).collect::<String>())
    };
    Err(failure(
        session,
        sent,
        &expected,
        got,
        "A TLS handshake starts with the byte 0x16; a plain request with a letter. In \
         speaks_tls, anything but TLS_HANDSHAKE gets refuse_plain_http(stream, https_url): a \
         400 whose body says this port speaks HTTPS, and gives the https:// URL.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_a_frame_says() {
        let body = "<p class=\"count\">16 requests in flight</p>\n<p class=\"protocol\">HTTP/2</p>\n<p class=\"connection\">port 54321</p>";
        assert_eq!(frame_says(body), (Some(16), Some(54321)));
        assert_eq!(frame_says("nothing"), (None, None));
    }
}
