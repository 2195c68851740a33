//! What every page a case opens must pass, whatever the case itself checks:
//!
//! - an accessibility audit: [axe-core](https://github.com/dequelabs/axe-core),
//!   with its default rules, finds no violation of impact "serious" or
//!   "critical", at desktop width and at a phone's;
//! - a phone-width pass: at 390 pixels wide, as a phone lays it out, the
//!   page is as wide as the phone (it has a `<meta name="viewport">`) and
//!   never scrolls sideways;
//! - no error in the browser's console (a failed load, a `/favicon.ico`
//!   that answers 404, a script's exception).
//!
//! [`Page::open`](crate::Page::open) checks each page it opens, the end of
//! every case checks the state the case ends in, and
//! [`Page::audit`](crate::Page::audit) checks any state in between. What
//! they find fails the case at its end.
//!
//! axe-core is never fetched at test time: `.ci/run` installs the version
//! pinned in `packages/browser/package-lock.json` with
//! `npm ci --prefix packages/browser`, and the suite reads its `axe.min.js`
//! from there (or from where `AXE_CORE_JS` points).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::webdriver::Browser;

/// The phone of the phone-width pass: 390 by 844 CSS pixels, as a recent
/// iPhone or a mid-sized Android phone.
pub const PHONE: (u32, u32) = (390, 844);

/// axe's impacts, from the least to the worst.
const IMPACTS: [&str; 4] = ["minor", "moderate", "serious", "critical"];

/// The least impact that fails a case: `serious` (the course's pages must
/// have no serious or critical violation), or what `AXE_MIN_IMPACT` says
/// (`moderate` or `minor`, to see the rest while fixing a page).
fn least_failing_impact() -> usize {
    let asked = std::env::var("AXE_MIN_IMPACT").unwrap_or_default();
    IMPACTS
        .iter()
        .position(|impact| *impact == asked)
        .unwrap_or(2)
}

/// Whether axe-core can run here, as [`crate::Availability`] says for the
/// browser.
#[derive(Debug, Clone)]
pub enum AxeCore {
    /// The source of `axe.min.js`, to inject into each page.
    Ready(Arc<str>),
    /// Missing, and that is fine here: the audit is skipped (the phone pass
    /// and the console check still run).
    Skip(String),
    /// Missing where the audit must run (CI, `BROWSER_TESTS=required`).
    Missing(String),
}

/// Where `axe.min.js` is: `AXE_CORE_JS`, or where
/// `npm ci --prefix packages/browser` puts it.
pub fn axe_core_path() -> PathBuf {
    std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js")
        })
}

/// axe-core's source, read once per test program.
pub fn axe_core(required: bool) -> AxeCore {
    static SOURCE: OnceLock<Result<Arc<str>, String>> = OnceLock::new();
    let source = SOURCE.get_or_init(|| {
        let path = axe_core_path();
        std::fs::read_to_string(&path)
            .map(Arc::from)
            .map_err(|error| format!("{}: {error}", path.display()))
    });
    match source {
        Ok(source) => AxeCore::Ready(source.clone()),
        Err(why) if required => AxeCore::Missing(format!(
            "the accessibility audit must run here (CI or BROWSER_TESTS=required), but \
             axe-core is missing ({why}): npm ci --prefix packages/browser"
        )),
        Err(why) => AxeCore::Skip(format!(
            "accessibility audit skipped: no axe-core ({why}). To run it: \
             npm ci --prefix packages/browser"
        )),
    }
}

/// At which width a finding was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// The case's own window.
    Desktop,
    /// [`PHONE`], emulated as a mobile browser.
    Phone,
    /// Not a matter of width: the browser's log.
    Any,
}

/// Something a page must not do, found by the audit, the phone pass or the
/// console check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The page's path (`/`, `/app/`); for a console error, the address the
    /// error names (`/favicon.ico`).
    pub page: String,
    /// At which widths (both, when the audit finds it at both).
    pub widths: Vec<Width>,
    /// axe's rule id (`color-contrast`), `phone-viewport`,
    /// `phone-sideways` or `console-error`.
    pub rule: String,
    /// axe's impact (`serious`, `critical`); `serious` for the others.
    pub impact: String,
    /// What is wrong and how to fix it, in a sentence.
    pub help: String,
    /// Each element (or log line) at fault, with what to do about it.
    pub details: Vec<String>,
}

