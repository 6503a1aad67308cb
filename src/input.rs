//! Terminal events to messages: keys through the keymap of the current
//! layer (unbound keys are typed into the field in focus), mouse, paste, resize.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tui_input::InputRequest;

use crate::app::Msg;
use crate::keymap::{Chord, Keymap, Layer};

/// The message for a terminal event in `layer`, if any.
pub fn translate(keymap: &Keymap, layer: Layer, event: &Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            let chord = Chord::from_event(key);
            if let Some(action) = keymap.action(layer, &chord) {
                return Some(Msg::Action(action));
            }
            if !layer.takes_text() {
                return None;
            }
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            let request = match key.code {
                KeyCode::Char('u') if ctrl => InputRequest::DeleteLine,
                KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
                KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                    InputRequest::InsertChar(c)
                }
                KeyCode::Backspace => InputRequest::DeletePrevChar,
                KeyCode::Delete => InputRequest::DeleteNextChar,
                KeyCode::Left => InputRequest::GoToPrevChar,
                KeyCode::Right => InputRequest::GoToNextChar,
                KeyCode::Home => InputRequest::GoToStart,
                KeyCode::End => InputRequest::GoToEnd,
                _ => return None,
            };
            Some(Msg::Text(request))
        }
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click {
                column: mouse.column,
                row: mouse.row,
            }),
            MouseEventKind::ScrollUp => Some(Msg::Scroll(-1)),
            MouseEventKind::ScrollDown => Some(Msg::Scroll(1)),
            _ => None,
        },
        Event::Paste(text) => Some(Msg::Paste(text.clone())),
        Event::Resize(width, height) => Some(Msg::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}
