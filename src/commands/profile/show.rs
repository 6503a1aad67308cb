//! `r7keys config show`: every setting in force and where it came from.

use std::fmt::Write as _;

use std::path::Path;

use serde_json::{Value, json};

use crate::api::error::exit;
use crate::cli::{ConnectionArgs, OutputFormat};
use crate::commands::CommandResult;
use crate::commands::context::{Context, KeySource};
use crate::commands::output::{Table, csv_field, json_text};
use crate::config;
use crate::sanitize::sanitize;

/// One setting in force and where it came from.
struct Shown {
    name: &'static str,
    value: String,
    source: String,
}

/// `flag` when the flag gave it, else the profile's, else the default.
fn origin(flag: bool, profile: bool, profile_name: Option<&str>) -> String {
    if flag {
        "flag".into()
    } else if profile {
        format!("profile {}", profile_name.unwrap_or("?"))
    } else {
        "default".into()
    }
}

fn key_source_shown(source: Option<&KeySource>) -> (String, String) {
    match source {
        None => ("none".into(), "-".into()),
        Some(source) => {
            let from = match source {
                KeySource::FlagFile { .. } => "flag",
                KeySource::Env(_) => "environment",
                KeySource::ProfileFile { .. } | KeySource::ProfileCommand { .. } => "profile",
            };
            (source.describe(), from.into())
        }
    }
}

/// The settings in force, in the order a reader looks for them.
fn settings_shown(cx: &Context) -> Vec<Shown> {
    let args = cx.args();
    let p = &cx.profile;
    let name = cx.profile_name.as_deref();
    let s = &cx.settings;
    let mut rows = Vec::new();
    let mut push = |name: &'static str, value: String, source: String| {
        rows.push(Shown {
            name,
            value,
            source,
        });
    };
    push(
        "region",
        format!("{} ({})", cx.region.code(), cx.region.describe()),
        origin(args.region.is_some(), p.region.is_some(), name),
    );
    push(
        "endpoint",
        s.endpoint.clone(),
        origin(args.endpoint.is_some(), p.endpoint.is_some(), name),
    );
    push(
        "base url",
        cx.region.base_url(&s.endpoint),
        "endpoint and region".into(),
    );
    let (value, source) = key_source_shown(cx.api_key_source().as_ref());
    push("api key", value, source);
    push(
        "tenant",
        cx.tenant.clone().unwrap_or_else(|| "-".into()),
        origin(args.tenant.is_some(), p.tenant.is_some(), name),
    );
    push(
        "email",
        p.email.clone().unwrap_or_else(|| "-".into()),
        origin(false, p.email.is_some(), name),
    );
    push(
        "read only",
        s.read_only.to_string(),
        origin(args.read_only, p.read_only.is_some(), name),
    );
    let cas: Vec<String> = s.ca_certs.iter().map(|c| c.display().to_string()).collect();
    push(
        "ca certs",
        if cas.is_empty() {
            "-".into()
        } else {
            cas.join(", ")
        },
        origin(!args.ca_cert.is_empty(), p.ca_cert.is_some(), name),
    );
    push(
        "request timeout",
        format!("{} s", s.request_timeout.as_secs()),
        origin(
            args.timeout.is_some(),
            p.request_timeout_secs.is_some(),
            name,
        ),
    );
    push(
        "connect timeout",
        format!("{} s", s.connect_timeout.as_secs()),
        origin(
            args.connect_timeout.is_some(),
            p.connect_timeout_secs.is_some(),
            name,
        ),
    );
    push(
        "page size",
        s.page_size.to_string(),
        origin(args.page_size.is_some(), p.page_size.is_some(), name),
    );
    push(
        "concurrency",
        s.concurrency.to_string(),
        origin(args.concurrency.is_some(), p.concurrency.is_some(), name),
    );
    push(
        "retries",
        s.retries.to_string(),
        origin(args.retries.is_some(), p.retries.is_some(), name),
    );
    rows.extend(other_settings(cx));
    rows
}

