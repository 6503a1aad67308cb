//! The commands' basic contract, end to end through the built binary.

mod common;

use common::Sim;
use common::cli::Shell;

#[tokio::test]
async fn validate_lists_and_generates_against_the_simulator() {
    let sim = Sim::small().await;
    let shell = Shell::as_principal(&sim, "platform-admin");
    let run = shell.run(&["validate"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("works at region us"), "{run:?}");

    let run = shell.run(&["keys", "list", "--output", "json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let keys = run.json();
    assert!(keys.as_array().unwrap().len() > 50);
    for field in ["id", "name", "type", "organization_id"] {
        assert!(keys[0].get(field).is_some(), "{field}");
    }

    let run = shell
        .run(&["keys", "generate", "--kind", "user", "--name", "smoke"])
        .await;
    assert_eq!(run.code, 0, "{run:?}");
    let secret = run.stdout.trim();
    assert_eq!(run.stdout.lines().count(), 1, "only the secret on stdout");
    assert_eq!(sim.validate(secret, "us").await, reqwest::StatusCode::OK);
}
