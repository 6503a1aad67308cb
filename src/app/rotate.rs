//! `R`: rotating a key as a guided dialog. The replacement is generated
//! (same kind, organization and tenant; the name editable), revealed once
//! and copied, proved with `/validate` at its region, then the user deploys
//! it and confirms, and the old key is revoked with the confirmation its
//! kind needs. Leaving at any step says exactly what exists then.
//!
//! Refused before anything is generated for a key a new one cannot stand
//! in for: another user's user key (a new user key acts as whoever
//! generated it, not as the owner), or a user key from a key that is no user.

use std::fmt::Write as _;

use tui_input::Input;

use crate::api::{ApiError, ApiKey, KeyInfo, KeyKind, KeyNote, NewKey, NewSecret, Target};
use crate::keymap::{Action, Layer};
use crate::sanitize::display;

use super::dialogs::{Cx, Step};
use super::effect::Effect;
use super::modal::{Copy, Modal};
use super::msg::ReqId;
use super::{App, Status};

/// Where the rotation is.
pub enum Stage {
    /// The plan, with the new key's name to edit.
    Plan,
    /// The generate was sent.
    Generating(ReqId),
    /// The replacement exists: its secret, once, and its proof.
    New {
        info: Box<KeyInfo>,
        secret: NewSecret,
        shown: bool,
        copied: Option<Copy>,
        proof: Proof,
    },
    /// Asking "leave without copying the new key?" (the secret is lost then).
    Leaving {
        info: Box<KeyInfo>,
        secret: NewSecret,
        proof: Proof,
    },
    /// Deployed: confirm the old key's revoke (its name typed, or `y`).
    Retire {
        info: Box<KeyInfo>,
        typed: Input,
        /// The new key, kept only when the old one is this console's own:
        /// the console switches to it before revoking the old one.
        adopt: Option<ApiKey>,
    },
    Revoking {
        info: Box<KeyInfo>,
        req: ReqId,
    },
    /// Over: the words say what exists now.
    Done {
        words: String,
        error: bool,
    },
}

/// How the proof of the new key went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proof {
    Pending(ReqId),
    Works { region: String, ms: u64 },
    Fails(String),
}

/// The rotate dialog.
pub struct Rotation {
    pub old: KeyInfo,
    pub target: Target,
    /// Where the new key is proved: the old key's region (a platform key
    /// works only at its own region), with the tenant for multi-tenant keys.
    pub proof_target: Target,
    pub name: Input,
    pub stage: Stage,
    pub error: Option<String>,
    /// The old key is the one this console signs in with.
    pub own: bool,
}

impl Rotation {
    /// Marks a mutation of this rotation for the journal.
    fn rotation_note(&self, note: KeyNote) -> KeyNote {
        match &self.old.id {
            Some(id) => note.rotating(id),
            None => note,
        }
    }

    /// Which layer owns the keys at this stage.
    pub fn layer(&self) -> Layer {
        match &self.stage {
            Stage::Plan => Layer::RotateName,
            Stage::Generating(_) | Stage::New { .. } | Stage::Revoking { .. } => Layer::Rotate,
            Stage::Retire { .. } if self.typed_retire() => Layer::ConfirmTyped,
            Stage::Leaving { .. } | Stage::Retire { .. } => Layer::Confirm,
            Stage::Done { .. } => Layer::Message,
        }
    }

    /// Whether the old key's revoke is confirmed by typing its name.
    pub fn typed_retire(&self) -> bool {
        self.old.kind.needs_typed_confirmation()
    }

    fn old_words(&self) -> String {
        format!(
            "the old key \"{}\"",
            display(self.old.name.as_deref().unwrap_or("-"), 40)
        )
    }

