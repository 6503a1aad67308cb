//! Runs the console's API effects on tokio tasks and sends the answers back
//! as messages tagged with the request they answer. Pages are sent as they
//! arrive, so tables fill progressively; nothing here blocks the UI.
//!
//! Every task that only reads is kept by its request id, so that
//! `Effect::Cancel` stops it: a listing the user replaced (a refresh, another
//! tenant) spends no more of the rate budget. Generates and revokes are never
//! cancelled: their outcome must be known.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::api::tc::TcClient;
use crate::api::{Client, Target};
use crate::app::effect::PlaceRequest;
use crate::app::msg::{Outcome, RegionBudget, ReqId, TcFacts};
use crate::app::{Effect, Msg};
use crate::inventory::PlaceKeys;

/// The tasks that may be cancelled, by the request they answer.
type Running = Arc<Mutex<HashMap<ReqId, AbortHandle>>>;

/// The API side of the console.
#[derive(Clone)]
pub struct Worker {
    /// Shared by every clone, so adopting a new key reaches them all.
    client: Arc<RwLock<Client>>,
    tc: Option<Arc<TcClient>>,
    tx: UnboundedSender<Msg>,
    running: Running,
}

fn send(tx: &UnboundedSender<Msg>, outcome: Outcome) {
    // The UI may have quit: then nobody needs the answer.
    let _ = tx.send(Msg::Done(Box::new(outcome)));
}

impl Worker {
    pub fn new(client: Client, tc: Option<TcClient>, tx: UnboundedSender<Msg>) -> Worker {
        let waits = tx.clone();
        client.on_budget_wait(Arc::new(move |region, left| {
            let left = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            let _ = waits.send(Msg::Done(Box::new(Outcome::BudgetWait { region, left })));
        }));
        Worker {
            client: Arc::new(RwLock::new(client)),
            tc: tc.map(Arc::new),
            tx,
            running: Arc::default(),
        }
    }

    /// The client as it is now (cheap: a client is shared handles).
    fn client(&self) -> Client {
        self.client
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Signs everything from now on with `key`; requests under way finish
    /// with the key they started with.
    fn adopt(&self, key: crate::api::ApiKey) {
        let mut client = self.client.write().unwrap_or_else(PoisonError::into_inner);
        let adopted = client.with_key(key);
        *client = adopted;
        tracing::info!(key = %client.key_fingerprint(), "signing with the rotated key");
    }

    /// Requests still running that may be cancelled (for tests and the log).
    pub fn running(&self) -> usize {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Runs a read on a task of its own, kept by `req` until it ends.
    fn spawn_cancellable<F>(&self, req: ReqId, work: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let running = Arc::clone(&self.running);
        let mut table = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        let handle = tokio::spawn(async move {
            work.await;
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&req);
        });
        if !handle.is_finished() {
            table.insert(req, handle.abort_handle());
        }
    }

    /// Stops the work for `req`, if it is still running.
    fn cancel(&self, req: ReqId) {
        let handle = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&req);
        if let Some(handle) = handle {
            handle.abort();
            tracing::info!(req, "cancelled a listing nobody waits for");
        }
    }

    fn report_budget(&self, target: &Target) {
        if let Some((remaining, limit)) = self.client().budget(target.region) {
            send(&self.tx, Outcome::Budget { remaining, limit });
        }
    }

