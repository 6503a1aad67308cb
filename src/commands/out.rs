//! Writing results and messages without panicking and without losing track
//! of what could not be written.
//!
//! `println!` panics when stdout is a closed pipe or a full disk, and Rust's
//! stdout quietly drops what is written to a closed descriptor (`>&-`), so a
//! generated secret could vanish while the command reported success. Here:
//! - the standard descriptors are checked once at start ([`guard_std_streams`]):
//!   a closed one is noted and filled with `/dev/null`, so no file or socket
//!   opened later can take its number and receive what was meant for the
//!   terminal (a secret in the log file, say);
//! - results go through [`Output`], whose errors are values: a reader that
//!   went away (`| head`) ends the command quietly, as `ls | head` does; any
//!   other failure is a clear error;
//! - a secret is written by [`deliver_secret`] straight to a duplicate of
//!   the descriptor, so every failure is seen;
//! - messages go to stderr through [`say!`](crate::say), which never panics.

use std::fs::File;
use std::io::{self, Write};
use std::sync::OnceLock;

/// Which standard streams were closed when the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClosedStreams {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

static CLOSED: OnceLock<ClosedStreams> = OnceLock::new();

/// Checks descriptors 0, 1 and 2 and fills any closed one with `/dev/null`.
/// Call first thing in `main`, before any file or socket is opened.
pub fn guard_std_streams() -> ClosedStreams {
    *CLOSED.get_or_init(fill_closed_streams)
}

/// What [`guard_std_streams`] found (nothing closed if it was never called).
pub fn closed_streams() -> ClosedStreams {
    CLOSED.get().copied().unwrap_or_default()
}

#[cfg(unix)]
fn fill_closed_streams() -> ClosedStreams {
    use std::os::fd::AsRawFd;
    let mut closed = ClosedStreams::default();
    // `open` takes the lowest free descriptor: while it answers 0, 1 or 2,
    // that stream was closed, and the file now holds its place for good.
    for _ in 0..3 {
        let Ok(file) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
        else {
            break;
        };
        match file.as_raw_fd() {
            0 => closed.stdin = true,
            1 => closed.stdout = true,
            2 => closed.stderr = true,
            _ => break,
        }
        // Kept open for the life of the process on purpose.
        std::mem::forget(file);
    }
    closed
}

#[cfg(not(unix))]
fn fill_closed_streams() -> ClosedStreams {
    ClosedStreams::default()
}

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
/// generated, so a closed stdout costs nothing.
pub fn stdout_can_take_a_secret() -> Result<(), Undelivered> {
    if closed_streams().stdout {
        return Err(Undelivered(
            "stdout is closed, so a new key's secret would have nowhere to go".into(),
        ));
    }
    duplicate_stdout().map(drop)
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
/// (a closed descriptor, a broken pipe, a full disk).
pub fn deliver_secret(secret: &str) -> Result<(), Undelivered> {
    if closed_streams().stdout {
        return Err(Undelivered("stdout is closed".into()));
    }
    let mut file = duplicate_stdout()?;
    let mut line = zeroize::Zeroizing::new(String::with_capacity(secret.len() + 1));
    line.push_str(secret);
    line.push('\n');
    file.write_all(line.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Undelivered(format!("writing it to stdout failed ({e})")))
}