    /// What exists now, in words, for leaving at this stage.
    pub fn what_exists(&self) -> String {
        let new = |info: &KeyInfo, proof: &Proof| {
            let id = display(info.id.as_deref().unwrap_or("-"), 40);
            match proof {
                Proof::Works { .. } => format!("the new key (id {id}) exists and works"),
                Proof::Pending(_) => format!("the new key (id {id}) exists (not yet proved)"),
                Proof::Fails(_) => format!("the new key (id {id}) exists but did not work"),
            }
        };
        match &self.stage {
            Stage::Plan => "rotation left: nothing changed".to_string(),
            Stage::Generating(_) => format!(
                "rotation left while generating: {} is still active; look for the new key in \
                 the list",
                self.old_words()
            ),
            Stage::New { info, proof, .. } | Stage::Leaving { info, proof, .. } => {
                format!("{}; {} is still active", new(info, proof), self.old_words())
            }
            Stage::Retire { info, .. } | Stage::Revoking { info, .. } => format!(
                "{}; {} is still active: revoke it once the new one is deployed",
                new(
                    info,
                    &Proof::Works {
                        region: String::new(),
                        ms: 0
                    }
                ),
                self.old_words()
            ),
            Stage::Done { words, .. } => words.clone(),
        }
    }

    pub(super) fn act(&mut self, action: Action, cx: &mut Cx<'_>) -> Step {
        match &mut self.stage {
            Stage::Plan => match action {
                Action::Cancel => Step::close().saying(Status::ok(self.what_exists())),
                Action::Confirm => self.generate(cx),
                _ => Step::stay(),
            },
            Stage::Generating(_) | Stage::Revoking { .. } => Step::stay(),
            Stage::New { .. } => self.on_new(action),
            Stage::Leaving { .. } => self.on_leaving(action),
            Stage::Retire { .. } => self.on_retire(action, cx),
            Stage::Done { .. } => match action {
                Action::Confirm | Action::Cancel => Step::close(),
                _ => Step::stay(),
            },
        }
    }

    fn generate(&mut self, cx: &mut Cx<'_>) -> Step {
        let name = self.name.value().trim().to_string();
        if name.is_empty() {
            self.error = Some("a name is required: say what the key is for".into());
            return Step::stay();
        }
        let req = cx.req();
        self.stage = Stage::Generating(req);
        self.error = None;
        Step::stay().with_effects(vec![Effect::Generate {
            req,
            target: self.target.clone(),
            spec: NewKey {
                name,
                kind: self.old.kind.clone(),
                organization_id: self.old.organization_id.clone(),
            },
            note: self.rotation_note(KeyNote::default()),
        }])
    }

    fn on_new(&mut self, action: Action) -> Step {
        let Stage::New {
            shown,
            copied,
            proof,
            secret,
            ..
        } = &mut self.stage
        else {
            return Step::stay();
        };
        match action {
            Action::Reveal => *shown = !*shown,
            Action::Copy => {
                *copied = Some(Copy::Copying);
                return Step::stay().with_effects(vec![Effect::Copy(zeroize::Zeroizing::new(
                    secret.expose().to_string(),
                ))]);
            }
            Action::Confirm if matches!(proof, Proof::Works { .. }) => {
                if !matches!(copied, Some(Copy::Done(_))) {
                    self.error = Some(
                        "copy the new key first (c): it is shown only here, and only now".into(),
                    );
                    return Step::stay();
                }
                let old = std::mem::replace(&mut self.stage, Stage::Plan);
                if let Stage::New { info, secret, .. } = old {
                    // The secret is dropped (zeroized) here, it was copied;
                    // only the console's own replacement is kept, to sign in with.
                    let adopt = if self.own {
                        ApiKey::new(secret.expose())
                    } else {
                        None
                    };
                    self.stage = Stage::Retire {
                        info,
                        typed: Input::default(),
                        adopt,
                    };
                }
                self.error = None;
            }
            Action::Confirm => {
                self.error = Some(match proof {
                    Proof::Pending(_) => "still proving the new key: a moment".into(),
                    _ => "the new key did not work: it is not deployable (esc leaves; revoke it \
                          from the list)"
                        .into(),
                });
            }
            Action::Cancel => {
                if matches!(copied, Some(Copy::Done(_))) {
                    return Step::close().saying(Status::ok(self.what_exists()));
                }
                let old = std::mem::replace(&mut self.stage, Stage::Plan);
                if let Stage::New {
                    info,
                    secret,
                    proof,
                    ..
                } = old
                {
                    self.stage = Stage::Leaving {
                        info,
                        secret,
                        proof,
                    };
                }
            }
            _ => {}
        }
        Step::stay()
    }

