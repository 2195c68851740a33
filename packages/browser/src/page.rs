//! Running one browser case: finding Chromium (or skipping), starting the
//! lesson's solution and a browser, waiting for what the page shows, and
//! keeping a screenshot.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use course::kit::tls::https_in;
use course::process::{Launch, ServerProcess};
use serde_json::Value;

use crate::audit::{self, AxeCore, Findings, Width};
use crate::webdriver::{Browser, Element};

/// How long to wait for a page to show something: generous, because a
/// slow machine is not a broken page.
const WAIT: Duration = Duration::from_secs(30);
/// The window a case starts with: a small laptop screen.
const WINDOW: (u32, u32) = (900, 700);

/// Whether the browser tests can run here, and whether they must.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// chromedriver and Chromium are installed.
    Ready {
        /// The chromedriver program.
        driver: PathBuf,
        /// The Chromium program.
        chromium: PathBuf,
    },
    /// They are missing, and that is fine: the cases pass without running.
    Skip(String),
    /// They are missing, and the tests were told to run (in CI).
    Missing(String),
}

/// Finds chromedriver and Chromium on the `PATH`.
///
/// `BROWSER_TESTS=required`, or `CI=true` as CI services set it, makes a
/// missing browser an error; `BROWSER_TESTS=skip` skips the cases even
/// when a browser is there.
pub fn availability() -> Availability {
    let setting = std::env::var("BROWSER_TESTS").unwrap_or_default();
    if setting == "skip" {
        return Availability::Skip("skipped: BROWSER_TESTS=skip".into());
    }
    let driver = find_program(&["chromedriver"]);
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    match (driver, chromium) {
        (Some(driver), Some(chromium)) => Availability::Ready { driver, chromium },
        _ if required() => Availability::Missing(
            "the browser tests must run here (CI or BROWSER_TESTS=required), but chromedriver \
             or Chromium is missing: apt-get install chromium chromium-driver"
                .into(),
        ),
        _ => Availability::Skip(
            "browser tests skipped: no Chromium here. To run them: \
             apt-get install chromium chromium-driver"
                .into(),
        ),
    }
}

/// Whether the browser tests must run (`BROWSER_TESTS=required`, or `CI`
/// set to `true` or `1`): then a missing browser, or a missing axe-core,
/// fails them.
fn required() -> bool {
    std::env::var("BROWSER_TESTS").is_ok_and(|setting| setting == "required")
        || std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// The first of `names` found in a folder of the `PATH`.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|folder| folder.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// One Chromium at a time: the cases share a small machine, and a browser
/// is the heaviest thing in the test suite.
static ONE_BROWSER_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs a browser case against the solution `binary` of lesson `lesson`
/// (its folder name, such as `2_messageboard`): starts the server on a
/// free port and a fresh headless Chromium, runs `case`, and saves a
/// screenshot of where it ended to
/// `target/browser-screenshots/<lesson>-<name>.png`, whether it passed
/// or not.
///
/// Every page the case opens, and the state it ends in, also get the
/// checks of [`audit`]: axe-core's accessibility audit, the phone-width
/// pass and a clean console. What they find fails the case at its end.
///
/// Panics (fails the test) when the case fails, or when the browser is
/// missing where it is required; otherwise prints one line and returns.
pub fn page_case(
    lesson: &str,
    name: &str,
    binary: &str,
    case: impl FnOnce(&mut Page) -> Result<()>,
) {
    page_case_with(lesson, name, binary, &Setup::default(), case);
}

/// How [`page_case_with`] starts the server and the browser.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The server's environment and folder, as the checks start it (lesson
    /// 9 sets `TODO_DB` to a file of the case's own). `PORT` is `0`.
    pub launch: Launch,
    /// Whether pages may run JavaScript. `false` is a visitor who turned it
    /// off: Chromium starts with `--blink-settings=scriptEnabled=false`,
    /// which stops the page's own scripts; the case's [`Page::script`]
    /// still runs, through the browser's DevTools.
    pub javascript: bool,
    /// More arguments for Chromium's command line, after the suite's own
    /// (lesson 10: `--ignore-certificate-errors-spki-list=...`, to trust
    /// the certificate its server made, for this case only).
    pub chromium_arguments: Vec<String>,
    /// Whether the pages are at the `https://` address that the server's
    /// first line names beside its `http://` one (lesson 10), rather than
    /// at the `http://` one.
    pub https: bool,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            launch: Launch::default(),
            javascript: true,
            chromium_arguments: Vec::new(),
            https: false,
        }
    }
}

