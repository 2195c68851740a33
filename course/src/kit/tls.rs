//! HTTPS for the checks of lesson 10: a server that prints two addresses
//! and makes its own certificate authority, clients that trust only that
//! authority, and handshakes made by hand to see what the server offers.
//!
//! The server gets a `TLS_DIR` of the session's own (never the student's
//! `.course/tls/`) and `HTTP_PORT=0` beside `PORT=0`. Its first line names
//! both addresses: `Serving HTTPS on https://127.0.0.1:P/ and plain HTTP
//! on http://127.0.0.1:Q/`; the session's `base_url` is the `http://` one,
//! [`TlsServer::https`] the other.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::blocking::Client;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::process::Launch;
use crate::{Failure, Session};

/// The lesson's server, as a check sees it.
#[derive(Debug, Clone)]
pub struct TlsServer {
    /// `https://127.0.0.1:P`, without a final slash.
    pub https: String,
    /// `http://127.0.0.1:Q`, the plain-HTTP port, without a final slash.
    pub http: String,
    /// Where the HTTPS port listens.
    pub address: SocketAddr,
    /// The folder its certificate is in (`TLS_DIR`).
    pub tls_dir: PathBuf,
}

/// The `https://host:port` in a server's first line, without a final
/// slash.
///
/// ```
/// let line = "Serving HTTPS on https://127.0.0.1:8443/ and plain HTTP on http://127.0.0.1:8080/";
/// assert_eq!(course::kit::tls::https_in(line).as_deref(), Some("https://127.0.0.1:8443"));
/// assert_eq!(course::kit::tls::https_in("Serving HTTP on http://127.0.0.1:8000/"), None);
/// ```
pub fn https_in(line: &str) -> Option<String> {
    let start = line.find("https://")?;
    let rest = &line[start..];
    let end = rest
        .char_indices()
        .skip("https://".len())
        .find(|&(_, c)| c == '/' || c.is_whitespace())
        .map_or(rest.len(), |(at, _)| at);
    let url = &rest[..end];
    let (_, port) = url.rsplit_once(':')?;
    port.parse::<u16>().ok().filter(|&port| port != 0)?;
    Some(url.to_owned())
}

/// Starts (or starts again) the server with a `TLS_DIR` of the session's
/// own, `PORT=0` and `HTTP_PORT=0`, and reads where it listens.
pub fn start(session: &mut Session) -> Result<TlsServer, Failure> {
    let tls_dir = session.temp_dir()?.join("tls");
    session.set_launch(
        Launch::default()
            .env("TLS_DIR", tls_dir.display().to_string())
            .env("PORT", "0")
            .env("HTTP_PORT", "0"),
    );
    let server = session.restart()?;
    let line = server.first_line().to_owned();
    let http = server.base_url().to_owned();
    let Some(https) = https_in(&line) else {
        return Err(Failure::plain(
            format!(
                "the first line was {line:?}: no https:// address{}",
                server.output_for_report()
            ),
            "The first line names both addresses, the https:// one and the http:// one, as \
             run() prints it: keep that println! as it is.",
        ));
    };
    let authority = https.trim_start_matches("https://");
    let address = authority
        .parse()
        .map_err(|_| Failure::plain(format!("not an address: {authority}"), ""))?;
    Ok(TlsServer {
        https,
        http,
        address,
        tls_dir,
    })
}

impl TlsServer {
    /// The text of `name` in `TLS_DIR` (`ca.pem`), or a failure that says
    /// it is missing.
    pub fn file(&self, name: &str) -> Result<String, Failure> {
        let path = self.tls_dir.join(name);
        std::fs::read_to_string(&path).map_err(|error| {
            Failure::plain(
                format!("could not read {}: {error}", path.display()),
                "The server writes ca.pem, cert.pem and key.pem to the folder TLS_DIR names \
                 before it starts listening (step a: save).",
            )
        })
    }