impl Finding {
    /// The finding, as a failure prints it.
    pub fn report(&self) -> String {
        let width = match self.widths.as_slice() {
            [Width::Desktop] => " (desktop width)",
            [Width::Phone] => " (phone width, 390 px)",
            [Width::Any] | [] => "",
            _ => " (desktop and phone widths)",
        };
        let mut text = format!(
            "{} on {}{width}: {} [{}]",
            self.rule, self.page, self.help, self.impact
        );
        for detail in &self.details {
            text.push_str("\n    - ");
            text.push_str(&detail.replace('\n', "\n      "));
        }
        text
    }
}

/// What a case has found so far, and the console errors it expects.
#[derive(Debug, Default)]
pub struct Findings {
    found: Vec<Finding>,
    expected_console: Vec<String>,
}

impl Findings {
    /// Adds `finding`, merged into one already there for the same page and
    /// rule (the same fault seen again at the end of the case, or at the
    /// other width).
    pub fn add(&mut self, finding: Finding) {
        let same = self
            .found
            .iter_mut()
            .find(|old| old.page == finding.page && old.rule == finding.rule);
        match same {
            Some(old) => {
                for width in finding.widths {
                    if !old.widths.contains(&width) {
                        old.widths.push(width);
                    }
                }
                for detail in finding.details {
                    if !old.details.contains(&detail) {
                        old.details.push(detail);
                    }
                }
            }
            None => self.found.push(finding),
        }
    }

    /// A console error the case expects (a `fetch` that must answer 404):
    /// a SEVERE log line that starts with `fragment` (the server's address
    /// left out) is no fault.
    pub fn expect_console_error(&mut self, fragment: &str) {
        self.expected_console.push(fragment.to_owned());
    }

    /// Fails with a report of everything found, unless it was expected.
    pub fn verdict(&self) -> Result<()> {
        let mut unexpected = Vec::new();
        let mut expected_seen = vec![false; self.expected_console.len()];
        for finding in &self.found {
            if finding.rule == "console-error" {
                let mut details = finding.details.clone();
                details.retain(|line| {
                    let fragment = self
                        .expected_console
                        .iter()
                        .position(|fragment| line.starts_with(fragment.as_str()));
                    if let Some(index) = fragment {
                        expected_seen[index] = true;
                    }
                    fragment.is_none()
                });
                if !details.is_empty() {
                    unexpected.push(Finding {
                        details,
                        ..finding.clone()
                    });
                }
            } else {
                unexpected.push(finding.clone());
            }
        }
        let mut problems: Vec<String> = unexpected.iter().map(Finding::report).collect();
        for (fragment, seen) in self.expected_console.iter().zip(expected_seen) {
            if !seen {
                problems.push(format!(
                    "console-error: the case expects the browser to log an error that \
                     starts with {fragment:?}, and it logged none (remove the expectation?)"
                ));
            }
        }
        if !problems.is_empty() {
            bail!(
                "the pages failed the accessibility audit, the phone-width pass or the \
                 console check (see the README, \"Browser tests\"):\n  {}",
                problems.join("\n  ")
            );
        }
        Ok(())
    }
}

/// Runs axe-core in the page and its frames, and returns its serious and
/// critical violations as findings for `page`.
pub fn run_axe(browser: &Browser, source: &str, page: &str, width: Width) -> Result<Vec<Finding>> {
    // Injected into the page and every frame of its own origin (axe asks
    // each frame for its part), then run with its default rules.
    const RUN: &str = r#"
        const done = arguments[arguments.length - 1];
        const source = arguments[0];
        const inject = (view) => {
          try {
            if (!view.axe) view.eval(source);
            for (const frame of view.document.querySelectorAll("iframe, frame")) {
              inject(frame.contentWindow);
            }
          } catch (error) {
            // A frame of another origin: axe says so itself.
          }
        };
        inject(window);
        if (!window.axe) {
          done({ error: "axe-core could not be injected into the page" });
          return;
        }
        window.axe
          .run(document, { resultTypes: ["violations"] })
          .then(
            (results) => done({ violations: results.violations.map((rule) => ({
              id: rule.id,
              impact: rule.impact,
              help: rule.help,
              helpUrl: rule.helpUrl,
              nodes: rule.nodes.map((node) => ({
                target: node.target,
                html: node.html,
                summary: node.failureSummary,
                impact: node.impact,
              })),
            })) }),
            (error) => done({ error: String(error && error.stack || error) }),
          );
    "#;
    let answer = browser
        .run_async_script(RUN, &[json!(source)])
        .context("axe-core did not run in the page")?;
    if let Some(error) = answer["error"].as_str() {
        bail!("axe-core failed in the page: {error}");
    }
    let rules = answer["violations"]
        .as_array()
        .ok_or_else(|| anyhow!("axe-core gave no violations list: {answer}"))?;
    Ok(rules
        .iter()
        .filter_map(|rule| {
            let failing = |node: &&Value| {
                let impact = node["impact"].as_str().or(rule["impact"].as_str());
                let rank = IMPACTS.iter().position(|known| Some(*known) == impact);
                rank.is_some_and(|rank| rank >= least_failing_impact())
            };
            let nodes: Vec<&Value> = rule["nodes"].as_array()?.iter().filter(failing).collect();
            if nodes.is_empty() {
                return None;
            }
            let details = nodes
                .iter()
                .map(|node| {
                    format!(
                        "{}: {}\n{}",
                        target(&node["target"]),
                        excerpt(node["html"].as_str().unwrap_or_default(), 160),
                        node["summary"].as_str().unwrap_or_default().trim()
                    )
                })
                .collect();
            Some(Finding {
                page: page.to_owned(),
                widths: vec![width],
                rule: rule["id"].as_str().unwrap_or("?").to_owned(),
                impact: rule["impact"].as_str().unwrap_or("?").to_owned(),
                help: format!(
                    "{} ({})",
                    rule["help"].as_str().unwrap_or_default(),
                    rule["helpUrl"]
                        .as_str()
                        .unwrap_or_default()
                        .split('?')
                        .next()
                        .unwrap_or_default()
                ),
                details,
            })
        })
        .collect())
}

