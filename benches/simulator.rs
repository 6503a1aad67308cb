//! Simulator speed: it must never be the bottleneck of a client benchmark.
//!
//! - `start/100k_keys`: seeding a world of 100,000 keys and binding the socket.
//! - `serve/page_100` against `serve/validate` in the same run: one 100-item
//!   page of api-keys over real loopback HTTP, and the smallest answer the
//!   simulator gives, so their ratio shows what a page costs beyond a round trip.
//!
//! Throughput under concurrent load is measured with a load tool (see the README).

mod common;

use common::runtime;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use r7keys::simulator::{SimConfig, Simulator};

fn big_world() -> SimConfig {
    SimConfig {
        keys: 100_000,
        rate_limit: "1000000000/60".parse().expect("budget"),
        ..SimConfig::default()
    }
}

fn start(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("start");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("100k_keys", |b| {
        b.iter(|| {
            rt.block_on(async {
                let sim = Simulator::start(big_world()).await.expect("start");
                sim.stop().await;
            });
        });
    });
    group.finish();
}

fn serve(c: &mut Criterion) {
    let rt = runtime();
    let sim = rt.block_on(Simulator::start(big_world())).expect("start");
    let admin = sim
        .credentials()
        .principal("platform-admin")
        .expect("principal")
        .clone();
    let base = sim
        .credentials()
        .endpoint
        .replace("{region}", &admin.region);
    r7keys::api::tls::install_default_provider();
    let http = reqwest::Client::new();
    let get = |path: String| {
        let request = http
            .get(format!("{base}{path}"))
            .header("X-Api-Key", &admin.api_key);
        async move {
            let body = request
                .send()
                .await
                .expect("answer")
                .bytes()
                .await
                .expect("body");
            assert!(!body.is_empty());
        }
    };
    // Warm the page snapshot once, as the first page of a listing would.
    rt.block_on(get("/account/api/1/api-keys?index=0&size=100".into()));

    let mut group = c.benchmark_group("serve");
    group.bench_function("validate", |b| {
        b.iter(|| rt.block_on(get("/validate".into())));
    });
    let mut index = 0usize;
    group.bench_function("page_100", |b| {
        b.iter(|| {
            index = (index + 1) % 900;
            rt.block_on(get(format!(
                "/account/api/1/api-keys?index={index}&size=100"
            )));
        });
    });
    group.finish();
    rt.block_on(sim.stop());
}

criterion_group!(benches, start, serve);
criterion_main!(benches);
