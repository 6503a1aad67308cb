//! `r7keys tc status`: what the Threat Command API tells of the subscription,
//! and where to find what it does not.

use serde_json::json;

use std::fmt::Write as _;

use super::CommandResult;
use super::context::Context;
use super::keys::output_failure;
use super::out::Output;
use super::output::{compact_json_text, json_text};
use crate::api::error::exit;
use crate::cli::OutputFormat;
use crate::sanitize::display;
use crate::say;

/// Subscription facts Rapid7 exposes only in the web console.
pub const WEB_ONLY: &str = "Subscription type, expiration date, credits, remediation limits and \
    stored-data location have no API: see Threat Command > Settings > Subscription (administrators only).";

pub async fn status(cx: &Context, customer: Option<String>) -> CommandResult {
    let mut tc = cx.tc_client()?;
    tc.customer = customer;
    let works = tc.test_credentials().await?;
    if !works {
        say!(
            "Threat Command refused the credentials for account {}",
            display(tc.account_id(), 40)
        );
        return Ok(exit::AUTH);
    }
    let modules = tc.system_modules().await;
    let assets = tc.used_assets().await;
    let quota = tc.enrichment_quota().await;
    let customers = tc.mssp_customers().await;
    let err = |e: &crate::api::ApiError| json!({"error": e.to_string()});
    let value = json!({
        "account_id": tc.account_id(),
        "credentials_valid": true,
        "api_key": "********",
        "system_modules": modules.as_ref().map_or_else(err, |m| json!(m)),
        "assets": assets.as_ref().map_or_else(err, |a| json!({"limit": a.assets_limit, "used": a.assets_count})),
        "enrichment_quota": quota.as_ref().map_or_else(err, |q| json!({"period": q.time_period, "total": q.total, "remaining": q.remaining})),
        "mssp_customers": customers.as_ref().map_or_else(err, |c| json!(c.iter().map(|c| json!({"id": c.id, "name": c.company_name, "status": c.status})).collect::<Vec<_>>())),
        "web_console_only": WEB_ONLY,
    });
    let mut text = String::new();
    // Each `push!` is one line of the answer.
    macro_rules! push {
        ($($arg:tt)*) => {{
            let _ = writeln!(text, $($arg)*);
        }};
    }
    match cx.output {
        OutputFormat::Json | OutputFormat::Csv => push!("{}", json_text(&value)),
        OutputFormat::Jsonl => push!("{}", compact_json_text(&value)),
        OutputFormat::Table => {
            push!(
                "Threat Command account {} (API key ********): credentials work",
                display(tc.account_id(), 40)
            );
            match &modules {
                Ok(m) => {
                    let on: Vec<&str> = m
                        .iter()
                        .filter(|(_, v)| **v)
                        .map(|(k, _)| k.as_str())
                        .collect();
                    let off: Vec<&str> = m
                        .iter()
                        .filter(|(_, v)| !**v)
                        .map(|(k, _)| k.as_str())
                        .collect();
                    push!("modules on:  {}", display(&on.join(", "), 200));
                    push!("modules off: {}", display(&off.join(", "), 200));
                }
                Err(e) => push!("modules: {e}"),
            }
            match &assets {
                Ok(a) => push!(
                    "assets: {} of {}",
                    a.assets_count.map_or("-".into(), |n| n.to_string()),
                    a.assets_limit.map_or("-".into(), |n| n.to_string())
                ),
                Err(e) => push!("assets: {e}"),
            }
            match &quota {
                Ok(q) => push!(
                    "enrichment credits: {} of {} left",
                    q.remaining.map_or("-".into(), |n| n.to_string()),
                    q.total.map_or("-".into(), |n| n.to_string())
                ),
                Err(e) => push!("enrichment credits: {e}"),
            }
            match &customers {
                Ok(c) if c.is_empty() => push!("MSSP customers: none"),
                Ok(c) => {
                    push!("MSSP customers ({}):", c.len());
                    for customer in c {
                        push!(
                            "  {}  {}  {}",
                            display(customer.id.as_deref().unwrap_or("-"), 24),
                            display(customer.company_name.as_deref().unwrap_or("-"), 40),
                            display(customer.status.as_deref().unwrap_or("-"), 10)
                        );
                    }
                }
                Err(e) => push!("MSSP customers: {e}"),
            }
            push!("{WEB_ONLY}");
        }
    }
    let mut out = Output::new();
    out.write(&text);
    out.finish().map_err(output_failure)?;
    Ok(exit::OK)
}