/// Threat Command and the console's settings.
fn other_settings(cx: &Context) -> Vec<Shown> {
    let args = cx.args();
    let p = &cx.profile;
    let name = cx.profile_name.as_deref();
    let mut rows = Vec::new();
    let mut push = |name: &'static str, value: String, source: String| {
        rows.push(Shown {
            name,
            value,
            source,
        });
    };
    push(
        "multi-tenant types",
        format!(
            "{} / {}",
            cx.settings.kind_names.multi_tenant_admin.join(","),
            cx.settings.kind_names.multi_tenant_user.join(",")
        ),
        origin(
            false,
            p.multi_tenant_admin_types.is_some() || p.multi_tenant_user_types.is_some(),
            name,
        ),
    );
    push(
        "tc endpoint",
        cx.tc_endpoint.clone(),
        origin(args.tc_endpoint.is_some(), p.tc_endpoint.is_some(), name),
    );
    let tc_env = std::env::var("R7_TC_ACCOUNT_ID").is_ok_and(|v| !v.trim().is_empty());
    push(
        "tc account id",
        cx.tc_account_id().unwrap_or_else(|| "-".into()),
        if tc_env {
            "environment".into()
        } else {
            origin(false, p.tc_account_id.is_some(), name)
        },
    );
    let (value, source) = key_source_shown(cx.tc_key_source().as_ref());
    push("tc api key", value, source);
    let theme_env = std::env::var("R7KEYS_THEME").ok().filter(|t| !t.is_empty());
    let (theme, theme_source) = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        ("mono".to_string(), "environment (NO_COLOR)".to_string())
    } else if let Some(theme) = theme_env {
        (theme, "environment (R7KEYS_THEME)".into())
    } else {
        (
            p.theme.clone().unwrap_or_else(|| "dark".into()),
            origin(false, p.theme.is_some(), name),
        )
    };
    push("theme", theme, theme_source);
    push(
        "present",
        crate::console::presenting(args, p).to_string(),
        origin(args.present, p.present.is_some(), name),
    );
    let clear_env = std::env::var("R7KEYS_CLIPBOARD_CLEAR_SECS").is_ok();
    push(
        "clipboard clear",
        format!("{} s", crate::console::clipboard_clear(p).as_secs()),
        if clear_env {
            "environment (R7KEYS_CLIPBOARD_CLEAR_SECS)".into()
        } else {
            origin(false, p.clipboard_clear_secs.is_some(), name)
        },
    );
    rows
}

/// The file in force and whether it exists, in words.
fn file_state(path: Option<&Path>) -> (String, bool) {
    match path {
        None => ("none (no home directory)".into(), false),
        Some(path) if path.exists() => (path.display().to_string(), true),
        Some(path) => (format!("{} (not there: defaults)", path.display()), false),
    }
}

pub fn show(args: &ConnectionArgs) -> CommandResult {
    let path = config::config_path(args.config.as_deref()).map(|found| found.path);
    let cx = Context::resolve(args)?;
    let (file, exists) = file_state(path.as_deref());
    let profile = cx.profile_origin();
    let rows = settings_shown(&cx);
    let mut text = String::new();
    match cx.output {
        OutputFormat::Json | OutputFormat::Jsonl => {
            let settings: Vec<Value> = rows
                .iter()
                .map(|r| json!({"setting": r.name, "value": r.value, "source": r.source}))
                .collect();
            let _ = writeln!(
                text,
                "{}",
                json_text(&json!({
                    "config_file": path.map(|p| p.display().to_string()),
                    "config_file_exists": exists,
                    "profile": cx.profile_name,
                    "settings": settings,
                }))
            );
        }
        OutputFormat::Csv => {
            let _ = writeln!(text, "setting,value,source");
            let _ = writeln!(text, "config file,{},-", csv_field(&file));
            let _ = writeln!(text, "profile,{},-", csv_field(&profile));
            for r in &rows {
                let _ = writeln!(
                    text,
                    "{},{},{}",
                    csv_field(r.name),
                    csv_field(&r.value),
                    csv_field(&r.source)
                );
            }
        }
        OutputFormat::Table => {
            let mut table = Table {
                headers: vec!["SETTING", "VALUE", "SOURCE"],
                rows: vec![
                    vec![
                        "config file".into(),
                        sanitize(&file).into_owned(),
                        "-".into(),
                    ],
                    vec![
                        "profile".into(),
                        sanitize(&profile).into_owned(),
                        "-".into(),
                    ],
                ],
            };
            for r in &rows {
                table.rows.push(vec![
                    r.name.to_string(),
                    sanitize(&r.value).into_owned(),
                    sanitize(&r.source).into_owned(),
                ]);
            }
            text.push_str(&table.render());
        }
    }
    let mut out = crate::commands::out::Output::new();
    out.write(&text);
    out.finish()
        .map_err(crate::commands::keys::output_failure)?;
    Ok(exit::OK)
}
