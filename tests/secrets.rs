//! Secrets never leak: after a generate, a rotate and a verbose validate
//! through the binary, neither the user's API key nor any generated secret is
//! in the config or state directories (the log file and the journal
//! included), on stderr, or in the simulator's request log; stdout holds only
//! the secrets it must. The journal keeps a fingerprint of each new key.
//! Errors from real failures never quote the key, and the secret types have
//! no `Debug` or `Display` to leak through.
#![allow(clippy::unwrap_used)] // in tests a panic is the failure report

mod common;

use std::time::Duration;

use common::Sim;
use common::cli::{Run, Shell, files_under};
use r7keys::api::{ApiError, ApiKey, Client, KeyKind, NewKey, NewSecret, Settings, Target};
use r7keys::region::Region;
use serde_json::Value;
use sha2::Digest;

const ADMIN: &str = "platform-admin";
const KEYS: &str = "/account/api/1/api-keys";

/// A secret, named for the failure message.
struct Secret {
    what: &'static str,
    value: String,
}

/// Panics if `text` (described by `place`) holds any of `secrets`.
fn assert_clean(place: &str, text: &str, secrets: &[Secret]) {
    for secret in secrets {
        assert!(
            !text.contains(&secret.value),
            "{place} holds {} ({})",
            secret.what,
            secret.value
        );
    }
}

/// The id of the only key called `name`.
async fn id_of(sim: &Sim, name: &str) -> String {
    let keys = sim.all_pages(ADMIN, KEYS).await;
    let found: Vec<&Value> = keys.iter().filter(|k| k["name"] == name).collect();
    assert_eq!(found.len(), 1, "one key called {name}");
    found[0]["id"].as_str().unwrap().to_string()
}

fn ok(run: &Run, what: &str) {
    assert_eq!(run.code, 0, "{what}: {run:?}");
    assert!(!run.stderr.contains("panicked"), "{what}: {run:?}");
}

/// What the scenario left behind: every run, and the secrets it made.
struct Scenario {
    runs: Vec<(&'static str, Run)>,
    generated: String,
    replaced: String,
    rotated_in: String,
}

/// A generate, a generate and rotate of another key, and a validate, all
/// verbose, with the key from a profile's `api_key_command`.
async fn scenario(sim: &Sim, shell: &Shell) -> Scenario {
    let mut runs = Vec::new();
    let generate = shell
        .run(&["keys", "generate", "--kind", "user", "--name", "leak-check"])
        .await;
    ok(&generate, "generate");
    let generated = generate.stdout.trim().to_string();
    assert_eq!(generate.stdout, format!("{generated}\n"), "only the secret");
    assert!(
        generate.stderr.contains("X-Api-Key: [redacted]"),
        "verbose: {generate:?}"
    );
    runs.push(("generate", generate));

    let to_rotate = shell
        .run(&["keys", "generate", "--kind", "user", "--name", "to-rotate"])
        .await;
    ok(&to_rotate, "generate to-rotate");
    let replaced = to_rotate.stdout.trim().to_string();
    runs.push(("generate to-rotate", to_rotate));
    let old_id = id_of(sim, "to-rotate").await;

    let rotate = shell.run(&["keys", "rotate", &old_id, "--yes"]).await;
    ok(&rotate, "rotate");
    let rotated_in = rotate.stdout.trim().to_string();
    assert_eq!(rotate.stdout, format!("{rotated_in}\n"), "only the secret");
    assert!(rotate.stderr.contains("revoked the old key"), "{rotate:?}");
    runs.push(("rotate", rotate));

    let validate = shell.run(&["validate"]).await;
    ok(&validate, "validate");
    assert!(
        validate.stderr.contains("X-Api-Key: [redacted]"),
        "{validate:?}"
    );
    assert!(validate.stdout.is_empty(), "{validate:?}");
    runs.push(("validate", validate));

    // The secrets are real: the new ones work, the rotated-out one is gone.
    assert_eq!(sim.validate(&generated, "us").await, 200);
    assert_eq!(sim.validate(&rotated_in, "us").await, 200);
    assert_eq!(sim.validate(&replaced, "us").await, 401);
    Scenario {
        runs,
        generated,
        replaced,
        rotated_in,
    }
}

/// Every file of the shell's config and state directories; the log file
/// must be there, hold request lines, and be private.
fn scan_files(shell: &Shell, secrets: &[Secret]) {
    let config_dir = shell.dir.join("config");
    let state_dir = shell.state_dir();
    let files: Vec<_> = files_under(&config_dir)
        .into_iter()
        .chain(files_under(&state_dir))
        .collect();
    assert!(files.contains(&shell.config_file()), "{files:?}");
    let log_file = state_dir.join("r7keys/r7keys.log");
    assert!(files.contains(&log_file), "the log file exists: {files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert_clean(
            &file.display().to_string(),
            &String::from_utf8_lossy(&bytes),
            secrets,
        );
    }
    let log = std::fs::read_to_string(&log_file).unwrap();
    let requests = log.lines().filter(|l| l.contains(" request ")).count();
    assert!(requests >= 5, "request lines in the log: {log}");
    assert!(
        log.contains("status=201"),
        "the generates are logged: {log}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the log file is private: {mode:o}");
    }
}

