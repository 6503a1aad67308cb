//! The rate budget remembered across runs, so back-to-back commands pace
//! instead of meeting a 429: `$XDG_STATE_HOME/r7keys/budgets.json` (mode
//! 0600) holds, per key fingerprint and region, what was left and when it
//! resets. Fingerprints only: never a key.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::api::pacing::Remembered;
use crate::region::Region;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    /// The key's short SHA-256 fingerprint.
    key: String,
    region: String,
    remaining: u64,
    limit: Option<u64>,
    /// Epoch seconds.
    reset_at: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    budgets: Vec<Entry>,
}

/// The file, under the state directory.
pub fn path() -> Option<PathBuf> {
    crate::config::state_dir().map(|dir| dir.join("budgets.json"))
}

fn epoch(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Epoch seconds rounded up: a reset remembered a fraction early would let
/// the next run send into a window the server has not turned yet.
fn epoch_ceil(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
}

fn read(path: &Path) -> File {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// What earlier runs left of this key's budgets (an unreadable file is no memory).
pub fn recall(path: &Path, fingerprint: &str) -> Vec<(Region, Remembered)> {
    let now = epoch(SystemTime::now());
    read(path)
        .budgets
        .into_iter()
        .filter(|e| e.key == fingerprint && e.reset_at > now)
        .filter_map(|e| {
            Some((
                e.region.parse().ok()?,
                Remembered {
                    remaining: e.remaining,
                    limit: e.limit,
                    reset_at: UNIX_EPOCH + Duration::from_secs(e.reset_at),
                },
            ))
        })
        .collect()
}

/// Stores this key's budgets beside the other keys' that have not reset yet.
pub fn remember(
    path: &Path,
    fingerprint: &str,
    budgets: &[(Region, Remembered)],
) -> std::io::Result<()> {
    let now = epoch(SystemTime::now());
    let mut file = read(path);
    file.budgets
        .retain(|e| e.key != fingerprint && e.reset_at > now);
    file.budgets.extend(
        budgets
            .iter()
            .filter(|(_, budget)| epoch(budget.reset_at) > now)
            .map(|(region, budget)| Entry {
                key: fingerprint.to_string(),
                region: region.code().to_string(),
                remaining: budget.remaining,
                limit: budget.limit,
                reset_at: epoch_ceil(budget.reset_at),
            }),
    );
    let text = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Written beside and renamed over: a reader never sees half a file.
    let temporary = path.with_extension(format!("json.{}", std::process::id()));
    write_private(&temporary, &text)?;
    std::fs::rename(&temporary, path)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_round_trip_per_key_and_expire() {
        let dir = std::env::temp_dir().join(format!("r7keys-budgets-{}", std::process::id()));
        let path = dir.join("budgets.json");
        let soon = SystemTime::now() + Duration::from_secs(40);
        let budget = Remembered {
            remaining: 3,
            limit: Some(50),
            reset_at: soon,
        };
        remember(&path, "aaaa", &[(Region::Us, budget)]).unwrap();
        remember(&path, "bbbb", &[(Region::Eu, budget)]).unwrap();
        let mine = recall(&path, "aaaa");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].0, Region::Us);
        assert_eq!(mine[0].1.remaining, 3);
        assert_eq!(recall(&path, "bbbb")[0].0, Region::Eu);
        let gone = Remembered {
            reset_at: SystemTime::now() - Duration::from_secs(1),
            ..budget
        };
        remember(&path, "aaaa", &[(Region::Us, gone)]).unwrap();
        assert!(
            recall(&path, "aaaa").is_empty(),
            "a budget past its reset is forgotten"
        );
        assert_eq!(
            recall(&path, "bbbb").len(),
            1,
            "other keys' budgets are kept"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"bbbb\"") && !text.contains("api_key"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
