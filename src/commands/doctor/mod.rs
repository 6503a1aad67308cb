//! `r7keys doctor`: the questions an admin on a jump host meets first,
//! answered in order, one line each (OK, WARN, FAIL with the fix, SKIP when a
//! check cannot run because an earlier one failed).
//!
//! The checks are data ([`Check`]), printed as lines, JSON (for a support
//! ticket) or CSV, so each one is unit-testable. No check ever holds a
//! secret: keys are named by their source and fingerprint, proxy URLs lose
//! their credentials, key commands show their program only.
//!
//! Network checks are short (a few seconds at most) and never retried: a
//! closed port fails at once, a black hole after the connect timeout.

mod local;
mod net;
mod platform;

use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;
use serde_json::json;

use super::context::Context;
use super::output::{csv_field, json_text};
use crate::api::error::exit;
use crate::cli::{ConnectionArgs, OutputFormat};
use crate::sanitize::sanitize;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    /// Not run: an earlier check failed, or nothing is configured.
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub status: Status,
    /// What was checked, in a word or two ("config file", "tls").
    pub title: &'static str,
    /// What was found.
    pub detail: String,
    /// What to do about a warning or a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The exit code a failure ends the run with (see the README's table).
    #[serde(skip)]
    pub code: u8,
}

impl Check {
    pub fn ok(title: &'static str, detail: impl Into<String>) -> Check {
        Check::new(Status::Ok, title, detail)
    }

    pub fn warn(title: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check::new(Status::Warn, title, detail).with_fix(fix)
    }

    pub fn fail(
        title: &'static str,
        code: u8,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            code,
            ..Check::new(Status::Fail, title, detail).with_fix(fix)
        }
    }

    pub fn skip(title: &'static str, detail: impl Into<String>) -> Check {
        Check::new(Status::Skip, title, detail)
    }

    fn new(status: Status, title: &'static str, detail: impl Into<String>) -> Check {
        Check {
            status,
            title,
            detail: detail.into(),
            fix: None,
            code: exit::OK,
        }
    }

    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Check {
        let fix = fix.into();
        self.fix = (!fix.is_empty()).then_some(fix);
        self
    }
}

/// Every check of a run, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }

    /// 0 when nothing failed, else the first failure's code.
    pub fn exit_code(&self) -> u8 {
        self.checks
            .iter()
            .find(|c| c.status == Status::Fail)
            .map_or(exit::OK, |c| c.code.max(exit::USAGE))
    }

    fn summary(&self) -> String {
        format!(
            "{} ok, {} warnings, {} failed, {} skipped",
            self.count(Status::Ok),
            self.count(Status::Warn),
            self.count(Status::Fail),
            self.count(Status::Skip)
        )
    }

    /// One line per check, the fix indented under it, then a summary.
    pub fn lines(&self) -> String {
        let width = self.checks.iter().map(|c| c.title.len()).max().unwrap_or(0);
        let mut out = String::new();
        for check in &self.checks {
            let _ = writeln!(
                out,
                "{:<4}  {:<width$}  {}",
                check.status.label(),
                check.title,
                sanitize(&check.detail)
            );
            if let Some(fix) = &check.fix {
                let _ = writeln!(out, "{:<4}  {:<width$}  fix: {}", "", "", sanitize(fix));
            }
        }
        let _ = writeln!(out, "doctor: {}", self.summary());
        out
    }

    /// The report as JSON, for a support ticket.
    pub fn json(&self) -> String {
        json_text(&json!({
            "version": env!("CARGO_PKG_VERSION"),
            "ok": self.exit_code() == exit::OK,
            "summary": self.summary(),
            "checks": self.checks,
        }))
    }

    pub fn csv(&self) -> String {
        let mut out = String::from("status,title,detail,fix\n");
        for c in &self.checks {
            let _ = writeln!(
                out,
                "{},{},{},{}",
                c.status.label(),
                csv_field(c.title),
                csv_field(&c.detail),
                csv_field(c.fix.as_deref().unwrap_or(""))
            );
        }
        out
    }
}

/// The longest any single network step of the doctor may take.
const CONNECT_CAP: Duration = Duration::from_secs(5);
const ANSWER_CAP: Duration = Duration::from_secs(10);

