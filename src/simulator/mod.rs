//! A faithful local Command Platform and Threat Command, served over real HTTP.
//!
//! It speaks the contract in `api/contract.md` (Part 1 binding, Part 2 for
//! field names, headers and status codes), so the console, the scriptable
//! commands, the tests and the benchmarks exercise exactly the client that
//! talks to Rapid7. It is started standalone (`r7keys simulate`) or
//! in-process on an ephemeral loopback port ([`Simulator::start`]).
//!
//! Layout: [`world`] holds the data, [`policy`] the role rules (pure),
//! [`paging`], [`ratelimit`], [`faults`] and [`reqlog`] the cross-cutting
//! behaviour, and `http` the axum routes that tie them together.

pub mod audit;
pub mod faults;
mod http;
pub mod logsearch;
pub mod paging;
pub mod policy;
pub mod ratelimit;
pub mod reqlog;
pub mod tc;
pub mod world;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::oneshot;

use crate::region::Region;
use faults::{FaultRule, Faults, Latency};
pub use ratelimit::RateHeaders;
use world::{KeyKind, SeedPlan, World};

/// A rate budget: `requests` per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBudget {
    pub requests: u32,
    pub window: Duration,
}

impl FromStr for RateBudget {
    type Err = String;

    /// `N/SECS`, for example `50/60`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("bad rate limit {text:?}; expected N/SECS, e.g. 50/60");
        let (n, secs) = text.split_once('/').ok_or_else(bad)?;
        let requests: u32 = n.trim().parse().map_err(|_| bad())?;
        let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
        if requests == 0 || secs == 0 {
            return Err(bad());
        }
        Ok(RateBudget {
            requests,
            window: Duration::from_secs(secs),
        })
    }
}

/// Everything that shapes a simulator run.
#[derive(Debug, Clone)]
// Independent switches of the simulator, each a flag of `r7keys simulate`.
#[allow(clippy::struct_excessive_bools)]
pub struct SimConfig {
    pub listen: SocketAddr,
    pub seed: u64,
    /// Organizations of the primary account.
    pub orgs: usize,
    pub users: usize,
    pub keys: usize,
    /// Managed tenant organizations.
    pub tenants: usize,
    /// The largest page served, whatever `size` asks for.
    pub page_cap: usize,
    pub rate_limit: RateBudget,
    pub latency: Latency,
    pub faults: Vec<FaultRule>,
    /// Serve the alternative shapes of contract Part 1.
    pub compat: bool,
    /// How rate-limit headers are spelt; `None`: [`RateHeaders::Standard`],
    /// or [`RateHeaders::XOnly`] when `compat` is on.
    pub rate_headers: Option<RateHeaders>,
    pub hostile_names: bool,
    /// Regions the tenants are spread over, in turn (empty: seven regions at random).
    pub tenant_regions: Vec<Region>,
    /// "Now" for seeded dates (default: the real now).
    pub now: Option<OffsetDateTime>,
    /// How many answers a Log Search query gives "still running" (202 with a
    /// `Self` link) before its result; 0 answers at once. Changeable at run
    /// time through `PUT /_sim/log-search`.
    pub log_search_pending: u32,
    /// Serve the role rules of seeds 000/003 (an organization administrator
    /// manages their organization's organization keys and sees all of its
    /// keys) instead of today's (organization keys for Platform
    /// Administrators only). See [`policy::RoleRules`].
    pub legacy_roles: bool,
    /// Start with an audit trail: a generate event for every seeded key
    /// generated in the last 30 days (by its owner, at its date), so that a
    /// demo's Audit tab tells a story before anything is done. Off by
    /// default: tests count the events their own actions leave.
    pub audit_history: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: 7,
            orgs: 3,
            users: 40,
            keys: 400,
            tenants: 24,
            page_cap: 100,
            rate_limit: RateBudget {
                requests: 50,
                window: Duration::from_secs(60),
            },
            latency: Latency::default(),
            faults: Vec::new(),
            compat: false,
            rate_headers: None,
            hostile_names: false,
            tenant_regions: Vec::new(),
            now: None,
            log_search_pending: 0,
            legacy_roles: false,
            audit_history: false,
        }
    }
}

/// One principal of the credentials output.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub name: String,
    pub email: Option<String>,
    pub api_key: String,
    /// The id the key is listed under, so a client (the demo) can tell its
    /// own key in a listing; Rapid7 gives no such hint, this file does.
    pub key_id: String,
    pub key_type: String,
    pub organization_id: String,
    pub region: String,
}

/// Threat Command credentials of the credentials output.
#[derive(Debug, Clone, Serialize)]
pub struct TcCredentials {
    pub account_id: String,
    pub api_key: String,
}

