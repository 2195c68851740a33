//! Lesson 10: HTTPS and HTTP/2.
//!
//! The last server of the course speaks HTTPS with a certificate of its
//! own, serves HTTP/1.1 and HTTP/2 on one port, and runs on an event loop
//! (tokio) with the crates production Rust servers use: hyper for HTTP,
//! rustls for TLS, rcgen for the certificate. Its page is lesson 6's
//! parallelometer: over HTTP/2 a browser sends all 16 frames on one
//! connection, and every frame says 16.
//!
//! You write it in three steps: (a) the certificate authority, the
//! certificate and the TLS configuration, (b) serving every connection in
//! a task of its own, HTTP/1.1 and HTTP/2, (c) the plain-HTTP port that
//! redirects to HTTPS, and the answer to plain HTTP sent to the HTTPS port.
//!
//! Run it with `cargo run --bin https_server`, then
//! `curl --cacert .course/tls/ca.pem https://localhost:8443/`, and check a
//! step with `cargo course check https_server a` (or `b`, `c`). The lesson
//! text is lessons/10_https/README.md.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, Version};
use hyper_util::rt::TokioIo;
use rustls::ServerConfig;
use rustls::client::danger::ServerCertVerifier as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use http_server::{ICON_LINK, STYLESHEET, escape_html, parse_qs};

// What the steps use. Until they are written nothing does, and the
// compiler would say so: `allow` keeps it quiet.
#[allow(unused_imports)]
use hyper_util::{rt::TokioExecutor, server::conn::auto};
#[allow(unused_imports)]
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// Where the certificate lives unless `TLS_DIR` says otherwise (git
/// ignores `.course/`).
const DEFAULT_TLS_DIR: &str = ".course/tls";
/// The HTTPS port unless `PORT` says otherwise.
const DEFAULT_PORT: u16 = 8443;
/// The plain-HTTP port unless `HTTP_PORT` says otherwise.
const DEFAULT_HTTP_PORT: u16 = 8080;

/// The names the certificate is for: a browser or curl compares the name
/// in the URL with these, so `https://localhost`, `https://127.0.0.1` and
/// `https://[::1]` all work.
#[allow(dead_code)] // until step a
const NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// How long the authority and the certificate are valid.
#[allow(dead_code)] // until step a
const VALID_FOR: time::Duration = time::Duration::days(365);

/// How many frames the page opens at once.
const FRAMES: usize = 16;
/// How long a frame waits for the other frames before it answers.
const FRAME_WAIT: Duration = Duration::from_secs(1);
/// How long `/hold/KEY` waits for `/release/KEY`, and the other way round.
const HOLD_WAIT: Duration = Duration::from_secs(3);
/// The longest wait a request may ask for with `?wait=SECONDS`.
const LONGEST_WAIT: Duration = Duration::from_secs(10);

/// A TLS connection starts with a handshake record, whose first byte is
/// 22 (0x16); a plain HTTP request starts with a letter (`GET`, `POST`).
#[allow(dead_code)] // until step c
const TLS_HANDSHAKE: u8 = 0x16;

/// The program's settings, from its environment.
struct Config {
    host: IpAddr,
    port: u16,
    http_port: u16,
    tls_dir: PathBuf,
}

impl Config {
    fn from_env() -> Result<Config, String> {
        let port = |name: &str, default: u16| match std::env::var(name) {
            Err(_) => Ok(default),
            Ok(text) => text
                .trim()
                .parse::<u16>()
                .map_err(|_| format!("{name} must be a port number from 0 to 65535, not {text:?}")),
        };
        let host = match std::env::var("HOST") {
            Err(_) => http_server::DEFAULT_HOST,
            Ok(text) => text.trim().parse().map_err(|_| {
                format!("HOST must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, not {text:?}")
            })?,
        };
        let tls_dir = std::env::var_os("TLS_DIR").map_or(DEFAULT_TLS_DIR.into(), PathBuf::from);
        Ok(Config {
            host,
            port: port("PORT", DEFAULT_PORT)?,
            http_port: port("HTTP_PORT", DEFAULT_HTTP_PORT)?,
            tls_dir,
        })
    }
}

