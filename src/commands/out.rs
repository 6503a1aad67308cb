//! Writing results and messages without panicking and without losing track
//! of what could not be written.
//!
//! `println!` panics when stdout is a closed pipe or a full disk, and a
//! closed stdout (`>&-`) is reopened on `/dev/null` by Rust's runtime before
//! `main`, so a generated secret could vanish while the command reported
//! success. Here:
//! - a secret is refused a stdout that leads nowhere (`/dev/null`, which is
//!   also what a closed stdout has become) before anything is generated;
//! - results go through [`Output`], whose errors are values: a reader that
//!   went away (`| head`) ends the command quietly, as `ls | head` does; any
//!   other failure is a clear error;
//! - a secret is written by [`deliver_secret`] straight to a duplicate of
//!   the descriptor, so every failure is seen;
//! - messages go to stderr through [`say!`](crate::say), which never panics.

use std::fs::File;
use std::io::{self, Write};

/// Writes a line to stderr, ignoring failure (there is nowhere else to say it).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = ::std::writeln!(::std::io::stderr(), $($arg)*);
    }};
}

/// Why output stopped.
#[derive(Debug)]
pub enum WriteError {
    /// The reader went away (a closed pipe): stop quietly, nothing is wrong.
    Gone,
    /// The output could not be written (a full disk, say).
    Failed(io::Error),
}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            WriteError::Gone
        } else {
            WriteError::Failed(error)
        }
    }
}

/// Buffered results on stdout. The first failure is kept; later writes are
/// skipped, so a caller can stop its work at the next chance.
pub struct Output {
    out: io::BufWriter<io::Stdout>,
    failed: Option<WriteError>,
}

impl Default for Output {
    fn default() -> Self {
        Output::new()
    }
}

impl Output {
    pub fn new() -> Output {
        Output {
            out: io::BufWriter::with_capacity(64 << 10, io::stdout()),
            failed: None,
        }
    }

    /// Whether writing has failed (stop producing more).
    pub fn failed(&self) -> bool {
        self.failed.is_some()
    }

    /// Writes text (unless an earlier write failed).
    pub fn write(&mut self, text: &str) {
        if self.failed.is_none() {
            if let Err(error) = self.out.write_all(text.as_bytes()) {
                self.failed = Some(error.into());
            }
        }
    }

    /// Writes text and a newline.
    pub fn line(&mut self, text: &str) {
        self.write(text);
        self.write("\n");
    }

    /// Sends what is buffered on, so a reader sees results as they come.
    pub fn flush(&mut self) {
        if self.failed.is_none() {
            if let Err(error) = self.out.flush() {
                self.failed = Some(error.into());
            }
        }
    }

    /// Flushes and answers how writing went.
    pub fn finish(mut self) -> Result<(), WriteError> {
        self.flush();
        match self.failed.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Why a secret could not be delivered on stdout.
#[derive(Debug)]
pub struct Undelivered(pub String);

/// Whether stdout can take a secret at all; checked before a key is
/// generated, so a closed stdout or `> /dev/null` costs nothing.
pub fn stdout_can_take_a_secret() -> Result<(), Undelivered> {
    let file = duplicate_stdout()?;
    if leads_nowhere(&file) {
        return Err(Undelivered(
            "stdout is closed or goes to /dev/null, so a new key's secret would be lost".into(),
        ));
    }
    Ok(())
}

/// Whether a file is the null device.
#[cfg(unix)]
fn leads_nowhere(file: &File) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let (Ok(out), Ok(null)) = (file.metadata(), std::fs::metadata("/dev/null")) else {
        return false;
    };
    out.file_type().is_char_device() && out.rdev() == null.rdev()
}

#[cfg(not(unix))]
fn leads_nowhere(_file: &File) -> bool {
    false
}

#[cfg(unix)]
fn duplicate_stdout() -> Result<File, Undelivered> {
    use std::os::fd::AsFd;
    io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(File::from)
        .map_err(|e| Undelivered(format!("stdout cannot be written ({e})")))
}

#[cfg(not(unix))]
fn duplicate_stdout() -> Result<File, Undelivered> {
    Err(Undelivered("secrets are delivered on Unix only".into()))
}

/// Writes a secret and a newline to stdout, unbuffered, seeing every failure
/// (a broken pipe, a full disk).
pub fn deliver_secret(secret: &str) -> Result<(), Undelivered> {
    let mut file = duplicate_stdout()?;
    let mut line = zeroize::Zeroizing::new(String::with_capacity(secret.len() + 1));
    line.push_str(secret);
    line.push('\n');
    file.write_all(line.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Undelivered(format!("writing it to stdout failed ({e})")))
}
