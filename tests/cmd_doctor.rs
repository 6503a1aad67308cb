//! `r7keys doctor` as a new user runs it, in a clean HOME: against the
//! simulator (the good path, a key for the wrong region with and without
//! `--find-region`), behind a TLS-terminating proxy whose CA is unknown and
//! then passed with `--ca-cert`, against a closed port, with a broken config
//! file and with no key; and never a secret in its output.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::time::{Duration, Instant};

use common::cli::Run;
use common::home::Home;
use common::tls::HttpsFront;
use common::{Sim, TempDir};
use serde_json::Value;

/// `r7keys doctor --output json <args>` in `home`; answers the run and its checks.
async fn doctor(home: &Home, args: &[&str]) -> (Run, Vec<Value>) {
    let mut all = vec!["doctor", "--output", "json", "--timeout", "5"];
    all.extend_from_slice(args);
    let run = home.run(&all).await;
    let checks = run.json()["checks"].as_array().unwrap().clone();
    (run, checks)
}

/// The check titled `title` (the last one, when it repeats).
fn check<'c>(checks: &'c [Value], title: &str) -> &'c Value {
    checks
        .iter()
        .rev()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("no check {title}: {checks:#?}"))
}

fn status(checks: &[Value], title: &str) -> String {
    check(checks, title)["status"].as_str().unwrap().to_string()
}

fn home_as(sim: &Sim, principal: &str) -> Home {
    Home::new().env("R7_API_KEY", &sim.principal(principal).api_key)
}

#[tokio::test]
async fn against_the_simulator_everything_is_ok_for_two_requests() {
    let sim = Sim::small().await;
    let home = home_as(&sim, "platform-admin");
    let (run, checks) = doctor(
        &home,
        &["--endpoint", &sim.creds().endpoint, "--region", "us"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.json()["ok"], true);
    let titles: Vec<&str> = checks
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "config file",
            "profile",
            "api key",
            "endpoint",
            "proxy",
            "dns",
            "tcp",
            "tls",
            "validate",
            "rate budget",
            "threat command",
            "clipboard"
        ],
        "in order"
    );
    for title in [
        "config file",
        "api key",
        "endpoint",
        "proxy",
        "tcp",
        "validate",
        "rate budget",
    ] {
        assert_eq!(status(&checks, title), "ok", "{title}: {checks:#?}");
    }
    assert_eq!(status(&checks, "tls"), "skip", "plain HTTP on loopback");
    assert!(
        check(&checks, "api key")["detail"]
            .as_str()
            .unwrap()
            .contains("R7_API_KEY"),
        "{checks:#?}"
    );
    let budget = check(&checks, "rate budget")["detail"].as_str().unwrap();
    assert!(
        budget.contains("of 10000"),
        "the simulator's budget: {budget}"
    );
    // The clean environment: no SSH, tmux or desktop, so OSC 52 straight.
    let clipboard = check(&checks, "clipboard")["detail"].as_str().unwrap();
    assert!(clipboard.contains("no desktop"), "{clipboard}");

    // The request count: one /validate and one small list for the budget.
    let log = sim.request_log().await;
    let paths: Vec<&str> = log.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["/us/validate", "/us/account/api/1/api-keys?index=0&size=1"],
        "{log:#?}"
    );

    // Lines for people: one per check, the summary last.
    let run = home
        .run(&[
            "doctor",
            "--output",
            "table",
            "--endpoint",
            &sim.creds().endpoint,
        ])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("OK    config file"),
        "{run:?}"
    );
    assert!(run.stdout.contains("\nOK    validate "), "{run:?}");
    assert!(
        run.stdout
            .ends_with("doctor: 10 ok, 0 warnings, 0 failed, 2 skipped\n"),
        "{run:?}"
    );
}

