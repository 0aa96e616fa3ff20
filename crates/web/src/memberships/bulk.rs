//! Seats for many people at once (issue 15): an organisation admin pastes
//! or uploads a CSV of staff (first name, last name, e-mail) and each line
//! gets its own outcome. [`preview`] only says what would happen;
//! [`apply`] does it for the lines that can be placed and answers the same
//! report with `applied` set. Shared by the page
//! ([`crate::memberships::pages`]) and the API ([`crate::memberships::api`]).
//!
//! Each line is all-or-nothing as far as the store allows: a new person is
//! written first and then given a seat through the single-seat path
//! ([`assign`], which sends the invitation and writes the audit entry). If
//! giving the seat fails after the person was written, the person stays in
//! the organisation without a seat, and sending the same list again gives
//! them one (the line then reads "will be given a seat"). Sending the same
//! list again never creates anyone twice: placed lines read "already a
//! member".

use crate::http::api::{path_id, require};
use crate::http::audit;
use crate::http::auth::Auth;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::origin::Origin;
use crate::memberships::api::assign;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use thirdplace_domain::membership::local_date;
use thirdplace_domain::{new_id, Email, Person, Text};
use thirdplace_store::SeatView;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The most lines one list may have.
pub const MAX_LINES: usize = 500;

/// A line of the list as written, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLine {
    /// The line's number in the text (1-based, header and blank lines
    /// counted), as a spreadsheet shows it.
    pub line: usize,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// Why the list as a whole could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    /// A line does not have three columns.
    Columns { line: usize, found: usize },
    /// Nothing but blank lines (or only a header).
    Empty,
    /// More than [`MAX_LINES`] lines.
    TooMany,
}

impl CsvError {
    pub fn code(&self) -> &'static str {
        match self {
            CsvError::Columns { .. } => "csv_columns",
            CsvError::Empty => "csv_empty",
            CsvError::TooMany => "csv_too_many",
        }
    }

    /// The English sentence (the API's message).
    pub fn message(&self) -> String {
        match self {
            CsvError::Columns { line, found } => format!(
                "line {line} has {found} column(s); every line needs three: first name, last name, e-mail"
            ),
            CsvError::Empty => "the list is empty; write one person a line: first name, last name, e-mail".into(),
            CsvError::TooMany => format!("the list has more than {MAX_LINES} lines; split it"),
        }
    }
}

impl From<CsvError> for AppError {
    fn from(e: CsvError) -> Self {
        AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.message())
    }
}

/// Header names recognised in a first line (compared lower-case, trimmed).
const FIRST: &[&str] = &[
    "förnamn",
    "first name",
    "firstname",
    "first_name",
    "given name",
];
const LAST: &[&str] = &[
    "efternamn",
    "last name",
    "lastname",
    "last_name",
    "surname",
    "family name",
];
const MAIL: &[&str] = &[
    "e-post",
    "epost",
    "e-postadress",
    "email",
    "e-mail",
    "mail",
    "email address",
    "e-mail address",
];

fn is_header(fields: &[String]) -> bool {
    let f = |i: usize| fields[i].trim().to_lowercase();
    fields.len() == 3
        && FIRST.contains(&f(0).as_str())
        && LAST.contains(&f(1).as_str())
        && MAIL.contains(&f(2).as_str())
}

/// Reads the list: UTF-8 text, comma or semicolon separated (Swedish Excel
/// writes semicolons; the first line with content decides), an optional
/// header row, blank lines skipped.
pub fn read_csv(text: &str) -> Result<Vec<CsvLine>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut seen_content = false;
    for record in reader.records() {
        // The line as an editor counts it: a record's position is where
        // the one before it ended, before the line breaks (and blank
        // lines) that lead to it.
        let line_at = |byte: Option<u64>| {
            let bytes = text.as_bytes();
            let mut at = byte.map_or(0, |b| b as usize).min(bytes.len());
            while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                at += 1;
            }
            bytes[..at].iter().filter(|b| **b == b'\n').count() + 1
        };
        let record = record.map_err(|e| CsvError::Columns {
            line: line_at(e.position().map(|p| p.byte())),
            found: 0,
        })?;
        let line = line_at(record.position().map(|p| p.byte()));
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let first_content = !seen_content;
        seen_content = true;
        if first_content && is_header(&fields) {
            continue;
        }
        if fields.len() != 3 {
            return Err(CsvError::Columns {
                line,
                found: fields.len(),
            });
        }
        if out.len() == MAX_LINES {
            return Err(CsvError::TooMany);
        }
        let mut f = fields.into_iter();
        out.push(CsvLine {
            line,
            first_name: f.next().unwrap_or_default(),
            last_name: f.next().unwrap_or_default(),
            email: f.next().unwrap_or_default(),
        });
    }
    if out.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(out)
}

