//! `r7keys keys rotate`: generate the replacement, prove it works, hand over
//! its secret, then revoke the old key. At every step that can fail, the
//! message says exactly which key is live and which to revoke.

use std::fmt::Write as _;
use std::time::Duration;

use super::context::Context;
use super::keys::{
    ask, find, key_id, now, refuse_if_read_only, secret_has_somewhere_to_go, undelivered,
};
use super::out::deliver_secret;
use super::{CommandResult, Failure, confirm};
use crate::api::error::exit;
use crate::api::{ApiError, Client, Generated, KeyInfo, KeyKind, KeyNote, NewKey, Target};
use crate::sanitize::display;
use crate::say;

/// Waits before each try of proving a new key: a platform may take a moment
/// before a key it just made is accepted everywhere.
const PROOF_WAITS: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_secs(1),
    Duration::from_secs(2),
];

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

fn represents_a_user(key: &KeyInfo) -> bool {
    matches!(key.kind, KeyKind::User | KeyKind::MultiTenantUser)
}

fn owner_words(key: &KeyInfo) -> String {
    display(
        key.owner_email
            .as_deref()
            .or(key.owner_id.as_deref())
            .unwrap_or("-"),
        60,
    )
}

/// A user key represents its owner, and a new key represents whoever
/// generated it: replacing someone else's user key would hand their
/// integrations a key acting as the caller. When the profile says who the
/// caller is, this is refused before anything is generated.
fn refuse_another_users_key(cx: &Context, old: &KeyInfo) -> Result<(), Failure> {
    let (Some(me), Some(owner)) = (cx.profile.email.as_deref(), old.owner_email.as_deref()) else {
        return Ok(());
    };
    if !represents_a_user(old) || me.eq_ignore_ascii_case(owner) {
        return Ok(());
    }
    Err(Failure::new(
        exit::REFUSED,
        format!(
            "the key {} represents {}, and a replacement generated with your key would \
             represent you ({}): only its owner can rotate it. Nothing was changed.",
            display(old.id.as_deref().unwrap_or("-"), 60),
            owner_words(old),
            display(me, 60)
        ),
    ))
}

/// The same rule checked on the generated key, for callers whose profile
/// does not name them: the unwanted key is revoked again (its secret was
/// never shown) and the old one kept.
async fn undo_if_another_owner(
    client: &Client,
    target: &Target,
    old: &KeyInfo,
    new: &KeyInfo,
    new_id: &str,
) -> Option<Failure> {
    if !represents_a_user(old) {
        return None;
    }
    let differs = |a: &Option<String>, b: &Option<String>| {
        a.as_ref().zip(b.as_ref()).is_some_and(|(a, b)| a != b)
    };
    if !differs(&old.owner_id, &new.owner_id) && !differs(&old.owner_email, &new.owner_email) {
        return None;
    }
    let cleanup = revoke_again(client, target, new, old.id.as_deref().unwrap_or("-")).await;
    Some(Failure::new(
        exit::REFUSED,
        format!(
            "the key {} represents {}, but its replacement would represent {} (a user key \
             acts as whoever generated it): only its owner can rotate it. The new key (id {}) \
             {cleanup}; the old key is unchanged and still active.",
            display(old.id.as_deref().unwrap_or("-"), 60),
            owner_words(old),
            owner_words(new),
            display(new_id, 60)
        ),
    ))
}

/// Revokes a replacement nobody will use; answers what became of it, in words.
async fn revoke_again(client: &Client, target: &Target, new: &KeyInfo, old_id: &str) -> String {
    let new_id = new.id.as_deref().unwrap_or("-");
    let note = KeyNote::of(new).rotating(old_id);
    match client
        .without_deadline()
        .revoke_key_noted(target, new_id, &note)
        .await
    {
        Ok(_) => "was revoked again".to_string(),
        Err(error) => format!(
            "could not be revoked ({error}): revoke it yourself, r7keys keys revoke {}",
            display(new_id, 60)
        ),
    }
}