#[tokio::test]
async fn a_key_for_another_region_is_found_only_when_asked() {
    let sim = Sim::small().await;
    // The organization admin's key works at eu only.
    let home = home_as(&sim, "org-admin");
    let endpoint = sim.creds().endpoint.clone();
    let (run, checks) = doctor(&home, &["--endpoint", &endpoint, "--region", "us"]).await;
    assert_eq!(run.code, 4, "authentication: {run:?}");
    let validate = check(&checks, "validate");
    assert_eq!(validate["status"], "fail");
    assert!(
        validate["detail"]
            .as_str()
            .unwrap()
            .contains("refused (401) at region us")
    );
    assert!(
        validate["fix"].as_str().unwrap().contains("--find-region"),
        "{validate}"
    );
    assert_eq!(status(&checks, "rate budget"), "skip");
    let log = sim.request_log().await;
    assert_eq!(log.len(), 1, "no other region is tried unasked: {log:#?}");

    let (run, checks) = doctor(
        &home,
        &["--endpoint", &endpoint, "--region", "us", "--find-region"],
    )
    .await;
    assert_eq!(run.code, 4, "still a failure: {run:?}");
    let validate = check(&checks, "validate");
    assert!(
        validate["detail"]
            .as_str()
            .unwrap()
            .ends_with("it works at eu"),
        "{validate}"
    );
    assert!(
        validate["fix"].as_str().unwrap().contains("--region eu"),
        "{validate}"
    );
    let log = sim.request_log().await;
    let validates = log
        .iter()
        .skip(1)
        .filter(|e| e["path"].as_str().unwrap().ends_with("/validate"))
        .count();
    assert_eq!(
        (log.len() - 1, validates),
        (9, 9),
        "one /validate per region: {log:#?}"
    );

    // A key no region knows.
    let home = Home::new().env("R7_API_KEY", "not-a-key-anywhere");
    let (run, checks) = doctor(&home, &["--endpoint", &endpoint, "--find-region"]).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        check(&checks, "validate")["fix"]
            .as_str()
            .unwrap()
            .contains("revoked or mistyped"),
        "{checks:#?}"
    );
}

#[tokio::test]
async fn an_unknown_ca_fails_tls_with_the_ca_cert_advice_and_passes_with_it() {
    let sim = Sim::small().await;
    let dir = TempDir::new("doctor-tls");
    let proxy = HttpsFront::start("Corp Inspecting Proxy CA", dir.path(), sim.sim.addr()).await;
    let home = home_as(&sim, "platform-admin");
    let endpoint = proxy.endpoint();

    let started = Instant::now();
    let (run, checks) = doctor(&home, &["--endpoint", &endpoint]).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 3, "network: {run:?}");
    assert_eq!(
        status(&checks, "tcp"),
        "ok",
        "the port is open: {checks:#?}"
    );
    let tls = check(&checks, "tls");
    assert_eq!(tls["status"], "fail", "{tls}");
    let detail = tls["detail"].as_str().unwrap();
    assert!(detail.contains("UnknownIssuer"), "{detail}");
    assert!(
        detail.contains("the OS trust store"),
        "names the store: {detail}"
    );
    let fix = tls["fix"].as_str().unwrap();
    assert!(
        fix.starts_with("a TLS-inspecting proxy? pass its CA with --ca-cert"),
        "{fix}"
    );
    assert_eq!(status(&checks, "validate"), "skip");
    assert!(sim.request_log().await.is_empty(), "nothing got through");

    let ca = proxy.ca.display().to_string();
    let (run, checks) = doctor(&home, &["--endpoint", &endpoint, "--ca-cert", &ca]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let tls = check(&checks, "tls");
    assert_eq!(tls["status"], "ok", "{tls}");
    assert!(
        tls["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("+ {ca} (1)")),
        "names the CA file: {tls}"
    );
    assert_eq!(status(&checks, "validate"), "ok");

    // The wrong CA: the advice changes.
    let other = TempDir::new("doctor-tls-other");
    let wrong = HttpsFront::start("Some Other CA", other.path(), sim.sim.addr()).await;
    let wrong_ca = wrong.ca.display().to_string();
    let (run, checks) = doctor(&home, &["--endpoint", &endpoint, "--ca-cert", &wrong_ca]).await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        check(&checks, "tls")["fix"]
            .as_str()
            .unwrap()
            .contains("did not sign"),
        "{checks:#?}"
    );
}

#[tokio::test]
async fn a_closed_port_fails_fast() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let home = Home::new().env("R7_API_KEY", "some-key");
    let started = Instant::now();
    let (run, checks) = doctor(
        &home,
        &["--endpoint", &format!("http://127.0.0.1:{port}/{{region}}")],
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 3, "{run:?}");
    let tcp = check(&checks, "tcp");
    assert_eq!(tcp["status"], "fail", "{tcp}");
    assert!(
        tcp["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port}"))
    );
    assert!(tcp["fix"].is_string());
    for title in ["tls", "validate", "rate budget"] {
        assert_eq!(status(&checks, title), "skip", "{title}");
    }
}