    fn on_leaving(&mut self, action: Action) -> Step {
        if action == Action::Confirm {
            let words = format!(
                "{}; nobody has the new key's secret now, so revoke the new key",
                self.what_exists()
            );
            return Step::close().saying(Status::error(words));
        }
        let old = std::mem::replace(&mut self.stage, Stage::Plan);
        if let Stage::Leaving {
            info,
            secret,
            proof,
        } = old
        {
            self.stage = Stage::New {
                info,
                secret,
                shown: false,
                copied: None,
                proof,
            };
        }
        Step::stay()
    }

    fn on_retire(&mut self, action: Action, cx: &mut Cx<'_>) -> Step {
        let typed_needed = self.typed_retire();
        let name = self.old.name.clone().unwrap_or_default();
        let Stage::Retire { info, typed, adopt } = &mut self.stage else {
            return Step::stay();
        };
        match action {
            Action::Cancel => {
                let words = self.what_exists();
                Step::close().saying(Status::ok(words))
            }
            Action::Confirm => {
                let matches = !name.is_empty()
                    && (typed.value() == name || typed.value() == crate::sanitize::sanitize(&name));
                if typed_needed && !matches {
                    self.error =
                        Some("the name does not match: type the old key's name exactly".into());
                    return Step::stay();
                }
                let Some(id) = self.old.id.clone() else {
                    self.error = Some("the old key has no id: revoke it in the web console".into());
                    return Step::stay();
                };
                let req = cx.req();
                let info = info.clone();
                // Switch first, so the revoke (and everything after it) is
                // signed with the key that stays.
                let mut effects: Vec<Effect> =
                    adopt.take().map(Effect::AdoptKey).into_iter().collect();
                effects.push(Effect::Revoke {
                    req,
                    target: self.target.clone(),
                    id,
                    note: self.rotation_note(KeyNote::of(&self.old)),
                });
                self.stage = Stage::Revoking { info, req };
                self.error = None;
                Step::stay().with_effects(effects)
            }
            _ => Step::stay(),
        }
    }
}

impl App {
    /// Why rotating `key` is refused before anything is generated, if it is.
    fn rotation_refused(&self, key: &KeyInfo) -> Option<String> {
        let user_kind = matches!(key.kind, KeyKind::User | KeyKind::MultiTenantUser);
        if user_kind {
            if let (Some(me), Some(owner)) = (&self.session.owner, &key.owner_email) {
                if !me.eq_ignore_ascii_case(owner) {
                    return Some(format!(
                        "only its owner can rotate it: a new user key acts as whoever generates \
                         it, so it would act as {} instead of {}; nothing was generated",
                        display(me, 40),
                        display(owner, 40)
                    ));
                }
            }
            if self
                .session
                .key_kind
                .as_ref()
                .is_some_and(|k| *k != KeyKind::User)
            {
                return Some(
                    "a user key is replaced with its owner's own user key: this console's key is \
                     not one; nothing was generated"
                        .into(),
                );
            }
        }
        key.id
            .is_none()
            .then(|| "the platform gave this key no id: it cannot be rotated from here".into())
    }

    /// `R`: opens the rotation of the selected key, or says why not.
    pub(super) fn open_rotate(&mut self) {
        let Some(key) = self.selected_key().cloned() else {
            self.status = Status::error("no key selected");
            return;
        };
        if let Some(why) = self.rotation_refused(&key) {
            self.status = Status::error(why);
            return;
        }
        let target = self.target_for_key(&key);
        let proof_target = if key.kind.is_multi_tenant() || target.tenant.is_some() {
            target.clone()
        } else {
            // A platform key works only at its organization's region.
            let region = self
                .orgs
                .ready()
                .and_then(|orgs| {
                    orgs.iter()
                        .find(|o| Some(&o.id) == key.organization_id.as_ref())
                })
                .and_then(crate::api::Organization::known_region)
                .unwrap_or(target.region);
            Target::new(region, None)
        };
        self.modal = Some(Modal::Rotate(Box::new(Rotation {
            name: Input::new(key.name.clone().unwrap_or_default()),
            own: self.is_own_key(&key),
            old: key,
            target,
            proof_target,
            stage: Stage::Plan,
            error: None,
        })));
    }

