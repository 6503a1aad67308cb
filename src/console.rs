//! Starting the console: on a profile (`r7keys`), or on the embedded
//! simulator as one of its principals (`r7keys --demo`).

use std::time::Duration;

use ratatui::crossterm::event::EventStream;

use crate::api::client::http_client;
use crate::api::tc::{TcClient, TcCredentials};
use crate::api::{ApiKey, Client, KeyKind, Settings, Target};
use crate::app::{App, Outcome, Session};
use crate::cli::ConnectionArgs;
use crate::clipboard::{Surroundings, SystemClipboard};
use crate::commands::Context;
use crate::config::Profile;
use crate::keymap::Keymap;
use crate::present::Mask;
use crate::runtime::{Services, run};
use crate::simulator::{SimConfig, Simulator};
use crate::ui::Theme;
use crate::worker::Worker;

/// How long a copied secret may stay on the clipboard.
pub const CLIPBOARD_CLEAR: Duration = Duration::from_secs(30);

/// How long a copied secret may stay on the clipboard: `R7KEYS_CLIPBOARD_CLEAR_SECS`,
/// else the profile's `clipboard_clear_secs`, else 30 s; 1 to 600 seconds.
pub fn clipboard_clear(profile: &Profile) -> Duration {
    std::env::var("R7KEYS_CLIPBOARD_CLEAR_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or(profile.clipboard_clear_secs)
        .filter(|secs| (1..=600).contains(secs))
        .map_or(CLIPBOARD_CLEAR, Duration::from_secs)
}

fn keymap() -> Result<Keymap, String> {
    let path = crate::config::dirs().map(|d| d.config_dir().join("keymap.toml"));
    let user = match &path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("keymap file {}: {e}", path.display())),
        },
        None => None,
    };
    Keymap::load(user.as_deref()).map_err(|e| {
        format!(
            "keymap file {}: {e}",
            path.map(|p| p.display().to_string()).unwrap_or_default()
        )
    })
}

/// `NO_COLOR` forces mono; else `R7KEYS_THEME`, else the profile's `theme`.
fn theme(profile: &Profile) -> Theme {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let name = std::env::var("R7KEYS_THEME")
        .ok()
        .or_else(|| profile.theme.clone());
    Theme::new(no_color, name.as_deref())
}

/// Whether the console opens in screen-share mode: `--present`, else the
/// profile's `present`.
pub fn presenting(args: &ConnectionArgs, profile: &Profile) -> bool {
    args.present || profile.present.unwrap_or(false)
}

/// Runs the console in the terminal; answers the exit code. `present`
/// draws pseudonyms with a salt of this run's own.
async fn open(
    session: Session,
    profile: &Profile,
    present: bool,
    client: Client,
    tc: Option<TcClient>,
) -> Result<u8, String> {
    let keymap = keymap()?;
    let theme = theme(profile).presenting(Mask::for_run(present));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    if let Some(email) = session
        .owner
        .clone()
        .filter(|_| session.platform_admin.is_none())
    {
        // Whether the user is a platform admin decides which actions show as possible.
        let lookup = client.clone();
        let target = Target::new(session.region, session.home_tenant.clone());
        let answer = tx.clone();
        tokio::spawn(async move {
            if let Ok(Some(user)) = lookup.user_by_email(&target, &email).await {
                let outcome = Outcome::Identity {
                    email,
                    platform_admin: user.platform_admin,
                };
                let _ = answer.send(crate::app::Msg::Done(Box::new(outcome)));
            }
        });
    }
    let worker = Worker::new(client, tc, tx);
    let mut app = App::new(session, keymap);
    let (mut terminal, guard) = crate::terminal::init();
    let clipboard = SystemClipboard::new(Surroundings::detect(), std::io::stdout());
    let services = Services {
        worker,
        clipboard: Box::new(clipboard),
    };
    let result = run(
        &mut terminal,
        &mut app,
        &theme,
        services,
        rx,
        EventStream::new(),
    )
    .await;
    drop(guard);
    result
        .map(|()| 0)
        .map_err(|e| format!("the terminal failed: {e}"))
}

