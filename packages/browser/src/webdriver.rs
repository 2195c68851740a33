//! A small WebDriver client: the W3C protocol that `chromedriver` speaks,
//! which is plain HTTP with JSON bodies (<https://www.w3.org/TR/webdriver2/>).
//!
//! Only the commands the course's pages need are here: open a page, find
//! elements, type, click, read text, go back, reload, run a line of
//! JavaScript and take a screenshot.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use reqwest::blocking::Client;
use serde_json::{Value, json};

/// How long chromedriver and a page load may take: generous, since CI
/// machines can be slow and nothing here is a measure of speed.
const GENEROUS: Duration = Duration::from_secs(60);

/// The key under which WebDriver names an element in its JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium, driven through its own chromedriver process. Both
/// stop when it is dropped.
pub struct Browser {
    driver: Child,
    client: Client,
    session: String,
}

/// One line of the browser's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// `SEVERE` (an error), `WARNING`, `INFO` or `DEBUG`.
    pub level: String,
    /// Where it comes from: `console-api` (a script's `console.error`),
    /// `network` (a failed load), `javascript` (an uncaught exception)...
    pub source: String,
    /// What it says, with the address it concerns.
    pub message: String,
}

/// An element of the page, as WebDriver names it.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts `chromedriver` on a free port, and through it a headless
    /// `chromium` with a window of `width` by `height` pixels.
    pub fn start(driver: &Path, chromium: &Path, width: u32, height: u32) -> Result<Browser> {
        Browser::start_with(driver, chromium, width, height, true, &[])
    }

    /// [`Browser::start`], with pages' JavaScript on or off: off is
    /// `--blink-settings=scriptEnabled=false`, as a visitor who turned it
    /// off in the settings (WebDriver's own scripts still run); and with
    /// `more_arguments` for Chromium after the suite's own.
    pub fn start_with(
        driver: &Path,
        chromium: &Path,
        width: u32,
        height: u32,
        javascript: bool,
        more_arguments: &[String],
    ) -> Result<Browser> {
        let mut child = Command::new(driver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", driver.display()))?;
        let port = match driver_port(&mut child) {
            Ok(port) => port,
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(error);
            }
        };
        let client = Client::builder()
            .timeout(GENEROUS * 2)
            .build()
            .context("could not make an HTTP client")?;
        let mut browser = Browser {
            driver: child,
            client,
            session: String::new(),
        };
        let base = format!("http://127.0.0.1:{port}");
        let answer = browser.call(
            reqwest::Method::POST,
            &format!("{base}/session"),
            json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "pageLoadStrategy": "normal",
                "timeouts": { "pageLoad": GENEROUS.as_millis() as u64, "script": GENEROUS.as_millis() as u64 },
                // The browser's console and network errors, for `browser_log`.
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": chromium_arguments(width, height, javascript, more_arguments),
                },
            }}}),
        )?;
        let session = answer["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("chromedriver started no session: {answer}"))?;
        browser.session = format!("{base}/session/{session}");
        Ok(browser)
    }

    /// Sends one WebDriver command and returns the `value` of its answer.
    fn call(&self, method: reqwest::Method, url: &str, body: Value) -> Result<Value> {
        let mut request = self.client.request(method.clone(), url);
        if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
            request = request.json(&body);
        }
        let response = request
            .send()
            .with_context(|| format!("chromedriver did not answer {method} {url}"))?;
        let status = response.status();
        let mut answer: Value = response
            .json()
            .with_context(|| format!("chromedriver's answer to {method} {url} is not JSON"))?;
        let value = answer["value"].take();
        if !status.is_success() {
            bail!(
                "WebDriver {method} {url}: {} ({})",
                value["error"].as_str().unwrap_or("error"),
                value["message"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            );
        }
        Ok(value)
    }

    fn post(&self, command: &str, body: Value) -> Result<Value> {
        self.call(
            reqwest::Method::POST,
            &format!("{}/{command}", self.session),
            body,
        )
    }

    fn get(&self, command: &str) -> Result<Value> {
        self.call(
            reqwest::Method::GET,
            &format!("{}/{command}", self.session),
            Value::Null,
        )
    }

    /// Opens `url` and waits until the page has loaded.
    pub fn open(&self, url: &str) -> Result<()> {
        self.post("url", json!({ "url": url })).map(drop)
    }

    /// The address of the page shown now.
    pub fn url(&self) -> Result<String> {
        Ok(self.get("url")?.as_str().unwrap_or_default().to_owned())
    }

    /// The title of the page shown now.
    pub fn title(&self) -> Result<String> {
        Ok(self.get("title")?.as_str().unwrap_or_default().to_owned())
    }

    /// The browser's Back button.
    pub fn back(&self) -> Result<()> {
        self.post("back", json!({})).map(drop)
    }

    /// The browser's Reload button.
    pub fn refresh(&self) -> Result<()> {
        self.post("refresh", json!({})).map(drop)
    }

    /// Every element that the CSS `selector` matches, in page order.
    pub fn find_all(&self, selector: &str) -> Result<Vec<Element>> {
        let found = self.post(
            "elements",
            json!({ "using": "css selector", "value": selector }),
        )?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|element| element[ELEMENT_KEY].as_str())
            .map(|id| Element(id.to_owned()))
            .collect())
    }

    /// The text of `element` as the page shows it.
    pub fn text(&self, element: &Element) -> Result<String> {
        let text = self.get(&format!("element/{}/text", element.0))?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Types `text` into `element`, as a person at the keyboard would.
    pub fn type_into(&self, element: &Element, text: &str) -> Result<()> {
        self.post(
            &format!("element/{}/value", element.0),
            json!({ "text": text }),
        )
        .map(drop)
    }

    /// Clicks `element`, and waits for any page it opens to load.
    pub fn click(&self, element: &Element) -> Result<()> {
        self.post(&format!("element/{}/click", element.0), json!({}))
            .map(drop)
    }

    /// Runs the body of a JavaScript function in the page; what it returns
    /// comes back as JSON.
    pub fn run_script(&self, script: &str) -> Result<Value> {
        self.post("execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Runs the body of a JavaScript function in the page with `args` (its
    /// `arguments`); what it returns comes back as JSON.
    pub fn run_script_with(&self, script: &str, args: &[Value]) -> Result<Value> {
        self.post("execute/sync", json!({ "script": script, "args": args }))
    }

    /// Runs the body of an asynchronous JavaScript function: it ends when it
    /// calls its last argument, `arguments[arguments.length - 1]`, with
    /// what comes back.
    pub fn run_async_script(&self, script: &str, args: &[Value]) -> Result<Value> {
        self.post("execute/async", json!({ "script": script, "args": args }))
    }

    /// Sends a command of the Chrome DevTools Protocol, such as
    /// `Emulation.setDeviceMetricsOverride`, through chromedriver.
    pub fn devtools(&self, command: &str, params: Value) -> Result<Value> {
        self.post(
            "goog/cdp/execute",
            json!({ "cmd": command, "params": params }),
        )
    }

    /// What the browser logged since the last call: console messages and
    /// failed loads, each with its level (`SEVERE` for an error).
    /// chromedriver's own endpoint, outside the W3C protocol.
    pub fn browser_log(&self) -> Result<Vec<LogEntry>> {
        let entries = self.post("se/log", json!({ "type": "browser" }))?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|entry| LogEntry {
                level: entry["level"].as_str().unwrap_or_default().to_owned(),
                source: entry["source"].as_str().unwrap_or_default().to_owned(),
                message: entry["message"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Makes the window `width` by `height` pixels (a phone, a laptop).
    pub fn resize(&self, width: u32, height: u32) -> Result<()> {
        self.post("window/rect", json!({ "width": width, "height": height }))
            .map(drop)
    }

    /// A PNG picture of the window, saved to `path`.
    pub fn screenshot(&self, path: &Path) -> Result<PathBuf> {
        save_png(&self.get("screenshot")?, path)
    }

    /// A PNG picture of `element` alone (cropped to it), saved to `path`.
    pub fn element_screenshot(&self, element: &Element, path: &Path) -> Result<PathBuf> {
        save_png(
            &self.get(&format!("element/{}/screenshot", element.0))?,
            path,
        )
    }
}

/// Saves a screenshot, which WebDriver sends as base64 text, as a PNG file.
fn save_png(encoded: &Value, path: &Path) -> Result<PathBuf> {
    let png = decode_base64(encoded.as_str().unwrap_or_default())
        .context("the screenshot is not base64")?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot make {}", folder.display()))?;
    }
    std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path.to_path_buf())
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium; then chromedriver can go.
        if !self.session.is_empty() {
            let _ = self.call(reqwest::Method::DELETE, &self.session, Value::Null);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Chromium's command line: headless, quiet and offline. It talks to no
/// one but the test's own server (no updates, sync, metrics or safe
/// browsing lists), and draws at a fixed scale so that screenshots match.
/// A case's `more` come last.
fn chromium_arguments(width: u32, height: u32, javascript: bool, more: &[String]) -> Vec<String> {
    let mut arguments: Vec<String> = [
        "--headless",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-extensions",
        "--disable-sync",
        "--disable-client-side-phishing-detection",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
        "--no-first-run",
        "--no-default-browser-check",
        "--metrics-recording-only",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ]
    .map(String::from)
    .to_vec();
    arguments.push(format!("--window-size={width},{height}"));
    if !javascript {
        arguments.push("--blink-settings=scriptEnabled=false".into());
    }
    // Chromium refuses to run its sandbox as root (CI containers): there it
    // has to go. It only ever opens the test's own pages on 127.0.0.1.
    if running_as_root() {
        arguments.push("--no-sandbox".into());
    }
    arguments.extend_from_slice(more);
    arguments
}

/// Whether this process runs as root: /proc/self belongs to its user.
fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Reads chromedriver's output until it says which port it took:
/// `ChromeDriver was started successfully on port 41235.`
fn driver_port(child: &mut Child) -> Result<u16> {
    let mut stdout = child.stdout.take().context("no output from chromedriver")?;
    let (port_sender, port) = mpsc::channel();
    // The line has no newline after it, so read byte by byte; then keep
    // reading, so that chromedriver never blocks on a full pipe.
    thread::spawn(move || {
        let mut seen = Vec::new();
        let mut byte = [0u8];
        let mut sent = false;
        while let Ok(1) = stdout.read(&mut byte) {
            if sent {
                continue;
            }
            seen.push(byte[0]);
            let text = String::from_utf8_lossy(&seen);
            if let Some(after) = text.split("started successfully on port ").nth(1)
                && let Some((number, _)) = after.split_once(|c: char| !c.is_ascii_digit())
                && let Ok(number) = number.parse::<u16>()
            {
                let _ = port_sender.send(number);
                sent = true;
            }
        }
    });
    port.recv_timeout(GENEROUS)
        .context("chromedriver did not say which port it listens on")
}

/// Decodes standard base64 (how WebDriver sends a screenshot).
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for symbol in text.bytes().filter(|&symbol| symbol != b'=') {
        let value = ALPHABET.iter().position(|&letter| letter == symbol)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64() {
        assert_eq!(decode_base64("SGVsbG8sIEhUVFAh").unwrap(), b"Hello, HTTP!");
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("a!"), None);
    }
}