/// The journal holds every generate (the rotation's included) with the new
/// key's fingerprint, and none of the secrets: the scan above read it too,
/// this proves it was there to read and names what it holds instead.
fn scan_journal(shell: &Shell, generated: &[&str], secrets: &[Secret]) {
    let path = shell.state_dir().join("r7keys/journal.jsonl");
    let text = std::fs::read_to_string(&path).expect("the journal exists");
    assert_clean("the journal", &text, secrets);
    let contents = r7keys::api::journal::read(&path).unwrap();
    assert_eq!(contents.skipped, []);
    let fingerprints: Vec<&str> = contents
        .entries
        .iter()
        .filter(|e| e.action == r7keys::api::journal::Action::Generate)
        .filter_map(|e| e.fingerprint.as_deref())
        .collect();
    let expected: Vec<String> = generated
        .iter()
        .map(|secret| hex::encode(&sha2::Sha256::digest(secret.as_bytes())[..6]))
        .collect();
    assert_eq!(fingerprints, expected, "one fingerprint per generated key");
    for entry in &contents.entries {
        for secret in generated {
            let line = serde_json::to_string(entry).unwrap();
            assert!(!line.contains(&secret[..12]), "part of a secret: {line}");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the journal is private: {mode:o}");
    }
}

#[tokio::test]
async fn no_secret_reaches_a_file_a_log_or_stderr() {
    let sim = Sim::small().await;
    let user_key = sim.principal(ADMIN).api_key.clone();
    // The key comes from a profile's command, reading a file outside the
    // config and state directories; the config file names only the command.
    let shell = Shell::new(&sim).arg("--verbose");
    let key_file = shell.dir.join("admin.key");
    std::fs::write(&key_file, format!("{user_key}\n")).unwrap();
    shell.write_config(&format!(
        "default_profile = \"sim\"\n\n[profiles.sim]\nregion = \"us\"\napi_key_command = \"cat '{}'\"\n",
        key_file.display()
    ));
    let done = scenario(&sim, &shell).await;
    let secrets = [
        Secret {
            what: "the user's API key",
            value: user_key,
        },
        Secret {
            what: "the generated secret",
            value: done.generated.clone(),
        },
        Secret {
            what: "the secret of the rotated-out key",
            value: done.replaced.clone(),
        },
        Secret {
            what: "the rotated-in secret",
            value: done.rotated_in.clone(),
        },
    ];
    for secret in &secrets {
        assert!(secret.value.len() >= 16, "{} looks like a key", secret.what);
    }

    scan_files(&shell, &secrets);
    scan_journal(
        &shell,
        &[&done.generated, &done.replaced, &done.rotated_in],
        &secrets,
    );

    // Every run's stderr, and stdout except the secret it exists to print.
    for (what, run) in &done.runs {
        assert_clean(&format!("stderr of {what}"), &run.stderr, &secrets);
        let allowed = match *what {
            "generate" => Some(&done.generated),
            "generate to-rotate" => Some(&done.replaced),
            "rotate" => Some(&done.rotated_in),
            _ => None,
        };
        let others: Vec<Secret> = secrets
            .iter()
            .filter(|s| Some(&s.value) != allowed)
            .map(|s| Secret {
                what: s.what,
                value: s.value.clone(),
            })
            .collect();
        assert_clean(&format!("stdout of {what}"), &run.stdout, &others);
    }

    // The simulator's request log, as served.
    let served = sim.control_text("/requests").await;
    assert!(served.contains("api-keys"), "{served}");
    assert_clean("/_sim/requests", &served, &secrets);
}

/// Both renderings of an error.
fn renderings(error: &ApiError) -> String {
    format!("{error}\n{error:?}")
}

fn settings(sim: &Sim) -> Settings {
    Settings {
        endpoint: sim.creds().endpoint.clone(),
        request_timeout: Duration::from_secs(1),
        retries: 0,
        ..Settings::default()
    }
}

#[tokio::test]
async fn errors_from_real_failures_never_quote_the_key() {
    let sim = Sim::small().await;
    let us = Target::new(Region::Us, None);
    let mut errors = Vec::new();

    // 401: a key the platform does not know.
    let unknown = "r7keys-test-unknown-key-5c7a1e0b9d2f";
    let client = Client::new(settings(&sim), ApiKey::new(unknown).unwrap()).unwrap();
    let error = client.validate(&us).await.unwrap_err();
    assert!(matches!(error, ApiError::Unauthorized { .. }), "{error:?}");
    errors.push((unknown.to_string(), error));

    // 403: a plain user may not generate an organization key.
    let user = sim.principal("user");
    let client = Client::new(settings(&sim), ApiKey::new(&user.api_key).unwrap()).unwrap();
    let spec = NewKey {
        name: "not-allowed".into(),
        kind: KeyKind::Organization,
        organization_id: Some(user.organization_id.clone()),
    };
    let error = client.generate_key(&us, &spec).await.err().unwrap();
    assert!(matches!(error, ApiError::Forbidden { .. }), "{error:?}");
    errors.push((user.api_key.clone(), error));

    // A timeout, a 5xx, and a generate whose answer was lost.
    let admin_key = sim.principal(ADMIN).api_key.clone();
    let client = Client::new(settings(&sim), ApiKey::new(&admin_key).unwrap()).unwrap();
    sim.set_faults("hang@validate*1").await;
    let error = client.validate(&us).await.unwrap_err();
    assert!(matches!(error, ApiError::Timeout { .. }), "{error:?}");
    errors.push((admin_key.clone(), error));
    sim.set_faults("5xx@validate*1").await;
    let error = client.validate(&us).await.unwrap_err();
    assert!(matches!(error, ApiError::Server { .. }), "{error:?}");
    errors.push((admin_key.clone(), error));
    sim.set_faults("malformed@api-keys*1").await;
    let spec = NewKey {
        name: "lost-secret".into(),
        kind: KeyKind::User,
        organization_id: None,
    };
    let error = client.generate_key(&us, &spec).await.err().unwrap();
    assert!(matches!(error, ApiError::LostSecret { .. }), "{error:?}");
    errors.push((admin_key.clone(), error));

    // A key that cannot be sent in a header is refused before anything is
    // sent, and the refusal does not quote it.
    let odd = "r7keys-odd-key\u{7f}4b1d9e";
    let problem = ApiKey::parse(odd).err().unwrap();
    assert!(!problem.to_string().contains("r7keys-odd-k"), "{problem}");

    for (key, error) in &errors {
        let text = renderings(error);
        assert!(!text.contains(key.as_str()), "the key is quoted: {text}");
        assert!(
            !text.contains(&key[..12]),
            "part of the key is quoted: {text}"
        );
    }

    // And through the binary: a refused key is not echoed on stderr.
    let run = Shell::new(&sim)
        .env("R7_API_KEY", unknown)
        .run(&["validate", "--verbose"])
        .await;
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("authentication failed (401)"),
        "{run:?}"
    );
    assert!(!run.stderr.contains(unknown), "{run:?}");
    assert!(!run.stdout.contains(unknown), "{run:?}");
}

