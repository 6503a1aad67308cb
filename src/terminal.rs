//! Taking the terminal over and always giving it back: on a normal exit, an
//! error, a panic, or SIGTERM (the runtime turns that into a quit).

use std::io::{Write, stdout};

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

/// Restores the terminal when dropped.
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode, the alternate screen, mouse and bracketed paste; a panic hook
/// that restores everything before the panic is printed.
pub fn init() -> (DefaultTerminal, Guard) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    let terminal = ratatui::init();
    let _ = execute!(stdout(), EnableMouseCapture, EnableBracketedPaste);
    (terminal, Guard)
}

/// Gives the terminal back as it was.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    let _ = stdout().flush();
}
