//! Runs the built `r7keys` binary against an in-process simulator, with its
//! own XDG config and state directories, as a user's shell would.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::Sim;

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {self:?}"))
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// The built binary at `endpoint` (region `us`, a 5 s timeout, then `args`)
/// with `key` in `R7_API_KEY` and its XDG directories under `dir`: no
/// profile or config file inherited, no standard input.
pub fn command_at(endpoint: &str, key: &str, dir: &Path, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"));
    command
        .args(["--endpoint", endpoint, "--region", "us", "--timeout", "5"])
        .args(args)
        .env_remove("R7_PROFILE")
        .env_remove("R7KEYS_CONFIG")
        .env("R7_API_KEY", key)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs a prepared command (the built binary, with its own arguments and
/// environment) to its end, within 30 s; answers what it gave.
pub async fn finish(command: &mut tokio::process::Command) -> Run {
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("r7keys finished")
        .expect("r7keys ran");
    Run::from(output)
}

/// The variables a shell removes from the inherited environment before
/// setting its own, so that the developer's profile never leaks into a test.
pub const UNSET_ENV: [&str; 5] = [
    "R7_API_KEY",
    "R7_PROFILE",
    "R7_TC_API_KEY",
    "R7_TC_ACCOUNT_ID",
    "R7KEYS_CONFIG",
];

/// A shell for the binary: endpoint flags, an API key in the environment,
/// and private XDG directories that are removed afterwards.
pub struct Shell {
    pub dir: PathBuf,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Shell {
    /// A shell pointed at the simulator, with no key yet.
    pub fn new(sim: &Sim) -> Shell {
        let dir = std::env::temp_dir().join(format!(
            "r7keys-cli-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join("config/r7keys")).expect("config dir");
        std::fs::create_dir_all(dir.join("state")).expect("state dir");
        let env = vec![
            (
                "XDG_CONFIG_HOME".into(),
                dir.join("config").display().to_string(),
            ),
            (
                "XDG_STATE_HOME".into(),
                dir.join("state").display().to_string(),
            ),
        ];
        let args = vec![
            "--endpoint".into(),
            sim.creds().endpoint.clone(),
            "--tc-endpoint".into(),
            sim.creds().threat_command_endpoint.clone(),
        ];
        Shell { dir, env, args }
    }

    /// A shell acting as a principal: its key in `R7_API_KEY`, its region,
    /// and for multi-tenant keys its home organization as the tenant.
    pub fn as_principal(sim: &Sim, name: &str) -> Shell {
        let p = sim.principal(name);
        let mut shell = Shell::new(sim)
            .env("R7_API_KEY", &p.api_key)
            .arg("--region")
            .arg(&p.region);
        if p.key_type.starts_with("MULTI_TENANT") || p.key_type.starts_with("ENTERPRISE") {
            shell = shell.arg("--tenant").arg(&p.organization_id);
        }
        shell
    }

    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> Shell {
        self.env.push((key.into(), value.into()));
        self
    }

    #[must_use]
    pub fn arg(mut self, arg: &str) -> Shell {
        self.args.push(arg.into());
        self
    }

    /// The arguments this shell puts before a command's own: the endpoint
    /// flags, and for `as_principal` the region (and tenant).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The environment this shell sets: the private XDG directories, and for
    /// `as_principal` the key in `R7_API_KEY`.
    pub fn envs(&self) -> &[(String, String)] {
        &self.env
    }

    /// The config file this shell's binary reads.
    pub fn config_file(&self) -> PathBuf {
        self.dir.join("config/r7keys/config.toml")
    }

    /// The state directory (where the log file goes).
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_file(), text).expect("write config");
    }

    /// Runs `r7keys <shell args> <args>` with no standard input.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, None).await
    }

    /// Runs with `input` on standard input (a pipe, not a terminal).
    pub async fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Run {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_r7keys"));
        command
            .args(&self.args)
            .args(args)
            .env_remove("R7_API_KEY")
            .env_remove("R7_PROFILE")
            .env_remove("R7_TC_API_KEY")
            .env_remove("R7_TC_ACCOUNT_ID")
            .env_remove("R7KEYS_CONFIG")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("spawn r7keys");
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(text.as_bytes()).await.expect("write stdin");
        }
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("r7keys finished within 60 s")
            .expect("r7keys ran");
        Run::from(output)
    }
}

impl Shell {
    /// Runs `r7keys <shell args> <args>` under `sh -c` with a redirection of
    /// its own (`>&-`, `> /dev/full`) and a pipe after it (`| head -c 10`),
    /// either may be empty. The binary's own exit code is written to stderr
    /// as `exit=N` (a pipe would report the last command's) and taken from there.
    pub async fn run_sh(&self, args: &[&str], redirect: &str, pipe: &str) -> Run {
        let script =
            format!("{{ {{ \"$0\" \"$@\" {redirect}; echo \"exit=$?\" >&3; }} {pipe}; }} 3>&2");
        let mut command = tokio::process::Command::new("sh");
        command
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_r7keys"))
            .args(&self.args)
            .args(args);
        for name in UNSET_ENV {
            command.env_remove(name);
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut run = finish(&mut command).await;
        let line = run
            .stderr
            .lines()
            .rev()
            .find(|l| l.starts_with("exit="))
            .unwrap_or_else(|| panic!("the script says how r7keys exited: {run:?}"))
            .to_string();
        run.code = line["exit=".len()..].parse().expect("an exit code");
        run.stderr = run.stderr.replace(&format!("{line}\n"), "");
        run
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}