/// Implemented for every type twice over when it implements `Debug`, which
/// makes `<T as NoDebug<_>>::check` ambiguous and the test fail to compile
/// (the technique of `static_assertions::assert_not_impl_any!`).
trait NoDebug<A> {
    fn check() {}
}
impl<T: ?Sized> NoDebug<()> for T {}
struct IfDebug;
impl<T: ?Sized + std::fmt::Debug> NoDebug<IfDebug> for T {}

/// The same for `Display`.
trait NoDisplay<A> {
    fn check() {}
}
impl<T: ?Sized> NoDisplay<()> for T {}
struct IfDisplay;
impl<T: ?Sized + std::fmt::Display> NoDisplay<IfDisplay> for T {}

#[test]
fn the_secret_types_cannot_be_formatted() {
    // Compiles only while neither type implements Debug or Display.
    <ApiKey as NoDebug<_>>::check();
    <NewSecret as NoDebug<_>>::check();
    <ApiKey as NoDisplay<_>>::check();
    <NewSecret as NoDisplay<_>>::check();
    // The only way to the text is the explicit `expose`.
    let key = ApiKey::new("  r7keys-visible-only-by-expose\n").unwrap();
    assert_eq!(key.expose(), "r7keys-visible-only-by-expose");
    assert!(!key.fingerprint().contains("r7keys"));
}
