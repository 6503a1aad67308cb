//! A multi-tenant fan-out: the same request for every managed tenant, each at
//! its own region with `R7-Organization-Id`. Regions run concurrently, each
//! within its own budget; one failing tenant is reported, not fatal.

use std::collections::BTreeMap;
use std::future::Future;

use futures_util::StreamExt;

use super::client::{Client, Target};
use super::error::ApiError;
use super::keys::KeyFilter;
use super::model::{KeyInfo, Organization};
use crate::region::Region;

/// What one tenant gave.
#[derive(Debug)]
pub struct TenantOutcome<T> {
    pub tenant: Organization,
    pub outcome: Result<T, ApiError>,
}

/// The keys one tenant gave.
pub type TenantKeys = TenantOutcome<Vec<KeyInfo>>;

impl Client {
    /// Runs `work` for every tenant in `tenants`, at the tenant's region with
    /// its `R7-Organization-Id`: tenants of each region in parallel with the
    /// other regions, at most the client's concurrency at once within one
    /// region (whose pacer keeps them within its budget).
    pub async fn for_each_tenant<T, F, Fut>(
        &self,
        tenants: Vec<Organization>,
        work: F,
    ) -> Vec<TenantOutcome<T>>
    where
        F: Fn(Target) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut by_region: BTreeMap<Option<Region>, Vec<Organization>> = BTreeMap::new();
        for tenant in tenants {
            by_region
                .entry(tenant.known_region())
                .or_default()
                .push(tenant);
        }
        let per_region = self.settings().concurrency.max(1);
        let work = &work;
        let regions = by_region.into_iter().map(|(region, tenants)| async move {
            let Some(region) = region else {
                return tenants
                    .into_iter()
                    .map(|tenant| {
                        let detail = format!(
                            "tenant {} has an unknown region {:?}",
                            tenant.id,
                            tenant.region.as_deref().unwrap_or("-")
                        );
                        TenantOutcome {
                            tenant,
                            outcome: Err(ApiError::Config(
                                crate::sanitize::sanitize(&detail).into_owned(),
                            )),
                        }
                    })
                    .collect::<Vec<_>>();
            };
            futures_util::stream::iter(tenants)
                .map(|tenant| async move {
                    let target = Target::new(region, Some(tenant.id.clone()));
                    let outcome = work(target).await;
                    TenantOutcome { tenant, outcome }
                })
                .buffer_unordered(per_region)
                .collect::<Vec<_>>()
                .await
        });
        futures_util::future::join_all(regions)
            .await
            .into_iter()
            .flatten()
            .collect()
    }

    /// The keys of every tenant in `tenants`.
    pub async fn keys_of_tenants(
        &self,
        tenants: Vec<Organization>,
        filter: &KeyFilter,
    ) -> Vec<TenantKeys> {
        self.for_each_tenant(tenants, |target| async move {
            self.list_keys(&target, filter).await
        })
        .await
    }
}