/// What happens (or happened) to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An existing person of the organisation without a seat gets one.
    Give,
    /// A new person: created in the organisation, given a seat and sent
    /// an invitation.
    Invite,
    /// The person already holds a seat of this organisation.
    AlreadyMember,
    InvalidEmail,
    /// The first or last name is missing (or longer than 60 characters).
    MissingName,
    /// The same e-mail address as an earlier line (its number).
    Duplicate(usize),
    /// The address belongs to an account outside this organisation.
    OtherOrganisation,
    /// The address belongs to an archived person of the organisation.
    PersonArchived,
    /// There are fewer free seats than lines to place.
    NoFreeSeat,
}

impl Outcome {
    /// The outcome's name in the API and the texts' keys.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Give => "give",
            Outcome::Invite => "invite",
            Outcome::AlreadyMember => "already_member",
            Outcome::InvalidEmail => "invalid_email",
            Outcome::MissingName => "missing_name",
            Outcome::Duplicate(_) => "duplicate",
            Outcome::OtherOrganisation => "other_organisation",
            Outcome::PersonArchived => "person_archived",
            Outcome::NoFreeSeat => "no_free_seat",
        }
    }

    /// Whether the line gets (or got) a seat.
    pub fn places(self) -> bool {
        matches!(self, Outcome::Give | Outcome::Invite)
    }
}

/// One line and its outcome.
#[derive(Debug, Clone)]
pub struct BulkRow {
    pub line: CsvLine,
    pub outcome: Outcome,
    /// The existing person the line names (for `Give`, `AlreadyMember`,
    /// `PersonArchived`), or the person created (`Invite`, once applied).
    pub person_id: Option<Uuid>,
    /// The seat given (once applied).
    pub seat_id: Option<Uuid>,
}

/// The answer for a whole list.
#[derive(Debug, Clone)]
pub struct BulkReport {
    pub rows: Vec<BulkRow>,
    /// Seats of the organisation still running and held by no one (before
    /// this list was applied).
    pub free_seats: usize,
    /// Lines that would need a seat (give or invite), free seats or not.
    pub needed: usize,
    /// Whether the lines were carried out (`false`: a preview).
    pub applied: bool,
}

impl BulkReport {
    /// Lines that could not be placed for want of seats.
    pub fn short_of_seats(&self) -> bool {
        self.needed > self.free_seats
    }
}

/// What [`classify`] knows about an address that exists.
#[derive(Debug, Clone)]
pub struct Known {
    pub person_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub archived: bool,
    /// Whether they hold a seat of the organisation now.
    pub holds_seat: bool,
}

/// The rule, without I/O: each line's outcome given the people the
/// addresses belong to (`known`, by lower-case address) and the number of
/// free seats. Lines are placed in their order; those beyond the free
/// seats get [`Outcome::NoFreeSeat`].
pub fn classify(
    org: Uuid,
    lines: Vec<CsvLine>,
    known: &HashMap<String, Known>,
    free_seats: usize,
) -> BulkReport {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(lines.len());
    let mut needed = 0;
    for line in lines {
        let mut person_id = None;
        let outcome = match Email::parse(&line.email) {
            Err(_) => Outcome::InvalidEmail,
            Ok(email) => {
                let email = email.as_str().to_string();
                if let Some(first) = seen.get(&email) {
                    Outcome::Duplicate(*first)
                } else {
                    seen.insert(email.clone(), line.line);
                    match known.get(&email) {
                        Some(k) => {
                            person_id = Some(k.person_id);
                            if k.organisation_id != Some(org) {
                                person_id = None;
                                Outcome::OtherOrganisation
                            } else if k.archived {
                                Outcome::PersonArchived
                            } else if k.holds_seat {
                                Outcome::AlreadyMember
                            } else {
                                Outcome::Give
                            }
                        }
                        None if !names_ok(&line) => Outcome::MissingName,
                        None => Outcome::Invite,
                    }
                }
            }
        };
        let outcome = if outcome.places() {
            needed += 1;
            if needed > free_seats {
                Outcome::NoFreeSeat
            } else {
                outcome
            }
        } else {
            outcome
        };
        rows.push(BulkRow {
            line,
            outcome,
            person_id,
            seat_id: None,
        });
    }
    BulkReport {
        rows,
        free_seats,
        needed,
        applied: false,
    }
}

