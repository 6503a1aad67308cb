//! `r7keys inventory`: the console's Inventory tab for scripts. Every key
//! the credentials can see, the home organizations' and (with a multi-tenant
//! key and its home organization as `--tenant`) every managed tenant's, each
//! read at its tenant's region, regions in parallel and paced; printed place
//! by place as each answers, with its flags.

use futures_util::StreamExt;
use serde_json::Value;
use time::OffsetDateTime;

use super::context::Context;
use super::keys::output_failure;
use super::output::{Printable, Printer};
use super::{CommandResult, Failure};
use crate::api::KeyInfo;
use crate::api::error::exit;
use crate::cli::{InventoryArgs, OutputFormat};
use crate::inventory::export::{COLUMNS, row_fields, row_json};
use crate::inventory::{Flags, PlaceKeys, Rules, read_place};
use crate::sanitize::{display, display_middle};
use crate::say;

/// An inventory row in every output format.
struct Item<'a>(&'a KeyInfo, Flags, OffsetDateTime);

impl Printable for Item<'_> {
    fn json(&self) -> Value {
        row_json(self.0, self.1, self.2)
    }

    fn csv(&self) -> Vec<String> {
        row_fields(self.0, self.1, self.2)
    }

    fn row(&self) -> Vec<String> {
        let key = self.0;
        vec![
            display_middle(
                key.organization_name
                    .as_deref()
                    .or(key.tenant.as_ref().map(|t| t.id.as_str()))
                    .unwrap_or("home"),
                28,
            ),
            key.tenant
                .as_ref()
                .map_or_else(|| "-".into(), |t| t.region.code().to_string()),
            display(key.kind.short_label(), 10),
            key.name
                .as_deref()
                .map_or_else(|| "-".into(), |n| display(n, 36)),
            key.owner_email
                .as_deref()
                .map_or_else(|| "-".into(), |o| display(o, 32)),
            key.age_days(self.2)
                .map_or_else(|| "-".into(), |d| format!("{d}d")),
            self.1.words(),
            key.id
                .as_deref()
                .map_or_else(|| "-".into(), |id| display(id, 36)),
        ]
    }
}

const TABLE: [&str; 8] = [
    "tenant", "region", "kind", "name", "owner", "age", "flags", "id",
];

/// Where rows go: filtered by the flags asked for, counted.
struct Sink {
    printer: Printer,
    wanted: Vec<crate::inventory::Flag>,
    rules: Rules,
    keys: usize,
}

impl Sink {
    /// Prints a place's keys; answers false once the output failed.
    fn place(&mut self, place: &PlaceKeys) -> bool {
        for (key, flags) in place.flagged(self.rules) {
            if self.wanted.iter().all(|f| flags.has(*f)) {
                self.printer.print(&Item(&key, flags, self.rules.now));
                self.keys += 1;
            }
        }
        self.printer.flush();
        !self.printer.failed()
    }
}

fn max_age_days(cx: &Context, args: &InventoryArgs) -> Result<i64, Failure> {
    match &args.max_age {
        Some(age) => Ok(i64::try_from(age.as_secs() / 86_400)
            .unwrap_or(i64::MAX)
            .max(1)),
        None => {
            crate::config::max_key_age_days(&cx.profile).map_err(|e| Failure::new(exit::USAGE, e.0))
        }
    }
}

pub async fn run(cx: &Context, args: &InventoryArgs) -> CommandResult {
    let client = cx.client()?;
    let rules = Rules {
        max_age_days: max_age_days(cx, args)?,
        now: OffsetDateTime::now_utc(),
    };
    let home = cx.target();
    let tenants = if cx.tenant.is_some() {
        client.managed_organizations(&home).await?
    } else {
        say!(
            "no --tenant given: the inventory is this key's own organizations (a multi-tenant \
             key with its home organization as --tenant reads every managed tenant too)"
        );
        Vec::new()
    };
    let places = tenants.len();
    let mut sink = Sink {
        printer: Printer::new(cx.output, &COLUMNS, &TABLE),
        wanted: args.flags.clone(),
        rules,
        keys: 0,
    };
    let mut worst = exit::OK;
    let mut failed = 0;
    // The home organizations and the tenants at once (each region paced by
    // its own budget); rows are printed as each place answers.
    let home_place = {
        let client = &client;
        let home = &home;
        futures_util::stream::once(async move { (None, read_place(client, home).await) })
    };
    let tenant_places = client
        .tenant_stream(tenants, |target| {
            let client = &client;
            async move { read_place(client, &target).await }
        })
        .map(|answer| (Some(answer.tenant), answer.outcome));
    let mut answers = std::pin::pin!(futures_util::stream::select(home_place, tenant_places));
    while let Some((tenant, outcome)) = answers.next().await {
        match outcome {
            Ok(place) => {
                if !sink.place(&place) {
                    break;
                }
            }
            Err(error) => {
                match &tenant {
                    None => say!("the home organizations: {error}"),
                    Some(tenant) => say!(
                        "tenant {} ({}): {error}",
                        display(tenant.name.as_deref().unwrap_or("-"), 40),
                        display(&tenant.id, 40)
                    ),
                }
                worst = worst.max(error.exit_code());
                failed += 1;
            }
        }
    }
    let keys = sink.keys;
    sink.printer.finish().map_err(output_failure)?;
    let requests = client
        .stats()
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    if cx.output == OutputFormat::Table || failed > 0 {
        say!(
            "{keys} keys in the home organizations and {places} tenants ({requests} requests){}",
            if failed > 0 {
                format!("; {failed} could not be read")
            } else {
                String::new()
            }
        );
    }
    Ok(worst)
}
