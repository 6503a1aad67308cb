//! `r7keys keys list|generate|revoke` (and `rotate`, in `rotate.rs`).

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use futures_util::StreamExt;
use time::OffsetDateTime;

use super::confirm::{self, Answer};
use super::context::Context;
use super::out::{Undelivered, WriteError, deliver_secret, stdout_can_take_a_secret};
use super::output::{KEY_COLUMNS, KEY_CSV, KeyAt, OLD_AFTER_DAYS, Printer};
use super::{CommandResult, Failure};
use crate::api::error::exit;
use crate::api::keys::check_key_id;
use crate::api::{
    ApiError, Client, KeyFilter, KeyInfo, KeyKind, KeyNote, NewKey, Revocation, Target,
};
use crate::cli::OutputFormat;
use crate::sanitize::display;
use crate::say;

pub(super) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Pages arrive in any order; JSON, CSV and tables list keys in page order,
/// so a page that comes early waits here until the ones before it are out.
struct InOrder {
    next: usize,
    waiting: BTreeMap<usize, Vec<KeyInfo>>,
}

impl InOrder {
    fn new() -> InOrder {
        InOrder {
            next: 0,
            waiting: BTreeMap::new(),
        }
    }

    /// Takes a page; answers the keys now ready, in order.
    fn push(&mut self, index: usize, keys: Vec<KeyInfo>) -> Vec<KeyInfo> {
        self.waiting.insert(index, keys);
        let mut ready = Vec::new();
        while let Some(keys) = self.waiting.remove(&self.next) {
            ready.extend(keys);
            self.next += 1;
        }
        ready
    }

    /// What is left when the walk ends (after a gap, in index order).
    fn rest(self) -> Vec<KeyInfo> {
        self.waiting.into_values().flatten().collect()
    }
}

/// Where listed keys go: filtered by age, printed as they come.
struct KeySink {
    printer: Printer,
    now: OffsetDateTime,
    older_than: Option<time::Duration>,
    old: usize,
}

impl KeySink {
    fn new(cx: &Context, older_than: Option<humantime::Duration>) -> KeySink {
        KeySink {
            printer: Printer::new(cx.output, &KEY_CSV, &KEY_COLUMNS),
            now: now(),
            older_than: older_than
                .map(|age| time::Duration::try_from(*age.as_ref()).unwrap_or(time::Duration::MAX)),
            old: 0,
        }
    }