/// Runs every check and prints the report; answers the exit code.
pub async fn run(args: &ConnectionArgs, find_region: bool) -> u8 {
    let format = args
        .output
        .unwrap_or(if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
    let report = checks(args, find_region).await;
    let text = match format {
        OutputFormat::Table => report.lines(),
        OutputFormat::Json | OutputFormat::Jsonl => format!("{}\n", report.json()),
        OutputFormat::Csv => report.csv(),
    };
    let mut out = super::out::Output::new();
    out.write(&text);
    if out.finish().is_err() {
        return crate::api::error::exit::USAGE;
    }
    report.exit_code()
}

/// The checks, in the order a first failure is met.
pub async fn checks(args: &ConnectionArgs, find_region: bool) -> Report {
    let mut report = Report::default();
    if !local::config_file(args, &mut report) {
        report.push(local::clipboard());
        return report;
    }
    let mut cx = match Context::resolve(args) {
        Ok(cx) => cx,
        Err(error) => {
            report.push(Check::fail(
                "settings",
                exit::USAGE,
                error.to_string(),
                "fix the setting named (flag, environment or profile); `r7keys config show` prints them",
            ));
            report.push(local::clipboard());
            return report;
        }
    };
    // The doctor reports; it does not wait long or try twice.
    cx.settings.connect_timeout = cx.settings.connect_timeout.min(CONNECT_CAP);
    cx.settings.request_timeout = cx.settings.request_timeout.min(ANSWER_CAP);
    cx.settings.retries = 0;
    report.push(local::profile(&cx));
    let key = local::api_key(&cx, &mut report);
    let reachable = net::reach(&cx, &mut report).await;
    match (key, reachable) {
        (Some(key), Some(route)) => {
            platform::validate(&cx, key, &route, find_region, &mut report).await;
        }
        (None, _) => {
            for title in ["tls", "validate", "rate budget"] {
                report.push(Check::skip(title, "not tried: no API key"));
            }
        }
        (Some(_), None) => {
            for title in ["tls", "validate", "rate budget"] {
                report.push(Check::skip(
                    title,
                    "not tried: the endpoint cannot be reached",
                ));
            }
        }
    }
    platform::threat_command(&cx, &mut report).await;
    report.push(local::clipboard());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            checks: vec![
                Check::ok("config file", "/home/me/.config/r7keys/config.toml"),
                Check::warn("api key", "readable by others", "chmod 600 /k"),
                Check::fail("tcp", exit::NETWORK, "refused", "is the port right?"),
                Check::fail("validate", exit::AUTH, "401", ""),
                Check::skip("rate budget", "not tried"),
            ],
        }
    }

    #[test]
    fn the_first_failure_decides_the_exit_code() {
        assert_eq!(report().exit_code(), exit::NETWORK);
        let fine = Report {
            checks: vec![Check::ok("a", "b"), Check::warn("c", "d", "e")],
        };
        assert_eq!(fine.exit_code(), exit::OK);
    }

    #[test]
    fn lines_align_and_put_the_fix_under_its_check() {
        let text = report().lines();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "OK    config file  /home/me/.config/r7keys/config.toml"
        );
        assert_eq!(lines[1], "WARN  api key      readable by others");
        assert_eq!(lines[2], "                   fix: chmod 600 /k");
        assert_eq!(lines[3], "FAIL  tcp          refused");
        assert_eq!(lines[6], "SKIP  rate budget  not tried");
        assert_eq!(lines[7], "doctor: 1 ok, 1 warnings, 2 failed, 1 skipped");
    }

    #[test]
    fn json_has_every_check_and_escapes_what_a_terminal_obeys() {
        let mut report = report();
        report.push(Check::ok("proxy", "evil\u{1b}]52;c;x\u{7}"));
        let text = report.json();
        assert!(!text.contains('\u{1b}'), "{text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["ok"], false);
        let checks = value["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 6);
        assert_eq!(checks[1]["status"], "warn");
        assert_eq!(checks[1]["fix"], "chmod 600 /k");
        assert!(checks[0].get("fix").is_none());
        assert_eq!(
            checks[5]["detail"], "evil\u{1b}]52;c;x\u{7}",
            "exact after parsing"
        );
        // Lines show the escape as text.
        assert!(
            report.lines().contains("evil\\x1b]52"),
            "{}",
            report.lines()
        );
    }

    #[test]
    fn csv_is_guarded() {
        let report = Report {
            checks: vec![Check::ok("x", "=cmd|' /C calc'!A0")],
        };
        assert!(report.csv().contains("'=cmd"), "{}", report.csv());
    }
}
