//! The one impure loop: terminal events and worker answers in, `update`,
//! effects out, and a redraw when something changed. Generic over the
//! backend and the event stream, so tests drive it on a `TestBackend`.

use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::Event;
use time::OffsetDateTime;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::{App, Effect, Msg};
use crate::clipboard::Clipboard;
use crate::input::translate;
use crate::ui::{Theme, draw};
use crate::worker::Worker;

/// When the process started, for the start-up figures in the log.
pub static PROCESS_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn since_start() -> u128 {
    PROCESS_START.get().map_or(0, |t| t.elapsed().as_millis())
}

/// What the loop acts through.
pub struct Services {
    pub worker: Worker,
    pub clipboard: Box<dyn Clipboard>,
}

/// Clipboard clears waiting for their time.
type Clears = Vec<(Instant, [u8; 32])>;

fn execute(app: &mut App, services: &mut Services, clears: &mut Clears, effects: Vec<Effect>) {
    let mut pending = effects;
    while let Some(effect) = pending.pop() {
        match services.worker.start(effect).map_err(|effect| *effect) {
            Err(Effect::Copy(secret)) => {
                let result = services.clipboard.copy(&secret);
                pending.extend(app.update(Msg::Copied {
                    result,
                    secret: true,
                }));
            }
            Err(Effect::CopyText(text)) => {
                let result = services.clipboard.copy(&text);
                pending.extend(app.update(Msg::Copied {
                    result,
                    secret: false,
                }));
            }
            Err(Effect::Export { path, rows }) => {
                let result =
                    crate::inventory::export::write(std::path::Path::new(&path), &rows, app.now);
                let outcome = crate::app::Outcome::Exported { path, result };
                pending.extend(app.update(Msg::Done(Box::new(outcome))));
            }
            Err(Effect::ClearClipboardLater { after, secret_hash }) => {
                clears.push((Instant::now() + after, secret_hash));
            }
            // Started by the worker, or Quit (the loop checks `app.quit`).
            Ok(()) | Err(Effect::Quit) => {}
            Err(_) => tracing::error!("an effect nobody carries out was asked for"),
        }
    }
}

async fn next_clear(clears: &Clears) {
    match clears.iter().map(|(at, _)| *at).min() {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

async fn terminated() {
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await;
}

/// Runs the console until the user quits (or SIGTERM); pending clipboard
/// clears are done before returning.
pub async fn run<B: Backend, E>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    theme: &Theme,
    mut services: Services,
    mut answers: UnboundedReceiver<Msg>,
    mut events: E,
) -> Result<(), B::Error>
where
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut clears: Clears = Vec::new();
    if let Ok(size) = terminal.size() {
        let effects = app.update(Msg::Resize {
            width: size.width,
            height: size.height,
        });
        execute(app, &mut services, &mut clears, effects);
    }
    app.now = OffsetDateTime::now_utc();
    let effects = app.start();
    execute(app, &mut services, &mut clears, effects);
    terminal.draw(|frame| draw(frame, app, theme))?;
    tracing::info!(ms = since_start(), "first frame");
    let mut full_frame_logged = false;
    let terminated = terminated();
    tokio::pin!(terminated);
    loop {
        let msg = tokio::select! {
            biased;
            () = &mut terminated => break,
            Some(msg) = answers.recv() => Some(msg),
            event = events.next() => match event {
                Some(Ok(event)) => translate(&app.keymap, app.layer(), &event),
                Some(Err(_)) | None => break,
            },
            () = next_clear(&clears) => {
                let now = Instant::now();
                let (due, later): (Clears, Clears) = clears.into_iter().partition(|(at, _)| *at <= now);
                clears = later;
                for (_, hash) in due {
                    services.clipboard.clear_if_holds(&hash);
                }
                None
            }
        };
        let Some(msg) = msg else { continue };
        app.now = OffsetDateTime::now_utc();
        let effects = app.update(msg);
        execute(app, &mut services, &mut clears, effects);
        // Take every answer already waiting before drawing once.
        while let Ok(msg) = answers.try_recv() {
            let effects = app.update(msg);
            execute(app, &mut services, &mut clears, effects);
        }
        if app.quit {
            break;
        }
        terminal.draw(|frame| draw(frame, app, theme))?;
        if !full_frame_logged && app.user.listing.is_done() {
            full_frame_logged = true;
            tracing::info!(
                ms = since_start(),
                keys = app.user.listing.items,
                "first full frame"
            );
        }
    }
    // A secret copied just before quitting is still cleared, after a short grace.
    if !clears.is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
        for (_, hash) in clears {
            services.clipboard.clear_if_holds(&hash);
        }
    }
    Ok(())
}