fn names_ok(l: &CsvLine) -> bool {
    Text::parse(&l.first_name, 60).is_ok() && Text::parse(&l.last_name, 60).is_ok()
}

/// The organisation's seats that are still running and held by no one,
/// in the store's order, and the people who hold one now.
async fn seats_of(state: &AppState, org: Uuid) -> AppResult<(Vec<SeatView>, HashSet<Uuid>)> {
    let today = local_date(state.now());
    let seats = state.store.list_seats(org).await?;
    let holders = seats
        .iter()
        .filter_map(|s| s.holder.as_ref().map(|h| h.person_id))
        .collect();
    let free = seats
        .into_iter()
        .filter(|s| s.holder.is_none() && s.seat.end_date.is_none_or(|e| e >= today))
        .collect();
    Ok((free, holders))
}

/// Reads the list and works out each line's outcome now; also the free
/// seats [`apply`] hands out.
async fn plan(state: &AppState, org: Uuid, text: &str) -> AppResult<(BulkReport, Vec<SeatView>)> {
    let organisation = state.store.get_organisation(org).await?;
    if organisation.archived {
        return Err(AppError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "organisation_archived",
            "The organisation is archived.",
        ));
    }
    let lines = read_csv(text)?;
    let (free, holders) = seats_of(state, org).await?;
    let mut known = HashMap::new();
    for l in &lines {
        let Ok(email) = Email::parse(&l.email) else {
            continue;
        };
        if known.contains_key(email.as_str()) {
            continue;
        }
        if let Some(p) = state.store.find_person_by_email(email.as_str()).await? {
            let k = Known {
                person_id: p.id,
                organisation_id: p.organisation_id,
                archived: p.archived,
                holds_seat: holders.contains(&p.id),
            };
            known.insert(email.as_str().to_string(), k);
        }
    }
    Ok((classify(org, lines, &known, free.len()), free))
}

/// What sending the list would do, writing nothing.
pub async fn preview(state: &AppState, org: Uuid, text: &str) -> AppResult<BulkReport> {
    Ok(plan(state, org, text).await?.0)
}

/// Carries out the lines that can be placed, in order, by `actor`; the
/// report of what was done.
pub async fn apply(
    state: &AppState,
    origin: &str,
    actor: Uuid,
    org: Uuid,
    text: &str,
) -> AppResult<BulkReport> {
    let (mut report, free) = plan(state, org, text).await?;
    let mut seats = free.into_iter();
    let origin = Origin(origin.to_string());
    for row in report.rows.iter_mut().filter(|r| r.outcome.places()) {
        let Some(mut seat) = seats.next() else { break };
        let person_id = match (row.outcome, row.person_id) {
            (Outcome::Give, Some(id)) => id,
            _ => create_person(state, actor, org, &row.line).await?,
        };
        // Only a seat nobody holds: a list sent at the same moment may have
        // taken this one since the plan was made; then the next free one.
        loop {
            match assign(state, &origin, actor, &seat, Some(person_id), true).await {
                Err(AppError::Refused {
                    code: "seat_taken", ..
                }) => match seats.next() {
                    Some(next) => seat = next,
                    None => break,
                },
                Err(e) => return Err(e),
                Ok(()) => {
                    row.seat_id = Some(seat.seat.id);
                    break;
                }
            }
        }
        row.person_id = Some(person_id);
        if row.seat_id.is_none() {
            // Every seat went to the other list: this line waits for a
            // seat (the person, if new, is kept and placed by a resend).
            row.outcome = Outcome::NoFreeSeat;
        }
    }
    report.applied = true;
    Ok(report)
}

