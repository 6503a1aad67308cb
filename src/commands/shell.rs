//! Fitting the shell's habits: completion scripts and the man page, both
//! generated from the same clap definition the binary parses with, so they
//! never drift from the real flags.

use std::io::Write;
use std::path::Path;

use super::{CommandResult, Failure};
use crate::api::error::exit;
use crate::cli::definition;

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> CommandResult {
    let mut command = definition();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "r7keys", &mut script);
    write_stdout(&script)
}

/// Writes the man page: `r7keys.1` on stdout, or with `dir` that page and
/// one per command (`r7keys-keys-list.1`, ...) into `dir`.
pub fn man(dir: Option<&Path>) -> CommandResult {
    let command = definition();
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
            .map_err(|e| {
                Failure::new(
                    exit::USAGE,
                    format!("cannot write to {}: {e}", dir.display()),
                )
            })?;
        crate::say!("wrote the man pages to {}", dir.display());
        return Ok(exit::OK);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| Failure::new(exit::USAGE, format!("cannot render the man page: {e}")))?;
    write_stdout(&page)
}

fn write_stdout(bytes: &[u8]) -> CommandResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(exit::OK),
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit::OK),
        Err(e) => Err(Failure::new(exit::USAGE, format!("cannot write: {e}"))),
    }
}
