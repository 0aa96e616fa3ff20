//! `/calendar`: the open calendar as a list (the next [`PAGE_SIZE`]
//! upcoming events, then a link to the ones after) or as a month grid
//! (`?view=month&month=YYYY-MM`), both filtered by region, hub and topic.
//! The store selects, orders and limits the events; this module never
//! loads more of the network's calendar than one page or one month shows.
//!
//! Anonymous visitors' pages are kept rendered under the calendar
//! generation for at most the public cache's time to live (they depend on
//! the clock too), with each visitor's own CSRF token put in.

use super::{places_text, when};
use crate::events::service as events;
use crate::http::error::{AppError, AppResult};
use crate::http::page::{urlencode, Page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use thirdplace_domain::event::{EventStatus, Venue};
use thirdplace_domain::HUB_TIME_ZONE;
use thirdplace_store::{EventFilter, EventListing};
use uuid::Uuid;

/// Events on one page of the list.
pub const PAGE_SIZE: usize = 50;
/// Most events one month grid shows; past that it asks for a filter.
pub const MONTH_MAX: usize = 2000;
/// How long the topic choices are kept at one generation.
const TOPICS_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Deserialize, Default)]
pub(super) struct CalendarQuery {
    region: Option<String>,
    hub: Option<String>,
    topic: Option<String>,
    view: Option<String>,
    month: Option<String>,
    after: Option<String>,
}