/// Writes the line's new person in the organisation, as the person form
/// does (with its audit entry); the invitation follows with the seat.
async fn create_person(state: &AppState, actor: Uuid, org: Uuid, l: &CsvLine) -> AppResult<Uuid> {
    let input = thirdplace_domain::PersonInput {
        first_name: l.first_name.clone(),
        last_name: l.last_name.clone(),
        email: l.email.clone(),
        organisation_id: org.to_string(),
        ..Default::default()
    };
    let person: Person = input.validate(new_id())?;
    state.store.insert_person(&person).await?;
    let details = audit::changes(&(), &person);
    audit::record(
        state,
        Some(actor),
        "person.created",
        ("person", person.id),
        details,
    )
    .await;
    Ok(person.id)
}

// ---------------------------------------------------------- API's shape

/// One line's outcome in the API.
#[derive(Serialize, ToSchema)]
pub struct BulkRowOut {
    /// The line's number in the text (header and blank lines counted).
    pub line: usize,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// `give` (an existing person gets a seat), `invite` (a new person is
    /// created, given a seat and invited), `already_member`,
    /// `invalid_email`, `missing_name`, `duplicate`, `other_organisation`,
    /// `person_archived` or `no_free_seat`.
    pub outcome: String,
    /// For `duplicate`: the line it repeats.
    pub duplicate_of: Option<usize>,
    pub person_id: Option<Uuid>,
    /// The seat given (when applied).
    pub seat_id: Option<Uuid>,
}

/// The answer to a list.
#[derive(Serialize, ToSchema)]
pub struct BulkOut {
    /// `false` for a dry run: nothing was written.
    pub applied: bool,
    /// Free seats (running, held by no one) before the list was applied.
    pub free_seats: usize,
    /// Lines that need a seat; more than `free_seats` means some lines are
    /// `no_free_seat` (buy seats with `POST /organisations/{id}/seats`).
    pub needed: usize,
    pub rows: Vec<BulkRowOut>,
}

impl From<BulkReport> for BulkOut {
    fn from(r: BulkReport) -> Self {
        BulkOut {
            applied: r.applied,
            free_seats: r.free_seats,
            needed: r.needed,
            rows: r
                .rows
                .into_iter()
                .map(|row| BulkRowOut {
                    line: row.line.line,
                    duplicate_of: match row.outcome {
                        Outcome::Duplicate(n) => Some(n),
                        _ => None,
                    },
                    outcome: row.outcome.key().into(),
                    first_name: row.line.first_name,
                    last_name: row.line.last_name,
                    email: row.line.email,
                    person_id: row.person_id,
                    seat_id: row.seat_id,
                })
                .collect(),
        }
    }
}

// --------------------------------------------------------------------- API

/// `?dry_run=true` for a preview.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulkQuery {
    /// Only say what would happen; write nothing (default false).
    #[serde(default)]
    pub dry_run: bool,
}

/// The list in a JSON body (or send it as `text/csv`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// One person a line: first name, last name, e-mail; comma or
    /// semicolon separated; a header row is recognised.
    pub csv: String,
}

/// The list's text from a `text/csv` (or `text/plain`) or JSON body.
fn body_text(headers: &HeaderMap, body: &[u8]) -> AppResult<String> {
    let kind = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let utf8 = || {
        String::from_utf8(body.to_vec())
            .map_err(|_| AppError::bad_request("invalid_body", "the list must be UTF-8 text"))
    };
    if kind.starts_with("text/csv") || kind.starts_with("text/plain") {
        utf8()
    } else if kind.starts_with("application/json") {
        serde_json::from_slice::<BulkBody>(body)
            .map(|b| b.csv)
            .map_err(|e| {
                AppError::bad_request(
                    "invalid_json",
                    format!("the JSON body could not be read: {e}"),
                )
            })
    } else {
        Err(AppError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the list as text/csv or as JSON {\"csv\": \"...\"}",
        ))
    }
}

