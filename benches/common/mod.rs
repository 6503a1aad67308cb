//! What the benchmarks against the simulator share.

/// The runtime every benchmark runs the simulator and the client on: two
/// worker threads, as many as this project's machines have cores.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
