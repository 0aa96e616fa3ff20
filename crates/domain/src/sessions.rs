//! Sessions people understand (issue 15): when a use of a session or API
//! token is worth writing down, which browser a user agent names in plain
//! words, and which of our languages a browser's `Accept-Language` asks
//! for.
//!
//! The user-agent classifier is a short hand-written list on purpose: the
//! list of sessions only needs "Firefox on Windows", not versions or
//! devices, and a full parser crate would bring megabytes of regular
//! expressions (and their updates) into every binary for that one line.
//! What it does not recognise it calls "another browser", never wrong.

use chrono::{DateTime, Duration, Utc};

/// How often at most a session's or token's last use is written: a person
/// reads "used 10:42", never seconds, and a busy kiosk must not turn every
/// request into a write.
pub fn use_resolution() -> Duration {
    Duration::minutes(1)
}

/// Whether a use at `now` should be written, given the last one written.
pub fn use_is_worth_recording(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|last| now - last >= use_resolution())
}

/// How much of a user agent is kept: enough to tell browsers apart, not
/// so much that a client can store a novel with every session.
pub const USER_AGENT_MAX_CHARS: usize = 200;

/// The user agent as stored: at most [`USER_AGENT_MAX_CHARS`] characters,
/// without control characters.
pub fn short_user_agent(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .take(USER_AGENT_MAX_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A browser family, as people name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Edge,
    Opera,
    SamsungInternet,
    Chrome,
    Firefox,
    Safari,
    Other,
}

/// An operating system, as people name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Windows,
    MacOs,
    Ios,
    Android,
    ChromeOs,
    Linux,
    Other,
}

impl Browser {
    pub fn key(self) -> &'static str {
        match self {
            Browser::Edge => "edge",
            Browser::Opera => "opera",
            Browser::SamsungInternet => "samsung",
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
            Browser::Safari => "safari",
            Browser::Other => "other",
        }
    }
}

impl Os {
    pub fn key(self) -> &'static str {
        match self {
            Os::Windows => "windows",
            Os::MacOs => "macos",
            Os::Ios => "ios",
            Os::Android => "android",
            Os::ChromeOs => "chromeos",
            Os::Linux => "linux",
            Os::Other => "other",
        }
    }
}

/// The browser family and system a user agent names. Order matters: Edge,
/// Opera and Samsung Internet also say "Chrome", Chrome also says
/// "Safari", and every iPhone browser is Safari underneath but names
/// itself (`CriOS`, `FxiOS`, `EdgiOS`).
pub fn classify(user_agent: &str) -> (Browser, Os) {
    let ua = user_agent;
    let has = |s: &str| ua.contains(s);
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        Browser::Edge
    } else if has("OPR/") || has("Opera") {
        Browser::Opera
    } else if has("SamsungBrowser/") {
        Browser::SamsungInternet
    } else if has("Firefox/") || has("FxiOS/") {
        Browser::Firefox
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Browser::Chrome
    } else if has("Safari/") && has("Version/") {
        Browser::Safari
    } else {
        Browser::Other
    };
    let os = if has("Windows") {
        Os::Windows
    } else if has("iPhone") || has("iPad") || has("iPod") {
        Os::Ios
    } else if has("Android") {
        Os::Android
    } else if has("CrOS") {
        Os::ChromeOs
    } else if has("Macintosh") || has("Mac OS X") {
        Os::MacOs
    } else if has("Linux") || has("X11") {
        Os::Linux
    } else {
        Os::Other
    };
    (browser, os)
}

/// Which of our languages (`"sv"`, `"en"`) an `Accept-Language` header
/// prefers: the acceptable range with the highest weight (the first on a
/// tie) that is Swedish (`sv`, `sv-SE`, `sv-FI`, …) or English (`en`,
/// `en-GB`, …). `None` when it names neither; the caller then uses
/// Swedish. Ranges with `q=0` are refused, not preferred.
pub fn preferred_language(accept_language: &str) -> Option<&'static str> {
    let mut best: Option<(&'static str, f32)> = None;
    for range in accept_language.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        // No weight is 1; a weight that is no number counts as refused.
        let q = match parts.find_map(|p| p.trim().strip_prefix("q=")) {
            None => 1.0,
            Some(q) => q.trim().parse::<f32>().unwrap_or(0.0),
        };
        if !(q > 0.0 && q <= 1.0) {
            continue;
        }
        let primary = tag.split('-').next().unwrap_or("");
        let lang = match primary {
            "sv" => "sv",
            "en" => "en",
            _ => continue,
        };
        if best.is_none_or(|(_, b)| q > b) {
            best = Some((lang, q));
        }
    }
    best.map(|(lang, _)| lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_use_is_written_at_most_once_a_minute() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        assert!(use_is_worth_recording(None, t));
        assert!(!use_is_worth_recording(Some(t), t));
        assert!(!use_is_worth_recording(Some(t), t + Duration::seconds(59)));
        assert!(use_is_worth_recording(Some(t), t + Duration::seconds(60)));
        // A clock that went back writes nothing.
        assert!(!use_is_worth_recording(Some(t), t - Duration::hours(1)));
    }

    #[test]
    fn user_agents_are_kept_short_and_printable() {
        assert_eq!(short_user_agent(" curl/8.5\n\u{7}"), "curl/8.5");
        assert_eq!(short_user_agent(&"å".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn common_browsers_are_named_in_plain_words() {
        let cases = [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", Browser::Firefox, Os::Windows),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Browser::Edge, Os::Windows),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", Browser::Safari, Os::MacOs),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Browser::Chrome, Os::MacOs),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", Browser::Safari, Os::Ios),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", Browser::Chrome, Os::Ios),
            ("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", Browser::SamsungInternet, Os::Android),
            ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Browser::Chrome, Os::Android),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", Browser::Firefox, Os::Linux),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Browser::Chrome, Os::ChromeOs),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/114.0.0.0", Browser::Opera, Os::Windows),
            ("curl/8.5.0", Browser::Other, Os::Other),
            ("", Browser::Other, Os::Other),
        ];
        for (ua, browser, os) in cases {
            assert_eq!(classify(ua), (browser, os), "{ua}");
        }
    }

    #[test]
    fn accept_language_picks_swedish_or_english_by_weight() {
        let cases = [
            ("sv-SE,sv;q=0.9,en;q=0.8", Some("sv")),
            ("sv-FI", Some("sv")),
            ("en-GB,en;q=0.9", Some("en")),
            ("en-US", Some("en")),
            ("de-DE,de;q=0.9,en;q=0.7,sv;q=0.8", Some("sv")),
            ("de-DE,de;q=0.9,en;q=0.5", Some("en")),
            ("en;q=0.5, sv;q=0.5", Some("en")),
            ("sv;q=0, en;q=0.1", Some("en")),
            ("fi, de", None),
            ("*", None),
            ("", None),
            ("en;q=nonsense", None),
            ("svenska", None),
            ("EN-gb", Some("en")),
        ];
        for (header, want) in cases {
            assert_eq!(preferred_language(header), want, "{header}");
        }
    }
}