/// Gives seats to many people at once from a CSV list (first name, last
/// name, e-mail): existing people of the organisation get a free seat, new
/// ones are created, given one and invited by e-mail. Every line is
/// answered with its outcome; with `dry_run=true` nothing is written.
/// Sending the same list again places no one twice. The organisation's
/// admins and network admins.
#[utoipa::path(post, path = "/organisations/{id}/seats/bulk", tag = "memberships", params(BulkQuery), security(("token" = [])),
    request_body(content((String = "text/csv"), (BulkBody = "application/json"))),
    responses((status = 200, body = BulkOut), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody, description = "csv_columns, csv_empty, csv_too_many, organisation_archived")))]
pub async fn bulk_seats(
    State(state): State<AppState>,
    auth: Auth,
    origin: Origin,
    Path(id): Path<String>,
    Query(q): Query<BulkQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<BulkOut>> {
    let org = path_id(&id)?;
    let who = require(&auth, |p| p.can_edit_organisation(org))?;
    let text = body_text(&headers, &body)?;
    let report = if q.dry_run {
        preview(&state, org, &text).await?
    } else {
        apply(&state, &origin.0, who.person_id, org, &text).await?
    };
    Ok(Json(report.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize, f: &str, l: &str, e: &str) -> CsvLine {
        CsvLine {
            line: n,
            first_name: f.into(),
            last_name: l.into(),
            email: e.into(),
        }
    }

    #[test]
    fn semicolons_and_a_swedish_header_are_read() {
        let text = "\u{feff}Förnamn;Efternamn;E-post\r\nAnna;Berg;anna@boda.se\r\n\r\nBo; Ek ;bo@boda.se\r\n";
        assert_eq!(
            read_csv(text).unwrap(),
            vec![
                line(2, "Anna", "Berg", "anna@boda.se"),
                line(4, "Bo", "Ek", "bo@boda.se")
            ]
        );
    }

    #[test]
    fn commas_without_a_header_are_read() {
        let text = "Anna,Berg,anna@boda.se\n\"Ek, jr\",Bo,bo@boda.se";
        let lines = read_csv(text).unwrap();
        assert_eq!(lines[0], line(1, "Anna", "Berg", "anna@boda.se"));
        assert_eq!(lines[1].first_name, "Ek, jr");
    }

    #[test]
    fn a_line_without_three_columns_is_named() {
        let text = "first name,last name,email\nAnna,Berg,anna@boda.se\nBo,bo@boda.se\n";
        assert_eq!(read_csv(text), Err(CsvError::Columns { line: 3, found: 2 }));
        assert_eq!(read_csv("\n \n"), Err(CsvError::Empty));
    }

    #[test]
    fn each_line_gets_its_outcome_and_seats_run_out_in_order() {
        let org = new_id();
        let known_person = |org_id, holds_seat, archived| Known {
            person_id: new_id(),
            organisation_id: Some(org_id),
            archived,
            holds_seat,
        };
        let known = HashMap::from([
            ("held@x.se".to_string(), known_person(org, true, false)),
            ("free@x.se".to_string(), known_person(org, false, false)),
            ("gone@x.se".to_string(), known_person(org, false, true)),
            (
                "other@x.se".to_string(),
                known_person(new_id(), false, false),
            ),
        ]);
        let lines = vec![
            line(1, "A", "A", "held@x.se"),
            line(2, "B", "B", "free@x.se"),
            line(3, "C", "C", "new@x.se"),
            line(4, "D", "D", "NEW@x.se"),
            line(5, "E", "E", "not-an-address"),
            line(6, "", "F", "noname@x.se"),
            line(7, "G", "G", "other@x.se"),
            line(8, "H", "H", "gone@x.se"),
            line(9, "I", "I", "late@x.se"),
        ];
        let r = classify(org, lines, &known, 2);
        let outcomes: Vec<Outcome> = r.rows.iter().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            vec![
                Outcome::AlreadyMember,
                Outcome::Give,
                Outcome::Invite,
                Outcome::Duplicate(3),
                Outcome::InvalidEmail,
                Outcome::MissingName,
                Outcome::OtherOrganisation,
                Outcome::PersonArchived,
                Outcome::NoFreeSeat,
            ]
        );
        assert_eq!((r.free_seats, r.needed), (2, 3));
        assert!(r.short_of_seats());
    }
}
