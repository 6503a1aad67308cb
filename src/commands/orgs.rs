//! `r7keys orgs list|managed`.

use serde_json::json;

use super::CommandResult;
use super::context::Context;
use super::output::{Table, csv_field, json_text};
use crate::api::Organization;
use crate::api::error::exit;
use crate::cli::OutputFormat;
use crate::sanitize::display;

fn print(orgs: &[Organization], format: OutputFormat) {
    match format {
        OutputFormat::Json => {
            let items: Vec<_> = orgs
                .iter()
                .map(|o| json!({"id": o.id, "name": o.name, "region": o.region, "external_id": o.external_id}))
                .collect();
            println!("{}", json_text(&serde_json::Value::Array(items)));
        }
        OutputFormat::Csv => {
            println!("id,name,region,external_id");
            for o in orgs {
                let fields = [
                    Some(o.id.as_str()),
                    o.name.as_deref(),
                    o.region.as_deref(),
                    o.external_id.as_deref(),
                ];
                println!(
                    "{}",
                    fields
                        .iter()
                        .map(|f| csv_field(f.unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(",")
                );
            }
        }
        OutputFormat::Table => {
            let rows = orgs
                .iter()
                .map(|o| {
                    vec![
                        display(&o.id, 40),
                        o.name
                            .as_deref()
                            .map_or_else(|| "-".into(), |n| display(n, 48)),
                        o.region
                            .as_deref()
                            .map_or_else(|| "-".into(), |r| display(r, 12)),
                        o.external_id
                            .as_deref()
                            .map_or_else(|| "-".into(), |e| display(e, 24)),
                    ]
                })
                .collect();
            print!(
                "{}",
                Table {
                    headers: vec!["id", "name", "region", "external id"],
                    rows
                }
                .render()
            );
            eprintln!("{} organizations", orgs.len());
        }
    }
}

pub async fn list(cx: &Context) -> CommandResult {
    let orgs = cx.client()?.organizations(&cx.target()).await?;
    print(&orgs, cx.output);
    Ok(exit::OK)
}

pub async fn managed(cx: &Context) -> CommandResult {
    let orgs = cx.client()?.managed_organizations(&cx.target()).await?;
    print(&orgs, cx.output);
    Ok(exit::OK)
}