// ---------------------------------------------------------------------
// Step a: the certificate authority, the certificate, and TLS.
// ---------------------------------------------------------------------

/// The three files of `TLS_DIR`, as PEM text.
struct Files {
    /// The authority's certificate: what a client is told to trust.
    ca: String,
    /// The server's certificate, signed by the authority.
    cert: String,
    /// The server's private key: whoever has it can be this server.
    key: String,
}

/// Makes a new certificate authority and, signed by it, a certificate for
/// [`NAMES`]. The authority's private key is dropped at the end of this
/// function: it is never written anywhere, so nobody can use it to make a
/// certificate for another name, one your computer would now trust.
fn make_certificate() -> Result<Files, Box<dyn std::error::Error>> {
    // TODO(a): make the authority and the certificate with rcgen
    let now = time::OffsetDateTime::now_utc();
    // The authority: a self-signed certificate that may sign others.
    let mut authority = CertificateParams::new(Vec::<String>::new())?;
    authority.distinguished_name.push(
        DnType::CommonName,
        "HTTP course local authority (this computer only)",
    );
    authority.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    authority.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    authority.not_before = now - time::Duration::days(1); // a clock a little behind
    authority.not_after = now + VALID_FOR;
    let authority_key = KeyPair::generate()?;
    let ca = authority.self_signed(&authority_key)?;

    // The server's certificate: its names, and a key of its own.
    let mut server = CertificateParams::new(NAMES.map(String::from).to_vec())?;
    server
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server.not_before = authority.not_before;
    server.not_after = authority.not_after;
    let server_key = KeyPair::generate()?;
    let cert = server.signed_by(&server_key, &Issuer::new(authority, authority_key))?;
    Ok(Files {
        ca: ca.pem(),
        cert: cert.pem(),
        key: server_key.serialize_pem(),
    })
    // END TODO(a)
}

/// Writes the three files; `key.pem` readable by its owner only (0600).
fn save(dir: &Path, files: &Files) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|error| format!("cannot make the folder {}: {error}", dir.display()))?;
    let write = |name: &str, text: &str, private: bool| {
        let path = dir.join(name);
        write_file(&path, text, private)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))
    };
    // TODO(a): write key.pem readable by its owner only
    write("key.pem", &files.key, true)?;
    // END TODO(a)
    write("cert.pem", &files.cert, false)?;
    write("ca.pem", &files.ca, false)
}

