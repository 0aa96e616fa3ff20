//! The booking pages: a hub's rooms against the hours of a day, the booking
//! form with its price preview, a member's own bookings, and (in
//! [`hosts`]) the hosts' list, CSV and booking rules.
//!
//! Every rule is decided by [`super::service`], the service the API uses
//! too; these pages only turn forms (local Swedish dates and times) into its
//! requests and show its answers, refusals included, in the page's language.
//! They must never write anything the service did not decide.

use super::service::{self as bookings, Quote, Request};
use crate::http::error::{AppError, AppResult};
use crate::http::form_data::FormData;
use crate::http::included_hours::included_left;
use crate::http::page::parse_id;
use crate::http::page::Page;
use crate::http::parse::{self, local_date_time, local_time};
use crate::i18n::Lang;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::HashMap;
use thirdplace_domain::booking::{self as rules, BookingStatus, Price, Recurrence, Span};
use thirdplace_domain::membership::{local_date, local_instant};
use thirdplace_domain::{format_ore_as_sek, FieldError, ValidationErrors};
use thirdplace_store::BookingFilter;
use uuid::Uuid;

pub mod hosts;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hubs/{id}/rooms", get(day_view))
        .route("/rooms/{id}/book", get(book_form).post(book_post))
        .route("/bookings", get(mine))
        .route("/bookings/{id}/cancel", post(cancel_mine))
        .merge(hosts::router())
}

// ----------------------------------------------------------------- helpers

/// "375,00 kr".
pub(crate) fn kr(ore: i64) -> String {
    format!("{} kr", format_ore_as_sek(ore))
}

/// "3 h", "2 h 30 min" or "45 min".
pub(crate) fn duration_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Local time of day; the end of a day that reaches the next midnight is
/// "24:00", so a day open around the clock does not read "00:00–00:00".
fn clock(at: DateTime<Utc>, day_end: Option<DateTime<Utc>>) -> String {
    if Some(at) == day_end {
        return "24:00".into();
    }
    local_time(at)
}

/// "tisdag 24 november" / "Tuesday 24 November".
pub(crate) fn long_date(page: &Page, d: NaiveDate) -> String {
    let wd = page.t(&format!(
        "weekday.{}",
        thirdplace_domain::Weekday::ALL[d.weekday().num_days_from_monday() as usize].key()
    ));
    let month = page.t(&format!("month.{}", d.month()));
    match page.lang {
        Lang::Sv => format!("{} {} {}", wd.to_lowercase(), d.day(), month),
        Lang::En => format!("{wd} {} {month}", d.day()),
    }
}

/// A refusal's or field problem's text in the page's language. Booking
/// refusals have their own Swedish texts (`booking.refusal.<code>`, since
/// some codes, like `too_long`, mean something else on other forms);
/// English uses the service's own sentence, which names the limit.
use crate::http::page::refusal_text;

/// What a form shows above itself after a refusal; other errors go to the
/// error page.
pub(crate) struct Problem {
    pub status: StatusCode,
    pub text: String,
    pub fields: Vec<FieldError>,
}

pub(crate) fn problem(page: &Page, e: AppError) -> AppResult<Problem> {
    match e {
        AppError::Refused {
            status,
            code,
            message,
        } => Ok(Problem {
            status,
            text: refusal_text(page, code, &message),
            fields: vec![],
        }),
        AppError::Validation(v) => Ok(Problem {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            text: v
                .errors
                .iter()
                .map(|f| page.field_message(f))
                .collect::<Vec<_>>()
                .join(" "),
            fields: v.errors,
        }),
        AppError::SeriesConflict(_) => Ok(Problem {
            status: StatusCode::CONFLICT,
            text: refusal_text(
                page,
                "series_conflict",
                "some occurrences of the series cannot be booked",
            ),
            fields: vec![],
        }),
        e => Err(e),
    }
}

// ---------------------------------------------------------------- day view

#[derive(Deserialize, Default)]
struct DayQuery {
    #[serde(default)]
    date: Option<String>,
}

