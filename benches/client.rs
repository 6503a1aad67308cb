//! How fast the client loads lists, against the simulator over loopback.
//!
//! - `list_5000/{default,sequential}`: 5,000 keys with 30 ms added latency and
//!   a page cap of 100 (50 requests), with the client's defaults (first page,
//!   then the rest concurrently, paced) and strictly one request at a time.
//!   Each iteration gets a fresh simulator, so a fresh rate budget of 50/60 s:
//!   exactly what one list needs, so a 429 would show as a throttled request.
//! - `fanout_200/{default,sequential}`: every key of 200 tenants spread over
//!   5 regions with a multi-tenant admin key, 30 ms latency.
//!
//! The ideal for `list_5000` is about two round trips (60 ms): the first
//! page, then the other 49 at once. Request and 429 counts are printed.

mod common;

use common::runtime;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use r7keys::api::{ApiKey, Client, KeyFilter, Settings, Target};
use r7keys::region::Region;
use r7keys::simulator::{SimConfig, Simulator};

/// What a benchmark runs: takes the client and target, answers the item count.
type Work = fn(Client, Target) -> std::pin::Pin<Box<dyn std::future::Future<Output = usize>>>;

/// A world where the platform admin sees exactly 5,000 keys.
fn five_thousand() -> SimConfig {
    SimConfig {
        keys: 4_994,
        tenants: 0,
        latency: "30".parse().expect("latency"),
        ..SimConfig::default()
    }
}

fn two_hundred_tenants() -> SimConfig {
    SimConfig {
        keys: 2_000,
        tenants: 200,
        tenant_regions: vec![Region::Us, Region::Eu, Region::Ca, Region::Au, Region::Ap],
        latency: "30".parse().expect("latency"),
        ..SimConfig::default()
    }
}

fn client(sim: &Simulator, principal: &str, concurrency: Option<usize>) -> (Client, Target) {
    let p = sim.credentials().principal(principal).expect("principal");
    let mut settings = Settings {
        endpoint: sim.credentials().endpoint.clone(),
        ..Settings::default()
    };
    if let Some(n) = concurrency {
        settings.concurrency = n;
    }
    let region: Region = p.region.parse().expect("region");
    let tenant = p
        .key_type
        .starts_with("MULTI_TENANT")
        .then(|| p.organization_id.clone());
    let key = ApiKey::new(&p.api_key).expect("key");
    (
        Client::new(settings, key).expect("client"),
        Target::new(region, tenant),
    )
}

/// Times `work` on a fresh simulator per iteration; prints counts once.
fn bench_fresh(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    config: &SimConfig,
    run: Work,
    principal: &'static str,
    concurrency: Option<usize>,
) {
    let mut reported = false;
    c.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let sim = rt
                    .block_on(Simulator::start(config.clone()))
                    .expect("simulator");
                let (client, target) = client(&sim, principal, concurrency);
                let started = Instant::now();
                let items = rt.block_on(run(client.clone(), target));
                total += started.elapsed();
                if !reported {
                    let stats = client.stats();
                    eprintln!(
                        "{name}: {items} items, {} requests, {} throttled (429), {} retried",
                        stats.requests.load(std::sync::atomic::Ordering::Relaxed),
                        stats.throttled.load(std::sync::atomic::Ordering::Relaxed),
                        stats.retried.load(std::sync::atomic::Ordering::Relaxed),
                    );
                    reported = true;
                }
                rt.block_on(sim.stop());
            }
            total
        });
    });
}

fn list_all(
    client: Client,
    target: Target,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = usize>>> {
    Box::pin(async move {
        client
            .list_keys(&target, &KeyFilter::default())
            .await
            .expect("list")
            .len()
    })
}

fn fan_out(
    client: Client,
    target: Target,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = usize>>> {
    Box::pin(async move {
        let tenants = client
            .managed_organizations(&target)
            .await
            .expect("tenants");
        let results = client.keys_of_tenants(tenants, &KeyFilter::default()).await;
        assert!(
            results.iter().all(|t| t.outcome.is_ok()),
            "every tenant answered"
        );
        results.len()
    })
}

fn list_5000(c: &mut Criterion) {
    r7keys::api::tls::install_default_provider();
    let rt = runtime();
    let mut group = c.benchmark_group("list_5000");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let config = five_thousand();
    bench_fresh(
        &mut group,
        &rt,
        "default",
        &config,
        list_all,
        "platform-admin",
        None,
    );
    bench_fresh(
        &mut group,
        &rt,
        "sequential",
        &config,
        list_all,
        "platform-admin",
        Some(1),
    );
    group.finish();
}

fn fanout_200(c: &mut Criterion) {
    r7keys::api::tls::install_default_provider();
    let rt = runtime();
    let mut group = c.benchmark_group("fanout_200");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let config = two_hundred_tenants();
    bench_fresh(
        &mut group, &rt, "default", &config, fan_out, "mt-admin", None,
    );
    bench_fresh(
        &mut group,
        &rt,
        "sequential",
        &config,
        fan_out,
        "mt-admin",
        Some(1),
    );
    group.finish();
}

criterion_group!(benches, list_5000, fanout_200);
criterion_main!(benches);
