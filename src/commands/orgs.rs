//! `r7keys orgs list|managed`.

use serde_json::json;

use super::context::Context;
use super::keys::output_failure;
use super::output::{Printable, Printer};
use super::{CommandResult, Failure};
use crate::api::Organization;
use crate::api::error::exit;
use crate::cli::OutputFormat;
use crate::sanitize::display;
use crate::say;

/// An organization in every output format.
struct Org<'a>(&'a Organization);

impl Printable for Org<'_> {
    fn json(&self) -> serde_json::Value {
        let o = self.0;
        json!({"id": o.id, "name": o.name, "region": o.region, "external_id": o.external_id})
    }

    fn csv(&self) -> Vec<String> {
        let o = self.0;
        [
            Some(o.id.as_str()),
            o.name.as_deref(),
            o.region.as_deref(),
            o.external_id.as_deref(),
        ]
        .iter()
        .map(|f| f.unwrap_or("").to_string())
        .collect()
    }

    fn row(&self) -> Vec<String> {
        let o = self.0;
        let or_dash =
            |text: Option<&str>, max| text.map_or_else(|| "-".into(), |t| display(t, max));
        vec![
            display(&o.id, 40),
            or_dash(o.name.as_deref(), 48),
            or_dash(o.region.as_deref(), 12),
            or_dash(o.external_id.as_deref(), 24),
        ]
    }
}

fn print(orgs: &[Organization], format: OutputFormat) -> Result<(), Failure> {
    let mut printer = Printer::new(
        format,
        &["id", "name", "region", "external_id"],
        &["id", "name", "region", "external id"],
    );
    for org in orgs {
        printer.print(&Org(org));
    }
    let count = printer.finish().map_err(output_failure)?;
    if format == OutputFormat::Table {
        say!("{count} organizations");
    }
    Ok(())
}

pub async fn list(cx: &Context) -> CommandResult {
    let orgs = cx.client()?.organizations(&cx.target()).await?;
    print(&orgs, cx.output)?;
    Ok(exit::OK)
}

pub async fn managed(cx: &Context) -> CommandResult {
    let orgs = cx.client()?.managed_organizations(&cx.target()).await?;
    print(&orgs, cx.output)?;
    Ok(exit::OK)
}