/// Free and busy blocks of one room inside the day's opening hours.
fn blocks(open: &[Span], busy: &[Span]) -> Vec<(DateTime<Utc>, DateTime<Utc>, bool)> {
    let mut out = Vec::new();
    for &(o0, o1) in open {
        let mut at = o0;
        let mut inside: Vec<Span> = busy
            .iter()
            .filter(|&&(b0, b1)| b0 < o1 && b1 > o0)
            .map(|&(b0, b1)| (b0.max(o0), b1.min(o1)))
            .collect();
        inside.sort();
        for (b0, b1) in inside {
            if b0 > at {
                out.push((at, b0, false));
            }
            if b1 > at {
                out.push((b0.max(at), b1, true));
                at = b1;
            }
        }
        if at < o1 {
            out.push((at, o1, false));
        }
    }
    out
}

async fn day_view(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    let hub_id = parse_id(&id)?;
    let hub = state.store.get_hub(hub_id).await?;
    let host = page.user.as_ref().is_some_and(|u| u.can_edit_hub(hub_id));
    if hub.hub.archived && !host {
        return Err(AppError::NotFound);
    }
    let today = local_date(state.now());
    let (date, date_error) = match q.date.as_deref().filter(|s| !s.trim().is_empty()) {
        None => (today, None),
        Some(raw) => match parse::date(raw) {
            Ok(d) => (d, None),
            Err(e) => (today, Some(page.field_message(&e))),
        },
    };
    let (day_start, day_end) = bookings::day_bounds(date);
    // Titles are for the hub's hosts; everyone else sees only "busy".
    let titles: HashMap<(Uuid, DateTime<Utc>), String> = if host {
        state
            .store
            .list_bookings(&BookingFilter {
                hub_ids: Some(vec![hub_id]),
                from: Some(day_start),
                to: Some(day_end),
                limit: 1000,
                ..BookingFilter::default()
            })
            .await?
            .into_iter()
            .map(|v| ((v.booking.room_id, v.booking.start), v.booking.title))
            .collect()
    } else {
        HashMap::new()
    };
    let signed_in = page.user.is_some();
    let mut rooms = Vec::new();
    for room in state
        .store
        .list_rooms(hub_id)
        .await?
        .into_iter()
        .filter(|r| !r.archived)
    {
        let day = bookings::availability(&state, &room, &hub, date).await?;
        let open_minutes: i64 = day.open.iter().map(|(a, b)| (*b - *a).num_minutes()).sum();
        let now = state.now();
        // Free time that has passed is split off: it cannot be booked.
        let mut cut = Vec::new();
        for (s, e, busy) in blocks(&day.open, &day.busy) {
            if !busy && s < now && now < e {
                cut.push((s, now, false));
                cut.push((now, e, false));
            } else {
                cut.push((s, e, busy));
            }
        }
        let blocks: Vec<Value> = cut
            .into_iter()
            .map(|(s, e, busy)| {
                let passed = !busy && e <= now;
                let from = clock(s, Some(day_end));
                let to = clock(e, Some(day_end));
                // The first quarter hour at or after the block's start.
                let first = rules::first_on_grid(s);
                let book_href = (!busy && !passed && signed_in && first < e).then(|| {
                    format!(
                        "/rooms/{}/book?date={date}&start={}",
                        room.id,
                        clock(first, None).replace(':', "%3A")
                    )
                });
                context! {
                    from, to, busy, passed,
                    title => titles.get(&(room.id, s)).cloned(),
                    book_href,
                }
            })
            .collect();
        rooms.push(context! {
            id => room.id.to_string(),
            name => room.name,
            kind => room.kind.key(),
            capacity => room.capacity,
            price => kr(room.hourly_price_ore),
            open => day.open.iter().map(|&(a, b)| format!("{}–{}", clock(a, Some(day_end)), clock(b, Some(day_end)))).collect::<Vec<_>>(),
            open_length => duration_text(open_minutes),
            blocks,
        });
    }
    let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
    let week: Vec<Value> = (0..7)
        .map(|i| {
            let d = monday + Duration::days(i);
            context! {
                date => d.to_string(),
                label => long_date(&page, d),
                current => d == date,
            }
        })
        .collect();
    let status = if date_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let ctx = context! {
        hub => context! { id => hub_id.to_string(), name => hub.hub.name },
        date => date.to_string(),
        date_label => long_date(&page, date),
        date_error,
        week_number => date.iso_week().week(),
        prev_week => (date - Duration::days(7)).to_string(),
        next_week => (date + Duration::days(7)).to_string(),
        today => today.to_string(),
        week,
        rooms,
        signed_in,
        host,
    };
    page.render_with_status(status, "bookings/day.html", ctx)
}

