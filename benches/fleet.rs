//! The fleet view at MSSP scale: every key of 300 tenants spread over five
//! regions (about 20 keys each, 30 ms added latency), read the way the
//! Inventory tab and `r7keys inventory` read it: the managed tenants, the
//! home organizations, then every tenant at its region (keys, and users
//! where a key could be an orphan) through `Client::tenant_stream`.
//!
//! - `fleet_300/budget_50_per_window`: the simulator's budget is 50 requests
//!   per window per key and region, as Rapid7's. The window is
//!   `FLEET_WINDOW_SECS` (default 6 s, so that criterion's ten samples take
//!   minutes, not hours; 60 is Rapid7's). The run is budget-bound: its floor
//!   is set by the requests each region needs, and the figure to read is
//!   the wall time against that floor.
//! - `fleet_300/unlimited`: no budget to speak of; the ideal is two round
//!   trips per region after the tenant list (keys, then users, every tenant
//!   at once), three round trips in all. With the default concurrency (32
//!   tenants of a region at once) and with 64 (every tenant of a region).
//!
//! Each iteration gets a fresh simulator (a full budget). After the first
//! iteration of each, one line says: keys and tenants read, requests made
//! against the fewest the page cap allows, 429s taken, and the wall time
//! against the floor.

mod common;

use common::runtime;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use r7keys::api::{ApiKey, Client, Settings, Target};
use r7keys::inventory::{PlaceKeys, read_place};
use r7keys::region::Region;
use r7keys::simulator::{RateBudget, SimConfig, Simulator};

const TENANTS: usize = 300;
const REGIONS: [Region; 5] = [Region::Us, Region::Eu, Region::Ca, Region::Au, Region::Ap];
const LATENCY_MS: u64 = 30;
const PAGE_CAP: usize = 100;
const BUDGET: u32 = 50;

