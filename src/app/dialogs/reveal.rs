//! The new key's secret: reveal, copy, leave (asking first when it was
//! never copied). Closing it drops the secret, which zeroizes it.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::keymap::Action;
use crate::sanitize::display;

use super::super::Status;
use super::super::effect::Effect;
use super::super::modal::{Copy, Reveal};
use super::{Cx, Step};

impl Reveal {
    pub(super) fn act(&mut self, action: Action, cx: &Cx<'_>) -> Step {
        if self.confirm_leave {
            if action == Action::Confirm {
                return self.close(cx);
            }
            self.confirm_leave = false;
            return Step::stay();
        }
        match action {
            Action::Reveal => self.shown = !self.shown,
            Action::Copy => {
                self.copied = Some(Copy::Copying);
                return Step::stay().with_effects(vec![Effect::Copy(Zeroizing::new(
                    self.secret.expose().to_string(),
                ))]);
            }
            Action::Confirm | Action::Cancel => {
                if matches!(self.copied, Some(Copy::Done(_))) {
                    return self.close(cx);
                }
                self.confirm_leave = true;
            }
            _ => {}
        }
        Step::stay()
    }

    /// Closes the dialog: the secret is dropped (zeroized) with it, and the
    /// clipboard is cleared later if it still holds it.
    fn close(&self, cx: &Cx<'_>) -> Step {
        let name = display(self.info.name.as_deref().unwrap_or(""), 40);
        let mut step = Step::close();
        if matches!(self.copied, Some(Copy::Done(_))) {
            let after = cx.session.clipboard_clear;
            let secret_hash: [u8; 32] = Sha256::digest(self.secret.expose().as_bytes()).into();
            step = step.with_effects(vec![Effect::ClearClipboardLater { after, secret_hash }]);
            step.saying(Status::ok(format!(
                "generated {name}; the secret is gone from r7keys, and from the clipboard in {} s",
                after.as_secs()
            )))
        } else {
            step.saying(Status::ok(format!(
                "generated {name}; the secret is gone from r7keys"
            )))
        }
    }
}
