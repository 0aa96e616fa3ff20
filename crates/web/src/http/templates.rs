//! Server-rendered HTML with minijinja. Templates are compiled into the
//! binary (`include_str!`), so `thirdplace demo` needs nothing but itself.

use crate::i18n::{self, Lang};
use minijinja::{Environment, State, Value};
use std::sync::LazyLock;

/// Every template the app has, with its source compiled in.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        const TEMPLATES: &[(&str, &str)] = &[
            $( ($name, include_str!(concat!("../../templates/", $name))), )*
        ];
    };
}

templates!(
    "base.html",
    "macros.html",
    "index.html",
    "hub.html",
    "login.html",
    "account.html",
    "account/signed_out.html",
    "error.html",
    "admin/index.html",
    "admin/list.html",
    "admin/form.html",
    "admin/fields.html",
    "admin/fields_form.html",
    "admin/errors.html",
    "admin/outbox.html",
    "audit/log.html",
    "privacy/notice.html",
    "privacy/accessibility.html",
    "privacy/processing.html",
    "privacy/erase.html",
    "retention/settings.html",
    "evaluation/list.html",
    "evaluation/form.html",
    "evaluation/show.html",
    "events/invitation.html",
    "events/calendar.html",
    "events/event.html",
    "events/form.html",
    "events/admin.html",
    "events/attendance.html",
    "memberships/seats.html",
    "memberships/bulk.html",
    "memberships/seat.html",
    "memberships/card.html",
    "memberships/checkin.html",
    "memberships/kiosk.html",
    "memberships/presence.html",
    "memberships/webhook.html",
    "sites.html",
    "invoicing/run.html",
    "invoicing/list.html",
    "invoicing/invoice.html",
    "bookings/day.html",
    "bookings/form.html",
    "bookings/mine.html",
    "bookings/admin.html",
    "access/forgot.html",
    "access/sent.html",
    "access/choose.html",
    "access/problem.html",
    "invoicing/payments.html",
    "invoicing/reminders.html",
    "invoicing/settlement.html",
    "invoicing/hub_lines.html",
    "sso/admin.html",
    "sso/continue.html",
    "sso/refused.html",
);

// The environment holds only compiled-in templates and pure functions, so
// one shared instance is as safe as a constant.
static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect(name);
    }
    env.add_function("t", translate);
    env.add_filter("sek", |ore: i64| thirdplace_domain::format_ore_as_sek(ore));
    env
});

fn lang_of(state: &State) -> Lang {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_default()
}

/// `t("key")` in a template: the text in the page's language.
fn translate(state: &State, key: &str) -> String {
    i18n::t(lang_of(state), key)
}

pub fn render(name: &str, ctx: Value) -> Result<String, minijinja::Error> {
    ENV.get_template(name)?.render(ctx)
}

/// The template sources, for the test that every `t("…")` key exists.
pub fn sources() -> &'static [(&'static str, &'static str)] {
    TEMPLATES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_translation_key_used_in_templates_exists_in_both_languages() {
        let re_start = "t(\"";
        for (name, src) in sources() {
            assert!(!src.is_empty(), "{name} missing");
            assert!(ENV.get_template(name).is_ok(), "{name} does not compile");
            let mut rest = *src;
            while let Some(i) = rest.find(re_start) {
                rest = &rest[i + re_start.len()..];
                let end = rest.find('"').unwrap();
                let key = &rest[..end];
                // `t("room_kind." ~ kind)`: a prefix completed at run time.
                if key.ends_with('.') {
                    assert!(i18n::has_prefix(key), "{name}: no keys start with {key}");
                    continue;
                }
                for lang in [Lang::Sv, Lang::En] {
                    assert!(
                        i18n::lookup(lang, key).is_some(),
                        "{name}: key {key} missing in {lang:?}"
                    );
                }
            }
        }
    }
}