/// [`page_case`], with the server and the browser started as `setup` says.
///
/// ```no_run
/// use browser_tests::page::{Setup, page_case_with};
/// use course::process::Launch;
///
/// let setup = Setup {
///     launch: Launch::default().env("TODO_DB", "/tmp/case.sqlite3"),
///     javascript: false,
///     ..Setup::default()
/// };
/// page_case_with("9_todo_app", "no-script", "todo_app_sol", &setup, |page| {
///     page.open("/")?;
///     page.wait_for_text("h1", "Todo List")
/// });
/// ```
pub fn page_case_with(
    lesson: &str,
    name: &str,
    binary: &str,
    setup: &Setup,
    case: impl FnOnce(&mut Page) -> Result<()>,
) {
    let (driver, chromium) = match availability() {
        Availability::Ready { driver, chromium } => (driver, chromium),
        Availability::Skip(why) => return say_once(&why),
        Availability::Missing(why) => panic!("{why}"),
    };
    let axe = match audit::axe_core(required()) {
        AxeCore::Ready(source) => Some(source),
        AxeCore::Skip(why) => {
            static AXE_MISSING: Once = Once::new();
            AXE_MISSING.call_once(|| say(&why));
            None
        }
        AxeCore::Missing(why) => panic!("{why}"),
    };
    let _turn = ONE_BROWSER_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let screenshot = screenshot_folder().join(format!("{lesson}-{name}.png"));
    let result = start_solution(binary, &setup.launch).and_then(|server| {
        let base_url = if setup.https {
            https_in(server.first_line()).ok_or_else(|| {
                anyhow!(
                    "{binary}'s first line names no https:// address: {:?}",
                    server.first_line()
                )
            })?
        } else {
            server.base_url().to_owned()
        };
        let browser = Browser::start_with(
            &driver,
            &chromium,
            WINDOW.0,
            WINDOW.1,
            setup.javascript,
            &setup.chromium_arguments,
        )?;
        let mut page = Page {
            server,
            base_url,
            browser,
            lesson: lesson.to_owned(),
            axe,
            javascript: setup.javascript,
            findings: Findings::default(),
        };
        let outcome = case(&mut page);
        let saved = page.browser.screenshot(&screenshot);
        // The state the case ends in, audited like every page it opened.
        let audited = page
            .audit()
            .context("the audit of the page the case ends on failed");
        let verdict = page.findings.verdict();
        let failures: Vec<String> = [outcome, audited, verdict]
            .into_iter()
            .filter_map(|result| result.err().map(|error| format!("{error:#}")))
            .collect();
        if failures.is_empty() {
            return Ok(());
        }
        let failures = failures.join("\n");
        Err(match saved {
            Ok(path) => anyhow!("{failures}\nthe page as it was: {}", path.display()),
            Err(why) => anyhow!("{failures}\n(no screenshot: {why:#})"),
        })
    });
    if let Err(error) = result {
        panic!("browser case {lesson}/{name} failed: {error:#}");
    }
}

/// Prints `line` once per test program, past the test harness's capture
/// (which would hide it for a passing test).
fn say_once(line: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| say(line));
}

/// Prints `line` past the test harness's capture.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Where screenshots go: `target/browser-screenshots/`, never the sources.
pub fn screenshot_folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| course::process::repository_root().join("target"));
    target.join("browser-screenshots")
}

/// Builds a lesson's binary with Cargo (once per test program) and starts
/// it on a free port, as `launch` says.
///
/// The one place that uses the checker's process helpers: if they move,
/// only this function changes.
fn start_solution(binary: &str, launch: &Launch) -> Result<ServerProcess> {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(PoisonError::into_inner);
    let path = match built.iter().find(|(name, _)| name == binary) {
        Some((_, path)) => path.clone(),
        None => {
            let path = course::process::build(binary, false).map_err(|output| {
                anyhow!("cargo build --bin {binary} failed:\n{}", output.messages)
            })?;
            built.push((binary.to_owned(), path.clone()));
            path
        }
    };
    drop(built);
    ServerProcess::start_with(&path, binary, launch).map_err(|failure| anyhow!("{failure}"))
}

/// What a case works with: the lesson's server, and a browser to visit it.
pub struct Page {
    /// The solution under test, on its own port.
    pub server: ServerProcess,
    /// Where its pages are: the server's address, or its `https://` one
    /// ([`Setup::https`]).
    base_url: String,
    /// The browser, for what the helpers below do not cover.
    pub browser: Browser,
    /// The lesson's folder, such as `2_messageboard`.
    lesson: String,
    /// axe-core's source, when it is installed.
    axe: Option<Arc<str>>,
    /// Whether the page's own scripts run ([`Setup::javascript`]).
    javascript: bool,
    /// What the audits found so far.
    findings: Findings,
}