/// Writes `text` to `path`, replacing the file. A private file is made
/// with mode 0600: the mode is given when the file is created, so an old
/// file (perhaps readable by everyone) is removed first, and no other user
/// can ever read the key, not even for a moment.
fn write_file(path: &Path, text: &str, private: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
        match std::fs::remove_file(path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = private; // elsewhere, the folder's permissions protect it
    options.open(path)?.write_all(text.as_bytes())
}

/// What was in `TLS_DIR`.
#[allow(dead_code)] // until step a
enum Found {
    /// Three files that belong together and are still valid.
    Valid(Files),
    /// No certificate yet, or one that has expired: make a new one.
    Remake(String),
}

/// Reads the three files and checks them as a client would: the
/// certificate is signed by the authority, valid today, for `localhost`,
/// and the key is the certificate's. A file that is there but wrong is an
/// error that names it: making a new one would hide the problem.
#[allow(dead_code)] // until step a
fn read_files(dir: &Path) -> Result<Found, String> {
    let path = |name: &str| dir.join(name);
    let missing: Vec<&str> = ["ca.pem", "cert.pem", "key.pem"]
        .into_iter()
        .filter(|name| !path(name).exists())
        .collect();
    if missing.len() == 3 {
        return Ok(Found::Remake(format!(
            "no certificate in {}",
            dir.display()
        )));
    }
    if !missing.is_empty() {
        return Ok(Found::Remake(format!(
            "{} missing from {}",
            missing.join(" and "),
            dir.display()
        )));
    }
    let read = |name: &str| {
        std::fs::read_to_string(path(name))
            .map_err(|error| format!("cannot read {}: {error}", path(name).display()))
    };
    let files = Files {
        ca: read("ca.pem")?,
        cert: read("cert.pem")?,
        key: read("key.pem")?,
    };
    let not_pem = |name: &str, what: &str| {
        format!(
            "{} is not {what} in PEM form: delete the three files of {} to make new ones",
            path(name).display(),
            dir.display()
        )
    };
    let ca = CertificateDer::from_pem_slice(files.ca.as_bytes())
        .map_err(|_| not_pem("ca.pem", "a certificate"))?;
    let cert = CertificateDer::from_pem_slice(files.cert.as_bytes())
        .map_err(|_| not_pem("cert.pem", "a certificate"))?;
    let key = PrivateKeyDer::from_pem_slice(files.key.as_bytes())
        .map_err(|_| not_pem("key.pem", "a private key"))?;

    // The same check a client makes: rustls's own verifier, with ca.pem
    // as the only authority it trusts.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(ca)
        .map_err(|error| format!("{}: {error}", path("ca.pem").display()))?;
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|error| format!("{}: {error}", path("ca.pem").display()))?;
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("a valid name");
    let now = rustls::pki_types::UnixTime::now();
    use rustls::CertificateError::{Expired, ExpiredContext};
    match verifier.verify_server_cert(&cert, &[], &name, &[], now) {
        Ok(_) => {}
        Err(rustls::Error::InvalidCertificate(Expired | ExpiredContext { .. })) => {
            return Ok(Found::Remake(format!(
                "the certificate in {} has expired",
                dir.display()
            )));
        }
        Err(error) => {
            return Err(format!(
                "{} does not go with {} ({error}): delete the three files of {} to make new ones",
                path("cert.pem").display(),
                path("ca.pem").display(),
                dir.display()
            ));
        }
    }
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|_| not_pem("key.pem", "a private key rustls can use"))?;
    rustls::sign::CertifiedKey::new(vec![cert], signing_key)
        .keys_match()
        .map_err(|_| {
            format!(
                "{} is not the key of {}: delete the three files of {} to make new ones",
                path("key.pem").display(),
                path("cert.pem").display(),
                dir.display()
            )
        })?;
    Ok(Found::Valid(files))
}

/// The certificate in `dir`, made (and saved) if there is none yet or it
/// has expired. Says what it did in one line.
fn load_or_make(dir: &Path) -> Result<Files, String> {
    // TODO(a): reuse the files when they are valid
    let reason = match read_files(dir)? {
        Found::Valid(files) => {
            eprintln!(
                "https_server: using the certificate in {} (trust its ca.pem once)",
                dir.display()
            );
            return Ok(files);
        }
        Found::Remake(reason) => reason,
    };
    // END TODO(a)
    let files =
        make_certificate().map_err(|error| format!("could not make a certificate: {error}"))?;
    save(dir, &files)?;
    eprintln!(
        "https_server: {reason}: made a new certificate authority and a certificate for \
         localhost, 127.0.0.1 and ::1; trust the new {} (a browser or curl trusting an \
         earlier one must be told again)",
        dir.join("ca.pem").display()
    );
    Ok(files)
}

/// The TLS configuration: the certificate and its key, TLS 1.2 and 1.3
/// only, and the protocols offered to the client by ALPN, HTTP/2 first.
fn tls_config(files: &Files) -> Result<ServerConfig, String> {
    let cert = CertificateDer::from_pem_slice(files.cert.as_bytes())
        .map_err(|error| format!("cert.pem: {error}"))?;
    let key = PrivateKeyDer::from_pem_slice(files.key.as_bytes())
        .map_err(|error| format!("key.pem: {error}"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // TODO(a): TLS 1.2 and 1.3, and ALPN: h2 and http/1.1
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|error| error.to_string())?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|error| error.to_string())?;
    // The client sends the protocols it speaks; the server picks the first
    // of its own list that the client has too.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    // END TODO(a)
    Ok(config)
}