// ------------------------------------------------------------ booking form

/// The booking form as typed: local date and times, as strings, so a bad
/// value is shown back as it was written.
#[derive(Debug, Default, Clone, Deserialize)]
struct BookingForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    title: String,
    /// Empty: billed as usual; else the organisation to book on behalf of.
    #[serde(default)]
    organisation_id: String,
    /// "", "1" (weekly) or "2" (every other week).
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    count: String,
    #[serde(default)]
    until: String,
}

impl BookingForm {
    fn from_form(f: &FormData) -> Self {
        BookingForm {
            date: f.get("date"),
            start: f.get("start"),
            end: f.get("end"),
            title: f.get("title"),
            organisation_id: f.get("organisation_id"),
            repeat: f.get("repeat"),
            count: f.get("count"),
            until: f.get("until"),
        }
    }

    /// What a price preview was for: when a confirmed form differs from it,
    /// the page prices it again instead of booking something unseen.
    fn fingerprint(&self) -> String {
        [
            &self.date,
            &self.start,
            &self.end,
            &self.organisation_id,
            &self.repeat,
            &self.count,
            &self.until,
        ]
        .map(|v| v.trim())
        .join("|")
    }

    /// The service's request, or the fields that could not be read.
    fn request(&self, room_id: Uuid) -> Result<Request, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let date = e.check("date", parse::date(&self.date));
        let start = e.check("start", parse::time_of_day(&self.start));
        // "24:00" ends a booking at midnight.
        let end = if self.end.trim() == "24:00" {
            None
        } else {
            e.check("end", parse::time_of_day(&self.end))
        };
        let organisation_id = e
            .check("organisation_id", parse::optional_id(&self.organisation_id))
            .flatten();
        let recurrence = match self.repeat.trim() {
            "" | "0" => None,
            every @ ("1" | "2") => {
                let count = match self.count.trim() {
                    "" => None,
                    c => match c.parse::<u32>() {
                        Ok(n) => Some(n),
                        Err(_) => {
                            e.add("count", "not_a_number", "enter a number");
                            None
                        }
                    },
                };
                let until = e
                    .check("until", parse::optional_date(&self.until))
                    .flatten();
                Some(Recurrence {
                    every_weeks: every.parse().unwrap_or(1),
                    count,
                    until,
                })
            }
            _ => {
                e.add("repeat", "invalid_choice", "choose one of the options");
                None
            }
        };
        e.into_result()?;
        let date = date.expect("checked above");
        let start = local_instant(date, start.expect("checked above"));
        let end = match end {
            Some(t) => local_instant(date, t),
            None => bookings::day_bounds(date).1,
        };
        Ok(Request {
            room_id,
            start,
            end,
            title: self.title.clone(),
            organisation_id,
            recurrence,
        })
    }
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    start: Option<String>,
}

/// Whether cancelling a bookable occurrence of the quote would already be
/// charged (its free-cancellation deadline has passed), so that the
/// preview can say so before anything is booked.
async fn past_free_cancellation(state: &AppState, room_id: Uuid, q: &Quote) -> AppResult<bool> {
    let room = state.store.get_room(room_id).await?;
    let r = state.store.booking_rules(room.hub_id).await?;
    let now = state.now();
    Ok(q.occurrences
        .iter()
        .filter(|o| o.problem.is_none())
        .any(|o| matches!(rules::cancellation_charged(o.start, &r, now), Ok(true))))
}

