#![allow(clippy::unwrap_used)] // in tests a panic is the failure report
//! The console's runtime (`r7keys::runtime::run`) with the real worker and
//! API client against the in-process simulator: only the terminal is
//! replaced. The screen is a `TestBackend` shared with the test (so it can
//! be read while the console runs), key presses come from a channel the
//! test writes to, and the clipboard is the `Recording` fake. After `q` the
//! runtime hands the `App` back for a last look.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use r7keys::api::{ApiKey, Client, KeyKind, Settings};
use r7keys::app::{App, Session};
use r7keys::clipboard::Recording;
use r7keys::keymap::Keymap;
use r7keys::runtime::{Services, run};
use r7keys::ui::Theme;
use r7keys::worker::Worker;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Size};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::Sim;

/// The console's size.
pub const COLS: u16 = 120;
pub const ROWS: u16 = 40;

/// How long one condition may take to come true.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// What the status line says once the user keys are loaded.
pub const LOADED: &str = "older than 90 days";

/// The list endpoint, as the request log shows it.
pub const KEYS_PATH: &str = "/account/api/1/api-keys";

/// A `TestBackend` the console draws on and the test reads at any time.
#[derive(Clone)]
pub struct Shared(pub Arc<Mutex<TestBackend>>);

impl Backend for Shared {
    type Error = Infallible;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Infallible>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.0.lock().unwrap().draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Infallible> {
        self.0.lock().unwrap().get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Infallible> {
        self.0.lock().unwrap().set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Infallible> {
        self.0.lock().unwrap().clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Infallible> {
        self.0.lock().unwrap().size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Infallible> {
        self.0.lock().unwrap().window_size()
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().flush()
    }
}

/// The console running on its own task.
pub struct Console {
    pub screen: Shared,
    pub keys: UnboundedSender<Event>,
    pub clipboard: Arc<Mutex<Recording>>,
    pub task: Option<JoinHandle<App>>,
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The platform administrator's session, as `r7keys` with a profile builds it.
pub fn session(sim: &Sim) -> Session {
    let admin = sim.principal("platform-admin");
    Session {
        profile: "flows".into(),
        region: admin.region.parse().unwrap(),
        home_tenant: None,
        key_kind: Some(KeyKind::User),
        own_key_id: None,
        max_key_age_days: 90,
        owner: admin.email.clone(),
        platform_admin: Some(true),
        read_only: false,
        tc_source: None,
        clipboard_clear: Duration::from_millis(300),
        endpoint: sim.creds().endpoint.clone(),
    }
}

impl Console {
    /// Starts the console as the platform administrator; `concurrency` is
    /// the pages fetched at once (small, so a load takes long enough to watch).
    pub fn start(sim: &Sim, concurrency: usize) -> Console {
        Console::start_as(sim, concurrency, session(sim))
    }

    /// Starts the console with `session` (the platform administrator's key).
    pub fn start_as(sim: &Sim, concurrency: usize, session: Session) -> Console {
        Console::start_drawing(sim, concurrency, session, &Theme::new(true, None))
    }

    /// Starts the console with `session`, drawn with `theme` (which may be presenting).
    pub fn start_drawing(
        sim: &Sim,
        concurrency: usize,
        session: Session,
        theme: &Theme,
    ) -> Console {
        let settings = Settings {
            endpoint: sim.creds().endpoint.clone(),
            concurrency,
            ..Settings::default()
        };
        Console::start_with(sim, settings, session, "platform-admin", theme)
    }

    /// Starts the console with these settings, signed with `principal`'s
    /// key, drawn with `theme`.
    pub fn start_with(
        sim: &Sim,
        settings: Settings,
        session: Session,
        principal: &str,
        theme: &Theme,
    ) -> Console {
        let theme = *theme;
        let key = ApiKey::new(&sim.principal(principal).api_key).unwrap();
        let client = Client::new(settings, key).unwrap();
        let (answers_tx, answers_rx) = unbounded_channel();
        let worker = Worker::new(client, None, answers_tx);
        let clipboard = Arc::new(Mutex::new(Recording::default()));
        let services = Services {
            worker,
            clipboard: Box::new(Arc::clone(&clipboard)),
        };
        let screen = Shared(Arc::new(Mutex::new(TestBackend::new(COLS, ROWS))));
        let mut terminal = Terminal::new(screen.clone()).unwrap();
        let mut app = App::new(session, Keymap::defaults());
        let (keys, events) = unbounded_channel::<Event>();
        let events = Box::pin(futures_util::stream::unfold(events, |mut rx| async move {
            rx.recv().await.map(|event| (Ok(event), rx))
        }));
        let task = tokio::spawn(async move {
            run(
                &mut terminal,
                &mut app,
                &theme,
                services,
                answers_rx,
                events,
            )
            .await
            .unwrap();
            app
        });
        Console {
            screen,
            keys,
            clipboard,
            task: Some(task),
        }
    }

    pub fn press(&self, code: KeyCode) {
        self.keys
            .send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .unwrap();
    }

    pub fn key(&self, c: char) {
        self.press(KeyCode::Char(c));
    }

    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.key(c);
        }
    }

    /// The screen, row by row.
    pub fn rows(&self) -> Vec<String> {
        let backend = self.screen.0.lock().unwrap();
        let buffer = backend.buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect()
            })
            .collect()
    }

    pub fn screen(&self) -> String {
        self.rows().join("\n")
    }

    /// The status line (second row from the bottom).
    pub fn status(&self) -> String {
        self.rows()[usize::from(ROWS) - 2].trim_end().to_string()
    }

    /// Waits until `done` holds; panics with `what` and the screen after [`PATIENCE`].
    pub async fn until(&self, what: &str, done: impl Fn(&Console) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(
                started.elapsed() < PATIENCE,
                "no {what} within {PATIENCE:?}:\n{}",
                self.screen()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub async fn shows(&self, text: &str) {
        self.until(&format!("{text:?} on the screen"), |c| {
            c.screen().contains(text)
        })
        .await;
    }

    /// Waits for the user keys to be loaded.
    pub async fn loaded(&self) {
        self.until("a loaded table", |c| c.status().contains(LOADED))
            .await;
    }

    /// Quits with `q`; answers the console's state at the end.
    pub async fn quit(&mut self) -> App {
        self.key('q');
        let task = self.task.take().unwrap();
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("the console quits on q")
            .expect("the console ran without panicking")
    }
}