    /// Starts an API effect; hands back effects that are not the worker's
    /// (boxed: a returned effect is rare, and some are large).
    pub fn start(&self, effect: Effect) -> Result<(), Box<Effect>> {
        let worker = self.clone();
        match effect {
            Effect::LoadKeys {
                req,
                target,
                filter,
            } => {
                self.spawn_cancellable(req, async move {
                    worker.list_keys(req, target, filter).await;
                });
            }
            Effect::LoadOrgs { req, target } => {
                self.spawn_cancellable(req, async move {
                    let result = worker.client().organizations(&target).await;
                    send(&worker.tx, Outcome::Orgs { req, result });
                });
            }
            Effect::LoadManaged { req, target } => {
                self.spawn_cancellable(req, async move {
                    let result = worker.client().managed_organizations(&target).await;
                    worker.report_budget(&target);
                    send(&worker.tx, Outcome::Managed { req, result });
                });
            }
            Effect::Generate {
                req,
                target,
                spec,
                note,
            } => {
                tokio::spawn(async move {
                    let result = worker
                        .client()
                        .generate_key_noted(&target, &spec, &note)
                        .await
                        .map(|g| (g.info, g.secret));
                    worker.report_budget(&target);
                    send(&worker.tx, Outcome::Generated { req, result });
                });
            }
            Effect::Revoke {
                req,
                target,
                id,
                note,
            } => {
                tokio::spawn(async move {
                    let result = worker.client().revoke_key_noted(&target, &id, &note).await;
                    worker.report_budget(&target);
                    send(&worker.tx, Outcome::Revoked { req, id, result });
                });
            }
            Effect::Cancel { req } => self.cancel(req),
            Effect::AdoptKey(key) => self.adopt(key),
            Effect::Prove { req, target, key } => {
                tokio::spawn(async move {
                    let started = Instant::now();
                    let result = worker
                        .client()
                        .with_key(key)
                        .validate(&target)
                        .await
                        .map(|()| u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX))
                        .map_err(|e| e.to_string());
                    send(&worker.tx, Outcome::Proved { req, result });
                });
            }
            Effect::LoadInventory { req, places } => {
                self.spawn_cancellable(req, async move {
                    worker.inventory(req, places).await;
                });
            }
            Effect::LoadAudit { req, target, from } => {
                self.spawn_cancellable(req, async move {
                    worker.audit(req, target, from).await;
                });
            }
            Effect::LoadTc { req } => {
                self.spawn_cancellable(req, async move {
                    let result = match &worker.tc {
                        Some(tc) => tc_facts(tc).await,
                        None => Err("Threat Command is not configured".into()),
                    };
                    send(&worker.tx, Outcome::Tc { req, result });
                });
            }
            other => return Err(Box::new(other)),
        }
        Ok(())
    }
}

impl Worker {
    /// What the client knows of each region's budget, for the progress line.
    fn progress(&self, req: ReqId) {
        let budgets = self
            .client()
            .remembered_budgets()
            .into_iter()
            .map(|(region, b)| RegionBudget {
                region,
                remaining: b.remaining,
                limit: b.limit,
                reset_in: b
                    .reset_at
                    .duration_since(std::time::SystemTime::now())
                    .map_or(0, |d| d.as_secs()),
            })
            .collect();
        let requests = self.client().stats().requests.load(Ordering::Relaxed);
        send(
            &self.tx,
            Outcome::InventoryProgress {
                req,
                requests,
                budgets,
            },
        );
    }

    /// Reads the inventory's places: those already listed need only their
    /// users (when a key could be an orphan); the home organizations and the
    /// tenants are read at once, each region paced by its own budget, and
    /// each place is sent on as it answers.
    async fn inventory(&self, req: ReqId, places: Vec<PlaceRequest>) {
        self.progress(req);
        let (known, unknown): (Vec<_>, Vec<_>) =
            places.into_iter().partition(|p| p.known.is_some());
        for place in known {
            let keys = place.known.unwrap_or_default();
            let users = if crate::inventory::needs_users(&keys) {
                self.client().users(&place.target).await.ok()
            } else {
                None
            };
            let result = Ok(PlaceKeys { keys, users });
            send(
                &self.tx,
                Outcome::InventoryPlace {
                    req,
                    tenant: place.tenant,
                    result,
                },
            );
        }
        let (home, tenants): (Vec<_>, Vec<_>) =
            unknown.into_iter().partition(|p| p.tenant.is_none());
        // One client for the whole run: its pacing holds across the tenants.
        let client = self.client();
        let client = &client;
        let home = async {
            for place in home {
                let result = crate::inventory::read_place(client, &place.target).await;
                send(
                    &self.tx,
                    Outcome::InventoryPlace {
                        req,
                        tenant: None,
                        result,
                    },
                );
                self.progress(req);
            }
        };
        let tenants = async {
            let orgs: Vec<_> = tenants.into_iter().filter_map(|p| p.tenant).collect();
            let mut stream = client.tenant_stream(orgs, move |target| async move {
                crate::inventory::read_place(client, &target).await
            });
            while let Some(answer) = futures_util::StreamExt::next(&mut stream).await {
                send(
                    &self.tx,
                    Outcome::InventoryPlace {
                        req,
                        tenant: Some(answer.tenant),
                        result: answer.outcome,
                    },
                );
                self.progress(req);
            }
        };
        futures_util::future::join(home, tenants).await;
        self.progress(req);
        send(&self.tx, Outcome::InventoryDone { req });
    }
}