/// The quote as the page shows it; `late`: [`past_free_cancellation`].
fn quote_value(page: &Page, q: &Quote, series: bool, late: bool) -> Value {
    let t = q.total();
    let occurrences: Vec<Value> = q
        .occurrences
        .iter()
        .map(|o| {
            context! {
                date => long_date(page, local_date(o.start)),
                time => format!("{}–{}", clock(o.start, None), clock(o.end, None)),
                free => o.problem.is_none(),
                problem => o.problem.as_ref().map(|r| refusal_text(page, r.code(), &r.message())),
                total => kr(o.price.total_ore),
                included => duration_text(o.price.included_minutes),
            }
        })
        .collect();
    let free = q.free().count();
    context! {
        series,
        price => price_value(&t),
        occurrences,
        free,
        conflicts => q.occurrences.len() - free,
        on_behalf => q.on_behalf_of_organisation,
        late,
    }
}

pub(crate) fn price_value(p: &Price) -> Value {
    context! {
        included => duration_text(p.included_minutes),
        has_included => p.included_minutes > 0,
        billable => duration_text(p.billable_minutes),
        ex_vat => kr(p.price_ex_vat_ore),
        vat_percent => p.vat_percent,
        vat => kr(p.vat_ore),
        total => kr(p.total_ore),
    }
}

struct FormState {
    form: BookingForm,
    quote: Option<Value>,
    problem: Option<Problem>,
    /// The form was confirmed after it changed since its preview.
    changed: bool,
}

async fn render_form(
    state: &AppState,
    page: &Page,
    room_id: Uuid,
    s: FormState,
) -> AppResult<Response> {
    let user = page.user()?;
    let room = state.store.get_room(room_id).await?;
    let hub = state.store.get_hub(room.hub_id).await?;
    if room.archived || hub.hub.archived {
        return Err(AppError::NotFound);
    }
    let rules_of_hub = state.store.booking_rules(room.hub_id).await?;
    let mut orgs = Vec::new();
    for id in &user.admin_of_organisation_ids {
        let o = state.store.get_organisation(*id).await?;
        orgs.push(context! {
            id => id.to_string(),
            name => o.name,
            selected => s.form.organisation_id == id.to_string(),
        });
    }
    let included: Vec<Value> = included_left(state, user.person_id)
        .await?
        .into_iter()
        .map(|i| {
            context! {
                plan => i.plan_name,
                left => duration_text(i.left_minutes()),
                of => duration_text(i.allowance_minutes),
            }
        })
        .collect();
    let field_error = |name: &str| {
        s.problem.as_ref().and_then(|p| {
            p.fields
                .iter()
                .find(|f| f.field == name)
                .map(|f| page.field_message(f))
        })
    };
    let errors = context! {
        date => field_error("date"),
        start => field_error("start"),
        end => field_error("end"),
        title => field_error("title"),
        count => field_error("count"),
        until => field_error("until"),
    };
    let status = s
        .problem
        .as_ref()
        .map(|p| p.status)
        .unwrap_or(StatusCode::OK);
    let date = parse::date(&s.form.date)
        .ok()
        .unwrap_or_else(|| local_date(state.now()));
    let open: Vec<String> = rules::open_intervals(&hub.hub.opening_hours, date)
        .iter()
        .map(|&(a, b)| {
            format!(
                "{}–{}",
                clock(a, Some(bookings::day_bounds(date).1)),
                clock(b, Some(bookings::day_bounds(date).1))
            )
        })
        .collect();
    let ctx = context! {
        room => context! {
            id => room_id.to_string(),
            name => room.name,
            price => kr(room.hourly_price_ore),
            vat_percent => room.vat_rate_percent,
        },
        hub => context! { id => hub.hub.id.to_string(), name => hub.hub.name },
        previewed => s.form.fingerprint(),
        f => context! {
            date => s.form.date,
            start => s.form.start,
            end => s.form.end,
            title => s.form.title,
            repeat => s.form.repeat,
            count => s.form.count,
            until => s.form.until,
        },
        errors,
        problem => s.problem.map(|p| p.text),
        changed => s.changed,
        quote => s.quote,
        orgs,
        included,
        open,
        date_label => long_date(page, date),
        rules => context! {
            max_length => duration_text(rules_of_hub.max_length_minutes),
            max_days_ahead => rules_of_hub.max_days_ahead,
            cancel_notice => duration_text(rules_of_hub.cancel_notice_minutes),
        },
    };
    page.render_with_status(status, "bookings/form.html", ctx)
}