// ---------------------------------------------------------------------
// The parallelometer: lesson 6's, on tokio.
// ---------------------------------------------------------------------

/// What every request shares: the count in flight and the holds.
#[derive(Default)]
struct State {
    in_flight: usize,
    /// The most requests in flight at once since the count was last zero.
    peak: usize,
    /// `/hold/KEY` requests waiting, by key: `true` once released.
    holds: HashMap<String, bool>,
}

/// The state in a watch channel: a task that waits for a change sleeps,
/// without a thread, until another task changes it. (Lesson 6 used a
/// Mutex and a Condvar: a thread that waits on them is blocked, and a
/// task must never block its thread, which runs other tasks too.)
struct Parallelometer {
    state: watch::Sender<State>,
}

/// A request in flight. Dropping it takes the request off the count, also
/// when the client goes away and hyper drops the request's task.
struct InFlight<'a>(&'a Parallelometer);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.state.send_modify(|state| {
            state.in_flight -= 1;
            if state.in_flight == 0 {
                state.peak = 0; // the next crowd is counted from zero
            }
        });
    }
}

impl Parallelometer {
    fn new() -> Parallelometer {
        Parallelometer {
            state: watch::Sender::new(State::default()),
        }
    }

    fn enter(&self) -> InFlight<'_> {
        self.state.send_modify(|state| {
            state.in_flight += 1;
            state.peak = state.peak.max(state.in_flight);
        });
        InFlight(self)
    }

    fn peak(&self) -> usize {
        self.state.borrow().peak
    }

    /// Waits until `ready` is true of the state, or `wait` has passed.
    async fn wait_until(&self, wait: Duration, ready: impl FnMut(&State) -> bool) {
        let mut changes = self.state.subscribe();
        let _ = timeout(wait, changes.wait_for(ready)).await;
    }

    /// A frame: waits until FRAMES requests are in flight together, or
    /// `wait` has passed, then says how many were.
    async fn frame(&self, wait: Duration) -> usize {
        self.wait_until(wait, |state| state.peak >= FRAMES).await;
        self.peak()
    }

    /// `/hold/KEY`: waits until `/release/KEY` arrives, or `wait` has
    /// passed. True if it was released.
    async fn hold(&self, key: &str, wait: Duration) -> bool {
        self.state.send_modify(|state| {
            state.holds.insert(key.to_owned(), false);
        });
        self.wait_until(wait, |state| state.holds.get(key) != Some(&false))
            .await;
        let mut released = false;
        self.state.send_modify(|state| {
            released = state.holds.remove(key).unwrap_or(false);
        });
        released
    }

    /// `/release/KEY`: waits until a hold with this key is waiting (or
    /// `wait` has passed) and releases it. True if there was one.
    async fn release(&self, key: &str, wait: Duration) -> bool {
        self.wait_until(wait, |state| state.holds.get(key) == Some(&false))
            .await;
        self.state
            .send_if_modified(|state| match state.holds.get_mut(key) {
                Some(released) if !*released => {
                    *released = true;
                    true
                }
                _ => false,
            })
    }

    /// Answers one request. `client` is the address of the connection it
    /// came on: over HTTP/2, the same for every frame.
    async fn answer(
        &self,
        request: Request<Incoming>,
        client: SocketAddr,
    ) -> Response<Full<Bytes>> {
        let _in_flight = self.enter();
        if request.method() != Method::GET {
            return text(StatusCode::METHOD_NOT_ALLOWED, "only GET here\n".into());
        }
        let path = request.uri().path();
        let query = request.uri().query().unwrap_or("");
        let protocol = protocol_name(request.version());
        if path == "/" {
            return html(page(wait_asked(query, FRAME_WAIT), protocol));
        }
        if let Some(number) = path.strip_prefix("/frame")
            && let Ok(number) = number.parse::<usize>()
            && (1..=FRAMES).contains(&number)
        {
            let count = self.frame(wait_asked(query, FRAME_WAIT)).await;
            return html(frame_page(number, count, protocol, client.port()));
        }
        if let Some(key) = path.strip_prefix("/hold/") {
            let released = self.hold(key, wait_asked(query, HOLD_WAIT)).await;
            let how = if released { "released" } else { "timed out" };
            let said = format!("{how}: {}, {protocol}\n", in_flight_text(self.peak()));
            return text(StatusCode::OK, said);
        }
        if let Some(key) = path.strip_prefix("/release/") {
            let said = if self.release(key, wait_asked(query, HOLD_WAIT)).await {
                format!("released {key}: {}\n", in_flight_text(self.peak()))
            } else {
                format!(
                    "no request held under {key}: {}\n",
                    in_flight_text(self.peak())
                )
            };
            return text(StatusCode::OK, said);
        }
        text(
            StatusCode::NOT_FOUND,
            "no such page: try / or /frame1\n".into(),
        )
    }
}

