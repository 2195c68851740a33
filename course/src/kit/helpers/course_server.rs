//! A server of the course itself, started for a check.

use crate::Failure;
use crate::process::{self, ServerProcess};

/// A server of the course itself, such as the names service or a lesson's
/// solution, built and started on a free port for a check, and stopped
/// when dropped.
///
/// ```no_run
/// use course::kit::helpers::CourseServer;
///
/// let names = CourseServer::start("names_service")?;
/// let (status, record) = names.fetch("/?seed=7")?;
/// assert_eq!(status, 200);
/// # Ok::<(), course::Failure>(())
/// ```
#[derive(Debug)]
pub struct CourseServer {
    server: ServerProcess,
    name: &'static str,
}

impl CourseServer {
    /// Builds the binary `name` and starts it.
    pub fn start(name: &'static str) -> Result<CourseServer, Failure> {
        let binary = process::build(name, false).map_err(|output| {
            Failure::plain(format!("could not build {name}:\n{}", output.messages), "")
        })?;
        Ok(CourseServer {
            server: ServerProcess::start(&binary, name)?,
            name,
        })
    }

    /// Its binary's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its address, like `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        self.server.base_url()
    }

    /// The full URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Fetches `path` (a GET, no redirects followed), as a check's own
    /// reference: the status and the body.
    pub fn fetch(&self, path: &str) -> Result<(u16, Vec<u8>), Failure> {
        let url = self.url(path);
        let fetched = reqwest::blocking::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .and_then(|client| client.get(&url).send())
            .and_then(|response| {
                let status = response.status().as_u16();
                Ok((status, response.bytes()?.to_vec()))
            });
        fetched.map_err(|error| {
            Failure::plain(
                format!(
                    "the check could not fetch {url} itself: {error}{}",
                    self.server.output_for_report()
                ),
                format!(
                    "{} should answer; this is a problem of the course, not of your program.",
                    self.name
                ),
            )
        })
    }
}