impl Worker {
    /// A paged listing, each page sent on as it arrives.
    async fn list_keys(&self, req: ReqId, target: Target, filter: crate::api::keys::KeyFilter) {
        let tx = self.tx.clone();
        let result = self
            .client()
            .list_keys_paged(&target, &filter, |page| {
                send(
                    &tx,
                    Outcome::KeysPage {
                        req,
                        keys: page.items,
                        page: page.index,
                        total_pages: page.total_pages,
                        total_keys: page.total_items,
                    },
                );
                std::ops::ControlFlow::Continue(())
            })
            .await;
        self.report_budget(&target);
        send(&tx, Outcome::KeysDone { req, result });
    }

    /// The Audit tab's sources: the journal first (local, at once), then
    /// the platform trail, page by page as Log Search answers.
    async fn audit(&self, req: ReqId, target: Target, from: time::OffsetDateTime) {
        let client = self.client();
        let path = client
            .settings()
            .journal
            .as_ref()
            .map(|j| j.path().to_path_buf());
        let (ops, note) = match path {
            None => (
                Vec::new(),
                Some("the journal is off (--no-journal, journal = false, or the demo)".to_string()),
            ),
            Some(path) => {
                let read = tokio::task::spawn_blocking(move || crate::api::journal::read(&path))
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))
                    .and_then(|r| r);
                match read {
                    Ok(contents) => {
                        let note = (!contents.skipped.is_empty()).then(|| {
                            format!(
                                "{} unreadable journal lines skipped (a torn write?):                                  r7keys journal shows them",
                                contents.skipped.len()
                            )
                        });
                        (crate::app::audit::journal_ops(&contents.entries), note)
                    }
                    Err(error) => (
                        Vec::new(),
                        Some(format!("the journal could not be read: {error}")),
                    ),
                }
            }
        };
        send(&self.tx, Outcome::AuditJournal { req, ops, note });
        let query = crate::api::AuditQuery::between(from, time::OffsetDateTime::now_utc());
        let tx = self.tx.clone();
        let on_events = move |events: &[crate::api::AuditEvent]| {
            send(
                &tx,
                Outcome::AuditEvents {
                    req,
                    events: events.to_vec(),
                },
            );
        };
        let result = client
            .audit_trail_streaming(&target, &query, Some(&on_events))
            .await
            .map(|trail| (trail.incomplete, trail.requests));
        self.report_budget(&target);
        send(&self.tx, Outcome::AuditDone { req, result });
    }
}

async fn tc_facts(tc: &TcClient) -> Result<TcFacts, String> {
    let started = Instant::now();
    let credentials_valid = tc.test_credentials().await.map_err(|e| e.to_string())?;
    let tested_in_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if !credentials_valid {
        return Ok(TcFacts {
            account_id: tc.account_id().to_string(),
            credentials_valid,
            modules: Err("the credentials were refused".into()),
            assets: Err("-".into()),
            quota: Err("-".into()),
            customers: Err("-".into()),
            tested_in_ms,
        });
    }
    let (modules, assets, quota, customers) = tokio::join!(
        tc.system_modules(),
        tc.used_assets(),
        tc.enrichment_quota(),
        tc.mssp_customers()
    );
    Ok(TcFacts {
        account_id: tc.account_id().to_string(),
        credentials_valid,
        modules: modules
            .map(|m| m.into_iter().collect())
            .map_err(|e| e.to_string()),
        assets: assets.map_err(|e| e.to_string()),
        quota: quota.map_err(|e| e.to_string()),
        customers: customers.map_err(|e| e.to_string()),
        tested_in_ms,
    })
}