/// What the simulator prints at start (exact keys: scripts rely on them).
#[derive(Debug, Clone, Serialize)]
pub struct Credentials {
    pub endpoint: String,
    pub threat_command_endpoint: String,
    pub principals: Vec<Principal>,
    pub threat_command: TcCredentials,
}

impl Credentials {
    /// The principal called `name` (`platform-admin`, `org-key`, ...).
    pub fn principal(&self, name: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| p.name == name)
    }
}

/// The state every handler shares.
pub(crate) struct SimState {
    pub page_cap: usize,
    pub compat: bool,
    pub role_rules: policy::RoleRules,
    pub rate_headers: RateHeaders,
    world: RwLock<World>,
    pub limiter: ratelimit::RateLimiter,
    pub faults: Faults,
    pub log: reqlog::RequestLog,
    pub snapshots: paging::Snapshots,
    pub audit: Mutex<Vec<audit::AuditEvent>>,
    pub log_search: logsearch::LogSearch,
    pub tc: tc::TcWorld,
    pub credentials: Credentials,
}

impl SimState {
    pub fn world(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn world_mut(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn audit(&self) -> std::sync::MutexGuard<'_, Vec<audit::AuditEvent>> {
        self.audit.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    addr: SocketAddr,
    credentials: Credentials,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    started_in: Duration,
}

impl Simulator {
    /// Seeds the world and serves it; returns once the socket is listening.
    /// Must be called inside a tokio runtime.
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let began = Instant::now();
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(build_state(&config, addr));
        let credentials = state.credentials.clone();
        let app = http::router(state);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "simulator stopped");
            }
        });
        Ok(Simulator {
            addr,
            credentials,
            shutdown: Some(tx),
            task: Some(task),
            started_in: began.elapsed(),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// `http://127.0.0.1:PORT`, for the control surface under `/_sim/`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How long seeding and binding took.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// Stops accepting connections and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn build_state(config: &SimConfig, addr: SocketAddr) -> SimState {
    let plan = SeedPlan {
        seed: config.seed,
        orgs: config.orgs,
        tenants: config.tenants,
        users: config.users,
        keys: config.keys,
        hostile_names: config.hostile_names,
        tenant_regions: config.tenant_regions.clone(),
        now: config.now.unwrap_or_else(OffsetDateTime::now_utc),
    };
    let (world, seeded) = world::seed_world(&plan);
    let history = if config.audit_history {
        audit::history(&world, plan.now)
    } else {
        Vec::new()
    };
    let (tc, tc_key) = tc::seed_tc(config.seed, &world, config.hostile_names);
    let principals = seeded
        .into_iter()
        .map(|p| {
            let org = world.org(p.org);
            let key_id = world
                .key_by_secret(&p.secret)
                .and_then(|slot| world.key(slot))
                .map(|key| key.id.to_string())
                .unwrap_or_default();
            Principal {
                name: p.name.to_string(),
                email: p.email,
                key_id,
                api_key: p.secret,
                key_type: p.kind.wire_name(config.compat).to_string(),
                organization_id: org.id.to_string(),
                region: org.region.code().to_string(),
            }
        })
        .collect();
    let credentials = Credentials {
        endpoint: format!("http://{addr}/{{region}}"),
        threat_command_endpoint: format!("http://{addr}/tc"),
        principals,
        threat_command: TcCredentials {
            account_id: tc.main.id.clone(),
            api_key: tc_key,
        },
    };
    SimState {
        page_cap: config.page_cap.max(1),
        compat: config.compat,
        rate_headers: config.rate_headers.unwrap_or(if config.compat {
            RateHeaders::XOnly
        } else {
            RateHeaders::Standard
        }),
        role_rules: if config.legacy_roles {
            policy::RoleRules::Legacy
        } else {
            policy::RoleRules::Current
        },
        world: RwLock::new(world),
        limiter: ratelimit::RateLimiter::new(config.rate_limit.requests, config.rate_limit.window),
        faults: Faults::new(config.seed, config.faults.clone(), config.latency),
        log: reqlog::RequestLog::new(10_000),
        snapshots: paging::Snapshots::new(Duration::from_secs(300), 256),
        audit: Mutex::new(history),
        log_search: logsearch::LogSearch::new(config.log_search_pending, 1024),
        tc,
        credentials,
    }
}

/// The region a principal's key works in, parsed.
pub fn principal_region(principal: &Principal) -> Option<Region> {
    principal.region.parse().ok()
}

/// The kind of a principal's key, parsed.
pub fn principal_kind(principal: &Principal) -> Option<KeyKind> {
    KeyKind::from_wire(&principal.key_type)
}