impl Page {
    /// Opens `path` (such as `/` or `/Hello%20World`) on the lesson's server,
    /// and audits the page (see [`Page::audit`]).
    pub fn open(&mut self, path: &str) -> Result<()> {
        let url = format!("{}{path}", self.base_url);
        self.browser
            .open(&url)
            .with_context(|| format!("could not open {url}"))?;
        self.audit()
            .with_context(|| format!("the audit of {path} failed to run"))
    }

    /// Audits the page as it is now, as [`Page::open`] does after loading a
    /// page and the end of every case does: axe-core at the window's width
    /// and at a phone's, the phone-width pass, and the errors the browser
    /// logged since the last audit. A case calls it at a state in between
    /// that it neither opens nor ends on (a list after a post, a form
    /// that says what was wrong). What it finds fails the case at its end,
    /// so that one run reports everything; it fails at once only when the
    /// audit cannot run.
    ///
    /// Only the lesson's own HTML pages are audited (not a plain-text page,
    /// nor another server's page a link led to); the log is read whatever
    /// the page.
    pub fn audit(&mut self) -> Result<()> {
        let shown = self.own_path()?;
        if let Some(path) = &shown
            && audit::is_html(&self.browser)?
        {
            // axe waits on timers, which a page without JavaScript never
            // fires: scripts come on for the audit alone (the page's own
            // scripts have been skipped already, and stay so).
            if !self.javascript {
                audit::allow_scripts(&self.browser, true)?;
            }
            let audited = self.audit_both_widths(path);
            if !self.javascript {
                audit::allow_scripts(&self.browser, false)?;
            }
            for finding in audited? {
                self.findings.add(finding);
            }
        }
        let base = self.base_url.clone();
        let bases = [base.replace("127.0.0.1", "localhost"), base];
        let shown = shown.unwrap_or_else(|| self.browser.url().unwrap_or_default());
        for finding in audit::console_errors(&self.browser, &shown, &bases)? {
            self.findings.add(finding);
        }
        Ok(())
    }

    /// axe at the window's width, then the phone-width pass and axe at a
    /// phone's.
    fn audit_both_widths(&mut self, path: &str) -> Result<Vec<audit::Finding>> {
        let mut found = Vec::new();
        if let Some(axe) = &self.axe {
            found = audit::run_axe(&self.browser, axe, path, Width::Desktop)?;
        }
        audit::emulate_phone(&self.browser)?;
        let phone = self.at_phone_width(path);
        let back = audit::stop_emulating(&self.browser);
        found.extend(phone?);
        back?;
        Ok(found)
    }

    /// The phone-width pass and the audit, once the browser emulates a phone.
    fn at_phone_width(&mut self, path: &str) -> Result<Vec<audit::Finding>> {
        self.wait_until("the browser to emulate a phone", |page| {
            Ok(page.script("return screen.width")? == audit::PHONE.0)
        })?;
        let mut found = audit::phone_pass(&self.browser, path)?;
        if let Some(axe) = &self.axe {
            found.extend(audit::run_axe(&self.browser, axe, path, Width::Phone)?);
        }
        Ok(found)
    }

    /// Says that the case expects the browser to log an error that starts
    /// with `fragment` (the server's address left out), such as `/todos -
    /// Failed to load resource: the server responded with a status of
    /// 404`: a page that asks on purpose for something that is not there,
    /// or a form refused with a 400. Any other error in the log fails the
    /// case, and so does an expected one that never comes.
    pub fn expect_console_error(&mut self, fragment: &str) {
        self.findings.expect_console_error(fragment);
    }

    /// The path of the page shown now (without its query), if it is one of
    /// the lesson's server (at 127.0.0.1 or localhost).
    fn own_path(&self) -> Result<Option<String>> {
        let url = self.browser.url()?;
        let base = self.base_url.as_str();
        let local = base.replace("127.0.0.1", "localhost");
        let rest = [base, local.as_str()]
            .into_iter()
            .find_map(|base| url.strip_prefix(base))
            .filter(|rest| rest.starts_with('/'));
        Ok(rest.map(|rest| {
            let end = rest.find(['?', '#']).unwrap_or(rest.len());
            rest[..end].to_owned()
        }))
    }

