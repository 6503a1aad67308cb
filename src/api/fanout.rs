//! A multi-tenant fan-out: the same request for every managed tenant, each at
//! its own region with `R7-Organization-Id`. Regions run concurrently, each
//! within its own budget; one failing tenant is reported, not fatal. Tenants
//! are handed on as each one answers, so a caller can print or show them
//! while the rest are still loading.

use std::collections::BTreeMap;
use std::future::Future;

use futures_util::stream::{self, BoxStream, StreamExt};

use super::client::{Client, Target};
use super::error::ApiError;
use super::keys::KeyFilter;
use super::model::{KeyInfo, Organization};
use crate::region::Region;
use crate::sanitize::sanitize;

/// What one tenant gave.
#[derive(Debug)]
pub struct TenantOutcome<T> {
    pub tenant: Organization,
    pub outcome: Result<T, ApiError>,
}

/// The keys one tenant gave.
pub type TenantKeys = TenantOutcome<Vec<KeyInfo>>;

/// Tenants grouped by the region they are reached at; tenants whose region
/// r7keys does not know come under `None`.
pub fn by_region(tenants: Vec<Organization>) -> BTreeMap<Option<Region>, Vec<Organization>> {
    let mut grouped: BTreeMap<Option<Region>, Vec<Organization>> = BTreeMap::new();
    for tenant in tenants {
        grouped
            .entry(tenant.known_region())
            .or_default()
            .push(tenant);
    }
    grouped
}

/// The answer for a tenant whose region is unknown: it cannot be reached.
fn unknown_region<T>(tenant: Organization) -> TenantOutcome<T> {
    let detail = format!(
        "tenant {} has an unknown region {:?}",
        tenant.id,
        tenant.region.as_deref().unwrap_or("-")
    );
    TenantOutcome {
        tenant,
        outcome: Err(ApiError::Config(sanitize(&detail).into_owned())),
    }
}

impl Client {
    /// Runs `work` for every tenant, at the tenant's region with its
    /// `R7-Organization-Id`, and hands on each tenant's outcome as it comes:
    /// the tenants of one region a few at a time (the client's concurrency;
    /// that region's pacer keeps them within its budget), all regions at once.
    pub fn tenant_stream<'a, T, F, Fut>(
        &'a self,
        tenants: Vec<Organization>,
        work: F,
    ) -> BoxStream<'a, TenantOutcome<T>>
    where
        T: Send + 'a,
        F: Fn(Target) -> Fut + Send + Sync + Clone + 'a,
        Fut: Future<Output = Result<T, ApiError>> + Send + 'a,
    {
        let per_region = self.settings().concurrency.max(1);
        let streams = by_region(tenants)
            .into_iter()
            .map(move |(region, tenants)| {
                let Some(region) = region else {
                    return stream::iter(tenants.into_iter().map(unknown_region)).boxed();
                };
                let work = work.clone();
                stream::iter(tenants)
                    .map(move |tenant| {
                        let work = work.clone();
                        async move {
                            let target = Target::new(region, Some(tenant.id.clone()));
                            let outcome = work(target).await;
                            TenantOutcome { tenant, outcome }
                        }
                    })
                    .buffer_unordered(per_region)
                    .boxed()
            });
        stream::select_all(streams).boxed()
    }

    /// [`Client::tenant_stream`], once every tenant has answered.
    pub async fn for_each_tenant<'a, T, F, Fut>(
        &'a self,
        tenants: Vec<Organization>,
        work: F,
    ) -> Vec<TenantOutcome<T>>
    where
        T: Send + 'a,
        F: Fn(Target) -> Fut + Send + Sync + Clone + 'a,
        Fut: Future<Output = Result<T, ApiError>> + Send + 'a,
    {
        self.tenant_stream(tenants, work).collect().await
    }

    /// The keys of every tenant, as each tenant answers.
    pub fn tenant_keys<'a>(
        &'a self,
        tenants: Vec<Organization>,
        filter: &'a KeyFilter,
    ) -> BoxStream<'a, TenantKeys> {
        self.tenant_stream(tenants, move |target| async move {
            self.list_keys(&target, filter).await
        })
    }

    /// The keys of every tenant, once all have answered.
    pub async fn keys_of_tenants(
        &self,
        tenants: Vec<Organization>,
        filter: &KeyFilter,
    ) -> Vec<TenantKeys> {
        self.tenant_keys(tenants, filter).collect().await
    }
}
