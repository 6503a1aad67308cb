//! The built binary as a new user meets it: a fresh, empty HOME, and an
//! environment holding only `PATH` and `HOME` (no XDG directories, no R7
//! variables, no proxy, SSH, tmux or desktop), plus what a test adds.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::TempDir;
use super::cli::{Run, finish};

/// A new user's home directory, removed when dropped.
pub struct Home {
    dir: TempDir,
    env: Vec<(String, String)>,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: TempDir::new("home"),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds a variable to every run's environment.
    #[must_use]
    pub fn env(mut self, name: &str, value: &str) -> Home {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Where r7keys looks for its config file in this home.
    pub fn config_file(&self) -> PathBuf {
        self.path().join(".config/r7keys/config.toml")
    }

    /// `r7keys <args>` in this home, with no standard input.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.path())
            .stdin(Stdio::null())
            .kill_on_drop(true);
        command
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        let run = finish(&mut self.command(args)).await;
        assert!(!run.stderr.contains("panicked"), "{run:?}");
        run
    }
}

impl Default for Home {
    fn default() -> Self {
        Home::new()
    }
}