/// `r7keys` with no command: the console on the configured profile.
pub async fn console(args: &ConnectionArgs) -> u8 {
    let outcome = async {
        let cx = Context::resolve(args).map_err(|e| e.to_string())?;
        let client = cx.client().map_err(|e| e.to_string())?;
        let tc = cx.tc_client().ok();
        let session = Session {
            profile: cx.profile_name.clone().unwrap_or_else(|| "default".into()),
            region: cx.region,
            home_tenant: cx.tenant.clone(),
            key_kind: None,
            own_key_id: cx.profile.key_id.clone(),
            max_key_age_days: crate::config::max_key_age_days(&cx.profile).map_err(|e| e.0)?,
            owner: cx.profile.email.clone(),
            platform_admin: None,
            read_only: cx.settings.read_only,
            tc_source: tc
                .as_ref()
                .map(|_| "R7_TC_API_KEY or the profile".to_string()),
            clipboard_clear: clipboard_clear(&cx.profile),
            endpoint: cx.settings.endpoint.clone(),
        };
        open(
            session,
            &cx.profile,
            presenting(args, &cx.profile),
            client,
            tc,
        )
        .await
    }
    .await;
    outcome.unwrap_or_else(|message| {
        crate::say!("r7keys: {message}");
        1
    })
}

/// `r7keys --demo`: starts the simulator in-process and opens the console as `principal`.
pub async fn demo(principal: &str, args: &ConnectionArgs) -> u8 {
    let read_only = args.read_only;
    let outcome = async {
        // The demo uses the profile's console settings (theme, clipboard), not its connection.
        let path = crate::config::config_path(args.config.as_deref());
        let file = crate::config::load(path.as_ref()).map_err(|e| e.0)?;
        let profile = file
            .profile(
                args.profile.as_deref(),
                &path.as_ref().map(|p| p.path.clone()).unwrap_or_default(),
            )
            .map_err(|e| e.0)?
            .map(|(_, p)| p)
            .unwrap_or_default();
        let simulator = Simulator::start(SimConfig {
            audit_history: true,
            ..SimConfig::default()
        })
        .await
        .map_err(|e| format!("cannot start the embedded simulator: {e}"))?;
        let credentials = simulator.credentials().clone();
        let who = credentials
            .principal(principal)
            .ok_or_else(|| format!("the simulator has no principal {principal}"))?;
        let kind = crate::simulator::principal_kind(who);
        let region = crate::simulator::principal_region(who).unwrap_or(crate::region::Region::Us);
        let settings = Settings {
            endpoint: credentials.endpoint.clone(),
            read_only,
            ..Settings::default()
        };
        let key = ApiKey::new(&who.api_key).ok_or("the simulator gave an empty key")?;
        let client = Client::new(settings.clone(), key).map_err(|e| e.to_string())?;
        let tc_key =
            ApiKey::new(&credentials.threat_command.api_key).ok_or("empty Threat Command key")?;
        let tc = TcClient::new(
            http_client(&settings).map_err(|e| e.to_string())?,
            &credentials.threat_command_endpoint,
            TcCredentials {
                account_id: credentials.threat_command.account_id.clone(),
                api_key: tc_key,
            },
        );
        let key_kind = kind.map(|k| match k {
            crate::simulator::world::KeyKind::User => KeyKind::User,
            crate::simulator::world::KeyKind::Organization => KeyKind::Organization,
            crate::simulator::world::KeyKind::MultiTenantAdmin => KeyKind::MultiTenantAdmin,
            crate::simulator::world::KeyKind::MultiTenantUser => KeyKind::MultiTenantUser,
        });
        let session = Session {
            profile: format!("demo ({principal})"),
            region,
            home_tenant: key_kind
                .as_ref()
                .filter(|k| k.is_multi_tenant())
                .map(|_| who.organization_id.clone()),
            owner: who.email.clone(),
            own_key_id: Some(who.key_id.clone()).filter(|id| !id.is_empty()),
            max_key_age_days: crate::config::max_key_age_days(&profile).map_err(|e| e.0)?,
            platform_admin: match principal {
                "platform-admin" | "mt-admin" => Some(true),
                "org-key" => None,
                _ => Some(false),
            },
            key_kind,
            read_only,
            tc_source: Some("the demo simulator".into()),
            clipboard_clear: clipboard_clear(&profile),
            endpoint: credentials.endpoint.clone(),
        };
        let present = presenting(args, &profile);
        let code = open(session, &profile, present, client, Some(tc)).await;
        simulator.stop().await;
        code
    }
    .await;
    outcome.unwrap_or_else(|message| {
        crate::say!("r7keys: {message}");
        1
    })
}
