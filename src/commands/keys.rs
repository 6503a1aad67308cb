//! `r7keys keys list|generate|revoke|rotate`.

use std::io::Write;

use time::OffsetDateTime;

use super::confirm::{self, Answer};
use super::context::Context;
use super::output::print_keys;
use super::{CommandResult, Failure};
use crate::api::error::exit;
use crate::api::{
    ApiError, Client, KeyFilter, KeyInfo, KeyKind, KeyNote, NewKey, Revocation, Target,
};
use crate::sanitize::display;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
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
    let mut keys = Vec::new();
    let mut worst = exit::OK;
    if all_tenants {
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
        eprintln!("listing the keys of {} tenants", tenants.len());
        for outcome in client.keys_of_tenants(tenants, &filter).await {
            match outcome.outcome {
                Ok(found)
                    if found.iter().any(|k| {
                        k.organization_id
                            .as_ref()
                            .is_some_and(|o| *o != outcome.tenant.id)
                    }) =>
                {
                    eprintln!(
                        "tenant {}: the answer holds keys of other organizations (the key does \
                         not act for tenants; use a multi-tenant key); left out",
                        display(&outcome.tenant.id, 40)
                    );
                    worst = worst.max(exit::REFUSED);
                }
                Ok(found) => keys.extend(found),
                Err(error) => {
                    eprintln!(
                        "tenant {} ({}): {error}",
                        display(&outcome.tenant.id, 40),
                        display(outcome.tenant.name.as_deref().unwrap_or("-"), 40)
                    );
                    worst = worst.max(error.exit_code());
                }
            }
        }
    } else {
        keys = client.list_keys(&cx.target(), &filter).await?;
    }
    let now = now();
    if let Some(age) = older_than {
        let limit = time::Duration::try_from(*age.as_ref()).unwrap_or(time::Duration::MAX);
        keys.retain(|k| k.generated_on.is_some_and(|at| now - at > limit));
    }
    print_keys(&keys, cx.output, now);
    Ok(worst)
}

pub async fn generate(
    cx: &Context,
    kind: KeyKind,
    name: String,
    org: Option<String>,
) -> CommandResult {
    let client = cx.client()?;
    let spec = NewKey {
        name,
        kind,
        organization_id: org,
    };
    let generated = client.generate_key(&cx.target(), &spec).await?;
    print_secret(generated.secret.expose())?;
    eprintln!(
        "Generated the {}. This secret is shown once: store it now.",
        confirm::describe(&generated.info, now())
    );
    Ok(exit::OK)
}

/// The secret on stdout, and nothing else there.
fn print_secret(secret: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{secret}")
        .and_then(|()| out.flush())
        .map_err(|e| {
            Failure::new(
                exit::USAGE,
                format!("cannot write the secret to stdout: {e}"),
            )
        })
}

/// Finds a key by id in the caller's listing (there is no GET by id).
async fn find(client: &Client, target: &Target, id: &str) -> Result<Option<KeyInfo>, ApiError> {
    let keys = client.list_keys(target, &KeyFilter::default()).await?;
    Ok(keys.into_iter().find(|k| k.id.as_deref() == Some(id)))
}

fn ask(action: &str, key: &KeyInfo) -> Result<(), Failure> {
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
fn refuse_if_read_only(client: &Client, action: &str) -> Result<(), Failure> {
    if client.settings().read_only {
        return Err(ApiError::ReadOnly {
            action: action.to_string(),
        }
        .into());
    }
    Ok(())
}

pub async fn revoke(cx: &Context, id: &str, yes: bool) -> CommandResult {
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
            None => {
                return Err(Failure::new(
                    exit::REFUSED,
                    format!(
                        "no key with id {} is visible to this key (already revoked?)",
                        display(id, 60)
                    ),
                ));
            }
        }
    }
    match client.revoke_key_noted(&target, id, &note).await? {
        Revocation::Revoked => eprintln!("revoked {}", display(id, 60)),
        Revocation::AlreadyGone => {
            eprintln!(
                "already revoked: {} does not exist (or is not visible to this key)",
                display(id, 60)
            );
        }
    }
    Ok(exit::OK)
}

/// Where a key works: the region of its organization (platform keys are
/// bound to it), or the caller's target for multi-tenant keys.
async fn home_of(client: &Client, cx: &Context, key: &KeyInfo) -> Target {
    if key.kind.is_multi_tenant() || cx.tenant.is_some() {
        return cx.target();
    }
    let orgs = client.organizations(&cx.target()).await.unwrap_or_default();
    let region = orgs
        .iter()
        .find(|o| Some(&o.id) == key.organization_id.as_ref())
        .and_then(crate::api::Organization::known_region)
        .unwrap_or(cx.region);
    Target::new(region, None)
}