/// The added latency: `FLEET_LATENCY_MS` (default 30); 0 shows what the
/// run costs in CPU alone.
fn latency_ms() -> u64 {
    std::env::var("FLEET_LATENCY_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(LATENCY_MS)
}

fn window() -> Duration {
    let secs = std::env::var("FLEET_WINDOW_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    Duration::from_secs(secs)
}

fn world(budget: RateBudget) -> SimConfig {
    SimConfig {
        keys: TENANTS * 20 + 300,
        tenants: TENANTS,
        tenant_regions: REGIONS.to_vec(),
        latency: latency_ms().to_string().parse().expect("latency"),
        page_cap: PAGE_CAP,
        rate_limit: budget,
        ..SimConfig::default()
    }
}

/// What one read of the fleet gave.
struct Read {
    keys: usize,
    tenants: usize,
    /// The requests each region needs at least, by the page cap.
    floor_by_region: HashMap<Region, u64>,
}

/// The fewest requests a list of `n` items takes at the page cap.
fn pages(n: usize) -> u64 {
    n.div_ceil(PAGE_CAP).max(1) as u64
}

fn place_floor(place: &PlaceKeys) -> u64 {
    pages(place.keys.len()) + place.users.as_ref().map_or(0, |u| pages(u.len()))
}

async fn read_fleet(client: &Client, home: &Target) -> Read {
    let tenants = client.managed_organizations(home).await.expect("tenants");
    let mut floor_by_region: HashMap<Region, u64> = HashMap::new();
    *floor_by_region.entry(home.region).or_default() += pages(tenants.len());
    let count = tenants.len();
    // The home organizations and the tenants at once, as the Inventory tab
    // reads them.
    let home_read = async { read_place(client, home).await.expect("home") };
    let tenants_read = async {
        let mut places = Vec::new();
        let mut answers = client.tenant_stream(tenants, |target| async move {
            let region = target.region;
            read_place(client, &target).await.map(|p| (region, p))
        });
        while let Some(answer) = futures_util::StreamExt::next(&mut answers).await {
            places.push(answer.outcome.expect("every tenant answers"));
        }
        places
    };
    let (place, places) = futures_util::future::join(home_read, tenants_read).await;
    *floor_by_region.entry(home.region).or_default() += place_floor(&place);
    let mut keys = place.keys.len();
    for (region, place) in places {
        keys += place.keys.len();
        *floor_by_region.entry(region).or_default() += place_floor(&place);
    }
    Read {
        keys,
        tenants: count,
        floor_by_region,
    }
}

fn client(sim: &Simulator, concurrency: Option<usize>) -> (Client, Target) {
    let p = sim
        .credentials()
        .principal("mt-admin")
        .expect("a multi-tenant admin");
    let mut settings = Settings {
        endpoint: sim.credentials().endpoint.clone(),
        ..Settings::default()
    };
    if let Some(n) = concurrency {
        settings.concurrency = n;
    }
    let key = ApiKey::new(&p.api_key).expect("key");
    let region: Region = p.region.parse().expect("region");
    (
        Client::new(settings, key).expect("client"),
        Target::new(region, Some(p.organization_id.clone())),
    )
}

/// The shortest a budget-bound run can take: the busiest region spends its
/// first `BUDGET` at once, then waits a window for each `BUDGET` more.
fn budget_floor(floor_by_region: &HashMap<Region, u64>, window: Duration) -> Duration {
    let busiest = floor_by_region.values().copied().max().unwrap_or(0);
    let windows = busiest.div_ceil(u64::from(BUDGET)).saturating_sub(1);
    window * u32::try_from(windows).unwrap_or(u32::MAX) + Duration::from_millis(latency_ms())
}

fn report(name: &str, read: &Read, client: &Client, wall: Duration, ideal: Duration, what: &str) {
    let stats = client.stats();
    let requests = stats.requests.load(Ordering::Relaxed);
    let floor: u64 = read.floor_by_region.values().sum();
    eprintln!(
        "{name}: {} keys in {} tenants and home; {requests} requests against a floor of {floor} \
         ({} over it); {} throttled (429); {} retried; wall {:.2} s against {what} {:.2} s \
         (x{:.2})",
        read.keys,
        read.tenants,
        requests.saturating_sub(floor),
        stats.throttled.load(Ordering::Relaxed),
        stats.retried.load(Ordering::Relaxed),
        wall.as_secs_f64(),
        ideal.as_secs_f64(),
        wall.as_secs_f64() / ideal.as_secs_f64(),
    );
}

fn bench(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    config: &SimConfig,
    concurrency: Option<usize>,
    ideal: impl Fn(&Read) -> (Duration, &'static str),
) {
    let mut reported = false;
    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let sim = rt
                    .block_on(Simulator::start(config.clone()))
                    .expect("simulator");
                let (client, home) = client(&sim, concurrency);
                let started = Instant::now();
                let read = rt.block_on(read_fleet(&client, &home));
                let wall = started.elapsed();
                total += wall;
                if !reported {
                    let (ideal, what) = ideal(&read);
                    report(name, &read, &client, wall, ideal, what);
                    reported = true;
                }
                rt.block_on(sim.stop());
            }
            total
        });
    });
}

fn fleet_300(c: &mut Criterion) {
    let rt = runtime();
    let window = window();
    let mut group = c.benchmark_group("fleet_300");
    group
        .sample_size(10)
        // One iteration a sample: an iteration is seconds long.
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(window * 3);
    let budgeted = world(RateBudget {
        requests: BUDGET,
        window,
    });
    bench(
        &mut group,
        &rt,
        "budget_50_per_window",
        &budgeted,
        None,
        |read| {
            (
                budget_floor(&read.floor_by_region, window),
                "the budget's floor",
            )
        },
    );
    let unlimited = world(RateBudget {
        requests: 1_000_000,
        window: Duration::from_secs(60),
    });
    group.measurement_time(Duration::from_secs(5));
    let three_round_trips =
        |_: &Read| (Duration::from_millis(3 * latency_ms()), "three round trips");
    bench(
        &mut group,
        &rt,
        "unlimited",
        &unlimited,
        None,
        three_round_trips,
    );
    // Every tenant of a region at once (60 here): what `--concurrency`
    // (or the profile's `concurrency`) buys when the budget is no limit.
    bench(
        &mut group,
        &rt,
        "unlimited_concurrency_64",
        &unlimited,
        Some(64),
        three_round_trips,
    );
    group.finish();
}

criterion_group!(benches, fleet_300);
criterion_main!(benches);
