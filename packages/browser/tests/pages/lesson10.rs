//! Lesson 10, HTTPS and HTTP/2: lesson 6's parallelometer over TLS, in a
//! Chromium that trusts the certificate the solution made, for this case
//! only. Over HTTP/2 the browser sends all 16 frames at once on one
//! connection, so every frame sees 16 in flight (lesson 6's page saw 6 at
//! most: the browser's limit of HTTP/1.1 connections).
//!
//! The trust: the server makes its certificate authority and certificate
//! in a fresh `TLS_DIR` on its first start, which the case makes once
//! before the browser starts; Chromium is then told the SHA-256 of the
//! certificate's public key (`--ignore-certificate-errors-spki-list`), and
//! the server, started again on the same folder, reuses that certificate.
//! No certificate store of this computer changes.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, ensure};
use base64::Engine;
use browser_tests::page::screenshot_folder;
use browser_tests::{Availability, Page, Setup, availability, page_case_with};
use course::process::{Launch, ServerProcess};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::Value;

use crate::layout;

const LESSON: &str = "10_https";
const SERVER: &str = "https_server_sol";
const FRAMES: usize = 16;

/// The base64 SHA-256 of the SubjectPublicKeyInfo of the certificate in
/// `cert_pem`: what Chromium's `--ignore-certificate-errors-spki-list`
/// takes.
fn spki_sha256(cert_pem: &[u8]) -> Result<String> {
    let der = CertificateDer::from_pem_slice(cert_pem)
        .map_err(|error| anyhow!("cert.pem holds no certificate: {error}"))?;
    let certificate = webpki::EndEntityCert::try_from(&der)
        .map_err(|error| anyhow!("cert.pem is not a certificate: {error}"))?;
    let spki = certificate.subject_public_key_info();
    let hash = ring::digest::digest(&ring::digest::SHA256, spki.as_ref());
    Ok(base64::engine::general_purpose::STANDARD.encode(hash.as_ref()))
}

/// The solution's launch with a fresh `TLS_DIR` of the case's own (under
/// `target/`, never `.course/tls/`) and a free plain-HTTP port beside the
/// free HTTPS one; and a Chromium that trusts the certificate the
/// solution makes there. Starts the solution once, so that it makes it.
fn trusting_setup(case: &str) -> Result<Setup> {
    let folder: PathBuf = screenshot_folder()
        .with_file_name("browser-tmp")
        .join(format!("{LESSON}-{case}"));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot make {}", folder.display()))?;
    let tls_dir = folder.join("tls");
    let launch = Launch::default()
        .env("TLS_DIR", tls_dir.display().to_string())
        .env("PORT", "0")
        .env("HTTP_PORT", "0");
    let binary = course::process::build(SERVER, false)
        .map_err(|output| anyhow!("cargo build --bin {SERVER} failed:\n{}", output.messages))?;
    // Its first line comes once the certificate is written.
    drop(ServerProcess::start_with(&binary, SERVER, &launch).map_err(|f| anyhow!("{f}"))?);
    let cert = tls_dir.join("cert.pem");
    let pem = std::fs::read(&cert).with_context(|| format!("cannot read {}", cert.display()))?;
    Ok(Setup {
        launch,
        chromium_arguments: vec![format!(
            "--ignore-certificate-errors-spki-list={}",
            spki_sha256(&pem)?
        )],
        https: true,
        ..Setup::default()
    })
}