/// `/validate` with the new key at its home, tried a few times.
async fn prove(client: &Client, generated: &Generated, home: &Target) -> Result<(), ApiError> {
    let Some(key) = generated.secret.as_api_key() else {
        return Err(ApiError::Unreadable {
            detail: "the new key is empty".into(),
        });
    };
    let with_new = client.with_key(key);
    let mut last = Ok(());
    for wait in PROOF_WAITS {
        tokio::time::sleep(wait).await;
        last = with_new.validate(home).await;
        match &last {
            Ok(()) => return Ok(()),
            // Refused: maybe not yet known everywhere; try again.
            Err(ApiError::Unauthorized { .. }) => {}
            Err(_) => return last,
        }
    }
    last
}

/// The key to replace, from the listing (there is no GET by id).
async fn find_old(client: &Client, target: &Target, id: &str) -> Result<KeyInfo, Failure> {
    find(client, target, id).await?.ok_or_else(|| {
        Failure::new(
            exit::REFUSED,
            format!(
                "no key with id {} is visible to this key: nothing was changed",
                display(id, 60)
            ),
        )
    })
}

pub async fn rotate(
    cx: &Context,
    id: &str,
    yes: bool,
    keep_old: bool,
    name: Option<String>,
) -> CommandResult {
    let id = key_id(id)?;
    secret_has_somewhere_to_go()?;
    let client = cx.client()?;
    refuse_if_read_only(&client, "rotate a key")?;
    let target = cx.target();
    let old = find_old(&client, &target, id).await?;
    refuse_another_users_key(cx, &old)?;
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
    if let Some(failure) =
        undo_if_another_owner(&client, &target, &old, &generated.info, &new_id).await
    {
        return Err(failure);
    }
    let home = home_of(&client, cx, &generated.info).await;
    if let Err(error) = prove(&client, &generated, &home).await {
        let cleanup = revoke_again(&client, &target, &generated.info, id).await;
        return Err(Failure::new(
            error.exit_code(),
            format!(
                "the old key (id {}) is unchanged and still active. Its replacement (id {}) \
                 could not be proven to work at region {} ({error}), so its secret was not \
                 handed out; it {cleanup}.",
                display(id, 60),
                display(&new_id, 60),
                home.region
            ),
        ));
    }
    if let Err(why) = deliver_secret(generated.secret.expose()) {
        let mut failure = undelivered(&generated.info, &why);
        let _ = write!(
            failure.message,
            " The old key (id {}) was kept and is still active.",
            display(id, 60)
        );
        return Err(failure);
    }
    say!(
        "generated the replacement, the {}, and proved it works at region {}",
        confirm::describe(&generated.info, now()),
        home.region
    );
    if keep_old {
        say!(
            "kept the old key (id {}): both keys are active; revoke the old one once the new one \
             is deployed: r7keys keys revoke {}",
            display(id, 60),
            display(id, 60)
        );
        return Ok(exit::OK);
    }
    retire(&client, &target, &old, &new_id).await
}

/// The last step: the old key is revoked, now that its replacement is
/// proven and handed over; a failure says that both keys are active.
async fn retire(client: &Client, target: &Target, old: &KeyInfo, new_id: &str) -> CommandResult {
    let id = old.id.as_deref().unwrap_or("-");
    match client
        .without_deadline()
        .revoke_key_noted(target, id, &KeyNote::of(old).rotating(id))
        .await
    {
        Ok(_) => {
            say!(
                "revoked the old key (id {}); only the new one is active",
                display(id, 60)
            );
            Ok(exit::OK)
        }
        Err(error) => Err(Failure::new(
            error.exit_code(),
            format!(
                "the new key (id {}) works and its secret is on stdout, but revoking the old key \
                 (id {}) failed ({error}): both keys are active. Revoke the old one: r7keys keys \
                 revoke {}",
                display(new_id, 60),
                display(id, 60),
                display(id, 60)
            ),
        )),
    }
}
