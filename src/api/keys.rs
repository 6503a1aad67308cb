//! API key operations: validate, list, generate (with lost-answer
//! reconciliation) and revoke.

use std::ops::ControlFlow;

use reqwest::Method;
use time::{Duration, OffsetDateTime};

use super::client::{Call, Client, Target, Trace};
use super::decode::{self, RawKey};
use super::error::ApiError;
use super::journaling::KeyNote;
use super::model::{KeyInfo, KeyKind, NewKey};
use super::paging::{self, ListRequest, Page};
use super::secret::NewSecret;

const KEYS: &str = "/account/api/1/api-keys";

/// Which keys to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFilter {
    pub kind: Option<KeyKind>,
    pub organization_id: Option<String>,
}

/// A key just generated, with its secret (shown once).
pub struct Generated {
    pub info: KeyInfo,
    pub secret: NewSecret,
}

/// What a revoke did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Revoked,
    /// The server said 404: the key was already gone.
    AlreadyGone,
}

impl Client {
    /// `GET /validate`: whether the key works at `target`.
    pub async fn validate(&self, target: &Target) -> Result<(), ApiError> {
        self.get(target, "/validate", Vec::new(), |_| Ok(())).await
    }

    fn key_query(&self, filter: &KeyFilter) -> Vec<(&'static str, String)> {
        let mut query = Vec::new();
        if let Some(kind) = &filter.kind {
            query.push(("type", self.settings().kind_names.wire(kind)));
        }
        if let Some(org) = &filter.organization_id {
            query.push(("organization_id", org.clone()));
        }
        query
    }

    /// Lists keys page by page, calling `on_page` as pages arrive (a key
    /// never twice); `on_page` may stop the walk.
    pub async fn list_keys_paged(
        &self,
        target: &Target,
        filter: &KeyFilter,
        mut on_page: impl FnMut(Page<KeyInfo>) -> ControlFlow<()>,
    ) -> Result<(), ApiError> {
        let request = ListRequest {
            target,
            path: KEYS,
            query: self.key_query(filter),
        };
        let names = self.settings().kind_names.clone();
        let tenant = target.tenant.clone().map(|id| super::model::TenantRef {
            id,
            region: target.region,
        });
        paging::for_each_page(self, &request, |page: Page<RawKey>| {
            let items = page
                .items
                .into_iter()
                .map(|raw| {
                    let mut info = raw.into_info(&names);
                    info.tenant.clone_from(&tenant);
                    info
                })
                .collect();
            on_page(Page {
                index: page.index,
                items,
                total_pages: page.total_pages,
                total_items: page.total_items,
            })
        })
        .await
    }

    /// Every key matching `filter`, in page order.
    pub async fn list_keys(
        &self,
        target: &Target,
        filter: &KeyFilter,
    ) -> Result<Vec<KeyInfo>, ApiError> {
        let mut pages = Vec::new();
        self.list_keys_paged(target, filter, |page| {
            pages.push((page.index, page.items));
            ControlFlow::Continue(())
        })
        .await?;
        pages.sort_by_key(|(index, _)| *index);
        Ok(pages.into_iter().flat_map(|(_, items)| items).collect())
    }

    /// Generates a key. A generate is never blindly re-sent: if its answer is
    /// lost, the key list is searched for it and the user is told to revoke it.
    pub async fn generate_key(
        &self,
        target: &Target,
        spec: &NewKey,
    ) -> Result<Generated, ApiError> {
        self.generate_key_noted(target, spec, &KeyNote::default())
            .await
    }

    /// [`Client::generate_key`], with what the journal should say beyond the
    /// request (a rotation step). Nothing is sent if the intent cannot be
    /// journaled.
    pub async fn generate_key_noted(
        &self,
        target: &Target,
        spec: &NewKey,
        note: &KeyNote,
    ) -> Result<Generated, ApiError> {
        let pending = self.journal_generate(target, KEYS, spec, note)?;
        let mut trace = Trace::default();
        let result = self.send_generate(target, spec, &mut trace).await;
        pending.generated(&result, &trace);
        result
    }