async fn book_form(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<FormQuery>,
) -> AppResult<Response> {
    page.user()?;
    let room_id = parse_id(&id)?;
    let now = state.now();
    let date = q
        .date
        .as_deref()
        .and_then(|d| parse::date(d).ok())
        .unwrap_or_else(|| local_date(now));
    // The next quarter hour from the suggested start, an hour long.
    let start = q
        .start
        .as_deref()
        .and_then(|s| parse::time_of_day(s).ok())
        .unwrap_or(NaiveTime::from_hms_opt(9, 0, 0).expect("a time"));
    // Not after 23:00, so that the hour fits in the day.
    let minutes = rules::civil_grid_minutes(start).min(23 * 60);
    let start = NaiveTime::MIN + Duration::minutes(minutes);
    let end = start + Duration::hours(1);
    let form = BookingForm {
        date: date.to_string(),
        start: start.format("%H:%M").to_string(),
        end: if end < start {
            "24:00".into()
        } else {
            end.format("%H:%M").to_string()
        },
        ..BookingForm::default()
    };
    let s = FormState {
        form,
        quote: None,
        problem: None,
        changed: false,
    };
    render_form(&state, &page, room_id, s).await
}

async fn book_post(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let f = FormData::parse(&page, &body)?;
    let user = page.user()?.clone();
    let room_id = parse_id(&id)?;
    let form = BookingForm::from_form(&f);
    let action = f.get("action");
    let req = match form.request(room_id) {
        Ok(r) => r,
        Err(e) => {
            let problem = Some(problem(&page, e.into())?);
            let s = FormState {
                form,
                quote: None,
                problem,
                changed: false,
            };
            return render_form(&state, &page, room_id, s).await;
        }
    };
    let series = req.recurrence.is_some();
    let previewed = f.get("previewed");
    let changed = !previewed.is_empty() && previewed != form.fingerprint();
    if (action == "book" || action == "book_free") && !changed {
        match bookings::book(&state, &user, &req, action == "book_free").await {
            Ok(b) => {
                return Ok(Redirect::to(&format!(
                    "/bookings?done=booked&count={}",
                    b.bookings.len()
                ))
                .into_response())
            }
            Err(e) => {
                let problem = problem(&page, e)?;
                // Show the series with its conflicts, so the free ones
                // can be booked.
                let quote = match bookings::quote(&state, &user, &req).await {
                    Ok(q) => {
                        let late = past_free_cancellation(&state, room_id, &q).await?;
                        Some(quote_value(&page, &q, series, late))
                    }
                    Err(_) => None,
                };
                let s = FormState {
                    form,
                    quote,
                    problem: Some(problem),
                    changed: false,
                };
                return render_form(&state, &page, room_id, s).await;
            }
        }
    }
    let s = match bookings::quote(&state, &user, &req).await {
        Ok(q) => FormState {
            form,
            quote: Some(quote_value(
                &page,
                &q,
                series,
                past_free_cancellation(&state, room_id, &q).await?,
            )),
            problem: None,
            changed,
        },
        Err(e) => FormState {
            form,
            quote: None,
            problem: Some(problem(&page, e)?),
            changed: false,
        },
    };
    render_form(&state, &page, room_id, s).await
}

// ------------------------------------------------------------- my bookings

#[derive(Deserialize, Default)]
struct MineQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    count: Option<u32>,
}

/// The most past (or cancelled) bookings "Mina bokningar" shows.
const PAST_SHOWN: usize = 1000;