#[tokio::test]
async fn a_broken_config_or_no_key_stops_early_and_says_why() {
    let sim = Sim::small().await;
    let home = Home::new();
    let endpoint = sim.creds().endpoint.clone();

    let (run, checks) = doctor(&home, &["--endpoint", &endpoint]).await;
    assert_eq!(run.code, 1, "configuration: {run:?}");
    let key = check(&checks, "api key");
    assert_eq!(key["status"], "fail");
    assert!(key["fix"].as_str().unwrap().contains("R7_API_KEY"), "{key}");
    assert_eq!(status(&checks, "validate"), "skip");
    assert!(
        sim.request_log().await.is_empty(),
        "no request without a key"
    );

    std::fs::create_dir_all(home.config_file().parent().unwrap()).unwrap();
    std::fs::write(home.config_file(), "[profiles.us]\nregoin = \"us\"\n").unwrap();
    let (run, checks) = doctor(&home, &[]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let file = check(&checks, "config file");
    assert_eq!(file["status"], "fail");
    assert!(
        file["detail"].as_str().unwrap().contains("line 2"),
        "{file}"
    );
    assert_eq!(
        checks.last().unwrap()["title"],
        "clipboard",
        "still reported"
    );
}

#[tokio::test]
async fn a_profile_key_file_and_threat_command_are_checked() {
    let sim = Sim::small().await;
    let home = Home::new()
        .env("R7_TC_ACCOUNT_ID", &sim.creds().threat_command.account_id)
        .env("R7_TC_API_KEY", &sim.creds().threat_command.api_key);
    let key_file = home.path().join("us.key");
    std::fs::write(
        &key_file,
        format!("{}\n", sim.principal("platform-admin").api_key),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::create_dir_all(home.config_file().parent().unwrap()).unwrap();
    std::fs::write(
        home.config_file(),
        format!(
            "default_profile = \"us\"\n[profiles.us]\nregion = \"us\"\napi_key_file = {:?}\nendpoint = {:?}\ntc_endpoint = {:?}\n",
            key_file.display().to_string(),
            sim.creds().endpoint,
            sim.creds().threat_command_endpoint
        ),
    )
    .unwrap();
    let (run, checks) = doctor(&home, &[]).await;
    assert_eq!(run.code, 0, "a warning is not a failure: {run:?}");
    assert_eq!(check(&checks, "profile")["detail"], "us (default_profile)");
    let warning = checks
        .iter()
        .find(|c| c["title"] == "api key" && c["status"] == "warn")
        .unwrap_or_else(|| panic!("{checks:#?}"));
    assert!(
        warning["fix"].as_str().unwrap().starts_with("chmod 600"),
        "{warning}"
    );
    assert_eq!(status(&checks, "validate"), "ok");
    let tc = check(&checks, "threat command");
    assert_eq!(tc["status"], "ok", "{tc}");

    let home = home.env("R7_TC_API_KEY", "wrong");
    let (run, checks) = doctor(&home, &[]).await;
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(status(&checks, "threat command"), "fail");
}

#[tokio::test]
async fn no_secret_reaches_the_output_or_stderr() {
    let sim = Sim::small().await;
    let key = sim.principal("org-admin").api_key.clone();
    let tc_key = sim.creds().threat_command.api_key.clone();
    let home = Home::new()
        .env("R7_TC_ACCOUNT_ID", &sim.creds().threat_command.account_id)
        .env("R7_TC_API_KEY", &tc_key)
        .env("HTTP_PROXY", "http://alice:proxy-s3cret@127.0.0.1:9")
        .env("NO_PROXY", "127.0.0.1");
    std::fs::create_dir_all(home.config_file().parent().unwrap()).unwrap();
    // A key command whose arguments are the key itself: shown as its program only.
    std::fs::write(
        home.config_file(),
        format!(
            "default_profile = \"p\"\n[profiles.p]\napi_key_command = \"printf {key}\"\nendpoint = {:?}\ntc_endpoint = {:?}\n",
            sim.creds().endpoint,
            sim.creds().threat_command_endpoint
        ),
    )
    .unwrap();
    for args in [
        &["--verbose", "--find-region"][..],
        &["--verbose", "--region", "eu"][..],
        &["--output", "table", "--verbose"][..],
    ] {
        let mut all = vec!["doctor"];
        all.extend_from_slice(args);
        if !all.contains(&"--output") {
            all.extend_from_slice(&["--output", "json"]);
        }
        let run = home.run(&all).await;
        for secret in [key.as_str(), tc_key.as_str(), "proxy-s3cret"] {
            assert!(
                !run.stdout.contains(secret),
                "{args:?}: stdout holds a secret: {run:?}"
            );
            assert!(
                !run.stderr.contains(secret),
                "{args:?}: stderr holds a secret: {run:?}"
            );
        }
        assert!(run.stdout.contains("printf …"), "{run:?}");
    }
    // The proxy in use (no NO_PROXY match) is shown without its password.
    let home = home.env("NO_PROXY", "");
    let run = home.run(&["doctor", "--output", "json"]).await;
    assert!(
        !run.stdout.contains("proxy-s3cret") && !run.stderr.contains("proxy-s3cret"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("http://127.0.0.1:9 (from HTTP_PROXY)"),
        "{run:?}"
    );
}