/// A user key represents its owner, and a new key represents whoever
/// generated it: replacing someone else's user key would hand their
/// integrations a key acting as the caller. The unwanted key is revoked again
/// (its secret was never shown) and the old one kept.
async fn other_owner(
    client: &Client,
    target: &Target,
    old: &KeyInfo,
    new: &KeyInfo,
    new_id: &str,
) -> Option<Failure> {
    if !matches!(old.kind, KeyKind::User | KeyKind::MultiTenantUser) {
        return None;
    }
    let differs = |a: &Option<String>, b: &Option<String>| {
        a.as_ref().zip(b.as_ref()).is_some_and(|(a, b)| a != b)
    };
    if !differs(&old.owner_id, &new.owner_id) && !differs(&old.owner_email, &new.owner_email) {
        return None;
    }
    let note = KeyNote::of(new).rotating(old.id.as_deref().unwrap_or_default());
    let cleanup = match client.revoke_key_noted(target, new_id, &note).await {
        Ok(_) => "was revoked again".to_string(),
        Err(error) => format!(
            "could not be revoked ({error}): r7keys keys revoke {}",
            display(new_id, 60)
        ),
    };
    let who = |key: &KeyInfo| {
        display(
            key.owner_email
                .as_deref()
                .or(key.owner_id.as_deref())
                .unwrap_or("-"),
            60,
        )
    };
    Some(Failure::new(
        exit::REFUSED,
        format!(
            "the key {} represents {}, but its replacement would represent {} (a user key \
             acts as whoever generated it): only its owner can rotate it. The new key (id {}) \
             {cleanup}; the old key was kept.",
            display(old.id.as_deref().unwrap_or("-"), 60),
            who(old),
            who(new),
            display(new_id, 60)
        ),
    ))
}

pub async fn rotate(
    cx: &Context,
    id: &str,
    yes: bool,
    keep_old: bool,
    name: Option<String>,
) -> CommandResult {
    let client = cx.client()?;
    refuse_if_read_only(&client, "rotate a key")?;
    let target = cx.target();
    let Some(old) = find(&client, &target, id).await? else {
        return Err(Failure::new(
            exit::REFUSED,
            format!("no key with id {} is visible to this key", display(id, 60)),
        ));
    };
    if !yes {
        ask(
            if keep_old {
                "replace (keeping the old key)"
            } else {
                "rotate"
            },
            &old,
        )?;
    }
    let spec = NewKey {
        name: name
            .or_else(|| old.name.clone())
            .unwrap_or_else(|| "rotated key".into()),
        kind: old.kind.clone(),
        organization_id: old.organization_id.clone(),
    };
    let generated = client
        .generate_key_noted(&target, &spec, &KeyNote::default().rotating(id))
        .await?;
    let new_id = generated.info.id.clone().unwrap_or_else(|| "-".into());
    if let Some(failure) = other_owner(&client, &target, &old, &generated.info, &new_id).await {
        return Err(failure);
    }
    let home = home_of(&client, cx, &generated.info).await;
    let proof = match generated.secret.as_api_key() {
        Some(key) => client.with_key(key).validate(&home).await,
        None => Err(ApiError::Unreadable {
            detail: "the new key is empty".into(),
        }),
    };
    // From here the new key exists: its secret must reach the user whatever happens.
    print_secret(generated.secret.expose())?;
    if let Err(error) = proof {
        return Err(Failure::new(
            error.exit_code(),
            format!(
                "the new key (id {}) does not work ({error}); the old key was kept. Revoke the new one: r7keys keys revoke {}",
                display(&new_id, 60),
                display(&new_id, 60)
            ),
        ));
    }
    eprintln!(
        "generated the replacement (id {}) and proved it works at region {}",
        display(&new_id, 60),
        home.region
    );
    if keep_old {
        eprintln!(
            "kept the old key (id {}): revoke it once the new one is deployed",
            display(id, 60)
        );
        return Ok(exit::OK);
    }
    match client
        .revoke_key_noted(&target, id, &KeyNote::of(&old).rotating(id))
        .await
    {
        Ok(_) => {
            eprintln!("revoked the old key (id {})", display(id, 60));
            Ok(exit::OK)
        }
        Err(error) => Err(Failure::new(
            error.exit_code(),
            format!(
                "the new key works, but revoking the old key (id {}) failed: {error}",
                display(id, 60)
            ),
        )),
    }
}