    async fn send_generate(
        &self,
        target: &Target,
        spec: &NewKey,
        trace: &mut Trace,
    ) -> Result<Generated, ApiError> {
        let mut body = serde_json::json!({
            "name": spec.name,
            "type": self.settings().kind_names.wire(&spec.kind),
        });
        if let Some(org) = &spec.organization_id {
            body["organization_id"] = serde_json::Value::String(org.clone());
        }
        let started = OffsetDateTime::now_utc();
        let call = Call {
            method: Method::POST,
            target,
            path: KEYS,
            query: Vec::new(),
            body: Some(body.to_string().into_bytes()),
        };
        let failure = match self.call_traced(call, trace).await {
            Ok(answer) => match decode::created(&answer.body) {
                Ok((raw, Some(secret))) => {
                    let info = raw.into_info(&self.settings().kind_names);
                    return Ok(Generated {
                        info,
                        secret: NewSecret::new(secret),
                    });
                }
                Ok((_, None)) => ApiError::Unreadable {
                    detail: format!("the answer ({}) held no key", answer.status),
                },
                Err(detail) => ApiError::Unreadable { detail },
            },
            Err(error) if error.outcome_unknown() => error,
            Err(error) => return Err(error),
        };
        Err(self.reconcile(target, spec, started, &failure).await)
    }

    /// After a lost answer: finds the key the generate may have created, by
    /// listing (without the operation's deadline: this must be known). A
    /// request that timed out may still be carried out by a slow server, so
    /// then the list is looked at once more a little later.
    async fn reconcile(
        &self,
        target: &Target,
        spec: &NewKey,
        started: OffsetDateTime,
        cause: &ApiError,
    ) -> ApiError {
        let filter = KeyFilter {
            kind: Some(spec.kind.clone()),
            organization_id: spec.organization_id.clone(),
        };
        let cause_text = cause.to_string();
        let unbounded = self.without_deadline();
        let waits: &[u64] = if matches!(cause, ApiError::Timeout { .. }) {
            &[0, 3]
        } else {
            &[0]
        };
        // Allow for clock skew between this machine and the platform.
        let since = started - Duration::minutes(10);
        let mut checks = 0;
        for &wait in waits {
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            let Ok(listed) = unbounded.list_keys(target, &filter).await else {
                continue;
            };
            checks += 1;
            let found = listed
                .into_iter()
                .filter(|k| k.name.as_deref() == Some(spec.name.as_str()))
                .filter(|k| k.generated_on.is_none_or(|at| at >= since))
                .max_by_key(|k| k.generated_on);
            if let Some(id) = found.and_then(|k| k.id) {
                return ApiError::LostSecret {
                    id,
                    name: spec.name.clone(),
                    cause: cause_text,
                };
            }
        }
        if checks == 0 {
            return ApiError::OutcomeUnknown {
                name: spec.name.clone(),
                cause: cause_text,
            };
        }
        ApiError::NotCreated {
            name: spec.name.clone(),
            cause: cause_text,
            checks,
            answered: matches!(cause, ApiError::Server { .. }),
        }
    }

    /// Revokes a key; a 404 means it was already gone.
    pub async fn revoke_key(&self, target: &Target, id: &str) -> Result<Revocation, ApiError> {
        self.revoke_key_noted(target, id, &KeyNote::default()).await
    }

    /// [`Client::revoke_key`], with what the caller knows of the key (its
    /// name and kind, a rotation step) for the journal. Nothing is sent if
    /// the intent cannot be journaled.
    pub async fn revoke_key_noted(
        &self,
        target: &Target,
        id: &str,
        note: &KeyNote,
    ) -> Result<Revocation, ApiError> {
        let path = format!("{KEYS}/{}", urlencode(id));
        let pending = self.journal_revoke(target, &path, id, note)?;
        let mut trace = Trace::default();
        let result = self.send_revoke(target, &path, &mut trace).await;
        pending.revoked(&result, &trace);
        result
    }

    async fn send_revoke(
        &self,
        target: &Target,
        path: &str,
        trace: &mut Trace,
    ) -> Result<Revocation, ApiError> {
        let call = Call {
            method: Method::DELETE,
            target,
            path,
            query: Vec::new(),
            body: None,
        };
        match self.call_traced(call, trace).await {
            Ok(_) => Ok(Revocation::Revoked),
            Err(ApiError::NotFound { .. }) => Ok(Revocation::AlreadyGone),
            Err(error) => Err(error),
        }
    }
}

/// Checks that `id` can be a key id before it goes into a URL: ids are
/// UUID-like tokens, so a path (`../x`), spaces or control characters are a
/// mistake, not a key.
pub fn check_key_id(id: &str) -> Result<(), String> {
    let plausible = !id.is_empty()
        && id.len() <= 128
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
    if plausible {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a key id: ids look like 0b6f3f0e-6a55-4d1c-9d3a-5e0d7d1b2a11 \
             (r7keys keys list shows them)",
            crate::sanitize::display(id, 60)
        ))
    }
}

/// Percent-encodes a path segment (ids come from the server or the user).
pub(super) fn urlencode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