/// axe's target: a CSS selector, or a list of them, one per frame (or
/// shadow root) on the way to the element.
fn target(value: &Value) -> String {
    match value {
        Value::String(selector) => selector.clone(),
        Value::Array(parts) => parts.iter().map(target).collect::<Vec<_>>().join(" >>> "),
        other => other.to_string(),
    }
}

/// The first `most` characters of `text` on one line, `…` if cut.
fn excerpt(text: &str, most: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(most) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
}

/// Whether the page shown is HTML (a plain-text page, as lessons 0 and 1
/// serve, is shown by the browser's own viewer: nothing to audit).
pub fn is_html(browser: &Browser) -> Result<bool> {
    Ok(browser.run_script("return document.contentType")? == "text/html")
}

/// Switches the browser to a phone's screen, [`PHONE`], as a mobile browser
/// lays pages out (with `mobile`, a page without a viewport tag is laid out
/// 980 pixels wide and shrunk, as on a real phone).
pub fn emulate_phone(browser: &Browser) -> Result<()> {
    browser
        .devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": PHONE.0, "height": PHONE.1, "deviceScaleFactor": 1, "mobile": true }),
        )
        .map(drop)
        .context("could not switch the browser to a phone's screen")
}

/// Lets the page run scripts (`true`) or not, over Chromium's
/// `--blink-settings=scriptEnabled=false` (see [`crate::Setup::javascript`]).
///
/// DevTools' switch does nothing when told what it believes it already
/// holds, and it starts out believing scripts are on (it does not see the
/// command line): so it is first turned off, then, to allow them, on.
pub fn allow_scripts(browser: &Browser, allowed: bool) -> Result<()> {
    let disable = |disabled: bool| {
        browser.devtools(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": disabled }),
        )
    };
    disable(true)
        .and_then(|_| {
            if allowed {
                disable(false)
            } else {
                Ok(Value::Null)
            }
        })
        .map(drop)
        .context("could not switch the page's scripts on or off")
}

/// Back to the case's own window.
pub fn stop_emulating(browser: &Browser) -> Result<()> {
    browser
        .devtools("Emulation.clearDeviceMetricsOverride", json!({}))
        .map(drop)
        .context("could not switch the browser back from a phone's screen")
}

