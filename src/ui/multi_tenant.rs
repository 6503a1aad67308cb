//! The multi-tenant tab: the primary account's multi-tenant keys on top
//! (`App::viewport()` is halved for this tab, rows still start at
//! `TABLE_TOP`), and below them the organizations those keys reach, so an
//! MSSP admin sees both what the keys are and where they act.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, Wrap};

use crate::api::Organization;
use crate::app::{App, Loadable, Tab};
use crate::keymap::{Action, Layer};
use crate::sanitize::display;

use super::text::{cols, field, paragraphs, thousands};
use super::{Theme, header, keys_table};

/// Draws the tab into the body area.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Border, column titles, the viewport's rows, border.
    let top_height = (cols(app.viewport()) + 3).min(area.height);
    let top = Rect {
        height: top_height,
        ..area
    };
    let bottom = Rect {
        y: area.y + top_height,
        height: area.height - top_height,
        ..area
    };
    keys_table::draw(
        frame,
        top,
        app,
        &app.multi_tenant,
        Tab::MultiTenant.title(),
        true,
        theme,
    );
    if bottom.height > 0 {
        draw_managed(frame, bottom, app, theme);
    }
}

/// The managed organizations, the tenant in focus, and how to change it.
fn draw_managed(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let heading = match &app.managed {
        Loadable::Ready(list) => format!(" Managed organizations · {} ", thousands(list.len())),
        _ => " Managed organizations ".to_string(),
    };
    let block = Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(heading, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let focus = match &app.tenant {
        Some(_) => header::tenant_words(app, theme).replacen("tenant", "in focus:", 1),
        None => "in focus: home (the primary account)".to_string(),
    };
    let mut first = vec![Span::raw(focus)];
    let list = match &app.managed {
        Loadable::Ready(list) => list,
        Loadable::Loading(_) => {
            let lines = vec![Line::from(first), Line::styled("loading…", theme.muted)];
            frame.render_widget(Paragraph::new(lines), inner);
            return;
        }
        Loadable::Failed(why) => {
            let mut lines = vec![Line::from(first)];
            lines.extend(
                paragraphs(why)
                    .into_iter()
                    .map(|l| Line::styled(l, theme.muted)),
            );
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            return;
        }
    };
    if app.refusal(Action::ChooseTenant).is_none() {
        let key = app
            .keymap
            .key_for(Layer::Browse, Action::ChooseTenant)
            .unwrap_or_else(|| "o".into());
        first.push(Span::styled(
            format!(" · press {key} to choose a tenant"),
            theme.muted,
        ));
    }
    let line = Rect { height: 1, ..inner };
    frame.render_widget(Paragraph::new(Line::from(first)), line);
    let rest = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    if rest.height == 0 {
        return;
    }
    if list.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("this account manages no tenants", theme.muted)),
            rest,
        );
        return;
    }
    draw_list(frame, rest, app, list, theme);
}

/// Name, region, id from the scroll offset: as many as fit, then how many
/// more and which keys scroll them (`J`/`K`).
fn draw_list(frame: &mut Frame, area: Rect, app: &App, list: &[Organization], theme: &Theme) {
    let room = usize::from(area.height.saturating_sub(1));
    let start = app.managed_offset.min(list.len().saturating_sub(1));
    let left = list.len() - start;
    // A last line says how many more and how to scroll, when there is more.
    let scrolls = start > 0 || left > room;
    let shown = if scrolls {
        left.min(room.saturating_sub(1))
    } else {
        left
    };
    let more = left - shown;
    let id_width: u16 = 36;
    let region_width: u16 = 6;
    let name_width = area.width.saturating_sub(id_width + region_width + 2);
    let rows: Vec<Row> = list
        .iter()
        .skip(start)
        .take(shown)
        .map(|o| {
            let mask = &theme.mask;
            Row::new(vec![
                field(
                    o.name.as_deref().map(|n| mask.org(n)).as_deref(),
                    usize::from(name_width),
                ),
                field(o.region.as_deref(), usize::from(region_width)),
                display(&mask.id(&o.id), usize::from(id_width)),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(name_width),
            Constraint::Length(region_width),
            Constraint::Length(id_width),
        ],
    )
    .header(Row::new(vec!["organization", "region", "id"]).style(theme.column_title))
    .column_spacing(1);
    frame.render_widget(table, area);
    if scrolls {
        let keys = |action| {
            app.keymap
                .key_for(Layer::Browse, action)
                .unwrap_or_default()
        };
        let words = format!(
            "… {} more below, {} above ({}/{} to scroll)",
            thousands(more),
            thousands(start),
            keys(Action::TenantsDown),
            keys(Action::TenantsUp)
        );
        let bottom_line = Rect {
            y: area.y + area.height.saturating_sub(1),
            height: 1,
            ..area
        };
        frame.render_widget(
            Paragraph::new(Line::styled(words, theme.muted)),
            bottom_line,
        );
    }
}
