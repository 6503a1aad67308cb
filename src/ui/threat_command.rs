//! The Threat Command tab: what its public API tells about the account
//! (credentials, modules, asset usage, enrichment credits, MSSP customers),
//! and plainly what it does not, so nobody hunts for the subscription facts
//! in a terminal. The Threat Command API key is never shown, only its source.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph, Row, Table, Wrap};

use crate::api::tc::{Customer, Quota, UsedAssets};
use crate::app::{App, Tab, TcFacts, TcPanel};
use crate::sanitize::{display, sanitize};

use super::Theme;
use super::text::{cols, field, paragraphs, thousands, width, wrap};

/// Width of the labels on the left.
const LABEL: usize = 14;

/// What only the web console shows: said once, where people look for it.
const WEB_ONLY: &str = "Subscription type, expiration, credits, remediation limits and \
    stored-data location are shown only in Threat Command's web console (Settings > \
    Subscription, administrators only).";

/// Draws the tab into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(
            format!(" {} ", Tab::ThreatCommand.title()),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &app.tc {
        TcPanel::Unloaded | TcPanel::Loading(_) => {
            frame.render_widget(Paragraph::new(Line::styled("loading…", theme.muted)), inner);
        }
        TcPanel::Failed(why) => {
            let lines: Vec<Line> = paragraphs(&theme.mask.text(why))
                .into_iter()
                .map(|l| Line::styled(l, theme.error))
                .collect();
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        TcPanel::Loaded(facts) => draw_facts(frame, inner, app, facts, theme),
    }
}

fn label(text: &str, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{text:<LABEL$}"), theme.muted)
}

/// `✓ name` / `✗ name`: the state in text, not colour alone.
fn mark(on: bool, theme: &Theme) -> Span<'static> {
    if on {
        Span::styled("✓ ", theme.ok)
    } else {
        Span::styled("✗ ", theme.error)
    }
}

/// The modules as `✓ name` items in lines of `room` columns; an item is
/// never split from its mark.
fn module_lines(
    modules: &Result<Vec<(String, bool)>, String>,
    room: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let list = match modules {
        Ok(list) if !list.is_empty() => list,
        Ok(_) => return vec![Line::styled("none", theme.muted)],
        Err(why) => {
            return wrap(&sanitize(&theme.mask.text(why)), room)
                .into_iter()
                .map(|l| Line::styled(l, theme.muted))
                .collect();
        }
    };
    let mut lines = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (name, on) in list {
        let name = display(name, room.saturating_sub(2).clamp(1, 30));
        let item = 2 + width(&name);
        if used > 0 && used + 2 + item > room {
            lines.push(Line::from(std::mem::take(&mut current)));
            used = 0;
        }
        if used > 0 {
            current.push(Span::raw("  "));
            used += 2;
        }
        current.push(mark(*on, theme));
        current.push(Span::raw(name));
        used += item;
    }
    lines.push(Line::from(current));
    lines
}

/// Rows a text of `len` columns takes when wrapped at `room` (an estimate
/// that rounds up, so nothing is cut).
fn rows_for(len: usize, room: u16) -> u16 {
    let room = usize::from(room.max(1));
    cols(len.div_ceil(room).max(1))
}

fn draw_facts(frame: &mut Frame, area: Rect, app: &App, facts: &TcFacts, theme: &Theme) {
    let value_room = area.width.saturating_sub(cols(LABEL));
    let modules = module_lines(&facts.modules, usize::from(value_room), theme);
    let modules_rows = cols(modules.len()).clamp(1, 3);
    let has_customers = matches!(&facts.customers, Ok(list) if !list.is_empty());
    let web_rows = rows_for(width(WEB_ONLY) + 8, area.width).min(4);
    let [account, key, valid, mods, assets, quota, _, mssp, _, web] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(modules_rows),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(web_rows),
    ])
    .areas(area);

    let line = |spans: Vec<Span<'static>>| Paragraph::new(Line::from(spans));
    frame.render_widget(
        line(vec![
            label("Account ID", theme),
            Span::raw(display(&theme.mask.account(&facts.account_id), 60)),
        ]),
        account,
    );
    let source = app
        .session
        .tc_source
        .as_deref()
        .map_or_else(String::new, |s| format!("  (from {})", display(s, 50)));
    frame.render_widget(
        line(vec![
            label("API key", theme),
            Span::styled("********", theme.masked),
            Span::styled(source, theme.muted),
        ]),
        key,
    );
    let valid_words = if facts.credentials_valid {
        "valid"
    } else {
        "not valid: Threat Command refused the account ID and API key"
    };
    frame.render_widget(
        line(vec![
            label("Credentials", theme),
            mark(facts.credentials_valid, theme),
            Span::raw(valid_words),
        ]),
        valid,
    );
    let [mods_label, mods_value] =
        Layout::horizontal([Constraint::Length(cols(LABEL)), Constraint::Fill(1)]).areas(mods);
    frame.render_widget(line(vec![label("Modules", theme)]), mods_label);
    frame.render_widget(Paragraph::new(modules), mods_value);
    draw_assets(frame, assets, &facts.assets, theme);
    frame.render_widget(
        line(vec![
            label("Enrichment", theme),
            Span::raw(quota_words(&facts.quota)),
        ]),
        quota,
    );
    if has_customers {
        draw_customers(frame, mssp, &facts.customers, theme);
    }
    frame.render_widget(
        Paragraph::new(Line::styled(WEB_ONLY, theme.muted)).wrap(Wrap { trim: true }),
        web,
    );
}