/// The text of `selector` in each frame that shows one, in page order.
fn frame_texts(page: &Page, selector: &str) -> Result<Vec<String>> {
    let texts = page.browser.run_script_with(
        "return Array.from(document.querySelectorAll('iframe')).map(frame => {
             const found = frame.contentDocument && frame.contentDocument.querySelector(arguments[0]);
             return found ? found.textContent : '';
         });",
        &[Value::from(selector)],
    )?;
    Ok(texts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|text| text.as_str())
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The protocol the browser itself recorded for the page
/// (`nextHopProtocol` of its navigation entry) and for each frame (of the
/// page's resource entries the frames made), as `(path, protocol)`.
fn recorded_protocols(page: &Page) -> Result<(String, Vec<(String, String)>)> {
    let record = page.script(
        "const navigation = performance.getEntriesByType('navigation')[0];
         return {
             page: navigation ? navigation.nextHopProtocol : '',
             frames: performance.getEntriesByType('resource')
                 .filter(entry => entry.initiatorType === 'iframe')
                 .map(entry => [new URL(entry.name).pathname, entry.nextHopProtocol]),
         };",
    )?;
    let page_protocol = record["page"].as_str().unwrap_or_default().to_owned();
    let frames = record["frames"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            let text = |at: usize| entry[at].as_str().unwrap_or_default().to_owned();
            (text(0), text(1))
        })
        .collect();
    Ok((page_protocol, frames))
}

#[test]
fn sixteen_frames_in_flight_on_one_http2_connection() {
    // Without a browser, the case says so (or fails where it must run)
    // before anything is built.
    let setup = match availability() {
        Availability::Ready { .. } => trusting_setup("h2")
            .unwrap_or_else(|error| panic!("browser case {LESSON}/h2 failed: {error:#}")),
        _ => Setup::default(),
    };
    page_case_with(LESSON, "h2", SERVER, &setup, |page| {
        // With time to gather (5 seconds, not the page's 1, for a busy
        // machine), every frame sees all 16.
        page.open("/?wait=5")?;
        ensure!(
            page.base_url().starts_with("https://"),
            "the page should be opened over https://, not at {}",
            page.base_url()
        );
        page.wait_until("the title Parallelometer over HTTPS", |page| {
            Ok(page.browser.title()? == "Parallelometer over HTTPS")
        })?;
        page.wait_until(&format!("{FRAMES} frames to show a count"), |page| {
            Ok(frame_texts(page, ".count")?.len() >= FRAMES)
        })?;
        let counts = frame_texts(page, ".count")?;
        ensure!(
            counts.iter().all(|count| count == "16 requests in flight"),
            "over HTTP/2 every frame should say 16 requests in flight, but they said {counts:?}"
        );
        // What the server saw: HTTP/2, and one connection (one client
        // port) for all the frames.
        let said = page.text_of(".protocol")?;
        ensure!(
            said.contains("HTTP/2"),
            "the page should say it came over HTTP/2, but says {said:?}"
        );
        let protocols = frame_texts(page, ".protocol")?;
        ensure!(
            protocols.len() == FRAMES && protocols.iter().all(|said| said == "HTTP/2"),
            "every frame should say HTTP/2, but they said {protocols:?}"
        );
        let mut ports = frame_texts(page, ".connection")?;
        ports.dedup();
        ensure!(
            ports.len() == 1,
            "the frames should all have come on one connection, but name the ports {ports:?}"
        );
        // What the browser recorded: h2, for the page and every frame.
        let (page_protocol, frames) = recorded_protocols(page)?;
        ensure!(
            page_protocol == "h2",
            "the browser's record (nextHopProtocol of the navigation) says {page_protocol:?}, not h2"
        );
        let mut paths: Vec<&str> = frames.iter().map(|(path, _)| path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        ensure!(
            paths.len() == FRAMES && frames.iter().all(|(_, protocol)| protocol == "h2"),
            "the browser's record of the frames (nextHopProtocol of their resource entries) \
             should say h2 for /frame1 ... /frame{FRAMES}, but says {frames:?}"
        );
        layout::has_main(page)?;
        // Tall enough for all four rows of frames in the lesson's picture.
        page.browser.resize(900, 1000)?;
        page.screenshot_of("body", "10_https-h2-page")?;
        // The page and its frames name their icon: no /favicon.ico asked.
        layout::asks_for_no_favicon(page)?;
        Ok(())
    });
}