    /// Prints the keys that pass the age filter; `Break` once output failed.
    fn take(&mut self, keys: &[KeyInfo]) -> ControlFlow<()> {
        for key in keys {
            if let Some(limit) = self.older_than {
                if key.generated_on.is_none_or(|at| self.now - at <= limit) {
                    continue;
                }
            }
            if key.age_days(self.now).is_some_and(|d| d > OLD_AFTER_DAYS) {
                self.old += 1;
            }
            self.printer.print(&KeyAt(key, self.now));
        }
        self.printer.flush();
        if self.printer.failed() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn finish(self, table: bool) -> Result<(), Failure> {
        let old = self.old;
        let count = self.printer.finish().map_err(output_failure)?;
        if table {
            say!("{count} keys; {old} older than {OLD_AFTER_DAYS} days (marked !)");
        }
        Ok(())
    }
}

/// The failure for output that could not be written: none for a reader
/// that went away (`| head`), a clear error otherwise.
pub(crate) fn output_failure(error: WriteError) -> Failure {
    match error {
        WriteError::Gone => Failure::quiet(exit::OK),
        WriteError::Failed(error) => {
            Failure::new(exit::USAGE, format!("cannot write the output: {error}"))
        }
    }
}

pub async fn list(
    cx: &Context,
    kind: Option<KeyKind>,
    org: Option<String>,
    all_tenants: bool,
    older_than: Option<humantime::Duration>,
) -> CommandResult {
    let client = cx.client()?;
    let filter = KeyFilter {
        kind,
        organization_id: org,
    };
    let mut sink = KeySink::new(cx, older_than);
    let worst = if all_tenants {
        list_tenants(cx, &client, &filter, &mut sink).await?
    } else {
        let in_order = cx.output != OutputFormat::Jsonl;
        let mut pages = InOrder::new();
        let walk = client
            .list_keys_paged(&cx.target(), &filter, |page| {
                if in_order {
                    let ready = pages.push(page.index, page.items);
                    sink.take(&ready)
                } else {
                    sink.take(&page.items)
                }
            })
            .await;
        if let Err(error) = walk {
            // What was streamed stays as it is (a JSON array left open does
            // not parse, so no script mistakes it for the whole list); the
            // error says the list is incomplete.
            drop(sink);
            return Err(error.into());
        }
        let rest = pages.rest();
        let _ = sink.take(&rest);
        exit::OK
    };
    sink.finish(cx.output == OutputFormat::Table)?;
    Ok(worst)
}

/// Every managed tenant's keys, printed tenant by tenant as each answers;
/// answers the worst exit code of the tenants that failed.
async fn list_tenants(
    cx: &Context,
    client: &Client,
    filter: &KeyFilter,
    sink: &mut KeySink,
) -> Result<u8, Failure> {
    // A platform key ignores R7-Organization-Id: its own keys would be
    // listed as every tenant's.
    if cx.tenant.is_none() {
        return Err(Failure::new(
            exit::USAGE,
            "--all-tenants needs a multi-tenant key and its home organization as --tenant \
             (or the profile's tenant)",
        ));
    }
    let tenants = client.managed_organizations(&cx.target()).await?;
    say!("listing the keys of {} tenants", tenants.len());
    let mut worst = exit::OK;
    let mut answers = client.tenant_keys(tenants, filter);
    while let Some(answer) = answers.next().await {
        match answer.outcome {
            Ok(found)
                if found.iter().any(|k| {
                    k.organization_id
                        .as_ref()
                        .is_some_and(|o| *o != answer.tenant.id)
                }) =>
            {
                say!(
                    "tenant {}: the answer holds keys of other organizations (the key does \
                     not act for tenants; use a multi-tenant key); left out",
                    display(&answer.tenant.id, 40)
                );
                worst = worst.max(exit::REFUSED);
            }
            Ok(found) => {
                if sink.take(&found).is_break() {
                    break;
                }
            }
            Err(error) => {
                say!(
                    "tenant {} ({}): {error}",
                    display(&answer.tenant.id, 40),
                    display(answer.tenant.name.as_deref().unwrap_or("-"), 40)
                );
                worst = worst.max(error.exit_code());
            }
        }
    }
    Ok(worst)
}

/// The failure for a key whose secret could not be delivered: the key
/// exists and nobody has it, so say which to revoke (exit 3, a lost answer).
pub(super) fn undelivered(info: &KeyInfo, why: &Undelivered) -> Failure {
    let id = display(info.id.as_deref().unwrap_or("-"), 60);
    Failure::new(
        exit::NETWORK,
        format!(
            "the {} was generated, but its secret could not be delivered: {}. Nobody has the \
             secret, so revoke the key: r7keys keys revoke {id}",
            confirm::describe(info, now()),
            why.0
        ),
    )
}

/// Refuses, before anything is sent, when stdout cannot take a secret.
pub(super) fn secret_has_somewhere_to_go() -> Result<(), Failure> {
    stdout_can_take_a_secret()
        .map_err(|why| Failure::new(exit::USAGE, format!("{}; nothing was generated", why.0)))
}

pub async fn generate(
    cx: &Context,
    kind: KeyKind,
    name: String,
    org: Option<String>,
) -> CommandResult {
    secret_has_somewhere_to_go()?;
    let client = cx.client()?;
    let spec = NewKey {
        name,
        kind,
        organization_id: org,
    };
    let generated = client
        .generate_key_noted(&cx.target(), &spec, &KeyNote::default())
        .await?;
    deliver_secret(generated.secret.expose()).map_err(|why| undelivered(&generated.info, &why))?;
    say!(
        "Generated the {}. This secret is shown once: store it now.",
        confirm::describe(&generated.info, now())
    );
    Ok(exit::OK)
}

/// A key id from the command line, checked before it goes into a URL.
pub(super) fn key_id(id: &str) -> Result<&str, Failure> {
    check_key_id(id).map_err(|why| Failure::new(exit::USAGE, why))?;
    Ok(id)
}

/// Finds a key by id in the caller's listing (there is no GET by id).
pub(super) async fn find(
    client: &Client,
    target: &Target,
    id: &str,
) -> Result<Option<KeyInfo>, ApiError> {
    let keys = client.list_keys(target, &KeyFilter::default()).await?;
    Ok(keys.into_iter().find(|k| k.id.as_deref() == Some(id)))
}

pub(super) fn ask(action: &str, key: &KeyInfo) -> Result<(), Failure> {
    match confirm::confirm(action, key, now()) {
        Answer::Yes => Ok(()),
        Answer::No => Err(Failure::new(
            exit::DECLINED,
            "declined: nothing was changed",
        )),
        Answer::Mismatch => Err(Failure::new(
            exit::DECLINED,
            "the name did not match the key's: nothing was changed",
        )),
        Answer::CannotAsk => Err(Failure::new(
            exit::USAGE,
            format!("refusing to {action} without confirmation: run on a terminal or pass --yes"),
        )),
    }
}

/// In read-only mode, says so before listing and asking: the client's gate
/// would refuse the mutation anyway, but only after the user confirmed.
pub(super) fn refuse_if_read_only(client: &Client, action: &str) -> Result<(), Failure> {
    if client.settings().read_only {
        return Err(ApiError::ReadOnly {
            action: action.to_string(),
        }
        .into());
    }
    Ok(())
}

/// What to say when there was nothing to revoke: the same with and without
/// `--yes` (a 404, or no such key in the listing).
fn nothing_to_revoke(id: &str) -> u8 {
    say!(
        "nothing to revoke: no key with id {} exists for this key (already revoked, or not \
         visible to it)",
        display(id, 60)
    );
    exit::OK
}

pub async fn revoke(cx: &Context, id: &str, yes: bool) -> CommandResult {
    let id = key_id(id)?;
    let client = cx.client()?;
    refuse_if_read_only(&client, "revoke a key")?;
    let target = cx.target();
    // The journal names the key when it is known (it is listed to confirm).
    let mut note = KeyNote::default();
    if !yes {
        match find(&client, &target, id).await? {
            Some(key) => {
                ask("revoke", &key)?;
                note = KeyNote::of(&key);
            }
            None => return Ok(nothing_to_revoke(id)),
        }
    }
    match client.revoke_key_noted(&target, id, &note).await? {
        Revocation::Revoked => say!("revoked {}", display(id, 60)),
        Revocation::AlreadyGone => return Ok(nothing_to_revoke(id)),
    }
    Ok(exit::OK)
}