/// "HTTP/2" or "HTTP/1.1": the protocol a request came over.
fn protocol_name(version: Version) -> &'static str {
    match version {
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    }
}

/// The wait a request asks for with `?wait=SECONDS`, or `default`.
fn wait_asked(query: &str, default: Duration) -> Duration {
    let seconds = parse_qs(query)
        .ok()
        .and_then(|form| form.get("wait")?.parse::<u64>().ok());
    seconds.map_or(default, |seconds| {
        Duration::from_secs(seconds).min(LONGEST_WAIT)
    })
}

/// "1 request in flight", "16 requests in flight".
fn in_flight_text(count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} request{plural} in flight")
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn html(body: String) -> Response<Full<Bytes>> {
    let mut response = text(StatusCode::OK, body);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// The page: FRAMES frames, loaded at once, each waiting `wait` for the
/// others (`/?wait=10` passes 10 seconds on).
fn page(wait: Duration, protocol: &str) -> String {
    let seconds = wait.as_secs();
    let frames: String = (1..=FRAMES)
        .map(|number| {
            format!(
                "<iframe src=\"/frame{number}?wait={seconds}\" title=\"frame {number}\"></iframe>\n"
            )
        })
        .collect();
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parallelometer over HTTPS</title>
{ICON_LINK}
<style>{STYLESHEET}</style>
<style>
.frames {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.5rem; }}
@media (max-width: 36rem) {{ .frames {{ grid-template-columns: repeat(2, 1fr); }} }}
iframe {{ display: block; box-sizing: border-box; width: 100%; height: 8rem; border: 1px solid #8c959f; border-radius: 6px; background: white; }}
</style>
</head>
<body>
<main>
<h1>Parallelometer over HTTPS</h1>
<p class="protocol">This page came over <strong>{protocol}</strong>.</p>
<p>The browser asks for these {FRAMES} frames at once. Each frame waits up
to {seconds} {unit} for the others, then shows how many requests the server
had in flight together, the protocol it came over, and the client port of
its connection: over HTTP/2 one connection carries all of them.</p>
<div class="frames">
{frames}</div>
</main>
</body>
</html>
"#
    )
}

/// One frame: its number, how many requests were in flight with it, the
/// protocol and the connection it came on.
fn frame_page(number: usize, count: usize, protocol: &str, port: u16) -> String {
    let protocol = escape_html(protocol);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Frame {number}</title>
{ICON_LINK}
<style>{STYLESHEET}</style>
<style>
body {{ max-width: none; margin: 0; padding: 0.4em; font-size: 1rem; line-height: 1.25; background: white; }}
p {{ margin: 0; }}
.count {{ font-size: 1.2em; font-weight: bold; text-wrap: balance; overflow-wrap: normal; }}
</style>
</head>
<body>
<p class="count">{}</p>
<p class="protocol">{protocol}</p>
<p class="connection">port {port}</p>
<p>frame {number}</p>
</body>
</html>
"#,
        in_flight_text(count)
    )
}