fn chosen(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The calendar's filters, as chosen (an unknown id filters nothing).
#[derive(Clone, Debug, Default)]
struct Filters {
    region: Option<Uuid>,
    hub: Option<Uuid>,
    topic: Option<String>,
}

impl Filters {
    fn any(&self) -> bool {
        self.region.is_some() || self.hub.is_some() || self.topic.is_some()
    }

    /// `/calendar` with these filters and `extra` parameters.
    fn link(&self, extra: &[(&str, String)]) -> String {
        let mut parts: Vec<String> = extra
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        if let Some(r) = self.region {
            parts.push(format!("region={r}"));
        }
        if let Some(h) = self.hub {
            parts.push(format!("hub={h}"));
        }
        if let Some(t) = &self.topic {
            parts.push(format!("topic={}", urlencode(t)));
        }
        if parts.is_empty() {
            "/calendar".into()
        } else {
            format!("/calendar?{}", parts.join("&"))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum View {
    List {
        after: Option<(DateTime<Utc>, Uuid)>,
    },
    /// The first day of the month.
    Month(NaiveDate),
}

/// `YYYY-MM`, a month between the years 2000 and 2100.
fn parse_month(raw: &str) -> Option<NaiveDate> {
    let (y, m) = raw.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(2000..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// The list's cursor: the last shown event's start (Unix seconds) and id.
fn cursor(start: DateTime<Utc>, id: Uuid) -> String {
    format!("{}_{id}", start.timestamp())
}

fn parse_cursor(raw: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (secs, id) = raw.trim().split_once('_')?;
    Some((
        DateTime::from_timestamp(secs.parse().ok()?, 0)?,
        Uuid::parse_str(id).ok()?,
    ))
}

fn month_start_utc(first: NaiveDate) -> DateTime<Utc> {
    let midnight = first.and_hms_opt(0, 0, 0).unwrap_or_default();
    HUB_TIME_ZONE
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

fn previous_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first)
}

fn parse_view(q: &CalendarQuery, now: DateTime<Utc>) -> AppResult<View> {
    match chosen(&q.view) {
        None | Some("list") => {
            let after = match chosen(&q.after) {
                None => None,
                Some(raw) => Some(parse_cursor(raw).ok_or_else(|| {
                    AppError::bad_request(
                        "calendar_bad_after",
                        "the `after` parameter is not a position in the calendar; start from /calendar",
                    )
                })?),
            };
            Ok(View::List { after })
        }
        Some("month") => match chosen(&q.month) {
            None => {
                let today = now.with_timezone(&HUB_TIME_ZONE).date_naive();
                Ok(View::Month(today.with_day(1).unwrap_or(today)))
            }
            Some(raw) => parse_month(raw).map(View::Month).ok_or_else(|| {
                AppError::bad_request(
                    "calendar_bad_month",
                    "the month must be written YYYY-MM, for example 2026-11, between the years 2000 and 2100",
                )
            }),
        },
        Some(_) => Err(AppError::bad_request(
            "calendar_bad_view",
            "the view must be `list` or `month`",
        )),
    }
}

/// The calendar page (list or month).
pub(super) async fn calendar(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<CalendarQuery>,
) -> AppResult<Response> {
    let view = parse_view(&q, state.now())?;
    let filters = Filters {
        region: chosen(&q.region).and_then(|r| Uuid::parse_str(r).ok()),
        hub: chosen(&q.hub).and_then(|h| Uuid::parse_str(h).ok()),
        topic: chosen(&q.topic).map(str::to_string),
    };
    let ttl = state.config.public_cache_ttl;
    if page.user.is_some() || ttl.is_zero() {
        let ctx = context_of(&state, &page, &filters, view).await?;
        return page.render("events/calendar.html", ctx);
    }
    // Random-free and HTML-safe, so escaping leaves it as it is.
    const CSRF_PLACEHOLDER: &str = "CSRFTOKENPLACEHOLDER";
    let anonymous = Page {
        csrf: CSRF_PLACEHOLDER.to_string(),
        ..page.clone()
    };
    let generation = state.store.calendar_version().await?;
    let key = format!("calendar\n{}\n{view:?}\n{filters:?}", page.lang.code());
    let rendered = state
        .calendar_cache
        .get_or_render(&key, generation, Some(ttl), || async {
            let ctx = context_of(&state, &anonymous, &filters, view).await?;
            anonymous.render_string("events/calendar.html", ctx)
        })
        .await?;
    let html = String::from_utf8_lossy(&rendered.body).replace(CSRF_PLACEHOLDER, &page.csrf);
    Ok(Html(html).into_response())
}

/// The topics of the upcoming published events the visitor's kind of
/// visitor may see (all visitors, or members), kept per generation: the
/// filter's choices, so that choosing one filter never hides the others.
async fn topic_choices(state: &AppState, page: &Page) -> AppResult<Vec<String>> {
    let member = match &page.user {
        Some(p) => events::is_member(state, p).await?,
        None => false,
    };
    let generation = state.store.calendar_version().await?;
    let key = format!("calendar-topics\n{member}");
    let rendered = state
        .calendar_cache
        .get_or_render(&key, generation, Some(TOPICS_MAX_AGE), || async {
            use thirdplace_domain::event::EventVisibility::*;
            let listed = state
                .store
                .list_events(&EventFilter {
                    from: Some(state.now()),
                    statuses: Some(vec![EventStatus::Published]),
                    visibilities: Some(if member {
                        vec![Public, MembersOnly]
                    } else {
                        vec![Public]
                    }),
                    limit: crate::events::feeds::MAX_FEED_EVENTS,
                    ..Default::default()
                })
                .await?;
            let mut topics: BTreeMap<String, String> = BTreeMap::new();
            for l in &listed {
                for t in &l.event.topics {
                    topics.entry(t.to_lowercase()).or_insert_with(|| t.clone());
                }
            }
            Ok(topics.into_values().collect::<Vec<_>>().join("\n"))
        })
        .await?;
    Ok(String::from_utf8_lossy(&rendered.body)
        .split('\n')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect())
}

async fn context_of(
    state: &AppState,
    page: &Page,
    filters: &Filters,
    view: View,
) -> AppResult<Value> {
    let hubs = state.store.list_hubs().await?;
    let regions = state.store.list_regions().await?;
    // The hubs the filters leave; `None` is all of them.
    let hub_ids: Option<Vec<Uuid>> = match (filters.hub, filters.region) {
        (None, None) => None,
        (h, r) => Some(
            hubs.iter()
                .filter(|x| h.is_none_or(|h| x.hub.id == h))
                .filter(|x| r.is_none_or(|r| x.region_id == r))
                .map(|x| x.hub.id)
                .collect(),
        ),
    };
    let base = EventFilter {
        hub_ids,
        topic: filters.topic.clone(),
        statuses: Some(vec![EventStatus::Published]),
        ..Default::default()
    };

    let mut topics = topic_choices(state, page).await?;
    let listing = |l: &EventListing| {
        let (left, places) = places_text(page, l.event.capacity, l.confirmed);
        context! {
            url => format!("/events/{}", l.event.id),
            title => l.event.title,
            when => when(&l.event),
            time => crate::http::parse::local_time(l.event.start),
            hub => l.hub_name,
            place => l.place_name,
            online => matches!(l.event.venue, Venue::Online),
            topics => l.event.topics,
            full => left == 0,
            places,
        }
    };

    let month_link = |m: NaiveDate| {
        filters.link(&[
            ("view", "month".into()),
            ("month", m.format("%Y-%m").to_string()),
        ])
    };
    let (events, more, month, list_link, month_view_link, shown_topics) = match view {
        View::List { after } => {
            let f = EventFilter {
                from: Some(state.now()),
                after,
                ..base
            };
            let mut shown = events::visible(state, page.user.as_ref(), f, PAGE_SIZE + 1).await?;
            let more = (shown.len() > PAGE_SIZE).then(|| {
                shown.truncate(PAGE_SIZE);
                let last = &shown[PAGE_SIZE - 1].event;
                filters.link(&[("after", cursor(last.start, last.id))])
            });
            let topics: Vec<String> = shown.iter().flat_map(|l| l.event.topics.clone()).collect();
            let events: Vec<Value> = shown.iter().map(listing).collect();
            let today = state.now().with_timezone(&HUB_TIME_ZONE).date_naive();
            (
                events,
                more,
                None,
                None,
                month_link(today.with_day(1).unwrap_or(today)),
                topics,
            )
        }
        View::Month(first) => {
            let (start, end) = (month_start_utc(first), month_start_utc(next_month(first)));
            let f = EventFilter {
                from: Some(start),
                to: Some(end),
                ..base
            };
            let shown = events::visible(state, page.user.as_ref(), f, MONTH_MAX + 1).await?;
            let truncated = shown.len() > MONTH_MAX;
            let mut by_day: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
            let mut topics = Vec::new();
            for l in shown.iter().take(MONTH_MAX) {
                let local = l.event.start.with_timezone(&HUB_TIME_ZONE).date_naive();
                // An event that began the month before is listed there.
                if local.year() == first.year() && local.month() == first.month() {
                    by_day.entry(local.day()).or_default().push(listing(l));
                    topics.extend(l.event.topics.iter().cloned());
                }
            }
            let month = month_grid(state, page, first, by_day, truncated, &month_link);
            (
                Vec::new(),
                None,
                Some(month),
                Some(filters.link(&[])),
                month_link(first),
                topics,
            )
        }
    };
    // The shown events' own topics are always choices (a members-only or
    // invitation-only event the visitor may see).
    let known: HashSet<String> = topics.iter().map(|t| t.to_lowercase()).collect();
    let extra: BTreeSet<String> = shown_topics
        .into_iter()
        .filter(|t| !known.contains(&t.to_lowercase()))
        .collect();
    topics.extend(extra);
    topics.sort_by_key(|t| t.to_lowercase());

    let used_regions: BTreeSet<Uuid> = hubs.iter().map(|h| h.region_id).collect();
    let region_options: Vec<Value> = regions
        .iter()
        .filter(|r| !r.archived && used_regions.contains(&r.id))
        .map(|r| context! { id => r.id.to_string(), name => r.name, selected => Some(r.id) == filters.region })
        .collect();
    let hub_options: Vec<Value> = hubs
        .iter()
        .filter(|h| filters.region.is_none_or(|r| h.region_id == r))
        .map(|h| context! { id => h.hub.id.to_string(), name => h.hub.name, selected => Some(h.hub.id) == filters.hub })
        .collect();
    let topic = filters.topic.as_deref();
    let topic_options: Vec<Value> = topics
        .iter()
        .map(|t| context! { name => t, selected => topic.is_some_and(|x| x.eq_ignore_ascii_case(t)) })
        .collect();
    let hub_feed = filters.hub.map(|h| format!("/hubs/{h}/calendar.ics"));
    let topic_feed = topic.map(|t| format!("/topics/{}/calendar.ics", urlencode(t)));
    let (view_name, month_value) = match view {
        View::List { .. } => ("list", None),
        View::Month(first) => ("month", Some(first.format("%Y-%m").to_string())),
    };
    Ok(context! {
        events, more, month, region_options, hub_options, topic_options, hub_feed, topic_feed,
        view => view_name,
        month_value,
        list_link => list_link.unwrap_or_else(|| filters.link(&[])),
        month_view_link,
        first_page => matches!(view, View::List { after: Some(_) }).then(|| filters.link(&[])),
        filtered => filters.any(),
        clear_link => match view {
            View::List { .. } => "/calendar".to_string(),
            View::Month(first) => Filters::default().link(&[("view", "month".into()), ("month", first.format("%Y-%m").to_string())]),
        },
    })
}

/// "onsdag 25 november", "Wednesday 25 November".
fn day_label(page: &Page, weekday: u32, day: u32, month: u32) -> String {
    let month = page.t(&format!("calendar.month.{month}"));
    let month = match page.lang {
        crate::i18n::Lang::Sv => month.to_lowercase(),
        crate::i18n::Lang::En => month,
    };
    format!(
        "{} {day} {month}",
        page.t(&format!("calendar.weekday.{weekday}"))
    )
}

/// The month as weeks of days, Monday first, each day with its events.
fn month_grid(
    state: &AppState,
    page: &Page,
    first: NaiveDate,
    mut by_day: BTreeMap<u32, Vec<Value>>,
    truncated: bool,
    month_link: &dyn Fn(NaiveDate) -> String,
) -> Value {
    let today = state.now().with_timezone(&HUB_TIME_ZONE).date_naive();
    let days = (next_month(first) - first).num_days() as u32;
    let lead = first.weekday().num_days_from_monday();
    let mut weeks: Vec<Vec<Value>> = Vec::new();
    let mut week: Vec<Value> = Vec::new();
    for _ in 0..lead {
        week.push(context! { day => Value::from(()) });
    }
    for d in 1..=days {
        let date = first + Duration::days(i64::from(d) - 1);
        let wd = date.weekday().number_from_monday();
        week.push(context! {
            day => d,
            date => date.format("%Y-%m-%d").to_string(),
            label => day_label(page, wd, d, first.month()),
            today => date == today,
            events => by_day.remove(&d).unwrap_or_default(),
        });
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(context! { day => Value::from(()) });
        }
        weeks.push(week);
    }
    let weekdays: Vec<Value> = (1..=7)
        .map(|d| context! { short => page.t(&format!("calendar.weekday_short.{d}")), long => page.t(&format!("calendar.weekday.{d}")) })
        .collect();
    let name = |m: NaiveDate| {
        format!(
            "{} {}",
            page.t(&format!("calendar.month.{}", m.month())),
            m.year()
        )
    };
    let (prev, next) = (previous_month(first), next_month(first));
    context! {
        caption => name(first),
        weeks,
        weekdays,
        truncated,
        previous => context! { url => month_link(prev), name => name(prev) },
        next => context! { url => month_link(next), name => name(next) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_strictly() {
        assert_eq!(parse_month("2026-11"), NaiveDate::from_ymd_opt(2026, 11, 1));
        for bad in [
            "2026-13",
            "2026-1",
            "26-11",
            "2026-11-01",
            "abcd-ef",
            "1999-12",
            "",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_cursor_reads_back() {
        let id = Uuid::from_u128(7);
        let t = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        assert_eq!(parse_cursor(&cursor(t, id)), Some((t, id)));
        assert_eq!(parse_cursor("x_y"), None);
    }

    #[test]
    fn a_month_starts_at_swedish_midnight() {
        let m = month_start_utc(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(m.to_rfc3339(), "2026-06-30T22:00:00+00:00");
    }
}
