//! Reading an API key from where the profile says, within bounds: a key is
//! a short token, so more than a few KiB is the wrong file or command, and a
//! command that does not finish (a prompt nobody answers, `sleep`) is given
//! a time limit instead of hanging every run. The key text is held in
//! zeroized buffers and never quoted in a message.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::api::secret::KeyProblem;
use crate::api::{ApiError, ApiKey};
use crate::sanitize::sanitize;

/// The most bytes read from a key file or a key command.
pub const MAX_SOURCE_BYTES: u64 = 4096;

/// How long an `api_key_command` may take by default.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

fn config_error(message: impl Into<String>) -> ApiError {
    ApiError::Config(message.into())
}

fn implausible(source: &str, problem: &KeyProblem) -> ApiError {
    config_error(format!(
        "the API key from {source} is not a plausible key: {problem}"
    ))
}

/// Turns what a source gave into a key, or says why it cannot be one.
fn key_from_bytes(bytes: &[u8], source: &str) -> Result<ApiKey, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        config_error(format!(
            "the API key from {source} is not text (a key is one printable token)"
        ))
    })?;
    ApiKey::parse(text).map_err(|problem| implausible(source, &problem))
}

/// A key from a file: at most [`MAX_SOURCE_BYTES`] are read (so `/dev/zero`
/// or a log file cannot be sent as a header).
pub fn from_file(path: &Path, what: &str) -> Result<ApiKey, ApiError> {
    let source = format!("the {what} file {}", path.display());
    let file = std::fs::File::open(path)
        .map_err(|e| config_error(format!("cannot read {source}: {e}")))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| config_error(format!("cannot read {source}: {e}")))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(config_error(format!(
            "{source} holds more than {MAX_SOURCE_BYTES} bytes: a key is a short token; is it the right file?"
        )));
    }
    key_from_bytes(&bytes, &source)
}

/// A key from the environment: `None` when the variable is unset or empty,
/// an error when it holds something that cannot be a key.
pub fn from_env(name: &str) -> Result<Option<ApiKey>, ApiError> {
    let Some(value) = std::env::var_os(name) else {
        return Ok(None);
    };
    let value = Zeroizing::new(value.into_encoded_bytes());
    if value.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    key_from_bytes(&value, name).map(Some)
}

/// What a reader thread found on the command's output.
enum Found {
    Done(Zeroizing<Vec<u8>>),
    TooMuch,
    Failed(std::io::Error),
}

/// A key from a command (`pass show rapid7/us`), run by `sh -c` with no
/// input, within `timeout` and [`MAX_SOURCE_BYTES`] of output.
pub fn from_command(command: &str, what: &str, timeout: Duration) -> Result<ApiKey, ApiError> {
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped());
    // In a process group of its own, so that stopping it stops what it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut shell, 0);
    let mut child = shell
        .spawn()
        .map_err(|e| config_error(format!("cannot run the {what} command: {e}")))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        stop(&mut child);
        return Err(config_error(format!(
            "cannot read the {what} command's output"
        )));
    };
    let (tx, rx) = mpsc::channel();
    // Readers on threads of their own: a command that keeps its output open
    // (or a child of it that does) must not hold r7keys past the time limit.
    std::thread::spawn(move || {
        let mut bytes = Zeroizing::new(Vec::new());
        let found = match (&mut stdout)
            .take(MAX_SOURCE_BYTES + 1)
            .read_to_end(&mut bytes)
        {
            Ok(_) if bytes.len() as u64 > MAX_SOURCE_BYTES => Found::TooMuch,
            Ok(_) => Found::Done(bytes),
            Err(e) => Found::Failed(e),
        };
        let _ = tx.send(found);
    });
    let (etx, erx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = (&mut stderr).take(4096).read_to_end(&mut text);
        let _ = etx.send(text);
    });
    let started = std::time::Instant::now();
    let output = match rx.recv_timeout(timeout) {
        Ok(Found::Done(bytes)) => bytes,
        Ok(Found::TooMuch) => {
            stop(&mut child);
            return Err(config_error(format!(
                "the {what} command printed more than {MAX_SOURCE_BYTES} bytes: a key is a \
                 short token; it was stopped"
            )));
        }
        Ok(Found::Failed(e)) => {
            stop(&mut child);
            return Err(config_error(format!(
                "cannot read the {what} command's output: {e}"
            )));
        }
        Err(_) => {
            stop(&mut child);
            return Err(config_error(format!(
                "the {what} command did not finish within {} s and was stopped (the profile's \
                 api_key_command_timeout_secs sets the limit)",
                timeout.as_secs()
            )));
        }
    };
    let left = timeout.saturating_sub(started.elapsed());
    let status = wait_within(&mut child, left).ok_or_else(|| {
        config_error(format!(
            "the {what} command did not exit within {} s and was stopped",
            timeout.as_secs()
        ))
    })?;
    if !status.success() {
        let stderr = erx
            .recv_timeout(Duration::from_millis(200))
            .unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        return Err(config_error(format!(
            "the {what} command failed ({status}){}",
            if first.is_empty() {
                String::new()
            } else {
                format!(": {}", sanitize(first))
            }
        )));
    }
    key_from_bytes(&output, &format!("the {what} command")).map_err(|error| match error {
        ApiError::Config(message) if message.contains("it is empty") => {
            config_error(format!("the {what} command printed nothing"))
        }
        other => other,
    })
}

/// Stops the command and everything it started, and reaps it.
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Some(group) = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0)) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits for the child to exit, at most `limit`; kills it after that.
fn wait_within(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let until = std::time::Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if std::time::Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => {
                stop(child);
                return None;
            }
        }
    }
}