/// `97 of 150` and a gauge drawn with two symbols, readable without colour.
fn draw_assets(frame: &mut Frame, area: Rect, assets: &Result<UsedAssets, String>, theme: &Theme) {
    let [name, value] =
        Layout::horizontal([Constraint::Length(cols(LABEL)), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(label("Assets", theme)), name);
    let (words, ratio) = match assets {
        Ok(UsedAssets {
            assets_count: Some(count),
            assets_limit: Some(limit),
        }) => {
            #[allow(clippy::cast_precision_loss)] // asset counts are far below 2^52
            let ratio = if *limit == 0 {
                1.0
            } else {
                (*count as f64 / *limit as f64).clamp(0.0, 1.0)
            };
            (format!("{count} of {limit} used"), Some(ratio))
        }
        Ok(UsedAssets {
            assets_count,
            assets_limit,
        }) => (
            format!(
                "{} of {} used",
                assets_count.map_or_else(|| "-".into(), |c| c.to_string()),
                assets_limit.map_or_else(|| "-".into(), |c| c.to_string())
            ),
            None,
        ),
        Err(why) => (display(&theme.mask.text(why), 60), None),
    };
    match ratio {
        Some(ratio) => {
            let gauge_width = value.width.min(cols(width(&words) + 1 + 30));
            let gauge = LineGauge::default()
                .ratio(ratio)
                .label(words)
                .filled_symbol("█")
                .unfilled_symbol("░")
                .filled_style(theme.ok)
                .unfilled_style(theme.muted);
            frame.render_widget(
                gauge,
                Rect {
                    width: gauge_width,
                    ..value
                },
            );
        }
        None => frame.render_widget(Paragraph::new(words), value),
    }
}

/// `43 of 50 left (Monthly)`.
fn quota_words(quota: &Result<Quota, String>) -> String {
    match quota {
        Ok(q) => {
            let number = |n: Option<u64>| n.map_or_else(|| "-".into(), |n| n.to_string());
            let period = q
                .time_period
                .as_deref()
                .map_or_else(String::new, |p| format!(" ({})", display(p, 20)));
            format!(
                "{} of {} credits left{period}",
                number(q.remaining),
                number(q.total)
            )
        }
        Err(why) => display(why, 60),
    }
}

/// MSSP customers: name and status, as many as fit.
fn draw_customers(
    frame: &mut Frame,
    area: Rect,
    customers: &Result<Vec<Customer>, String>,
    theme: &Theme,
) {
    let Ok(list) = customers else {
        return;
    };
    if area.height < 2 {
        return;
    }
    let room = usize::from(area.height - 1);
    let (shown, more) = if list.len() > room {
        (room - 1, list.len() - (room - 1))
    } else {
        (list.len(), 0)
    };
    let name_width = area.width.saturating_sub(16 + 1).min(48);
    let mut rows: Vec<Row> = list
        .iter()
        .take(shown)
        .map(|c| {
            Row::new(vec![
                field(
                    c.company_name
                        .as_deref()
                        .map(|n| theme.mask.org(n))
                        .as_deref(),
                    usize::from(name_width),
                ),
                field(c.status.as_deref(), 16),
            ])
        })
        .collect();
    if more > 0 {
        rows.push(Row::new(vec![format!("… and {} more", thousands(more))]).style(theme.muted));
    }
    let table = Table::new(
        rows,
        [Constraint::Length(name_width), Constraint::Length(16)],
    )
    .header(
        Row::new(vec![
            format!("MSSP customers · {}", thousands(list.len())),
            "status".to_string(),
        ])
        .style(theme.column_title),
    )
    .column_spacing(1);
    frame.render_widget(table, area);
}