// ---------------------------------------------------------------------
// Step b: serving HTTPS, a task per connection, HTTP/1.1 and HTTP/2.
// ---------------------------------------------------------------------

/// Serves one connection that has started a TLS handshake: finishes the
/// handshake, then serves HTTP over the encrypted stream.
async fn serve_tls(
    stream: TcpStream,
    client: SocketAddr,
    tls: TlsAcceptor,
    meter: Arc<Parallelometer>,
) {
    let stream = match tls.accept(stream).await {
        Ok(stream) => stream,
        Err(error) => {
            // A client that does not trust the certificate hangs up here:
            // one line, and nothing else happens.
            eprintln!("{client} - TLS handshake failed: {error}");
            return;
        }
    };
    let service = service_fn(move |request| {
        let meter = Arc::clone(&meter);
        async move {
            // One line per request, as every lesson logs them.
            let line = format!(
                "\"{} {} {:?}\"",
                request.method(),
                request.uri(),
                request.version()
            );
            let response = meter.answer(request, client).await;
            eprintln!("{client} - {line} {}", response.status().as_u16());
            Ok::<_, Infallible>(response)
        }
    });
    // TODO(b): serve HTTP/1.1 and HTTP/2
    // `auto` reads the first bytes: the HTTP/2 preface, or an HTTP/1.1
    // request line. ALPN told the client which to send.
    let served = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
    // END TODO(b)
    if let Err(error) = served {
        eprintln!("{client} - connection ended: {error}");
    }
}

