//! The built binary on a real pseudo-terminal, as in an admin's shell: the
//! PTY is its stdin, stdout and stderr. Every byte it writes is kept as
//! written (escape sequences included), and fed to a `vt100` terminal
//! emulator so a test can also read the screen as a person would see it.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::cli::{Shell, UNSET_ENV};

/// How long one expectation or one exit may take by default.
pub const PATIENCE: Duration = Duration::from_secs(8);

/// `r7keys <args>` with `envs`, in `dir`: none of the developer's R7
/// variables, `TERM=xterm-256color`.
pub fn command(args: &[&str], envs: &[(String, String)], dir: &Path) -> CommandBuilder {
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_r7keys"));
    command.args(args);
    for name in UNSET_ENV {
        command.env_remove(name);
    }
    for (name, value) in envs {
        command.env(name, value);
    }
    command.env("TERM", "xterm-256color");
    command.cwd(dir);
    command
}

/// `r7keys <shell args> <args>` with the shell's environment, in its directory.
pub fn r7keys(shell: &Shell, args: &[&str]) -> CommandBuilder {
    let mut all: Vec<&str> = shell.args().iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    command(&all, shell.envs(), &shell.dir)
}

/// A program running on a pseudo-terminal. Dropping it kills the program
/// (if it still runs) and reaps it.
pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    /// Kept open until the end: closing it hangs the terminal up.
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    chunks: UnboundedReceiver<Vec<u8>>,
    /// Everything the program wrote so far, byte for byte.
    pub seen: Vec<u8>,
    /// Whether the reader met the end (the terminal's last writer is gone).
    closed: bool,
    /// The screen as a terminal emulator shows it.
    parser: vt100::Parser,
    /// How long an expectation may wait.
    pub patience: Duration,
}

impl Pty {
    /// Runs `r7keys <shell args> <args>` on a new 200x50 terminal.
    pub fn spawn(shell: &Shell, args: &[&str]) -> Pty {
        Pty::start(r7keys(shell, args), 200, 50)
    }

    /// Runs `command` on a new terminal of `cols` x `rows`.
    pub fn start(command: CommandBuilder, cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let child = pair.slave.spawn_command(command).expect("spawn r7keys");
        // Only the child holds the terminal's slave side now: when it exits,
        // the reader below meets the end.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let (sender, chunks) = unbounded_channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    // Linux answers EIO once the slave side is closed.
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if sender.send(buf[..n].to_vec()).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Pty {
            child,
            master: pair.master,
            writer,
            chunks,
            seen: Vec::new(),
            closed: false,
            parser: vt100::Parser::new(rows, cols, 0),
            patience: PATIENCE,
        }
    }

    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("a process id")
    }

    /// What the terminal was sent, with control characters made visible.
    pub fn transcript(&self) -> String {
        String::from_utf8_lossy(&self.seen)
            .escape_debug()
            .to_string()
    }

    /// The terminal's output as text (for `contains` checks).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }

    /// The screen's text, row by row.
    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// The screen's rows (as many as the terminal has).
    pub fn rows(&self) -> Vec<String> {
        let (_, cols) = self.parser.screen().size();
        self.parser.screen().rows(0, cols).collect()
    }

    /// The screen and the end of the transcript, for a failure report.
    pub fn report(&self) -> String {
        const TAIL: usize = 3000;
        let transcript = self.transcript();
        let cut = transcript
            .char_indices()
            .rev()
            .nth(TAIL)
            .map_or(0, |(i, _)| i);
        format!(
            "\n--- screen ---\n{}\n--- output ({} bytes; the last {} characters) ---\n{}",
            self.screen(),
            self.seen.len(),
            TAIL,
            &transcript[cut..]
        )
    }

    fn take(&mut self, chunk: &[u8]) {
        self.seen.extend_from_slice(chunk);
        self.parser.process(chunk);
    }

    /// Takes whatever output is already there, without waiting.
    pub fn drain(&mut self) {
        while let Ok(chunk) = self.chunks.try_recv() {
            self.take(&chunk);
        }
    }

    /// Reads until `done` holds; panics with `what` and the screen after
    /// [`Pty::patience`], or when the terminal closes first.
    pub async fn wait_for(&mut self, what: &str, done: impl Fn(&Pty) -> bool) {
        let deadline = tokio::time::Instant::now() + self.patience;
        self.drain();
        while !done(self) {
            assert!(
                !self.closed,
                "the terminal closed before {what}: {}",
                self.report()
            );
            let next = tokio::time::timeout_at(deadline, self.chunks.recv()).await;
            let Ok(next) = next else {
                panic!("no {what} within {:?}: {}", self.patience, self.report());
            };
            match next {
                Some(chunk) => self.take(&chunk),
                None => self.closed = true,
            }
        }
    }

    /// Reads until the output holds `text`.
    pub async fn expect(&mut self, text: &str) {
        self.wait_for(&format!("{text:?} in the output"), |p| {
            p.text().contains(text)
        })
        .await;
    }

    /// Reads until the screen shows `text`.
    pub async fn expect_screen(&mut self, text: &str) {
        self.wait_for(&format!("{text:?} on the screen"), |p| {
            p.screen().contains(text)
        })
        .await;
    }

    /// Reads for `quiet` more (a redraw that should not come, or the rest of one).
    pub async fn settle(&mut self, quiet: Duration) {
        let deadline = tokio::time::Instant::now() + quiet;
        while let Ok(Some(chunk)) = tokio::time::timeout_at(deadline, self.chunks.recv()).await {
            self.take(&chunk);
        }
    }

    /// Types `bytes` as a keyboard sends them: `\r` is Enter, `\x1b[6~` is Page Down.
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to the terminal");
        self.writer.flush().expect("flush the terminal");
    }

    /// Types `line` and Enter (a carriage return, as a keyboard sends it).
    pub fn type_line(&mut self, line: &str) {
        self.send(line.as_bytes());
        self.send(b"\r");
    }

    /// Resizes the terminal (the program gets SIGWINCH) and the emulator.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.drain();
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the terminal");
        self.parser.screen_mut().set_size(rows, cols);
    }

    /// Sends SIGTERM to the program (through `kill(1)`: no unsafe code here).
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits for the program to exit and for the rest of its output;
    /// answers its exit code. Being killed by a signal is a failure.
    pub async fn finish(&mut self) -> u32 {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                break status;
            }
            // Keep reading meanwhile: a full terminal buffer would block the program.
            self.drain();
            assert!(
                started.elapsed() < self.patience,
                "r7keys did not exit within {:?}: {}",
                self.patience,
                self.report()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        // The rest of the output, until the reader meets the end.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while !self.closed {
            match tokio::time::timeout_at(deadline, self.chunks.recv()).await {
                Ok(Some(chunk)) => self.take(&chunk),
                Ok(None) | Err(_) => self.closed = true,
            }
        }
        assert!(
            status.signal().is_none(),
            "r7keys was killed by {:?}: {}",
            status.signal(),
            self.report()
        );
        status.exit_code()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // SIGHUP, then SIGKILL after a short grace.
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