/// The phone-width pass, once the browser emulates [`PHONE`]: the page's
/// layout is the phone's width, and nothing makes it wider.
pub fn phone_pass(browser: &Browser, page: &str) -> Result<Vec<Finding>> {
    const MEASURE: &str = r#"
        const root = document.documentElement;
        const viewport = document.querySelector('meta[name="viewport"]');
        const wider = [];
        for (const element of document.querySelectorAll("body *")) {
          const box = element.getBoundingClientRect();
          if (box.right > root.clientWidth + 1 && wider.length < 3) {
            const tag = element.outerHTML.slice(0, 100);
            wider.push(`${tag} reaches ${Math.round(box.right)} px`);
          }
        }
        return {
          screen: screen.width,
          layout: root.clientWidth,
          scroll: root.scrollWidth,
          viewport: viewport && viewport.getAttribute("content"),
          wider,
        };
    "#;
    let measured = browser.run_script(MEASURE)?;
    let number = |key: &str| measured[key].as_u64().unwrap_or(0);
    if number("screen") != u64::from(PHONE.0) {
        bail!("the phone's screen is not in place: {measured}");
    }
    let mut found = Vec::new();
    if number("layout") != u64::from(PHONE.0) {
        found.push(Finding {
            page: page.to_owned(),
            widths: vec![Width::Phone],
            rule: "phone-viewport".into(),
            impact: "serious".into(),
            help: format!(
                "a phone lays the page out {} px wide, not at its own {} px, and shrinks \
                 it to fit: the page needs <meta name=\"viewport\" \
                 content=\"width=device-width, initial-scale=1\"> in its <head>",
                number("layout"),
                PHONE.0
            ),
            details: vec![match measured["viewport"].as_str() {
                Some(content) => format!("its viewport tag says content={content:?}"),
                None => "the page has no <meta name=\"viewport\">".into(),
            }],
        });
    }
    if number("scroll") > number("layout") {
        found.push(Finding {
            page: page.to_owned(),
            widths: vec![Width::Phone],
            rule: "phone-sideways".into(),
            impact: "serious".into(),
            help: format!(
                "the page is {} px wide on a phone {} px wide: it scrolls sideways",
                number("scroll"),
                number("layout")
            ),
            details: measured["wider"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|element| excerpt(element, 160))
                .collect(),
        });
    }
    Ok(found)
}

/// The SEVERE lines of the browser's log since the last call, as findings
/// keyed by the address each names; `shown` is the page the browser showed
/// when they were read, `base` the server's address (removed from them).
pub fn console_errors(browser: &Browser, shown: &str, bases: &[String]) -> Result<Vec<Finding>> {
    let entries = browser
        .browser_log()
        .context("could not read the browser's log")?;
    Ok(entries
        .into_iter()
        .filter(|entry| entry.level == "SEVERE")
        .map(|entry| {
            let mut message = entry.message.clone();
            for base in bases {
                message = message.replace(base.as_str(), "");
            }
            let address = message
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned();
            let address = if address.starts_with('/') {
                address
            } else {
                String::from("(no address)")
            };
            Finding {
                page: address,
                widths: vec![Width::Any],
                rule: "console-error".into(),
                impact: "serious".into(),
                help: "the browser logged an error".into(),
                details: vec![format!(
                    "{} ({}, while the browser showed {shown})",
                    message.trim(),
                    entry.source
                )],
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn console(address: &str, line: &str) -> Finding {
        Finding {
            page: address.into(),
            widths: vec![Width::Any],
            rule: "console-error".into(),
            impact: "serious".into(),
            help: "the browser logged an error".into(),
            details: vec![line.into()],
        }
    }

    fn contrast(width: Width, element: &str) -> Finding {
        Finding {
            page: "/".into(),
            widths: vec![width],
            rule: "color-contrast".into(),
            impact: "serious".into(),
            help: "contrast".into(),
            details: vec![element.into()],
        }
    }

    #[test]
    fn the_same_fault_at_both_widths_is_one_entry() {
        let mut findings = Findings::default();
        findings.add(contrast(Width::Desktop, ".a"));
        findings.add(contrast(Width::Phone, ".a"));
        findings.add(contrast(Width::Phone, ".b"));
        assert_eq!(findings.found.len(), 1);
        assert_eq!(findings.found[0].widths, [Width::Desktop, Width::Phone]);
        assert_eq!(findings.found[0].details, [".a", ".b"]);
        assert!(
            findings.found[0]
                .report()
                .contains("(desktop and phone widths)")
        );
    }

    #[test]
    fn a_fault_fails_unless_expected() {
        let mut findings = Findings::default();
        findings.add(contrast(Width::Desktop, ".a"));
        let error = findings.verdict().unwrap_err();
        assert!(format!("{error}").contains("color-contrast on /"));

        let mut findings = Findings::default();
        findings.add(console("/", "/ - Failed to load resource: ... 400"));
        findings.expect_console_error("/ - Failed to load resource");
        assert_eq!(findings.verdict().unwrap(), ());

        // An expected error that never comes is a failure too.
        let mut findings = Findings::default();
        findings.expect_console_error("/todos - Failed");
        assert!(findings.verdict().is_err());
    }

    #[test]
    fn targets_and_excerpts_are_short_and_readable() {
        assert_eq!(
            target(&json!(["iframe[title=\"frame 1\"]", "h1"])),
            "iframe[title=\"frame 1\"] >>> h1"
        );
        assert_eq!(excerpt("<p>\n  a   b</p>", 80), "<p> a b</p>");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