    /// The lesson's folder, such as `2_messageboard`.
    pub fn lesson(&self) -> &str {
        &self.lesson
    }

    /// Where the lesson's pages are, such as `http://127.0.0.1:41234` or,
    /// with [`Setup::https`], `https://127.0.0.1:41235` (no final slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The path of the page the browser shows now, such as `/`.
    pub fn path(&self) -> Result<String> {
        let url = self.browser.url()?;
        Ok(url
            .strip_prefix(self.base_url.as_str())
            .unwrap_or(&url)
            .to_owned())
    }

    /// Waits until `ready` says yes; fails with `what` if it never does.
    /// This is how a case waits: for what the page shows, never for a time.
    pub fn wait_until(
        &mut self,
        what: &str,
        mut ready: impl FnMut(&mut Page) -> Result<bool>,
    ) -> Result<()> {
        let until = Instant::now() + WAIT;
        loop {
            // A page in the middle of loading may refuse a command: try again.
            let last = ready(self);
            if let Ok(true) = last {
                return Ok(());
            }
            if Instant::now() > until {
                let seen = self.text_of("body").unwrap_or_default();
                let why = last
                    .err()
                    .map(|error| format!(" ({error})"))
                    .unwrap_or_default();
                bail!(
                    "waited {} seconds for {what}{why}\nthe page at {} shows:\n{}",
                    WAIT.as_secs(),
                    self.path().unwrap_or_default(),
                    shorten(&seen)
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the first element that `selector` matches shows `text`.
    pub fn wait_for_text(&mut self, selector: &str, text: &str) -> Result<()> {
        self.wait_until(&format!("{selector} to show {text:?}"), |page| {
            Ok(page.text_of(selector)?.contains(text))
        })
    }

    /// Waits until the browser shows the page at `path`.
    pub fn wait_for_path(&mut self, path: &str) -> Result<()> {
        self.wait_until(&format!("the browser to be at {path}"), |page| {
            Ok(page.path()? == path)
        })
    }

    /// The first element that `selector` matches.
    pub fn find(&self, selector: &str) -> Result<Element> {
        self.browser
            .find_all(selector)?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("the page has no {selector}"))
    }

    /// The text of the first element that `selector` matches, as shown.
    pub fn text_of(&self, selector: &str) -> Result<String> {
        self.browser.text(&self.find(selector)?)
    }

    /// The texts of every element that `selector` matches.
    pub fn texts_of(&self, selector: &str) -> Result<Vec<String>> {
        self.browser
            .find_all(selector)?
            .iter()
            .map(|element| self.browser.text(element))
            .collect()
    }

    /// Types `text` into the first element that `selector` matches.
    pub fn type_into(&self, selector: &str, text: &str) -> Result<()> {
        self.browser.type_into(&self.find(selector)?, text)
    }

    /// Clicks the first element that `selector` matches.
    pub fn click(&self, selector: &str) -> Result<()> {
        self.browser.click(&self.find(selector)?)
    }

    /// Runs the body of a JavaScript function in the page.
    pub fn script(&self, script: &str) -> Result<Value> {
        self.browser.run_script(script)
    }

    /// Everything the server logged so far (one line per request).
    pub fn server_log(&self) -> String {
        self.server.output()
    }

    /// Saves a screenshot of the window now, as
    /// `target/browser-screenshots/<name>.png` (for a case that wants more
    /// than the one taken at its end).
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        self.browser
            .screenshot(&screenshot_folder().join(format!("{name}.png")))
    }

    /// Saves a picture of the first element that `selector` matches, and
    /// nothing around it, as `target/browser-screenshots/<name>.png`: the
    /// kind of picture a lesson text shows (`body` is the whole page).
    pub fn screenshot_of(&self, selector: &str, name: &str) -> Result<PathBuf> {
        let path = screenshot_folder().join(format!("{name}.png"));
        self.browser
            .element_screenshot(&self.find(selector)?, &path)
    }

    /// Whether the page is wider than the window (a sideways scroll bar).
    pub fn scrolls_sideways(&self) -> Result<bool> {
        let wider = self.script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth",
        )?;
        Ok(wider.as_bool().unwrap_or(true))
    }
}

/// The first lines of a long text, for a failure message.
fn shorten(text: &str) -> String {
    let mut short: String = text.lines().take(15).collect::<Vec<_>>().join("\n");
    if short.len() > 1500 {
        let mut end = 1500;
        while !short.is_char_boundary(end) {
            end -= 1;
        }
        short.truncate(end);
        short.push('…');
    }
    short
}
