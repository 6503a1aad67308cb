//! Runs the console's API effects on tokio tasks and sends the answers back
//! as messages tagged with the request they answer. Pages are sent as they
//! arrive, so tables fill progressively; nothing here blocks the UI.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::api::tc::TcClient;
use crate::api::{Client, Target};
use crate::app::msg::{Outcome, TcFacts};
use crate::app::{Effect, Msg};

/// The API side of the console.
#[derive(Clone)]
pub struct Worker {
    client: Client,
    tc: Option<Arc<TcClient>>,
    tx: UnboundedSender<Msg>,
}

fn send(tx: &UnboundedSender<Msg>, outcome: Outcome) {
    // The UI may have quit: then nobody needs the answer.
    let _ = tx.send(Msg::Done(Box::new(outcome)));
}

impl Worker {
    pub fn new(client: Client, tc: Option<TcClient>, tx: UnboundedSender<Msg>) -> Worker {
        Worker {
            client,
            tc: tc.map(Arc::new),
            tx,
        }
    }

    fn report_budget(&self, target: &Target) {
        if let Some((remaining, limit)) = self.client.budget(target.region) {
            send(&self.tx, Outcome::Budget { remaining, limit });
        }
    }

    /// Starts an API effect; hands back effects that are not the worker's.
    pub fn start(&self, effect: Effect) -> Result<(), Effect> {
        let worker = self.clone();
        match effect {
            Effect::LoadKeys {
                req,
                listing,
                target,
                filter,
            } => {
                tokio::spawn(async move {
                    let tx = worker.tx.clone();
                    let result = worker
                        .client
                        .list_keys_paged(&target, &filter, |page| {
                            send(
                                &tx,
                                Outcome::KeysPage {
                                    req,
                                    listing,
                                    keys: page.items,
                                    page: page.index,
                                    total_pages: page.total_pages,
                                    total_keys: page.total_items,
                                },
                            );
                            std::ops::ControlFlow::Continue(())
                        })
                        .await;
                    worker.report_budget(&target);
                    send(
                        &tx,
                        Outcome::KeysDone {
                            req,
                            listing,
                            result,
                        },
                    );
                });
            }
            Effect::LoadOrgs { req, target } => {
                tokio::spawn(async move {
                    let result = worker.client.organizations(&target).await;
                    send(&worker.tx, Outcome::Orgs { req, result });
                });
            }
            Effect::LoadManaged { req, target } => {
                tokio::spawn(async move {
                    let result = worker.client.managed_organizations(&target).await;
                    worker.report_budget(&target);
                    send(&worker.tx, Outcome::Managed { req, result });
                });
            }
            Effect::Generate { req, target, spec } => {
                tokio::spawn(async move {
                    let result = worker
                        .client
                        .generate_key(&target, &spec)
                        .await
                        .map(|g| (g.info, g.secret));
                    worker.report_budget(&target);
                    send(&worker.tx, Outcome::Generated { req, result });
                });
            }
            Effect::Revoke { req, target, id } => {
                tokio::spawn(async move {
                    let result = worker.client.revoke_key(&target, &id).await;
                    worker.report_budget(&target);
                    send(&worker.tx, Outcome::Revoked { req, id, result });
                });
            }
            Effect::LoadTc { req } => {
                tokio::spawn(async move {
                    let result = match &worker.tc {
                        Some(tc) => tc_facts(tc).await,
                        None => Err("Threat Command is not configured".into()),
                    };
                    send(&worker.tx, Outcome::Tc { req, result });
                });
            }
            other => return Err(other),
        }
        Ok(())
    }
}

async fn tc_facts(tc: &TcClient) -> Result<TcFacts, String> {
    let credentials_valid = tc.test_credentials().await.map_err(|e| e.to_string())?;
    if !credentials_valid {
        return Ok(TcFacts {
            account_id: tc.account_id().to_string(),
            credentials_valid,
            modules: Err("the credentials were refused".into()),
            assets: Err("-".into()),
            quota: Err("-".into()),
            customers: Err("-".into()),
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
    })
}