    /// A client that trusts `ca.pem` and nothing else (no certificate
    /// built into reqwest), follows no redirect, and offers `h2` and
    /// `http/1.1` by ALPN, or only `http/1.1` with `http1_only`.
    pub fn client(&self, http1_only: bool) -> Result<Client, Failure> {
        let ca = self.file("ca.pem")?;
        let certificate = reqwest::Certificate::from_pem(ca.as_bytes()).map_err(|error| {
            Failure::plain(
                format!("ca.pem is not a certificate: {error}"),
                "ca.pem holds the authority's certificate, in PEM form: pem() of what \
                 self_signed returned.",
            )
        })?;
        let mut builder = Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(certificate)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .no_proxy();
        if http1_only {
            builder = builder.http1_only();
        }
        builder.build().map_err(|error| {
            Failure::plain(
                format!("could not make a client trusting ca.pem: {error}"),
                "",
            )
        })
    }

    /// A TLS handshake by hand, with the address of the HTTPS port and
    /// `name` as the name the client asks for (`localhost`, `127.0.0.1`,
    /// `::1`: the certificate must carry it), trusting `ca.pem` only and
    /// offering `alpn`, at the TLS versions `versions`.
    pub fn handshake(
        &self,
        name: &str,
        alpn: &[&str],
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<Handshake, String> {
        let ca = self.file("ca.pem").map_err(|failure| failure.got)?;
        let mut roots = rustls::RootCertStore::empty();
        for certificate in CertificateDer::pem_slice_iter(ca.as_bytes()) {
            let certificate = certificate.map_err(|error| format!("ca.pem: {error}"))?;
            roots
                .add(certificate)
                .map_err(|error| format!("ca.pem: {error}"))?;
        }
        self.handshake_trusting(roots, name, alpn, versions)
    }

    /// A handshake by a client that trusts nothing (as a browser that was
    /// never told about `ca.pem`): it fails, and says why.
    pub fn untrusting_handshake(&self) -> Result<(), String> {
        let (roots, versions) = (rustls::RootCertStore::empty(), rustls::DEFAULT_VERSIONS);
        self.handshake_trusting(roots, "localhost", &[], versions)
            .map(|_| ())
    }

    /// A handshake by a client that trusts `roots` only, as for
    /// [`TlsServer::handshake`].
    fn handshake_trusting(
        &self,
        roots: rustls::RootCertStore,
        name: &str,
        alpn: &[&str],
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Result<Handshake, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(|error| error.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|name| name.as_bytes().to_vec()).collect();
        let server_name =
            ServerName::try_from(name.to_owned()).map_err(|error| error.to_string())?;
        let mut connection = rustls::ClientConnection::new(Arc::new(config), server_name)
            .map_err(|error| error.to_string())?;
        let mut socket = self.connect()?;
        while connection.is_handshaking() {
            connection
                .complete_io(&mut socket)
                .map_err(|error| error.to_string())?;
        }
        let handshake = Handshake {
            alpn: connection
                .alpn_protocol()
                .map(|alpn| String::from_utf8_lossy(alpn).into_owned()),
            version: connection
                .protocol_version()
                .map(|version| format!("{version:?}")),
        };
        // Say goodbye properly, so that the server logs no failure.
        connection.send_close_notify();
        let _ = connection.complete_io(&mut socket);
        Ok(handshake)
    }

    /// A plain TCP connection to the HTTPS port (reads wait 10 s at most).
    fn connect(&self) -> Result<TcpStream, String> {
        let socket = TcpStream::connect_timeout(&self.address, Duration::from_secs(5))
            .map_err(|error| format!("could not connect: {error}"))?;
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|error| error.to_string())?;
        Ok(socket)
    }

    /// Sends `bytes` to the HTTPS port over plain TCP, as a client that
    /// forgot the `s` of `https`, and reads the answer to the end.
    pub fn send_plain(&self, bytes: &[u8]) -> Result<String, String> {
        let mut socket = self.connect()?;
        socket
            .write_all(bytes)
            .map_err(|error| format!("could not send: {error}"))?;
        let mut answer = Vec::new();
        match socket.read_to_end(&mut answer) {
            Ok(_) => Ok(String::from_utf8_lossy(&answer).into_owned()),
            Err(_) if !answer.is_empty() => Ok(String::from_utf8_lossy(&answer).into_owned()),
            Err(error) => Err(format!("no answer: {error}")),
        }
    }
}

/// What a handshake agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// The protocol the server chose by ALPN (`h2`, `http/1.1`), if any.
    pub alpn: Option<String>,
    /// The TLS version: `TLSv1_3`, `TLSv1_2`.
    pub version: Option<String>,
}