/// Accepts connections on the HTTPS port for ever.
async fn serve_https(
    listener: TcpListener,
    tls: TlsAcceptor,
    meter: Arc<Parallelometer>,
    https_url: String,
) {
    loop {
        let (stream, client) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors, say: wait a moment, go on.
                eprintln!("https_server: accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (tls, meter, https_url) = (tls.clone(), Arc::clone(&meter), https_url.clone());
        let connection = async move {
            if speaks_tls(&stream, client, &https_url).await {
                serve_tls(stream, client, tls, meter).await;
            }
        };
        // TODO(b): a task per connection
        // A task is a connection's own work, run by tokio's few threads
        // whenever it can go on: a task waiting for a frame or a hold
        // costs no thread, and the loop goes straight back to `accept`.
        tokio::spawn(connection);
        // END TODO(b)
    }
}

// ---------------------------------------------------------------------
// Step c: the plain-HTTP door.
// ---------------------------------------------------------------------

/// Looks at the connection's first byte without taking it: a TLS
/// handshake goes on to [`serve_tls`] (true); plain HTTP gets a 400 that
/// says where to go instead of a connection that dies (false).
async fn speaks_tls(stream: &TcpStream, client: SocketAddr, https_url: &str) -> bool {
    let mut first = [0u8; 1];
    if !matches!(stream.peek(&mut first).await, Ok(1)) {
        return false; // closed before it said anything
    }
    // TODO(c): answer plain HTTP on the HTTPS port with a 400
    if first[0] == TLS_HANDSHAKE {
        return true;
    }
    eprintln!("{client} - plain HTTP on the HTTPS port: answered 400");
    let _ = refuse_plain_http(stream, https_url).await;
    false
    // END TODO(c)
}

/// The 400 for plain HTTP on the HTTPS port.
#[allow(dead_code)] // until step c
async fn refuse_plain_http(stream: &TcpStream, https_url: &str) -> std::io::Result<()> {
    // Read the request first (its head, up to 8 KiB, for 2 seconds at
    // most): a connection closed with unread bytes is reset, and the
    // client might lose the answer.
    let mut head = Vec::new();
    let _ = timeout(Duration::from_secs(2), async {
        let mut buffer = [0u8; 1024];
        while head.len() < 8192 && !head.windows(4).any(|window| window == b"\r\n\r\n") {
            stream.readable().await?;
            match stream.try_read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => head.extend_from_slice(&buffer[..read]),
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(error) => return Err(error),
            }
        }
        Ok(())
    })
    .await;
    let body = format!("This port speaks HTTPS, not plain HTTP: use {https_url}\n");
    let answer = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut written = 0;
    while written < answer.len() {
        stream.writable().await?;
        match stream.try_write(&answer.as_bytes()[written..]) {
            Ok(count) => written += count,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// The answer of the plain-HTTP port to every request: a permanent
/// redirect to the same path over HTTPS.
fn redirect(request: &Request<Incoming>, https_port: u16, own_host: &str) -> Response<Full<Bytes>> {
    // TODO(c): 308 to the same path on https://
    // The host the client asked for, without its port: the certificate
    // has its name. 308, not 301: a POST stays a POST.
    let host = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|host| host.to_str().ok())
        .map_or(own_host, host_without_port);
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    let location = format!("https://{host}:{https_port}{path}");
    let mut response = text(
        StatusCode::PERMANENT_REDIRECT,
        format!("This site is at {location}\n"),
    );
    if let Ok(location) = hyper::header::HeaderValue::from_str(&location) {
        response
            .headers_mut()
            .insert(hyper::header::LOCATION, location);
    }
    response
    // END TODO(c)
}

/// `localhost` from `localhost:8080`, `[::1]` from `[::1]:8080`.
#[allow(dead_code)] // until step c
fn host_without_port(host: &str) -> &str {
    if let Some(end) = host.find(']') {
        return &host[..=end];
    }
    host.split(':').next().unwrap_or(host)
}

/// The plain-HTTP port: every request gets [`redirect`]ed.
async fn serve_http_door(listener: TcpListener, https_port: u16, own_host: String) {
    loop {
        let Ok((stream, client)) = listener.accept().await else {
            continue;
        };
        let own_host = own_host.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let response = redirect(&request, https_port, &own_host);
                eprintln!(
                    "{client} - \"{} {} {:?}\" {} (plain HTTP)",
                    request.method(),
                    request.uri(),
                    request.version(),
                    response.status().as_u16()
                );
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

// ---------------------------------------------------------------------
// Starting up.
// ---------------------------------------------------------------------

/// A host as it goes in a URL: `127.0.0.1`, `[::1]`.
fn url_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }
}

async fn bind(host: IpAddr, port: u16, what: &str) -> Result<TcpListener, String> {
    TcpListener::bind((host, port)).await.map_err(|error| {
        format!(
            "cannot listen for {what} on {}:{port}: {error}",
            url_host(host)
        )
    })
}

async fn run() -> Result<(), String> {
    let config = Config::from_env()?;
    let files = load_or_make(&config.tls_dir)?;
    let tls = TlsAcceptor::from(Arc::new(tls_config(&files)?));
    let https = bind(config.host, config.port, "HTTPS").await?;
    let http = bind(config.host, config.http_port, "plain HTTP").await?;
    let https_address = https.local_addr().map_err(|error| error.to_string())?;
    let http_address = http.local_addr().map_err(|error| error.to_string())?;
    let host = url_host(config.host);
    let https_url = format!("https://{host}:{}/", https_address.port());
    // The first line names both addresses: checks and scripts read it.
    println!(
        "Serving HTTPS on {https_url} and plain HTTP on http://{host}:{}/ (Ctrl-C to stop)",
        http_address.port()
    );
    let _ = std::io::stdout().flush();
    let ca = config.tls_dir.join("ca.pem");
    eprintln!(
        "https_server: to trust it: curl --cacert {} https://localhost:{}/ ; a browser: see \
         \"Trusting ca.pem\" in lessons/10_https/README.md (and how to undo it)",
        ca.display(),
        https_address.port()
    );
    tokio::spawn(serve_http_door(http, https_address.port(), host));
    serve_https(https, tls, Arc::new(Parallelometer::new()), https_url).await;
    Ok(())
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("https_server: cannot start tokio: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("https_server: {error}");
            ExitCode::FAILURE
        }
    }
}