async fn render_mine(
    state: &AppState,
    page: &Page,
    notice: Option<(bool, String)>,
    status: StatusCode,
) -> AppResult<Response> {
    let user = page.user()?;
    let now = state.now();
    // Every booking of the person, a store page at a time (the list is by
    // start, so a cut would drop the upcoming ones, never the old).
    let mut list = Vec::new();
    let mut f = BookingFilter {
        booker_id: Some(user.person_id),
        include_cancelled: true,
        limit: 1000,
        ..BookingFilter::default()
    };
    loop {
        let got = state.store.list_bookings(&f).await?;
        let full = got.len() as i64 == f.limit;
        f.after = got.last().map(|v| (v.booking.start, v.booking.id));
        list.extend(got);
        if !full {
            break;
        }
    }
    let mut hub_rules = HashMap::new();
    let (mut upcoming, mut past) = (Vec::new(), Vec::new());
    for v in list {
        let b = &v.booking;
        let cancelled = b.status == BookingStatus::Cancelled;
        let rules_here = match hub_rules.get(&b.hub_id) {
            Some(r) => *r,
            None => {
                let r = state.store.booking_rules(b.hub_id).await?;
                hub_rules.insert(b.hub_id, r);
                r
            }
        };
        let deadline = b.start - Duration::minutes(rules_here.cancel_notice_minutes);
        let charged = rules::cancellation_charged(b.start, &rules_here, now);
        let row = context! {
            id => b.id.to_string(),
            title => b.title,
            room => v.room_name,
            hub => v.hub_name,
            hub_id => b.hub_id.to_string(),
            date => long_date(page, local_date(b.start)),
            day => local_date(b.start).to_string(),
            time => format!("{}–{}", clock(b.start, None), clock(b.end, None)),
            price => price_value(&b.price),
            status => page.t(if cancelled { "booking.status.cancelled" } else { "booking.status.confirmed" }),
            cancelled,
            reason => b.cancel_reason,
            charged => b.cancellation_charged,
            free_cancel => matches!(charged, Ok(false)),
            deadline => local_date_time(deadline),
        };
        if !cancelled && b.end > now {
            upcoming.push(row);
        } else {
            past.push(row);
        }
    }
    past.reverse();
    // The latest past ones are shown, and the page says when not all are.
    let past_note = (past.len() > PAST_SHOWN).then(|| {
        page.t("booking.showing_latest_past")
            .replace("{n}", &PAST_SHOWN.to_string())
    });
    past.truncate(PAST_SHOWN);
    let notice = notice.map(|(error, text)| context! { error, text });
    page.render_with_status(
        status,
        "bookings/mine.html",
        context! { upcoming, past, past_note, notice },
    )
}

async fn mine(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<MineQuery>,
) -> AppResult<Response> {
    page.user()?;
    let notice = match q.done.as_deref() {
        Some("booked") => Some((
            false,
            format!("{} {}", page.t("booking.booked"), q.count.unwrap_or(1)),
        )),
        Some("cancelled") => Some((false, page.t("booking.cancelled_done"))),
        _ => None,
    };
    render_mine(&state, &page, notice, StatusCode::OK).await
}

async fn cancel_mine(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let form = FormData::parse(&page, &body)?;
    let user = page.user()?.clone();
    let id = parse_id(&id)?;
    // A cancellation that costs money is confirmed on the page first (the
    // deadline may also have passed since the page was shown).
    let charged = bookings::cancelling_would_charge(&state, &user, id).await;
    if matches!(charged, Ok(true)) && form.get("confirm_charge") != "yes" {
        let text = page.t("booking.cancel_charge_unconfirmed");
        return render_mine(
            &state,
            &page,
            Some((true, text)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match bookings::cancel(&state, &user, id, "").await {
        Ok(_) => Ok(crate::http::forms::done_redirect("/bookings", "cancelled")),
        Err(e) => {
            let p = problem(&page, e)?;
            render_mine(&state, &page, Some((true, p.text)), p.status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn blocks_split_the_open_hours_by_the_busy_times() {
        let open = [(at("2026-11-24T07:00:00Z"), at("2026-11-24T16:00:00Z"))];
        let busy = [
            (at("2026-11-24T08:00:00Z"), at("2026-11-24T09:30:00Z")),
            (at("2026-11-24T15:00:00Z"), at("2026-11-24T17:00:00Z")),
        ];
        let b = blocks(&open, &busy);
        let flags: Vec<bool> = b.iter().map(|x| x.2).collect();
        assert_eq!(flags, [false, true, false, true]);
        assert_eq!(b[3].1, at("2026-11-24T16:00:00Z"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(45), "45 min");
        assert_eq!(duration_text(150), "2 h 30 min");
        assert_eq!(duration_text(0), "0 h");
        assert_eq!(kr(37_500), "375,00 kr");
    }
}