    /// The replacement came back: reveal it and prove it at once.
    #[must_use]
    pub(super) fn on_rotation_generated(
        &mut self,
        req: ReqId,
        result: Result<(KeyInfo, NewSecret), ApiError>,
    ) -> Vec<Effect> {
        let proof_req = self.req();
        let Some(Modal::Rotate(rotation)) = &mut self.modal else {
            return Vec::new();
        };
        if !matches!(rotation.stage, Stage::Generating(r) if r == req) {
            return Vec::new();
        }
        match result {
            Ok((info, secret)) => {
                let proof_target = rotation.proof_target.clone();
                let key = ApiKey::new(secret.expose());
                rotation.stage = Stage::New {
                    info: Box::new(info.clone()),
                    secret,
                    shown: false,
                    copied: None,
                    proof: Proof::Pending(proof_req),
                };
                for pane in self.panes_mut() {
                    if pane.holds.takes(&info.kind) && pane.listing.req.is_some() {
                        pane.table.insert(info.clone());
                    }
                }
                if let Some(key) = key {
                    vec![Effect::Prove {
                        req: proof_req,
                        target: proof_target,
                        key,
                    }]
                } else {
                    self.on_proved(proof_req, Err("the new key is empty".into()));
                    Vec::new()
                }
            }
            Err(error) => {
                let lost = matches!(
                    error,
                    ApiError::LostSecret { .. }
                        | ApiError::OutcomeUnknown { .. }
                        | ApiError::NotCreated { .. }
                );
                let words = format!(
                    "{}; {} is unchanged and still active",
                    super::explain::explain(
                        "generate the replacement",
                        Some(&rotation.old.kind),
                        &error
                    ),
                    rotation.old_words()
                );
                rotation.stage = Stage::Done { words, error: true };
                if lost {
                    return self.load_context();
                }
                Vec::new()
            }
        }
    }

    /// The proof of the new key came back.
    pub(super) fn on_proved(&mut self, req: ReqId, result: Result<u64, String>) {
        let Some(Modal::Rotate(rotation)) = &mut self.modal else {
            return;
        };
        let region = rotation.proof_target.region.to_string();
        if let Stage::New { proof, .. } | Stage::Leaving { proof, .. } = &mut rotation.stage {
            if *proof == Proof::Pending(req) {
                *proof = match result {
                    Ok(ms) => Proof::Works { region, ms },
                    Err(why) => Proof::Fails(why),
                };
            }
        }
    }

    /// The old key's revoke came back: the rotation is over, or says what is left.
    pub(super) fn on_rotation_revoked(
        &mut self,
        req: ReqId,
        result: Result<(), &ApiError>,
    ) -> bool {
        let Some(Modal::Rotate(rotation)) = &mut self.modal else {
            return false;
        };
        let Stage::Revoking { req: waiting, info } = &rotation.stage else {
            return false;
        };
        if *waiting != req {
            return false;
        }
        let new_id = display(info.id.as_deref().unwrap_or("-"), 40);
        let old_id = rotation.old.id.clone().unwrap_or_default();
        let (mut words, error) = match result {
            Ok(()) => (
                format!(
                    "rotated: {} is revoked; only the new key (id {new_id}) is active",
                    rotation.old_words()
                ),
                false,
            ),
            Err(error) => (
                format!(
                    "the new key (id {new_id}) works, but revoking {} failed: {}. Both keys are \
                     active; revoke the old one (x)",
                    rotation.old_words(),
                    super::explain::explain("revoke", Some(&rotation.old.kind), error)
                ),
                true,
            ),
        };
        let own = rotation.own;
        let new_key_id = info.id.clone();
        if own {
            let _ = write!(
                words,
                ". This console now signs in with the new key: store it where profile {} \
                 reads its key before r7keys next starts",
                display(&self.session.profile, 40)
            );
        }
        rotation.stage = Stage::Done {
            words: words.clone(),
            error,
        };
        if own {
            self.session.own_key_id = new_key_id;
        }
        if result.is_ok() {
            self.forget_key(&old_id);
        }
        self.status = if error {
            Status::error(words)
        } else {
            Status::ok(words)
        };
        true
    }
}
