//! The dependency rule between the crate's layers, checked on the sources:
//! the API client (`src/api`) talks to Rapid7 and must not depend on the
//! simulator, which stands in for Rapid7 only in tests and demos. A shared
//! need (the key fingerprint, the regions) lives in a module of its own.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn the_api_client_does_not_mention_the_simulator() {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let files = rust_files(&api);
    assert!(
        files.len() >= 5,
        "the client's sources are found: {files:?}"
    );
    let offending: Vec<String> = files
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.to_ascii_lowercase().contains("simulator"))
                .map(|(n, line)| format!("{}:{}: {}", path.display(), n + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offending.is_empty(),
        "src/api must not depend on (or speak of) the simulator; move what both need \
         to a shared module such as src/fingerprint.rs:\n{}",
        offending.join("\n")
    );
}
