//! Logs go to a file under the XDG state directory
//! (`~/.local/state/r7keys/r7keys.log`), never to the terminal, and never
//! hold a secret: requests are logged with a key fingerprint only.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Starts logging to the state directory; answers the log file's path, or
/// `None` when there is nowhere to write (logging is then off).
pub fn init() -> Option<PathBuf> {
    let dir = crate::config::state_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("r7keys.log");
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).ok()?;
    let filter = EnvFilter::try_from_env("R7KEYS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
